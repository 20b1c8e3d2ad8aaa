// Motion profiles of a stepper-style controller: start at the base speed VBAS, ramp at constant acceleration
// to the slew speed VELO, cruise, ramp down to VBAS and stop (a trapezoid standing on VBAS). The record
// turns ACCL (seconds from VBAS to VELO) into an acceleration (accEGUfromVelo in motorRecord.cc):
//   a = (VELO − VBAS) / ACCL   (or VELO / ACCL when VELO ≤ VBAS; or ACCS when ACCU = Accs)
// A move of distance d then takes, with d_ramp = (VELO² − VBAS²) / (2a) per ramp,
//   T = 2·(VELO − VBAS)/a + (d − 2·d_ramp)/VELO           when d ≥ 2·d_ramp (trapezoid)
//   T = 2·(v_p − VBAS)/a,  v_p = √(VBAS² + a·d)           otherwise (triangle)
// Units are whatever the caller uses consistently (the simulated axis works in raw steps and seconds).

/** Speeds are magnitudes (≥ 0); acceleration ≤ 0 or non-finite means "instantaneous". */
export interface Kinematics {
  readonly vbase: number;
  readonly velocity: number;
  readonly acceleration: number;
}

/** accEGUfromVelo: acceleration (EGU/s²) the record commands for a slew speed. */
export function accelerationFor(velo: number, vbas: number, accl: number, accs = 0, useAccs = false): number {
  if (useAccs) return accs;
  const v = Math.abs(velo);
  return v > vbas ? (v - vbas) / accl : v / accl;
}

interface RampShape {
  readonly vStart: number;
  readonly vPeak: number;
  readonly tRamp: number;
  readonly tCruise: number;
}

function shape(distance: number, k: Kinematics): RampShape {
  const d = Math.abs(distance);
  const v = k.velocity;
  const vb = Math.min(k.vbase, v);
  const a = k.acceleration;
  if (!(a > 0) || !Number.isFinite(a) || v <= vb) {
    // No ramp: constant speed for the whole distance.
    const speed = v > 0 ? v : vb;
    return { vStart: speed, vPeak: speed, tRamp: 0, tCruise: speed > 0 ? d / speed : 0 };
  }
  const dRamp = (v * v - vb * vb) / (2 * a);
  if (2 * dRamp <= d) return { vStart: vb, vPeak: v, tRamp: (v - vb) / a, tCruise: (d - 2 * dRamp) / v };
  const vp = Math.sqrt(vb * vb + a * d);
  return { vStart: vb, vPeak: vp, tRamp: (vp - vb) / a, tCruise: 0 };
}

/** Duration in seconds of a point-to-point move of `distance` from rest to rest. */
export function moveTime(distance: number, k: Kinematics): number {
  if (distance === 0) return 0;
  const s = shape(distance, k);
  return 2 * s.tRamp + s.tCruise;
}

/** One stretch of constant acceleration; `t` is seconds from the trajectory's start. */
export interface Segment {
  readonly t: number;
  readonly p: number;
  readonly v: number;
  readonly a: number;
  readonly dur: number;
}

export interface MotionState {
  readonly p: number;
  readonly v: number;
}

/**
 * A planned motion from `startMs`: constant-acceleration segments, possibly with velocity steps between them
 * (the jumps to and from VBAS). A finite trajectory ends at rest at `endPosition`; an open one (a jog) ends in
 * a segment of infinite duration.
 */
export class Trajectory {
  readonly endMs: number;

  constructor(
    readonly startMs: number,
    readonly segments: readonly Segment[],
    /** Where a finite trajectory comes to rest (exact, free of rounding). */
    readonly endPosition: number,
  ) {
    const last = segments[segments.length - 1];
    this.endMs = last ? startMs + (last.t + last.dur) * 1000 : startMs;
  }

  get open(): boolean {
    return !Number.isFinite(this.endMs);
  }

  stateAt(ms: number): MotionState {
    const t = (ms - this.startMs) / 1000;
    if (t <= 0) {
      const first = this.segments[0];
      return first ? { p: first.p, v: first.v } : { p: this.endPosition, v: 0 };
    }
    if (ms >= this.endMs) return { p: this.endPosition, v: 0 };
    for (const s of this.segments) {
      const dt = t - s.t;
      if (dt <= s.dur) return { p: s.p + s.v * dt + 0.5 * s.a * dt * dt, v: s.v + s.a * dt };
    }
    return { p: this.endPosition, v: 0 };
  }

  /**
   * The first time (ms) the trajectory reaches `x` while moving in `direction` (+1 up through x, −1 down
   * through x), or undefined when it never does.
   */
  reachMs(x: number, direction: 1 | -1): number | undefined {
    for (const s of this.segments) {
      const t = firstRoot(s, x, direction);
      if (t !== undefined) return this.startMs + (s.t + t) * 1000;
    }
    return undefined;
  }
}

/** Smallest t in [0, dur] with p(t) = x and velocity of the wanted sign. */
function firstRoot(s: Segment, x: number, direction: 1 | -1): number | undefined {
  const c = s.p - x;
  const ok = (t: number): boolean => t >= 0 && t <= s.dur && (s.v + s.a * t) * direction > 0;
  if (c * direction >= 0) {
    // Already at or beyond x in the wanted direction at the segment start.
    return s.v * direction > 0 ? 0 : undefined;
  }
  if (s.a === 0) {
    if (s.v === 0) return undefined;
    const t = -c / s.v;
    return ok(t) ? t : undefined;
  }
  const disc = s.v * s.v - 2 * s.a * c;
  if (disc < 0) return undefined;
  const r = Math.sqrt(disc);
  const roots = [(-s.v - r) / s.a, (-s.v + r) / s.a].sort((a, b) => a - b);
  for (const t of roots) if (ok(t)) return t;
  return undefined;
}

/** A point-to-point move from rest at `from` to rest at `to`. */
export function planMove(startMs: number, from: number, to: number, k: Kinematics): Trajectory {
  const d = to - from;
  if (d === 0) return new Trajectory(startMs, [], to);
  const dir = Math.sign(d);
  const sh = shape(d, k);
  const segs: Segment[] = [];
  let t = 0;
  let p = from;
  const push = (v: number, a: number, dur: number) => {
    if (dur <= 0) return;
    segs.push({ t, p, v, a, dur });
    p += v * dur + 0.5 * a * dur * dur;
    t += dur;
  };
  const a = sh.tRamp > 0 ? (sh.vPeak - sh.vStart) / sh.tRamp : 0;
  push(dir * sh.vStart, dir * a, sh.tRamp);
  push(dir * sh.vPeak, 0, sh.tCruise);
  push(dir * sh.vPeak, -dir * a, sh.tRamp);
  return new Trajectory(startMs, segs, to);
}

/** Ramp from rest to a constant signed velocity and keep going (jog, home search). */
export function planVelocity(startMs: number, from: number, velocity: number, k: Kinematics): Trajectory {
  const dir = Math.sign(velocity);
  const v = Math.abs(velocity);
  const segs: Segment[] = [];
  const vb = Math.min(k.vbase, v);
  let t = 0;
  let p = from;
  if (k.acceleration > 0 && Number.isFinite(k.acceleration) && v > vb) {
    const dur = (v - vb) / k.acceleration;
    segs.push({ t, p, v: dir * vb, a: dir * k.acceleration, dur });
    p += dir * (vb * dur + 0.5 * k.acceleration * dur * dur);
    t += dur;
  }
  segs.push({ t, p, v: dir * v, a: 0, dur: Number.POSITIVE_INFINITY });
  return new Trajectory(startMs, segs, Number.NaN);
}

/** From a moving state, ramp down at `acceleration` to the base speed, then stop. */
export function planStop(startMs: number, state: MotionState, k: Kinematics): Trajectory {
  const dir = Math.sign(state.v);
  const speed = Math.abs(state.v);
  const vb = Math.min(k.vbase, speed);
  if (speed === 0 || speed <= vb || !(k.acceleration > 0) || !Number.isFinite(k.acceleration)) {
    return new Trajectory(startMs, [], state.p);
  }
  const dur = (speed - vb) / k.acceleration;
  const end = state.p + dir * (speed * dur - 0.5 * k.acceleration * dur * dur);
  return new Trajectory(startMs, [{ t: 0, p: state.p, v: state.v, a: -dir * k.acceleration, dur }], end);
}

/** From a moving state, ramp (at `acceleration`) to a new velocity of the same sign and keep going. */
export function planVelocityChange(startMs: number, state: MotionState, velocity: number, k: Kinematics): Trajectory {
  const dv = Math.abs(velocity) - Math.abs(state.v);
  const segs: Segment[] = [];
  let t = 0;
  let p = state.p;
  if (dv !== 0 && k.acceleration > 0 && Number.isFinite(k.acceleration)) {
    const a = Math.sign(velocity) * Math.sign(dv) * k.acceleration;
    const dur = Math.abs(dv) / k.acceleration;
    segs.push({ t, p, v: state.v, a, dur });
    p += state.v * dur + 0.5 * a * dur * dur;
    t += dur;
  }
  segs.push({ t, p, v: velocity, a: 0, dur: Number.POSITIVE_INFINITY });
  return new Trajectory(startMs, segs, Number.NaN);
}
