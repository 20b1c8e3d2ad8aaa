import { f, menu, type FieldDef } from './field.js';
import { menuAlarmSevr, menuAlarmStat, menuPini, menuPriority, menuScan, menuSimm, menuYesNo } from './menus.js';

/** dbCommon: the fields every record has (dbCommon.dbd). */
export const commonFields: readonly FieldDef[] = [
  f('NAME', 'STRING', { readOnly: true }),
  f('DESC', 'STRING'),
  f('ASG', 'STRING'),
  menu('SCAN', menuScan),
  menu('PINI', menuPini),
  f('PHAS', 'SHORT'),
  f('EVNT', 'STRING'),
  f('TSE', 'SHORT'),
  f('TSEL', 'INLINK'),
  f('DTYP', 'DEVICE'),
  f('DISV', 'SHORT', { initial: 1 }),
  f('DISA', 'SHORT'),
  f('SDIS', 'INLINK'),
  menu('DISS', menuAlarmSevr),
  f('PROC', 'UCHAR', { pp: true }),
  menu('STAT', menuAlarmStat, { readOnly: true, initial: 17 /* UDF */ }),
  menu('SEVR', menuAlarmSevr, { readOnly: true }), // iocInit sets UDFS while UDF (EpicsRecord.init)
  menu('NSTA', menuAlarmStat, { readOnly: true }),
  menu('NSEV', menuAlarmSevr, { readOnly: true }),
  menu('ACKS', menuAlarmSevr, { readOnly: true }),
  menu('ACKT', ['NO', 'YES'], { initial: 1 }),
  menu('UDFS', menuAlarmSevr, { initial: 3 }),
  f('UDF', 'UCHAR', { initial: 1, pp: true }),
  f('FLNK', 'FWDLINK'),
  menu('PRIO', menuPriority),
  f('TPRO', 'UCHAR'),
  f('PACT', 'UCHAR', { readOnly: true }),
  f('LCNT', 'UCHAR', { readOnly: true }),
  f('DISP', 'UCHAR'),
  f('PUTF', 'UCHAR', { readOnly: true }),
  f('RPRO', 'UCHAR', { readOnly: true }),
  f('AMSG', 'STRING', { readOnly: true }),
  f('NAMSG', 'STRING', { readOnly: true }),
  f('UTAG', 'UINT64', { readOnly: true }),
];

/**
 * The simulation-mode fields of I/O records (SIMM with menuSimm for the analog/binary/mbb types, menuYesNo
 * for the others). They are served; simulation mode itself is not implemented.
 */
export function simulationFields(simm: readonly string[] = menuYesNo): FieldDef[] {
  return [
    f('SIML', 'INLINK'),
    menu('SIMM', simm),
    menu('SIMS', menuAlarmSevr),
    f('SIOL', 'INLINK'),
    menu('OLDSIMM', menuSimm, { readOnly: true }),
    menu('SSCN', menuScan, { initial: 65535 }),
    f('SDLY', 'DOUBLE', { initial: -1 }),
  ];
}

/** Display fields most analog records share. */
export const analogDisplayFields: readonly FieldDef[] = [
  f('EGU', 'STRING'),
  f('PREC', 'SHORT'),
  f('HOPR', 'DOUBLE'),
  f('LOPR', 'DOUBLE'),
];

/** Alarm limit fields with their severities and hysteresis (ai, ao, calc, longin …). */
export function alarmLimitFields(dbf: 'DOUBLE' | 'LONG' | 'INT64' = 'DOUBLE'): FieldDef[] {
  return [
    f('HIHI', dbf, { pp: true }),
    f('LOLO', dbf, { pp: true }),
    f('HIGH', dbf, { pp: true }),
    f('LOW', dbf, { pp: true }),
    menu('HHSV', menuAlarmSevr, { pp: true }),
    menu('LLSV', menuAlarmSevr, { pp: true }),
    menu('HSV', menuAlarmSevr, { pp: true }),
    menu('LSV', menuAlarmSevr, { pp: true }),
    f('HYST', dbf),
    f('AFTC', 'DOUBLE'),
    f('LALM', dbf, { readOnly: true }),
    f('MDEL', dbf),
    f('ADEL', dbf),
    f('MLST', dbf, { readOnly: true }),
    f('ALST', dbf, { readOnly: true }),
  ];
}

/** Dedupe by name, later definitions winning (a type may refine a common field). */
export function fieldList(...groups: readonly (readonly FieldDef[])[]): FieldDef[] {
  const map = new Map<string, FieldDef>();
  for (const g of groups) for (const fd of g) map.set(fd.name, fd);
  return [...map.values()];
}
