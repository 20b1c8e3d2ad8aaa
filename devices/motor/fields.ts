// The motor record's fields (motorRecord.dbd of epics-modules/motor, R7-era: with SPDB, ACCS/ACCU, MISV,
// SYNC, IGSET) and their menus, in the order the .dbd declares them.
import { analogDisplayFields, commonFields, fieldList } from '../../ioc/records/common-fields.js';
import { f, menu, FieldTable, type FieldDef } from '../../ioc/records/field.js';
import { menuAlarmSevr, menuOmsl, menuYesNo } from '../../ioc/records/menus.js';

export const motorDIR = ['Pos', 'Neg'] as const;
export const motorSET = ['Use', 'Set'] as const;
export const motorUEIP = ['No', 'Yes'] as const;
export const motorSPMG = ['Stop', 'Pause', 'Move', 'Go'] as const;
export const motorFOFF = ['Variable', 'Frozen'] as const;
export const motorTORQ = ['Disable', 'Enable'] as const;
export const motorSTUP = ['OFF', 'ON', 'BUSY'] as const;
export const motorRMOD = ['Default', 'Arithmetic', 'Geometric', 'In-Position'] as const;
export const motorACCSused = ['Undef', 'Accl', 'Accs'] as const;

/** Menu indices the record logic tests against (motorRecord.h enums). */
export const SPMG = { Stop: 0, Pause: 1, Move: 2, Go: 3 } as const;
export const STUP = { OFF: 0, ON: 1, BUSY: 2 } as const;
export const RMOD = { Default: 0, Arithmetic: 1, Geometric: 2, InPosition: 3 } as const;
export const ACCU = { Undef: 0, Accl: 1, Accs: 2 } as const;

const ro = { readOnly: true } as const;
const pp = { pp: true } as const;

export const motorFieldDefs: readonly FieldDef[] = fieldList(commonFields, analogDisplayFields, [
  f('VERS', 'FLOAT', { ...ro, initial: 1 }),
  f('OFF', 'DOUBLE', pp),
  menu('FOFF', motorFOFF),
  f('FOF', 'SHORT'),
  f('VOF', 'SHORT'),
  menu('DIR', motorDIR, pp),
  menu('SET', motorSET),
  f('SSET', 'SHORT'),
  f('SUSE', 'SHORT'),
  f('VELO', 'DOUBLE'),
  f('VBAS', 'DOUBLE'),
  f('VMAX', 'DOUBLE'),
  f('S', 'DOUBLE'),
  f('SBAS', 'DOUBLE'),
  f('SMAX', 'DOUBLE'),
  f('ACCL', 'DOUBLE', { initial: 0.2 }),
  f('ACCS', 'DOUBLE'),
  menu('ACCU', motorACCSused),
  f('BDST', 'DOUBLE'),
  f('BVEL', 'DOUBLE'),
  f('SBAK', 'DOUBLE'),
  f('BACC', 'DOUBLE', { initial: 0.5 }),
  f('FRAC', 'FLOAT', { initial: 1 }),
  f('OUT', 'OUTLINK'),
  f('CARD', 'SHORT', ro),
  f('RDBL', 'INLINK'),
  f('DOL', 'INLINK'),
  menu('OMSL', menuOmsl),
  f('RLNK', 'OUTLINK'),
  f('SREV', 'LONG', { pp: true, initial: 200 }),
  f('UREV', 'DOUBLE', pp),
  f('MRES', 'DOUBLE', pp),
  f('ERES', 'DOUBLE', pp),
  f('RRES', 'DOUBLE'),
  f('RES', 'DOUBLE', ro),
  menu('UEIP', motorUEIP, pp),
  menu('URIP', motorUEIP, pp),
  f('HLM', 'DOUBLE', pp),
  f('LLM', 'DOUBLE', pp),
  f('DHLM', 'DOUBLE', pp),
  f('DLLM', 'DOUBLE', pp),
  f('HLS', 'SHORT', ro),
  f('LLS', 'SHORT', ro),
  f('RHLS', 'SHORT', ro),
  f('RLLS', 'SHORT', ro),
  f('HIHI', 'DOUBLE', pp),
  f('LOLO', 'DOUBLE', pp),
  f('HIGH', 'DOUBLE', pp),
  f('LOW', 'DOUBLE', pp),
  menu('HHSV', menuAlarmSevr, pp),
  menu('LLSV', menuAlarmSevr, pp),
  menu('HSV', menuAlarmSevr, pp),
  menu('LSV', menuAlarmSevr, pp),
  menu('HLSV', menuAlarmSevr, pp),
  f('RDBD', 'DOUBLE'),
  f('SPDB', 'DOUBLE'),
  f('RCNT', 'SHORT', ro),
  f('RTRY', 'SHORT', { initial: 10 }),
  f('MISS', 'SHORT', ro),
  menu('MISV', menuAlarmSevr, pp),
  menu('SPMG', motorSPMG, { pp: true, initial: SPMG.Go }),
  menu('LSPG', motorSPMG, { ...ro, initial: SPMG.Go }),
  f('STOP', 'SHORT', pp),
  f('HOMF', 'SHORT', pp),
  f('HOMR', 'SHORT', pp),
  f('JOGF', 'SHORT', pp),
  f('JOGR', 'SHORT', pp),
  f('TWF', 'SHORT', pp),
  f('TWR', 'SHORT', pp),
  f('TWV', 'DOUBLE'),
  f('VAL', 'DOUBLE', pp),
  f('LVAL', 'DOUBLE', ro),
  f('DVAL', 'DOUBLE', pp),
  f('LDVL', 'DOUBLE', ro),
  f('RVAL', 'LONG', pp),
  f('LRVL', 'LONG', ro),
  f('RLV', 'DOUBLE', pp),
  f('LRLV', 'DOUBLE', ro),
  f('RBV', 'DOUBLE', ro),
  f('DRBV', 'DOUBLE', ro),
  f('DIFF', 'DOUBLE', ro),
  f('RDIF', 'LONG', ro),
  f('CDIR', 'SHORT', ro),
  f('RRBV', 'LONG', ro),
  f('RMP', 'LONG', ro),
  f('REP', 'LONG', ro),
  f('RVEL', 'LONG', ro),
  f('DMOV', 'SHORT', { ...ro, initial: 1 }),
  f('MOVN', 'SHORT', ro),
  f('MSTA', 'ULONG', ro),
  f('LVIO', 'SHORT', { ...ro, initial: 1 }),
  f('TDIR', 'SHORT', ro),
  f('ATHM', 'SHORT', ro),
  f('PP', 'SHORT', ro),
  f('MIP', 'USHORT', ro),
  f('MMAP', 'ULONG', ro),
  f('NMAP', 'ULONG', ro),
  f('DLY', 'DOUBLE'),
  f('PCOF', 'DOUBLE'),
  f('ICOF', 'DOUBLE'),
  f('DCOF', 'DOUBLE'),
  menu('CNEN', motorTORQ, pp),
  f('INIT', 'STRING'),
  f('PREM', 'STRING'),
  f('POST', 'STRING'),
  f('STOO', 'OUTLINK'),
  f('DINP', 'INLINK'),
  f('RINP', 'INLINK'),
  f('JVEL', 'DOUBLE'),
  f('JAR', 'DOUBLE'),
  menu('LOCK', menuYesNo),
  menu('NTM', menuYesNo, { initial: 1 }),
  f('NTMF', 'USHORT', { initial: 2 }),
  f('HVEL', 'DOUBLE'),
  menu('STUP', motorSTUP, pp),
  menu('RMOD', motorRMOD),
  f('ADEL', 'DOUBLE'),
  f('MDEL', 'DOUBLE'),
  f('ALST', 'DOUBLE', ro),
  f('MLST', 'DOUBLE', ro),
  f('SYNC', 'SHORT', pp),
  f('IGSET', 'SHORT'),
]);

export const motorFieldTable = new FieldTable(motorFieldDefs);

/**
 * Typed view of a motor record's field storage (`rec.v`): numbers for every numeric and menu field,
 * strings for strings and links. The record reads and writes its fields through this view.
 */
export interface MotorFields {
  NAME: string; DESC: string; DTYP: string; OUT: string; DOL: string; RDBL: string; RLNK: string; FLNK: string;
  EGU: string; PREC: number; HOPR: number; LOPR: number;
  SCAN: number; UDF: number; STAT: number; SEVR: number; NSTA: number; NSEV: number; DISP: number;
  VERS: number; OFF: number; FOFF: number; FOF: number; VOF: number; DIR: number; SET: number; SSET: number; SUSE: number;
  VELO: number; VBAS: number; VMAX: number; S: number; SBAS: number; SMAX: number;
  ACCL: number; ACCS: number; ACCU: number; BDST: number; BVEL: number; SBAK: number; BACC: number; FRAC: number;
  CARD: number; OMSL: number; SREV: number; UREV: number; MRES: number; ERES: number; RRES: number; RES: number;
  UEIP: number; URIP: number; HLM: number; LLM: number; DHLM: number; DLLM: number;
  HLS: number; LLS: number; RHLS: number; RLLS: number;
  HIHI: number; LOLO: number; HIGH: number; LOW: number; HHSV: number; LLSV: number; HSV: number; LSV: number; HLSV: number;
  RDBD: number; SPDB: number; RCNT: number; RTRY: number; MISS: number; MISV: number; SPMG: number; LSPG: number;
  STOP: number; HOMF: number; HOMR: number; JOGF: number; JOGR: number; TWF: number; TWR: number; TWV: number;
  VAL: number; LVAL: number; DVAL: number; LDVL: number; RVAL: number; LRVL: number; RLV: number; LRLV: number;
  RBV: number; DRBV: number; DIFF: number; RDIF: number; CDIR: number; RRBV: number; RMP: number; REP: number; RVEL: number;
  DMOV: number; MOVN: number; MSTA: number; LVIO: number; TDIR: number; ATHM: number; PP: number; MIP: number;
  MMAP: number; NMAP: number; DLY: number; PCOF: number; ICOF: number; DCOF: number; CNEN: number;
  JVEL: number; JAR: number; LOCK: number; NTM: number; NTMF: number; HVEL: number; STUP: number; RMOD: number;
  ADEL: number; MDEL: number; ALST: number; MLST: number; SYNC: number; IGSET: number;
}
