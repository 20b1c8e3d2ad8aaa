import { DbrBase } from '../../ioc/ca/protocol/dbr-types.js';
import type { TimerHandle } from '../../ioc/clock.js';
import type { PvDatabase } from '../../ioc/db/database.js';
import { PutError } from '../../ioc/db/errors.js';
import type { Pv, PvOptions } from '../../ioc/db/pv.js';
import type { DeviceHandle } from '../device.js';

export interface LinkamOptions {
  /** e.g. `XF:11BM-ES:{LINKAM}:` */
  readonly prefix: string;
  /** Other spellings of the prefix served by the same PVs (`XF:11BM-ES:LINKAM:`). */
  readonly aliases?: readonly string[];
  readonly setpoint?: number;
  readonly rampRate?: number;
  readonly temperature?: number;
  /** Seconds between ramp steps (the reference model steps about once a second). */
  readonly stepPeriod?: number;
  /** |setpoint − TEMP| below this counts as "at setpoint" for STATUS. */
  readonly band?: number;
  /** The stage's temperature range, °C: setpoints outside it are refused (default THMS600: −196 … 600). */
  readonly range?: readonly [number, number];
  /** The fastest ramp the controller takes (default 150, the T96 with a THMS600). */
  readonly maxRampRate?: number;
}

/** THMS600 on a T96: liquid-nitrogen cooled to −196 °C, heated to 600 °C, ramps 0.01 … 150. */
export const LINKAM_LIMITS = { range: [-196, 600] as const, minRampRate: 0.01, maxRampRate: 150 };

/**
 * A value the T96 refuses: the SDK's SetValue returns false and the driver's write fails (asynError),
 * so a CA put gets an error and the setting stays as it was. NaN and ±Inf never reach the controller.
 */
function checked(v: unknown, what: string, lo: number, hi: number): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < lo || n > hi) throw new PutError(`${what} ${String(v)} is outside the controller's range ${lo} … ${hi}`);
  return n;
}

/** Plain-value PVs of the LinkamThermal/LinkamTensile ophyd devices that have no behaviour here. */
const plainDoubles = [
  'RAMPRATE', 'SETPOINT', 'POWER', 'LNP_SPEED', 'LNP_SPEED:SET', 'LNP_MODE:SET', 'TST_MOTOR_POS', 'TST_MOTOR_VEL',
  'TST_MOTOR_VEL:SET', 'TST_FORCE', 'TST_STRAIN', 'TST_STRESS', 'TST_JAW_POS', 'TST_GAUGE_LEN', 'TST_TABLE_MODE:SET',
  'TST_MTR_DIR:SET', 'TST_MTR_START', 'TST_MTR_STOP', 'TST_FORCE_SETPOINT:SET', 'TST_STRAIN_SETPOINT:SET',
  'TEMP_LIMIT', 'VACUUM', 'HUMIDITY', 'PRESSURE',
];

/** The driver clamps the LN2 pump speed to 0 … 100 % (linkamT96 writeInt32); NaN is refused. */
function lnpSpeed(v: unknown): number {
  const n = Number(v);
  if (Number.isNaN(n)) throw new PutError(`LNP speed ${String(v)} is not a number`);
  return Math.min(100, Math.max(0, n));
}

/**
 * Linkam thermal stage as the CMS reference twin models it: with the heater on, every step TEMP moves
 * toward the setpoint by min(|gap|, 0.1 × RAMPRATE) and lands exactly on it; STATUS is 2 while ramping
 * (|gap| ≥ 0.5), 1 at the setpoint, 0 with the heater off. Every write posts a monitor, even of an
 * unchanged value (the reference traces depend on it).
 */
export function createLinkam(db: PvDatabase, opts: LinkamOptions): DeviceHandle & { readonly temp: Pv } {
  const p = opts.prefix;
  const band = opts.band ?? 0.5;
  const period = (opts.stepPeriod ?? 1) * 1000;
  const defaults = { sp: opts.setpoint ?? 25, rr: opts.rampRate ?? 10, temp: opts.temperature ?? 25 };
  const names: [string, Pv][] = [];
  const make = (suffix: string, o: PvOptions): Pv => {
    const pv = db.create(p + suffix, o);
    names.push([suffix, pv]);
    return pv;
  };
  let timer: TimerHandle | undefined;
  // Writes post even when the value is unchanged.
  const forcePut = (pv: Pv, v: unknown) => {
    pv.set(v as number, { force: true });
  };
  const [tLo, tHi] = opts.range ?? LINKAM_LIMITS.range;
  const rrHi = opts.maxRampRate ?? LINKAM_LIMITS.maxRampRate;
  const sp = make('SETPOINT:SET', {
    type: DbrBase.DOUBLE,
    value: defaults.sp,
    units: 'C',
    precision: 1,
    limits: { lowerCtrl: tLo, upperCtrl: tHi, lowerDisp: tLo, upperDisp: tHi },
    put: (pv, v) => {
      forcePut(pv, checked(v, 'setpoint', tLo, tHi));
      updateStatus();
    },
  });
  // No units: a real Linkam takes °C/min, but the reference model steps 0.1 × RAMPRATE °C each second.
  const rr = make('RAMPRATE:SET', {
    type: DbrBase.DOUBLE,
    value: defaults.rr,
    precision: 1,
    limits: { lowerCtrl: LINKAM_LIMITS.minRampRate, upperCtrl: rrHi, lowerDisp: 0, upperDisp: rrHi },
    put: (pv, v) => forcePut(pv, checked(v, 'ramp rate', LINKAM_LIMITS.minRampRate, rrHi)),
  });
  // Writable as in the reference twin (it stands in for a stage being warmed by hand), but only finite.
  const temp = make('TEMP', { type: DbrBase.DOUBLE, value: defaults.temp, units: 'C', precision: 1, put: (pv, v) => { forcePut(pv, checked(v, 'temperature', -273.15, Number.MAX_VALUE)); updateStatus(); } });
  const status = make('STATUS', { type: DbrBase.LONG, value: 0, writable: false });
  const heat = make('STARTHEAT', {
    type: DbrBase.LONG,
    value: 0,
    put: (pv, v) => {
      // A bo record: any non-zero value is On (1).
      const on = Number(v) ? 1 : 0;
      forcePut(pv, on);
      if (on) startRamp();
      else stopRamp();
      updateStatus();
    },
  });
  for (const name of plainDoubles) make(name, { type: DbrBase.DOUBLE, value: 0, put: name === 'LNP_SPEED:SET' ? (pv, v) => forcePut(pv, lnpSpeed(v)) : forcePut });

  function updateStatus(): void {
    const on = Number(heat.value) !== 0;
    const gap = Math.abs((sp.value as number) - (temp.value as number));
    const next = !on ? 0 : gap >= band ? 2 : 1;
    if (next !== status.value) status.set(next);
  }
  function step(): void {
    const target = sp.value as number;
    const t = temp.value as number;
    const gap = target - t;
    if (gap === 0) return updateStatus();
    const delta = Math.min(Math.abs(gap), 0.1 * (rr.value as number));
    temp.set(Math.abs(gap) <= delta ? target : t + Math.sign(gap) * delta);
    updateStatus();
  }
  function startRamp(): void {
    if (!timer) timer = db.clock.setInterval(step, period);
  }
  function stopRamp(): void {
    timer?.cancel();
    timer = undefined;
  }
  for (const alias of opts.aliases ?? []) for (const [suffix, pv] of names) db.alias(alias + suffix, pv);

  return {
    temp,
    reset() {
      stopRamp();
      heat.set(0, { force: true });
      sp.set(defaults.sp, { force: true });
      rr.set(defaults.rr, { force: true });
      temp.set(defaults.temp, { force: true });
      updateStatus();
    },
    stop: stopRamp,
  };
}
