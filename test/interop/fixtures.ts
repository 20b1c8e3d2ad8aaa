// PVs the interop suite serves: one per native type, with metadata a client can check exactly.
import { AlarmStatus, Severity } from '../../ioc/ca/protocol/constants.js';
import { DbrBase } from '../../ioc/ca/protocol/dbr-types.js';
import type { PvDatabase } from '../../ioc/db/database.js';

export const WAVEFORM_LENGTH = 100_000;
export const waveformValue = (i: number): number => i * 0.5 - 7;

export interface ScalarSpec {
  readonly suffix: string;
  readonly type: DbrBase;
  readonly value: number | string;
  readonly units: string;
  readonly precision: number;
  /** upperDisp, lowerDisp, upperAlarm, upperWarning, lowerWarning, lowerAlarm, upperCtrl, lowerCtrl */
  readonly limits: readonly [number, number, number, number, number, number, number, number];
  /** What a DBR_STRING read of the value gives (server-side conversion). */
  readonly asString: string;
}

export const ENUM_STRINGS = ['Off', 'On', 'Fault'] as const;

export const scalars: readonly ScalarSpec[] = [
  { suffix: 'dbl', type: DbrBase.DOUBLE, value: 1.5, units: 'mm', precision: 3, limits: [10, -10, 9, 8, -8, -9, 5, -5], asString: '1.500' },
  { suffix: 'flt', type: DbrBase.FLOAT, value: 2.25, units: 'V', precision: 2, limits: [20, -20, 18, 16, -16, -18, 15, -15], asString: '2.25' },
  { suffix: 'lng', type: DbrBase.LONG, value: 123456, units: 'cts', precision: 0, limits: [1000000, -1000000, 900000, 800000, -800000, -900000, 700000, -700000], asString: '123456' },
  { suffix: 'sht', type: DbrBase.SHORT, value: -1234, units: 'deg', precision: 0, limits: [3000, -3000, 2900, 2800, -2800, -2900, 2700, -2700], asString: '-1234' },
  { suffix: 'chr', type: DbrBase.CHAR, value: 65, units: 'b', precision: 0, limits: [200, 10, 190, 180, 20, 15, 170, 30], asString: '65' },
  { suffix: 'enm', type: DbrBase.ENUM, value: 1, units: '', precision: 0, limits: [0, 0, 0, 0, 0, 0, 0, 0], asString: 'On' },
  { suffix: 'str', type: DbrBase.STRING, value: 'hello world', units: '', precision: 0, limits: [0, 0, 0, 0, 0, 0, 0, 0], asString: 'hello world' },
];

const limitsOf = (l: ScalarSpec['limits']) => ({
  upperDisp: l[0],
  lowerDisp: l[1],
  upperAlarm: l[2],
  upperWarning: l[3],
  lowerWarning: l[4],
  lowerAlarm: l[5],
  upperCtrl: l[6],
  lowerCtrl: l[7],
});

/** Small arrays of the other native types (the big waveform is DOUBLE). CHAR arrays carry long strings. */
export interface ArraySpec {
  readonly suffix: string;
  readonly type: DbrBase;
  readonly value: readonly number[] | readonly string[];
  readonly maxCount: number;
  /** What a write then puts, and reads back. */
  readonly write: readonly number[] | readonly string[];
}

const chars = (text: string): number[] => [...Buffer.from(text + '\0', 'latin1')];

export const arrays: readonly ArraySpec[] = [
  { suffix: 'a_sht', type: DbrBase.SHORT, value: [1, -2, 3, -4], maxCount: 4, write: [-32768, 32767, 0, 5] },
  { suffix: 'a_flt', type: DbrBase.FLOAT, value: [0.5, 1.5, -2.5], maxCount: 3, write: [3.25, -0.125, 1024] },
  { suffix: 'a_lng', type: DbrBase.LONG, value: [100000, -100000, 7], maxCount: 3, write: [2147483647, -2147483648, 1] },
  { suffix: 'a_chr', type: DbrBase.CHAR, value: chars('hello'), maxCount: 32, write: chars('a longer text, > 1 word') },
  { suffix: 'a_enm', type: DbrBase.ENUM, value: [0, 1, 2], maxCount: 3, write: [2, 2, 0] },
  { suffix: 'a_str', type: DbrBase.STRING, value: ['one', 'two', 'three'], maxCount: 3, write: ['x', 'yy', 'zzz'] },
];

/** The standard interop PV set under `p`. */
export function createInteropPvs(db: PvDatabase, p: string): void {
  for (const s of scalars) {
    db.create(p + s.suffix, {
      type: s.type,
      value: s.value,
      units: s.units,
      precision: s.precision,
      limits: limitsOf(s.limits),
      enumStrings: s.type === DbrBase.ENUM ? ENUM_STRINGS : undefined,
    });
  }
  for (const a of arrays) {
    db.create(p + a.suffix, {
      type: a.type,
      value: [...a.value] as number[] | string[],
      maxCount: a.maxCount,
      enumStrings: a.type === DbrBase.ENUM ? ENUM_STRINGS : undefined,
    });
  }
  const wf = new Float64Array(WAVEFORM_LENGTH);
  for (let i = 0; i < wf.length; i++) wf[i] = waveformValue(i);
  db.create(p + 'wf', { type: DbrBase.DOUBLE, value: wf, units: 'cnt', precision: 1, limits: limitsOf([100, 0, 0, 0, 0, 0, 0, 0]) });
  // A waveform with room for 20 elements holding 5 (NORD 5): count 0 reads give 5.
  db.create(p + 'dyn', { type: DbrBase.DOUBLE, value: [1, 2, 3, 4, 5], maxCount: 20 });
  db.create(p + 'ro', { type: DbrBase.DOUBLE, value: 42, writable: false });
  const alarmed = db.create(p + 'alarmed', { type: DbrBase.DOUBLE, value: 8.5, precision: 1 });
  alarmed.setAlarm(AlarmStatus.HIGH, Severity.MINOR);
}
