import { Subject } from 'rxjs';
import { Severity, AlarmStatus } from '../epics/alarm.js';
import { DBE } from '../epics/events.js';
import { DbrBase } from '../epics/field-type.js';
import { ECA } from '../epics/status.js';
import { epicsTimeFromMs } from '../epics/time.js';
import { noLimits, elementCount, type DbrSnapshot, type DbrValue, type Limits } from '../epics/value.js';
import { PutError } from './errors.js';
import type { Clock } from '../clock.js';

/** Who is writing: the recorder and access checks read this. */
export interface PutContext {
  readonly user?: string;
  readonly host?: string;
  /** The client's channel id, for traces. */
  readonly cid?: number;
  /** The client asked for completion (CA put-callback / WRITE_NOTIFY). */
  readonly notify?: boolean;
  /** Where the put came from: 'ca', 'internal' (device models), 'link' (record links) … */
  readonly origin?: string;
  /** The CA circuit it came on (unique in the process) … */
  readonly circuit?: number;
  /** … and its ordinal among that circuit's write requests (refused ones count too). */
  readonly write?: number;
}

/**
 * Applies a put. May refuse by throwing PutError; may return a Promise that settles when the operation is
 * done (a motor stopped, an acquisition finished) — CA put-callback completes on it.
 */
export type PutHandler = (pv: Pv, value: DbrValue, ctx: PutContext) => void | Promise<void>;

/** One change posted by a PV: what changed (DBE mask) and the value at that moment. */
export interface PvUpdate {
  readonly pv: Pv;
  readonly mask: number;
  readonly value: DbrValue;
  readonly status: number;
  readonly severity: number;
  readonly secPastEpoch: number;
  readonly nsec: number;
}

export interface PvOptions {
  readonly type: DbrBase;
  readonly value?: DbrValue;
  /** Element capacity (NELM); defaults to the initial value's length, 1 for scalars. */
  readonly maxCount?: number;
  readonly units?: string;
  readonly precision?: number;
  readonly limits?: Partial<Limits>;
  readonly enumStrings?: readonly string[];
  readonly writable?: boolean;
  readonly readable?: boolean;
  readonly put?: PutHandler;
  readonly recordType?: string;
  readonly description?: string;
}

const defaultValue = (type: DbrBase): DbrValue => (type === DbrBase.STRING ? '' : 0);

/**
 * A process variable: value, alarm, timestamp and metadata in one place, with one stream of updates.
 * Implements DbrSnapshot so CA encoders read it directly.
 */
export class Pv implements DbrSnapshot {
  readonly nativeType: DbrBase;
  maxCount: number;
  readable: boolean;
  writable: boolean;
  recordType: string;
  description: string;
  ackt = 1;
  acks = 0;
  putHandler: PutHandler | undefined;
  /** Every posted change, with its DBE mask. Subscribers must not throw. */
  readonly updates = new Subject<PvUpdate>();
  /** Set by the database that owns this PV, so puts and updates reach its global taps. */
  owner: PvOwner | undefined;
  clock: Clock;
  // State behind accessors, so a record field (FieldPv) can serve the same interface from its record.
  protected _value: DbrValue;
  protected _status: number = AlarmStatus.NO_ALARM;
  protected _severity: number = Severity.NO_ALARM;
  protected _sec = 0;
  protected _nsec = 0;
  protected _units: string;
  protected _precision: number;
  protected _limits: Limits;
  protected _enumStrings: readonly string[];

  constructor(
    readonly name: string,
    opts: PvOptions,
    clock: Clock,
  ) {
    this.nativeType = opts.type;
    this._value = opts.value ?? defaultValue(opts.type);
    this.maxCount = opts.maxCount ?? Math.max(1, elementCount(this._value));
    this._units = opts.units ?? '';
    this._precision = opts.precision ?? 0;
    this._limits = { ...noLimits, ...opts.limits };
    this._enumStrings = opts.enumStrings ?? [];
    this.readable = opts.readable ?? true;
    this.writable = opts.writable ?? true;
    this.putHandler = opts.put;
    this.recordType = opts.recordType ?? '';
    this.description = opts.description ?? '';
    this.clock = clock;
    const t = epicsTimeFromMs(clock.now());
    this._sec = t.secPastEpoch;
    this._nsec = t.nsec;
  }

  get value(): DbrValue {
    return this._value;
  }
  set value(v: DbrValue) {
    this._value = v;
  }
  get status(): number {
    return this._status;
  }
  set status(v: number) {
    this._status = v;
  }
  get severity(): number {
    return this._severity;
  }
  set severity(v: number) {
    this._severity = v;
  }
  get secPastEpoch(): number {
    return this._sec;
  }
  get nsec(): number {
    return this._nsec;
  }
  get units(): string {
    return this._units;
  }
  set units(v: string) {
    this._units = v;
  }
  get precision(): number {
    return this._precision;
  }
  set precision(v: number) {
    this._precision = v;
  }
  get limits(): Limits {
    return this._limits;
  }
  set limits(v: Limits) {
    this._limits = v;
  }
  get enumStrings(): readonly string[] {
    return this._enumStrings;
  }
  set enumStrings(v: readonly string[]) {
    this._enumStrings = v;
  }

  /** Current number of elements (NORD for arrays). */
  get count(): number {
    return elementCount(this.value);
  }

  /** Timestamp now from the PV's clock. */
  stamp(ms = this.clock.now()): void {
    const t = epicsTimeFromMs(ms);
    this._sec = t.secPastEpoch;
    this._nsec = t.nsec;
  }

  /**
   * Set the value (and optionally alarm), stamp it and post. Posts DBE_VALUE|DBE_LOG when the value
   * changed or `force` is set, plus DBE_ALARM when the alarm changed. Returns the posted mask.
   */
  set(
    value: DbrValue,
    opts: { status?: number; severity?: number; force?: boolean; timeMs?: number } = {},
  ): number {
    let mask = 0;
    if (opts.force || !sameValue(this.value, value)) mask |= DBE.VALUE | DBE.LOG;
    this.value = value;
    if (opts.status !== undefined || opts.severity !== undefined) {
      const st = opts.status ?? this.status;
      const sv = opts.severity ?? this.severity;
      if (st !== this.status || sv !== this.severity) mask |= DBE.ALARM;
      this.status = st;
      this.severity = sv;
    }
    this.stamp(opts.timeMs);
    if (mask) this.post(mask);
    return mask;
  }

  setAlarm(status: number, severity: number): void {
    if (status === this.status && severity === this.severity) return;
    this.status = status;
    this.severity = severity;
    this.post(DBE.ALARM);
  }

  /** Change metadata; posts DBE_PROPERTY when anything changed. */
  setMeta(meta: { units?: string; precision?: number; limits?: Partial<Limits>; enumStrings?: readonly string[] }): void {
    let changed = false;
    if (meta.units !== undefined && meta.units !== this.units) {
      this.units = meta.units;
      changed = true;
    }
    if (meta.precision !== undefined && meta.precision !== this.precision) {
      this.precision = meta.precision;
      changed = true;
    }
    if (meta.limits) {
      const next = { ...this.limits, ...meta.limits };
      if ((Object.keys(next) as (keyof Limits)[]).some((k) => next[k] !== this.limits[k])) {
        this.limits = next;
        changed = true;
      }
    }
    if (meta.enumStrings && !sameValue(meta.enumStrings, this.enumStrings)) {
      this.enumStrings = meta.enumStrings;
      changed = true;
    }
    if (changed) this.post(DBE.PROPERTY);
  }

  /** Announce the current state with `mask` to monitors and taps. */
  post(mask: number): void {
    const owner = this.owner;
    // Nobody listening (the common case for most PVs of a twin): no update object at all.
    if (!this.updates.observed && !(owner && owner.tapped !== false)) return;
    const update: PvUpdate = {
      pv: this,
      mask,
      value: this.value,
      status: this.status,
      severity: this.severity,
      secPastEpoch: this.secPastEpoch,
      nsec: this.nsec,
    };
    this.updates.next(update);
    owner?.posted(update);
  }

  /**
   * A client (or device model) writes. The value is already in the native type. Resolves when the
   * operation completes; rejects with PutError when refused or failed.
   */
  put(value: DbrValue, ctx: PutContext = {}): Promise<void> {
    let done: Promise<void> | undefined;
    try {
      done = this.start(value, ctx);
    } catch (e) {
      return Promise.reject(e);
    }
    return done ?? resolved;
  }

  /**
   * put() without a Promise for a put that completes at once (the CA server's hot path): returns
   * undefined when the put is done, a Promise when it completes later; throws (PutError) when refused or
   * failed at once.
   */
  start(value: DbrValue, ctx: PutContext = {}): Promise<void> | undefined {
    const owner = this.owner;
    // Durations are for the taps: no clock readings when nobody records.
    const timed = owner !== undefined && owner.tapped !== false;
    const t0 = timed ? this.clock.now() : 0;
    owner?.putting(this, value, ctx);
    let result: void | Promise<void>;
    try {
      result = this.applyPut(value, ctx);
    } catch (e) {
      this.putFailed(ctx, t0, timed, e);
      throw e;
    }
    // A handler typed void may still return something (an arrow around set() returns its mask).
    if (result && typeof (result as Promise<void>).then === 'function') {
      return result.then(
        () => owner?.putDone(this, ctx, ECA.NORMAL, timed ? this.clock.now() - t0 : 0),
        (e: unknown) => {
          this.putFailed(ctx, t0, timed, e);
          throw e;
        },
      );
    }
    owner?.putDone(this, ctx, ECA.NORMAL, timed ? this.clock.now() - t0 : 0);
    return undefined;
  }

  private putFailed(ctx: PutContext, t0: number, timed: boolean, e: unknown): void {
    this.owner?.putDone(this, ctx, e instanceof PutError ? e.status : ECA.PUTFAIL, timed ? this.clock.now() - t0 : 0, (e as Error)?.message);
  }

  /** What a put does: the handler, or set-and-post. Record fields override this. */
  protected applyPut(value: DbrValue, ctx: PutContext): void | Promise<void> {
    if (this.putHandler) return this.putHandler(this, value, ctx);
    this.set(value);
  }
}

const resolved: Promise<void> = Promise.resolve();

/** The database side of a PV: global taps for the recorder. */
export interface PvOwner {
  /** Whether anyone observes the taps; false lets PVs skip building updates and timing puts for them. */
  readonly tapped?: boolean;
  posted(update: PvUpdate): void;
  putting(pv: Pv, value: DbrValue, ctx: PutContext): void;
  /** The put finished (status ECA_NORMAL) or failed, after `durationMs` of clock time. */
  putDone(pv: Pv, ctx: PutContext, status: number, durationMs: number, message?: string): void;
}

/** Value equality: scalars by ===, arrays element-wise (NaN equals NaN, as a "no change"). */
export function sameValue(a: DbrValue | readonly string[], b: DbrValue | readonly string[]): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object') {
    return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
  }
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x !== y && !(typeof x === 'number' && typeof y === 'number' && Number.isNaN(x) && Number.isNaN(y))) return false;
  }
  return true;
}

