// The paths motorSim's axes follow (its route library, for one axis): the quickest motion from a position and
// velocity to a target position at rest, or to a constant velocity, with the speed limited to Vmax and the
// acceleration to Amax. Unlike a stepper controller's profile, a route ramps from (and to) zero speed — motorSim
// ignores the base speed VBAS — and starts from whatever the axis is doing, braking first when it moves away
// from the target or too fast to stop before it (which is how a move past a limit switch overshoots and comes
// back). Units: steps, steps/s, steps/s², ms for the start time.
import { Trajectory, type Segment } from './profile.js';

/** Route parameters (route_pars_t): the speed and acceleration limits. */
export interface RouteLimits {
  readonly vmax: number;
  readonly amax: number;
}

class Builder {
  readonly segs: Segment[] = [];
  t = 0;

  constructor(
    public p: number,
    public v: number,
  ) {}

  /** Constant acceleration `a` for `dur` seconds. */
  push(a: number, dur: number): void {
    if (!(dur > 0)) return;
    this.segs.push({ t: this.t, p: this.p, v: this.v, a, dur });
    this.p += this.v * dur + 0.5 * a * dur * dur;
    this.v += a * dur;
    this.t += dur;
  }
}

/** The route from (p0, v0) to rest at p1. */
export function routeTo(startMs: number, p0: number, v0: number, p1: number, lim: RouteLimits): Trajectory {
  const a = lim.amax;
  const vmax = lim.vmax > 0 ? lim.vmax : Math.max(Math.abs(v0), 1);
  if (!(a > 0) || !Number.isFinite(a)) return new Trajectory(startMs, [], p1);
  const b = new Builder(p0, v0);
  const d = p1 - p0;
  // Moving away from the target, or too fast to stop before it: brake to rest first.
  if (v0 !== 0 && (Math.sign(v0) !== Math.sign(d) || (v0 * v0) / (2 * a) > Math.abs(d))) b.push(-Math.sign(v0) * a, Math.abs(v0) / a);
  const rest = p1 - b.p;
  const s = Math.sign(rest);
  if (s === 0) return new Trajectory(startMs, b.segs, p1);
  let u = Math.abs(b.v);
  // Faster than Vmax (the limit was lowered): slow down to it.
  if (u > vmax) {
    b.push(-s * a, (u - vmax) / a);
    u = vmax;
  }
  const dist = Math.abs(p1 - b.p);
  // Accelerate from u to the peak speed, cruise, brake to rest exactly at p1.
  const vp = Math.min(vmax, Math.sqrt(a * dist + (u * u) / 2));
  const dAccel = (vp * vp - u * u) / (2 * a);
  const dBrake = (vp * vp) / (2 * a);
  b.push(s * a, (vp - u) / a);
  if (vp > 0) b.push(0, Math.max(0, dist - dAccel - dBrake) / vp);
  b.push(-s * a, vp / a);
  return new Trajectory(startMs, b.segs, p1);
}

/** setVelocity: ramp from (p0, v0) at `a` to `velocity`, then keep it (a jog; 0 is a stop). */
export function routeToVelocity(startMs: number, p0: number, v0: number, velocity: number, a: number): Trajectory {
  const b = new Builder(p0, v0);
  const dv = velocity - v0;
  if (dv !== 0 && a > 0 && Number.isFinite(a)) b.push(Math.sign(dv) * a, Math.abs(dv) / a);
  if (velocity === 0) return new Trajectory(startMs, b.segs, b.p);
  b.v = velocity;
  b.push(0, Number.POSITIVE_INFINITY);
  return new Trajectory(startMs, b.segs, Number.NaN);
}
