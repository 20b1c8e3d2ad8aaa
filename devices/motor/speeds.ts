// Speed and resolution checks of motorRecord.cc: check_speed_and_resolution(), range_check(), the
// ACCL/ACCS pair and velcheckA/B, over one table of the velocity (EGU/s) / speed (rev/s) pairs.
import { ACCU } from './fields.js';
import { VAL_LOG } from './monitor.js';
import type { MotorRecord } from './motor-record.js';

/** range_check: clamp a field into min…max (max 0: no upper bound), posting it when it changed. */
export function range_check(pr: MotorRecord, field: SpeedPair['velo'] | SpeedPair['speed'] | 'JVEL' | 'HVEL' | 'SPDB', min: number, max: number): void {
  const m = pr.m;
  let v = m[field];
  let changed = false;
  if (v < min) {
    v = min;
    changed = true;
  }
  if (max !== 0 && v > max) {
    v = max;
    changed = true;
  }
  if (changed) {
    m[field] = v;
    pr.post(field, VAL_LOG);
  }
}

export function check_resolution(pr: MotorRecord): void {
  const m = pr.m;
  if (m.SREV <= 0) {
    m.SREV = 200;
    pr.mark('SREV');
  }
  if (m.UREV !== 0) {
    m.MRES = m.UREV / m.SREV;
    pr.mark('MRES');
  }
  if (m.MRES === 0) {
    m.MRES = 1;
    pr.mark('MRES');
  }
  if (m.UREV !== m.MRES * m.SREV) {
    m.UREV = m.MRES * m.SREV;
    pr.mark('UREV');
  }
}

/** A velocity in EGU/s and the same speed in rev/s (velocity = speed × |UREV|). */
export interface SpeedPair {
  readonly velo: 'VBAS' | 'VELO' | 'BVEL' | 'VMAX';
  readonly speed: 'SBAS' | 'S' | 'SBAK' | 'SMAX';
  /** Kept within VBAS…VMAX (SBAS…SMAX); otherwise only ≥ 0. */
  readonly bounded: boolean;
}

/** The four pairs, base speed first (the others are checked against it). */
export const SPEED_PAIRS: readonly SpeedPair[] = [
  { velo: 'VBAS', speed: 'SBAS', bounded: false },
  { velo: 'VELO', speed: 'S', bounded: true },
  { velo: 'BVEL', speed: 'SBAK', bounded: true },
  { velo: 'VMAX', speed: 'SMAX', bounded: false },
];

/** The pair a velocity or speed field belongs to. */
export function speedPairOf(field: string): SpeedPair | undefined {
  return SPEED_PAIRS.find((p) => p.velo === field || p.speed === field);
}

/** special() for a velocity: clamp it, then derive the speed (when UREV is set). */
export function specialVelocity(pr: MotorRecord, pair: SpeedPair): void {
  const m = pr.m;
  const urev = Math.abs(m.UREV);
  if (pair.bounded) range_check(pr, pair.velo, m.VBAS, m.VMAX);
  else range_check(pr, pair.velo, 0, 0);
  if (pair.velo === 'VELO') updateACCLorACCSfromVELO(pr);
  if (m.UREV !== 0 && m[pair.speed] !== m[pair.velo] / urev) {
    m[pair.speed] = m[pair.velo] / urev;
    pr.post(pair.speed, VAL_LOG);
  }
}

/** special() for a speed: clamp it, then derive the velocity. */
export function specialSpeed(pr: MotorRecord, pair: SpeedPair): void {
  const m = pr.m;
  const urev = Math.abs(m.UREV);
  if (pair.bounded) range_check(pr, pair.speed, m.SBAS, m.SMAX);
  else range_check(pr, pair.speed, 0, 0);
  if (m[pair.velo] !== urev * m[pair.speed]) {
    m[pair.velo] = urev * m[pair.speed];
    pr.post(pair.velo, VAL_LOG);
  }
  if (pair.velo === 'VELO') updateACCLorACCSfromVELO(pr);
}

/** The speed half of check_speed_and_resolution() (init): a set speed wins over its velocity. */
export function check_speed(pr: MotorRecord): void {
  const m = pr.m;
  const urev = Math.abs(m.UREV);
  if (m.SMAX > 0) m.VMAX = m.SMAX * urev;
  else if (m.VMAX > 0) m.SMAX = m.VMAX / urev;
  else m.SMAX = m.VMAX = 0;
  for (const { velo, speed, bounded } of SPEED_PAIRS) {
    if (velo === 'VMAX') continue;
    if (m[speed] !== 0) {
      range_check(pr, speed, bounded ? m.SBAS : 0, m.SMAX);
      m[velo] = m[speed] * urev;
    } else {
      range_check(pr, velo, bounded ? m.VBAS : 0, m.VMAX);
      m[speed] = m[velo] / urev;
    }
  }
  if (m.ACCS && !m.ACCL) updateACCLfromACCS(pr);
  if (m.ACCL === 0) m.ACCL = 0.1;
  if (m.BACC === 0) m.BACC = 0.1;
  if (m.JVEL === 0) m.JVEL = m.VELO;
  else range_check(pr, 'JVEL', m.VBAS, m.VMAX);
  if (m.JAR === 0) m.JAR = m.VELO / m.ACCL;
  if (m.HVEL === 0) m.HVEL = m.VBAS;
  else range_check(pr, 'HVEL', m.VBAS, m.VMAX);
  if (m.ACCU === ACCU.Undef) updateACCSfromACCL(pr);
}

export function updateACCLfromACCS(pr: MotorRecord): void {
  const m = pr.m;
  if (m.ACCU !== ACCU.Accs) {
    m.ACCU = ACCU.Accs;
    pr.post('ACCU', VAL_LOG);
  }
  if (m.ACCS > 0) {
    const accl = m.VELO / m.ACCS;
    if (m.ACCL !== accl) {
      m.ACCL = accl;
      pr.post('ACCL', VAL_LOG);
    }
  }
}

export function updateACCSfromACCL(pr: MotorRecord): void {
  const m = pr.m;
  if (m.ACCU !== ACCU.Accl) {
    m.ACCU = ACCU.Accl;
    pr.post('ACCU', VAL_LOG);
  }
  const accs = m.VELO / m.ACCL;
  if (m.ACCS !== accs) {
    m.ACCS = accs;
    pr.post('ACCS', VAL_LOG);
  }
}

export function updateACCLorACCSfromVELO(pr: MotorRecord): void {
  const m = pr.m;
  if (m.ACCU === ACCU.Accs) {
    if (m.ACCS > 0) {
      const accl = m.VELO / m.ACCS;
      if (m.ACCL !== accl) {
        m.ACCL = accl;
        pr.post('ACCL', VAL_LOG);
      }
    }
  } else {
    const accs = m.VELO / m.ACCL;
    if (m.ACCS !== accs) {
      m.ACCS = accs;
      pr.post('ACCS', VAL_LOG);
    }
  }
}

/** velcheckB: keep the speeds in rev/s and change the velocities in EGU/s with UREV. */
export function velcheckB(pr: MotorRecord): void {
  const m = pr.m;
  const urev = Math.abs(m.UREV);
  for (const { velo, speed } of SPEED_PAIRS) {
    if (m[velo] === urev * m[speed]) continue;
    m[velo] = urev * m[speed];
    // VELO and VBAS are among the fields monitor() posts.
    if (velo === 'VELO' || velo === 'VBAS') pr.mark(velo);
    else pr.post(velo, VAL_LOG);
  }
}

/** velcheckA: the slew, backlash, jog and home speeds within the new VBAS…VMAX. */
export function velcheckA(pr: MotorRecord): void {
  const m = pr.m;
  for (const pair of SPEED_PAIRS) {
    if (!pair.bounded) continue;
    range_check(pr, pair.velo, m.VBAS, m.VMAX);
    const urev = Math.abs(m.UREV);
    if (m.UREV !== 0 && m[pair.speed] !== m[pair.velo] / urev) {
      m[pair.speed] = m[pair.velo] / urev;
      pr.post(pair.speed, VAL_LOG);
    }
  }
  range_check(pr, 'JVEL', m.VBAS, m.VMAX);
  range_check(pr, 'HVEL', m.VBAS, m.VMAX);
}
