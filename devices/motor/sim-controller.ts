// A simulated motor controller in the style of motorSim (motorSimDriver.cpp): axes in raw steps with hard
// limit switches, a home position and a start position (motorSimConfigAxis), moved along trapezoidal
// profiles on the injected Clock. While an axis moves it reports its status every update period (motorSim's
// poller runs every 0.1 s) and at the exact instant the motion ends, so the record sees DMOV at the end of
// the profile rather than up to one period later.
//
// Differences from motorSim, on purpose:
// - Profiles start and stop at the base speed (VBAS), like the stepper controllers the motor record drives;
//   motorSim's route library ramps from zero.
// - A limit switch stops the axis at the switch position (the controller cuts the motion), instead of
//   ramping down past it; so after a limit hit RBV equals the switch position and VAL := RBV holds.
// - The record's dial limits (SET_HIGH_LIMIT/SET_LOW_LIMIT) do not move the simulated switches (motorSim
//   uses them as its hard limits); the switches stay where the configuration puts them.
// - The reported direction (MSTA RA_DIRECTION → TDIR) is the last direction of travel, as motor.h documents
//   it, also after the axis stopped (motorSim reports 0 whenever the velocity is 0).
// - A home search moves at HVEL towards the home position; when home lies behind it, the axis runs to the
//   limit switch first and reverses there (motorSim overshoots the home sensor and comes back).
import type { Clock, TimerHandle } from '../../ioc/clock.js';
import { nint } from './coordinates.js';
import { planMove, planStop, planVelocity, planVelocityChange, Trajectory, type Kinematics } from './profile.js';
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
  /** Status period while moving, ms (motorSim's DELTA is 0.1 s). */
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

const EPS_MS = 1e-6;

interface AxisEvent {
  readonly ms: number;
  readonly kind: 'end' | 'high' | 'low';
}
const noEvent: AxisEvent = { ms: Number.POSITIVE_INFINITY, kind: 'end' };

export class SimMotorAxis {
  readonly config: SimAxisConfig;
  /** Closed-loop position control (CNEN); reported as MSTA EA_POSITION. */
  closedLoop = true;
  /** Set after a completed home search (MSTA RA_HOMED). */
  homed = false;
  /** Encoder counts per motor step (SET_ENC_RATIO). */
  encoderRatio = 1;
  private pos: number;
  private traj: Trajectory | undefined;
  private event: AxisEvent = noEvent;
  private kin: Kinematics = { vbase: 0, velocity: 1, acceleration: 0 };
  private homing: Kinematics | undefined;
  private direction: 0 | 1 = 1;
  private timer: TimerHandle | undefined;
  private dueMs = 0;
  private tickBase = 0;
  private readonly listeners = new Set<(s: SimAxisStatus) => void>();
  private last: SimAxisStatus;

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
    this.pos = this.config.start;
    this.last = this.snapshot();
  }

  /** motorSimConfigAxis: move the switches, home and start position (raw steps). */
  configure(config: Partial<SimAxisConfig>): void {
    Object.assign(this.config, config);
    if (config.start !== undefined && !this.traj) this.pos = config.start;
    if (this.traj) this.event = this.findEvent(this.traj);
    this.report();
  }

  get moving(): boolean {
    return this.traj !== undefined;
  }

  /** Exact (unquantised) position now, in steps. */
  positionNow(): number {
    this.advance(this.clock.now());
    return this.pos;
  }

  get status(): SimAxisStatus {
    return this.last;
  }

  onStatus(listener: (s: SimAxisStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- commands (asynMotorAxis) ---------------------------------------------------------------

  /** Absolute move; refused (false) when sitting on the limit switch in the direction of the move. */
  moveAbsolute(target: number, velocity: number, vbase: number, acceleration: number): boolean {
    const now = this.clock.now();
    this.advance(now);
    this.kin = { vbase, velocity, acceleration };
    this.homing = undefined;
    if (this.blocked(target - this.pos)) {
      this.report();
      return false;
    }
    this.start(now, planMove(now, this.pos, target, this.kin), Math.sign(target - this.pos));
    return true;
  }

  moveRelative(distance: number, velocity: number, vbase: number, acceleration: number): boolean {
    this.advance(this.clock.now());
    const base = this.traj && !this.traj.open ? this.traj.endPosition : this.pos;
    return this.moveAbsolute(base + distance, velocity, vbase, acceleration);
  }

  /** Constant-velocity motion (jog); signed velocity in steps/s. */
  moveVelocity(velocity: number, vbase: number, acceleration: number): boolean {
    const now = this.clock.now();
    this.advance(now);
    this.kin = { vbase, velocity: Math.abs(velocity), acceleration };
    this.homing = undefined;
    if (velocity === 0 || this.blocked(velocity)) {
      this.report();
      return false;
    }
    const state = this.traj?.stateAt(now);
    const traj =
      state && state.v !== 0 && Math.sign(state.v) === Math.sign(velocity)
        ? planVelocityChange(now, state, velocity, this.kin)
        : planVelocity(now, this.pos, velocity, this.kin);
    this.start(now, traj, Math.sign(velocity));
    return true;
  }

  /** Home search at `velocity` (steps/s) in the given direction; ends at the home position. */
  home(forward: boolean, velocity: number, vbase: number, acceleration: number): boolean {
    const now = this.clock.now();
    this.advance(now);
    this.kin = { vbase, velocity: Math.abs(velocity), acceleration };
    const home = this.config.home;
    const ahead = forward ? home >= this.pos : home <= this.pos;
    this.homing = this.kin;
    if (ahead) {
      if (home === this.pos) {
        this.homeReached();
        this.setTraj(undefined);
        this.report();
        return true;
      }
      this.start(now, planMove(now, this.pos, home, this.kin), forward ? 1 : -1);
      return true;
    }
    const dir = forward ? 1 : -1;
    if (this.blocked(dir)) {
      // On the switch already: reverse straight away (motorSim reverses at the limit while homing).
      this.start(now, planMove(now, this.pos, home, this.kin), -dir as 1 | -1);
      return true;
    }
    this.start(now, planVelocity(now, this.pos, dir * this.kin.velocity, this.kin), dir);
    return true;
  }

  /** Stop: ramp down with the last commanded acceleration. */
  stop(): void {
    const now = this.clock.now();
    this.advance(now);
    this.homing = undefined;
    if (!this.traj) return;
    const state = this.traj.stateAt(now);
    this.pos = state.p;
    this.setTraj(planStop(now, state, this.kin));
    if (this.traj) this.schedule(now);
    else {
      // Already at or below the base speed: stopped on the spot.
      this.timer?.cancel();
      this.timer = undefined;
      this.report();
    }
  }

  /** LOAD_POS: redefine the current position (steps) without moving. */
  setPosition(position: number): void {
    this.advance(this.clock.now());
    if (this.traj) return;
    this.pos = position;
  }

  /** A twin's reset: stop at once, with no deceleration, and stand at `position` (steps). */
  teleport(position: number): void {
    this.advance(this.clock.now());
    this.timer?.cancel();
    this.timer = undefined;
    this.setTraj(undefined);
    this.homing = undefined;
    this.pos = position;
    this.report();
  }

  /** GET_INFO: report the current status now. */
  poll(): void {
    this.advance(this.clock.now());
    this.report();
  }

  /** Cancel timers (the axis stays where it is). */
  dispose(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.setTraj(undefined);
    this.listeners.clear();
  }

  // ---- motion ----------------------------------------------------------------------------------

  private blocked(direction: number): boolean {
    return (direction > 0 && this.pos >= this.config.highLimit) || (direction < 0 && this.pos <= this.config.lowLimit);
  }

  private start(now: number, traj: Trajectory, direction: number): void {
    if (direction !== 0) this.direction = direction > 0 ? 1 : 0;
    this.setTraj(traj);
    if (!this.traj) {
      this.pos = traj.endPosition;
      this.homeReached();
    }
    this.tickBase = now;
    // motorSim sets "done" false and calls back as soon as a move starts.
    this.report();
    this.schedule(now);
  }

  /** The trajectory and its next event: the end of the profile or a limit switch, whichever comes first. */
  private setTraj(traj: Trajectory | undefined): void {
    this.traj = traj && traj.segments.length ? traj : undefined;
    this.event = this.traj ? this.findEvent(this.traj) : noEvent;
  }

  private findEvent(traj: Trajectory): AxisEvent {
    let ev: AxisEvent = { ms: traj.endMs, kind: 'end' };
    const hi = traj.reachMs(this.config.highLimit, 1);
    if (hi !== undefined && hi < ev.ms) ev = { ms: hi, kind: 'high' };
    const lo = traj.reachMs(this.config.lowLimit, -1);
    if (lo !== undefined && lo < ev.ms) ev = { ms: lo, kind: 'low' };
    return ev;
  }

  /** Bring the state forward to `ms`, handling the events on the way. */
  private advance(ms: number): void {
    for (let guard = 0; this.traj && guard < 8; guard++) {
      const traj = this.traj;
      const ev = this.event;
      if (ev.ms > ms + EPS_MS) {
        this.pos = traj.stateAt(ms).p;
        return;
      }
      if (ev.kind === 'end') {
        this.pos = traj.endPosition;
        this.setTraj(undefined);
        this.homeReached();
        return;
      }
      // A limit switch: the controller stops the axis on it.
      this.pos = ev.kind === 'high' ? this.config.highLimit : this.config.lowLimit;
      this.setTraj(undefined);
      if (this.homing) {
        // Home search: reverse at the switch and go to the home position.
        this.direction = ev.kind === 'high' ? 0 : 1;
        this.setTraj(planMove(ev.ms, this.pos, this.config.home, this.homing));
        if (!this.traj) this.homeReached();
      }
    }
  }

  private homeReached(): void {
    if (!this.homing) return;
    this.homing = undefined;
    this.homed = true;
  }

  private schedule(now: number): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (!this.traj) return;
    const period = this.config.updatePeriodMs;
    const nextTick = this.tickBase + period * (Math.floor((now - this.tickBase) / period + 1e-9) + 1);
    const due = Math.min(nextTick, this.event.ms);
    this.dueMs = due;
    this.timer = this.clock.setTimeout(() => this.tick(), Math.max(0, due - now));
  }

  private tick(): void {
    this.timer = undefined;
    // Evaluate at the scheduled instant (a real timer may fire a little early or late).
    const t = Math.max(this.clock.now(), this.dueMs);
    this.advance(t);
    this.report();
    this.schedule(t);
  }

  private snapshot(): SimAxisStatus {
    const moving = this.traj !== undefined;
    const c = this.config;
    const position = nint(this.pos);
    let msta = MSTA.EA_PRESENT | MSTA.GAIN_SUPPORT;
    if (this.direction) msta |= MSTA.RA_DIRECTION;
    msta |= moving ? MSTA.RA_MOVING : MSTA.RA_DONE;
    if (this.pos >= c.highLimit) msta |= MSTA.RA_PLUS_LS;
    if (this.pos <= c.lowLimit) msta |= MSTA.RA_MINUS_LS;
    if (position === nint(c.home)) msta |= MSTA.RA_HOME | MSTA.EA_HOME;
    if (this.closedLoop) msta |= MSTA.EA_POSITION;
    if (this.homed) msta |= MSTA.RA_HOMED;
    return { position, encoderPosition: nint(this.pos * this.encoderRatio), msta };
  }

  private report(): void {
    this.last = this.snapshot();
    for (const l of this.listeners) l(this.last);
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
