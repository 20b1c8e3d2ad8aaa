// A simulated motor controller that behaves as motorSim (motorSimDriver.cpp with its route library): axes
// in raw steps with hard limit switches, a home position and a start position (motorSimConfigAxis). Like
// motorSim, an axis moves on a fixed 0.1 s grid (its poller thread's DELTA): at each tick the axis advances
// along its route and reports; a command replaces the route from the state of the last tick, so a motion is
// "backdated" to that tick and a stop brakes from the position and speed the axis had there. Routes ramp
// from zero speed at the commanded acceleration (motorSim ignores the base speed VBAS). At a limit switch
// the axis is rerouted back to the switch, overshooting it while it brakes. The status carries only the bits
// motorSim sets: direction while moving positive, done, moving, limits, home (the at-home-position bit,
// 0x80), homed — no encoder, no closed-loop, so the record's TDIR is 0 at rest and CNEN stays as set.
//
// Not modelled: motorSim's deferred moves and post-move delay, and its route re-planning at every tick (which
// makes it oscillate about a limit switch after the overshoot; here the return to the switch is one route).
import type { Clock, TimerHandle } from '../../ioc/clock.js';
import { nint } from './coordinates.js';
import type { Trajectory } from './profile.js';
import { routeTo, routeToVelocity } from './route.js';
import { MSTA } from './status.js';

/** motorSimDriver.cpp defaults (raw steps). */
export const SIM_DEFAULT_HIGH_LIMIT = 10000;
export const SIM_DEFAULT_LOW_LIMIT = -10000;
export const DEFAULT_UPDATE_PERIOD_MS = 100;

export interface SimAxisConfig {
  /** Positions (raw steps) of the high and low limit switches; ±Infinity for none. */
  highLimit: number;
  lowLimit: number;
  /** Home position (raw steps). */
  home: number;
  /** Start position (raw steps). */
  start: number;
  /** The tick of the axis, ms (motorSim's DELTA is 0.1 s). */
  updatePeriodMs: number;
}

/** What the controller reports for one axis (asynMotorAxis status). */
export interface SimAxisStatus {
  /** Raw motor position in steps (integer: the step counter). */
  readonly position: number;
  /** Raw encoder position in counts. */
  readonly encoderPosition: number;
  readonly msta: number;
}

export class SimMotorAxis {
  readonly config: SimAxisConfig;
  /** Closed-loop position control (CNEN): motorSim has none to report. */
  closedLoop = false;
  /** Set after a completed home search (MSTA RA_HOMED). */
  homed = false;
  /** Encoder counts per motor step (SET_ENC_RATIO). */
  encoderRatio = 1;
  /** State at the last tick (position without the SET offset, velocity). */
  private p: number;
  private v = 0;
  /** Time of the last tick handled (ms). */
  private lastTick: number;
  private route: Trajectory | undefined;
  /** route_pars_t: the speed and acceleration the last command gave (steps/s, steps/s²). */
  private vmax = 1;
  private amax = 1;
  /** setPosition's offset (enc_offset_): reported position = p + offset. */
  private offset = 0;
  private homing = false;
  private timer: TimerHandle | undefined;
  private readonly listeners = new Set<(s: SimAxisStatus) => void>();
  private last: SimAxisStatus;
  private done = true;
  /** motorStatusMoving_, set at the ticks only (a command clears done at once, not this). */
  private movingBit = false;
  /** The speed of the home search (steps/s). */
  private homeVelocity = 0;

  constructor(
    readonly clock: Clock,
    readonly axisNo: number,
    config: Partial<SimAxisConfig> = {},
  ) {
    this.config = {
      highLimit: config.highLimit ?? SIM_DEFAULT_HIGH_LIMIT,
      lowLimit: config.lowLimit ?? SIM_DEFAULT_LOW_LIMIT,
      home: config.home ?? 0,
      start: config.start ?? 0,
      updatePeriodMs: config.updatePeriodMs ?? DEFAULT_UPDATE_PERIOD_MS,
    };
    this.p = this.config.start;
    this.lastTick = clock.now();
    this.last = this.snapshot();
  }

  /** motorSimConfigAxis: move the switches, home and start position (raw steps). */
  configure(config: Partial<SimAxisConfig>): void {
    Object.assign(this.config, config);
    if (config.start !== undefined && !this.route) this.p = config.start;
    this.report();
  }

  get moving(): boolean {
    return !this.done;
  }

  /** Position (steps) as of the last tick. */
  positionNow(): number {
    this.catchUp();
    return this.p + this.offset;
  }

  /** When the axis' next tick falls (ms on its clock): ticks are on a fixed grid, moving or not. */
  nextTickMs(): number {
    this.catchUp();
    return this.lastTick + this.config.updatePeriodMs;
  }

  get status(): SimAxisStatus {
    return this.last;
  }

  onStatus(listener: (s: SimAxisStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- commands (motorSimAxis) -----------------------------------------------------------------

  /** move(): refused (false) when sitting on the limit switch in the direction of the move. */
  moveAbsolute(target: number, velocity: number, _vbase: number, acceleration: number): boolean {
    this.catchUp();
    const c = this.config;
    // As motorSim compares them: the target with the offset, the position without.
    if ((this.p >= c.highLimit && target > this.p) || (this.p <= c.lowLimit && target < this.p)) {
      // Refused; the controller still clears done, and the next tick reports it again.
      this.started();
      return false;
    }
    this.setParams(velocity, acceleration);
    this.homing = false;
    this.route = routeTo(this.lastTick, this.p, this.v, target - this.offset, { vmax: this.vmax, amax: this.amax });
    this.started();
    return true;
  }

  moveRelative(distance: number, velocity: number, vbase: number, acceleration: number): boolean {
    this.catchUp();
    const end = this.route && !this.route.open ? this.route.endPosition : this.p;
    return this.moveAbsolute(end + this.offset + distance, velocity, vbase, acceleration);
  }

  /** moveVelocity (jog): signed velocity in steps/s. */
  moveVelocity(velocity: number, _vbase: number, acceleration: number): boolean {
    this.catchUp();
    this.homing = false;
    const ok = this.setVelocity(velocity, acceleration);
    if (velocity !== 0) this.started();
    return ok;
  }

  /** home(): run at `velocity` towards home; once past it, come back to it. */
  home(forward: boolean, velocity: number, _vbase: number, acceleration: number): boolean {
    this.catchUp();
    const ok = this.setVelocity(forward ? Math.abs(velocity) : -Math.abs(velocity), acceleration);
    this.homing = true;
    this.homeVelocity = Math.abs(velocity);
    this.homed = false;
    this.started();
    return ok;
  }

  /** stop(): brake to rest at the last acceleration, from the state of the last tick. */
  stop(): void {
    this.catchUp();
    this.setVelocity(0, this.amax);
  }

  /** setPosition (LOAD_POS): the current position reads as `position` (steps) from now on. */
  setPosition(position: number): void {
    this.catchUp();
    this.offset = position - this.p;
  }

  /** A twin's reset: stop at once, with no deceleration, and stand at `position` (steps). */
  teleport(position: number): void {
    this.catchUp();
    this.route = undefined;
    this.v = 0;
    this.offset = 0;
    this.p = position;
    this.homing = false;
    this.done = true;
    this.movingBit = false;
    this.cancelTimer();
    this.report();
  }

  /** GET_INFO: report the current status now. */
  poll(): void {
    this.catchUp();
    this.report(true);
  }

  /** Cancel timers (the axis stays where it is). */
  dispose(): void {
    this.cancelTimer();
    this.route = undefined;
    this.v = 0;
    this.done = true;
    this.movingBit = false;
    this.listeners.clear();
  }

  // ---- motion ----------------------------------------------------------------------------------

  private setParams(velocity: number, acceleration: number): void {
    if (velocity !== 0 && Number.isFinite(velocity)) this.vmax = Math.abs(velocity);
    if (acceleration !== 0 && Number.isFinite(acceleration)) this.amax = Math.abs(acceleration);
  }

  /** setVelocity(): refused beyond a switch in the direction of `velocity`. */
  private setVelocity(velocity: number, acceleration: number): boolean {
    const c = this.config;
    if ((this.p > c.highLimit && velocity > 0) || (this.p < c.lowLimit && velocity < 0)) return false;
    this.setParams(0, acceleration);
    if (velocity === 0 && this.v === 0 && !this.route) return true;
    this.route = routeToVelocity(this.lastTick, this.p, this.v, velocity, this.amax);
    this.schedule();
    return true;
  }

  /** asynMotorController after a move/jog/home command: done is cleared and reported at once. */
  private started(): void {
    this.done = false;
    this.report();
    this.schedule();
  }

  /** Handle the ticks that are due (a timer may fire late; a command may arrive on a tick's instant). */
  private catchUp(): void {
    const period = this.config.updatePeriodMs;
    const now = this.clock.now();
    if (this.done && !this.route) {
      // Idle: the grid goes on without us; the last tick is the latest grid point.
      this.lastTick += period * Math.floor((now - this.lastTick) / period + 1e-9);
      return;
    }
    while (this.lastTick + period <= now + 1e-6) this.tick(this.lastTick + period);
  }

  /** motorSimAxis::process(): advance along the route, check home and the switches, report. */
  private tick(t: number): void {
    this.lastTick = t;
    const c = this.config;
    const route = this.route;
    const lastPos = this.p;
    if (route) {
      const s = route.stateAt(t);
      if (!route.open && t >= route.endMs - 1e-6) {
        this.p = route.endPosition;
        this.v = 0;
        this.route = undefined;
      } else {
        this.p = s.p;
        this.v = s.v;
      }
    }
    if (this.homing && (lastPos - c.home) * (this.p - c.home) <= 0) {
      // Crossed the home sensor: go back to it.
      this.homing = false;
      this.homed = true;
      // (motorSim returns at the last move's speed, or at 1 step/s before any move; the home speed is kinder.)
      this.route = routeTo(t, this.p, this.v, c.home, { vmax: this.homeVelocity, amax: this.amax });
    }
    if (this.p > c.highLimit && this.v > 0) {
      if (this.homing) this.route = routeToVelocity(t, this.p, this.v, -this.homeVelocity, this.amax);
      else this.route = routeTo(t, this.p, this.v, c.highLimit, { vmax: this.vmax, amax: this.amax });
    } else if (this.p < c.lowLimit && this.v < 0) {
      if (this.homing) this.route = routeToVelocity(t, this.p, this.v, this.homeVelocity, this.amax);
      else this.route = routeTo(t, this.p, this.v, c.lowLimit, { vmax: this.vmax, amax: this.amax });
    }
    this.done = this.v === 0 && !this.route;
    this.movingBit = !this.done;
    this.report();
  }

  private schedule(): void {
    this.cancelTimer();
    if (this.done && !this.route) return;
    const due = this.lastTick + this.config.updatePeriodMs;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.catchUp();
      this.schedule();
    }, Math.max(0, due - this.clock.now()));
  }

  private cancelTimer(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private snapshot(): SimAxisStatus {
    const c = this.config;
    const position = nint(this.p + this.offset);
    let msta = 0;
    if (this.v > 0) msta |= MSTA.RA_DIRECTION;
    if (this.done) msta |= MSTA.RA_DONE;
    if (this.movingBit) msta |= MSTA.RA_MOVING;
    if (this.p >= c.highLimit) msta |= MSTA.RA_PLUS_LS;
    if (this.p <= c.lowLimit) msta |= MSTA.RA_MINUS_LS;
    // motorSim sets motorStatusHome_ (0x80, EA_HOME in motor.h's names) at the home position.
    if (this.p === c.home) msta |= MSTA.EA_HOME;
    if (this.closedLoop) msta |= MSTA.EA_POSITION;
    if (this.homed) msta |= MSTA.RA_HOMED;
    return { position, encoderPosition: nint((this.p + this.offset) * this.encoderRatio), msta };
  }

  /** callParamCallbacks(): listeners hear of a status that changed. */
  private report(force = false): void {
    const s = this.snapshot();
    const l = this.last;
    this.last = s;
    if (!force && l.position === s.position && l.msta === s.msta && l.encoderPosition === s.encoderPosition) return;
    for (const f of this.listeners) f(s);
  }
}

/** A motorSim controller (motorSimCreateController): a port name and its axes. */
export class SimMotorController {
  private readonly axes = new Map<number, SimMotorAxis>();

  constructor(
    readonly clock: Clock,
    readonly port: string,
    readonly defaults: Partial<SimAxisConfig> = {},
  ) {}

  /** The axis, created with the controller's defaults on first use. */
  axis(n: number): SimMotorAxis {
    let a = this.axes.get(n);
    if (!a) {
      a = new SimMotorAxis(this.clock, n, this.defaults);
      this.axes.set(n, a);
    }
    return a;
  }

  get axisCount(): number {
    return this.axes.size;
  }

  /** motorSimConfigAxis(port, axis, hiHardLimit, lowHardLimit, home, start), raw steps. */
  configAxis(n: number, highLimit: number, lowLimit: number, home: number, start: number): SimMotorAxis {
    const a = this.axis(n);
    a.configure({ highLimit, lowLimit, home, start });
    return a;
  }

  dispose(): void {
    for (const a of this.axes.values()) a.dispose();
  }
}
