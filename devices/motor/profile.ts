// Motion as the record commands it and as the simulated axis follows it. The record turns ACCL (seconds
// from VBAS to VELO) into an acceleration (accEGUfromVelo in motorRecord.cc):
//   a = (VELO − VBAS) / ACCL   (or VELO / ACCL when VELO ≤ VBAS; or ACCS when ACCU = Accs)
// and a path is a list of constant-acceleration segments (route.ts plans them the way motorSim does).

/** accEGUfromVelo: acceleration (EGU/s²) the record commands for a slew speed. */
export function accelerationFor(velo: number, vbas: number, accl: number, accs = 0, useAccs = false): number {
  if (useAccs) return accs;
  const v = Math.abs(velo);
  return v > vbas ? (v - vbas) / accl : v / accl;
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
 * A planned motion from `startMs`: constant-acceleration segments. A finite trajectory ends at rest at
 * `endPosition`; an open one (a jog) ends in a segment of infinite duration.
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
}
