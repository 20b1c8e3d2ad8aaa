import { alarmStatusNames, AlarmStatus } from '../../epics/alarm.js';
import { DbrBase } from '../../epics/field-type.js';
import { EPICS_EPOCH_OFFSET } from '../../epics/time.js';
import type { DbrSnapshot, DbrValue } from '../../epics/value.js';
import { scalar, scalarArray, struct, type FieldDesc, type ScalarType, type StructureDesc } from '../protocol/field-desc.js';
import type { PvStruct } from '../protocol/value.js';

// The normative types a PV is served as, laid out as softIocPVA (QSRV) serves a record: NTScalar,
// NTScalarArray and NTEnum with alarm, timeStamp, display, control and valueAlarm.

export const alarmT = struct('alarm_t', { severity: scalar('int'), status: scalar('int'), message: scalar('string') });
export const timeT = struct('time_t', { secondsPastEpoch: scalar('long'), nanoseconds: scalar('int'), userTag: scalar('int') });
export const enumT = struct('enum_t', { index: scalar('int'), choices: scalarArray('string') });
const displayT = struct('display_t', {
  limitLow: scalar('double'),
  limitHigh: scalar('double'),
  description: scalar('string'),
  units: scalar('string'),
  precision: scalar('int'),
  form: enumT,
});
const controlT = struct('control_t', { limitLow: scalar('double'), limitHigh: scalar('double'), minStep: scalar('double') });
const valueAlarmT = struct('valueAlarm_t', {
  active: scalar('boolean'),
  lowAlarmLimit: scalar('double'),
  lowWarningLimit: scalar('double'),
  highWarningLimit: scalar('double'),
  highAlarmLimit: scalar('double'),
  lowAlarmSeverity: scalar('int'),
  lowWarningSeverity: scalar('int'),
  highWarningSeverity: scalar('int'),
  highAlarmSeverity: scalar('int'),
  hysteresis: scalar('byte'),
});
/** display.form choices (QSRV's menu). */
export const formChoices = ['Default', 'String', 'Binary', 'Decimal', 'Hex', 'Exponential', 'Engineering'];

/** pvData element type of each native field type (DBF_CHAR served as ubyte: image bytes, CA's DBR_CHAR). */
export const scalarTypeOf: Record<DbrBase, ScalarType> = {
  [DbrBase.STRING]: 'string',
  [DbrBase.SHORT]: 'short',
  [DbrBase.FLOAT]: 'float',
  [DbrBase.ENUM]: 'ushort',
  [DbrBase.CHAR]: 'ubyte',
  [DbrBase.LONG]: 'int',
  [DbrBase.DOUBLE]: 'double',
};

/** What a served PV looks like to PVA: its NT type. */
export interface NtShape {
  readonly kind: 'NTScalar' | 'NTScalarArray' | 'NTEnum';
  readonly desc: StructureDesc;
}

const shapes = new Map<string, NtShape>();

/** The NT type for a PV of `type` holding up to `maxCount` elements (cached: types are immutable). */
export function ntShape(type: DbrBase, maxCount: number): NtShape {
  const isArray = maxCount > 1 && type !== DbrBase.ENUM;
  const key = `${type}:${isArray}`;
  let s = shapes.get(key);
  if (s) return s;
  if (type === DbrBase.ENUM) {
    s = { kind: 'NTEnum', desc: struct('epics:nt/NTEnum:1.0', { value: enumT, alarm: alarmT, timeStamp: timeT }) };
  } else {
    const st = scalarTypeOf[type];
    const numeric = st !== 'string';
    const fields: Record<string, FieldDesc> = {
      value: isArray ? scalarArray(st) : scalar(st),
      alarm: alarmT,
      timeStamp: timeT,
      display: displayT,
    };
    if (numeric) {
      fields['control'] = controlT;
      if (!isArray) fields['valueAlarm'] = valueAlarmT;
    }
    s = { kind: isArray ? 'NTScalarArray' : 'NTScalar', desc: struct(isArray ? 'epics:nt/NTScalarArray:1.0' : 'epics:nt/NTScalar:1.0', fields) };
  }
  shapes.set(key, s);
  return s;
}

/**
 * pvData's alarm status (NONE, DEVICE, DRIVER, RECORD, DB, CONF, UNDEFINED, CLIENT) for an EPICS alarm
 * condition, as pvAccessCPP's CA provider maps them; the condition's name goes in alarm.message.
 */
export function alarmStatusOf(stat: number): number {
  switch (stat) {
    case AlarmStatus.NO_ALARM:
      return 0;
    case AlarmStatus.READ:
    case AlarmStatus.WRITE:
    case AlarmStatus.HWLIMIT:
      return 1;
    case AlarmStatus.COMM:
    case AlarmStatus.TIMEOUT:
      return 2;
    case AlarmStatus.SCAN:
    case AlarmStatus.LINK:
    case AlarmStatus.DISABLE:
      return 4;
    case AlarmStatus.SOFT:
    case AlarmStatus.BAD_SUB:
    case AlarmStatus.SIMM:
      return 5;
    case AlarmStatus.UDF:
      return 6;
    case AlarmStatus.READ_ACCESS:
    case AlarmStatus.WRITE_ACCESS:
      return 7;
    default:
      return 3; // HIHI … COS, CALC: the record's own alarms
  }
}

export interface NtSource extends DbrSnapshot {
  readonly maxCount: number;
  readonly description?: string;
}

/** Update-time fields (value, alarm, time) may come from a posted update rather than the PV itself. */
export interface NtMoment {
  readonly value: DbrValue;
  readonly status: number;
  readonly severity: number;
  readonly secPastEpoch: number;
  readonly nsec: number;
}

/** The full NT value of a PV at `moment` (defaults to now). */
export function ntValue(pv: NtSource, moment: NtMoment = pv): PvStruct {
  const shape = ntShape(pv.nativeType, pv.maxCount);
  const v = moment.value;
  const alarm = {
    severity: moment.severity,
    status: alarmStatusOf(moment.status),
    message: moment.status === AlarmStatus.NO_ALARM ? '' : (alarmStatusNames[moment.status] ?? ''),
  };
  // pvData time_t counts from the POSIX epoch, EPICS time from 1990.
  const timeStamp = { secondsPastEpoch: moment.secPastEpoch + EPICS_EPOCH_OFFSET, nanoseconds: moment.nsec, userTag: 0 };
  if (shape.kind === 'NTEnum') {
    return { value: { index: typeof v === 'number' ? v : Number(v) || 0, choices: pv.enumStrings }, alarm, timeStamp };
  }
  const l = pv.limits;
  const out: PvStruct = {
    value: shape.kind === 'NTScalarArray' ? asArray(v) : typeof v === 'object' ? (v as ArrayLike<unknown>)[0] : v,
    alarm,
    timeStamp,
    display: {
      limitLow: l.lowerDisp,
      limitHigh: l.upperDisp,
      description: pv.description ?? '',
      units: pv.units,
      precision: pv.precision,
      form: { index: 0, choices: formChoices },
    },
  };
  if (pv.nativeType !== DbrBase.STRING) {
    out['control'] = { limitLow: l.lowerCtrl, limitHigh: l.upperCtrl, minStep: 0 };
    if (shape.kind === 'NTScalar') {
      const active = l.upperAlarm !== 0 || l.lowerAlarm !== 0 || l.upperWarning !== 0 || l.lowerWarning !== 0;
      out['valueAlarm'] = {
        active,
        lowAlarmLimit: l.lowerAlarm,
        lowWarningLimit: l.lowerWarning,
        highWarningLimit: l.upperWarning,
        highAlarmLimit: l.upperAlarm,
        lowAlarmSeverity: 0,
        lowWarningSeverity: 0,
        highWarningSeverity: 0,
        highAlarmSeverity: 0,
        hysteresis: 0,
      };
    }
  }
  return out;
}

function asArray(v: DbrValue): ArrayLike<unknown> {
  return typeof v === 'number' || typeof v === 'string' ? [v] : v;
}
