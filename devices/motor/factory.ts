// Motors for beamline profiles: a motor record driven by an axis of the simulated controller, configured
// from plain data (record fields by their EPICS names, switch/home/start positions in dial EGU).
import type { RecordDatabase } from '../../ioc/records/record-database.js';
import { motorSimCreateController } from './device-support.js';
import type { MotorRecord } from './motor-record.js';

export interface SimMotorSettings {
  readonly VELO?: number;
  readonly VBAS?: number;
  readonly VMAX?: number;
  readonly ACCL?: number;
  readonly MRES?: number;
  readonly PREC?: number;
  readonly EGU?: string;
  readonly DESC?: string;
  readonly DIR?: 'Pos' | 'Neg';
  readonly OFF?: number;
  /** Dial soft limits (the record derives HLM/LLM from them, as motorRecord init does). */
  readonly DHLM?: number;
  readonly DLLM?: number;
  readonly HOPR?: number;
  readonly LOPR?: number;
  readonly BDST?: number;
  readonly BVEL?: number;
  readonly BACC?: number;
  readonly HVEL?: number;
  readonly JVEL?: number;
  readonly JAR?: number;
  readonly TWV?: number;
  readonly RDBD?: number;
  readonly RTRY?: number;
  /** Severity of limit-switch alarms (default MAJOR here; the record's own default is NO_ALARM). */
  readonly HLSV?: 'NO_ALARM' | 'MINOR' | 'MAJOR' | 'INVALID';
  /** Any other fields, as a .db would give them. */
  readonly fields?: Readonly<Record<string, string | number>>;
  /** Simulated limit switch positions, dial EGU (none when omitted). */
  readonly highLimitSwitch?: number;
  readonly lowLimitSwitch?: number;
  /** Home position, dial EGU (default 0). */
  readonly home?: number;
  /** Start position, dial EGU (default 0). */
  readonly start?: number;
  /** Readback update period while moving, ms (default 100). */
  readonly updatePeriodMs?: number;
  /** Controller port and axis (default: a shared "beamtwin-sim" port, next free axis). */
  readonly port?: string;
  readonly axis?: number;
}

/** The sample-stage motors of the CMS 11-BM reference twin (cms-twin.md §1). */
export const CMS_SIM_MOTOR: SimMotorSettings = {
  EGU: 'degrees',
  VELO: 1,
  VBAS: 0.1,
  ACCL: 0.2,
  MRES: 0.01,
  PREC: 5,
  DIR: 'Pos',
  DHLM: 20000,
  DLLM: -20000,
  BVEL: 1,
  BACC: 0.2,
  TWV: 1,
  HLSV: 'NO_ALARM',
  highLimitSwitch: 200,
  lowLimitSwitch: -200,
  home: 0,
  start: 0,
  updatePeriodMs: 100,
};

const RECORD_FIELDS = [
  'VELO', 'VBAS', 'VMAX', 'ACCL', 'MRES', 'PREC', 'EGU', 'DESC', 'DIR', 'OFF', 'DHLM', 'DLLM', 'HOPR', 'LOPR', 'BDST',
  'BVEL', 'BACC', 'HVEL', 'JVEL', 'JAR', 'TWV', 'RDBD', 'RTRY', 'HLSV',
] as const;

/** Create (and, when the database is started, initialise) a simulated motor record. */
export function createSimMotor(records: RecordDatabase, name: string, settings: SimMotorSettings = {}): MotorRecord {
  const mres = settings.MRES || 1;
  const port = settings.port ?? 'beamtwin-sim';
  const controller = motorSimCreateController(records, port);
  const axisNo = settings.axis ?? controller.axisCount;
  // Switch positions in raw steps; with MRES < 0 the dial high switch is the raw low one.
  const hiDial = settings.highLimitSwitch ?? Number.POSITIVE_INFINITY;
  const loDial = settings.lowLimitSwitch ?? Number.NEGATIVE_INFINITY;
  const high = mres > 0 ? hiDial / mres : loDial / mres;
  const low = mres > 0 ? loDial / mres : hiDial / mres;
  controller.axis(axisNo).configure({
    highLimit: high,
    lowLimit: low,
    home: (settings.home ?? 0) / mres,
    start: (settings.start ?? 0) / mres,
    updatePeriodMs: settings.updatePeriodMs ?? 100,
  });
  const fields: Record<string, string> = { DTYP: 'asynMotor', OUT: `@asyn(${port},${axisNo})`, HLSV: 'MAJOR' };
  for (const f of RECORD_FIELDS) {
    const v = settings[f];
    if (v !== undefined) fields[f] = String(v);
  }
  for (const [f, v] of Object.entries(settings.fields ?? {})) fields[f] = String(v);
  return records.add({ type: 'motor', name, fields }) as MotorRecord;
}
