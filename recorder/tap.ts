import type { Subscription } from 'rxjs';
import { DbrBase } from '../ioc/epics/field-type.js';
import { EPICS_EPOCH_OFFSET, epicsTimeFromMs } from '../ioc/epics/time.js';
import type { DbEvent, PvDatabase } from '../ioc/db/database.js';
import type { Pv } from '../ioc/db/pv.js';
import type { EventKind, TraceEvent } from './event.js';
import { nameMatcher } from './filter.js';
import type { TraceSink } from './jsonl.js';
import { getLogger } from '../ioc/log.js';
import { PutLines } from './lines/put-lines.js';

const log = getLogger('beamtwin.recorder');

export interface TapOptions {
  /** Channel names or glob patterns to record (default: all). */
  readonly channels?: readonly string[];
  /** Kinds to record (default: all). */
  readonly kinds?: readonly EventKind[];
  /** Writes to this PV become marker events named by the written text ("name" or "name=value"). */
  readonly markerPv?: Pv;
  /** PVs never recorded as such (the twin's own control PVs). */
  readonly ignore?: readonly Pv[];
  /** Tells fabricated (catch-all) PVs apart. */
  readonly isCatchAll?: (pv: Pv) => boolean;
  /** Arrays longer than this (default 4096) are recorded by length only: `value: null, length: n`. */
  readonly maxArray?: number;
  /** Writes to this PV announce the code line of the put that follows them (`--lines`, recorder/lines/). */
  readonly linePv?: Pv;
}

const isFloat = (pv: Pv) => pv.nativeType === DbrBase.DOUBLE || pv.nativeType === DbrBase.FLOAT;

/**
 * The in-process recorder: taps the PV database, so it sees every put (with its client), every posted
 * change (with its DBE mask and alarm), every completion and every catch-all hit, in order, with the
 * server's time stamps. Nothing is sampled or dropped: the sink is written synchronously.
 */
export class InProcessRecorder {
  private sub: Subscription | undefined;
  private seq = 0;
  private readonly wanted: ((name: string) => boolean) | undefined;
  /** The name filter's verdict per channel: glob matching once per name, not once per event. */
  private readonly verdicts = new Map<string, boolean>();
  private readonly kinds: ReadonlySet<string> | undefined;
  private readonly ignore: ReadonlySet<Pv>;
  private readonly markerPv: Pv | undefined;
  private readonly maxArray: number;
  private readonly putLines: PutLines | undefined;
  count = 0;
  /** Events that could not be recorded (the sink failed: disk full …). */
  errors = 0;

  constructor(
    private readonly db: PvDatabase,
    private readonly sink: TraceSink,
    private readonly opts: TapOptions = {},
  ) {
    this.wanted = opts.channels?.length ? nameMatcher(opts.channels) : undefined;
    this.kinds = opts.kinds ? new Set(opts.kinds) : undefined;
    this.ignore = new Set(opts.ignore ?? []);
    this.markerPv = opts.markerPv;
    this.maxArray = opts.maxArray ?? 4096;
    this.putLines = opts.linePv ? new PutLines() : undefined;
  }

  start(): this {
    this.sub = this.db.events.subscribe((e) => {
      // A throw here would surface later as an uncaught exception and end the twin: report it instead.
      try {
        this.onEvent(e);
      } catch (err) {
        this.errors++;
        if (this.errors <= 10) log.error(`recording ${e.kind} event failed: ${(err as Error)?.stack ?? err}`);
      }
    });
    return this;
  }

  stop(): void {
    this.sub?.unsubscribe();
    this.sub = undefined;
    this.sink.flush();
  }

  /** Add a marker event now (also what a write to the marker PV does). Markers pass every name filter. */
  marker(text: string): void {
    const eq = text.indexOf('=');
    const name = (eq >= 0 ? text.slice(0, eq) : text).trim();
    if (!name || (this.kinds && !this.kinds.has('marker'))) return;
    // "name" alone is value 0, as the reference harness logs function markers (sam.align → 0).
    const raw = eq >= 0 ? text.slice(eq + 1).trim() : '0';
    const n = Number(raw);
    const ev = this.event('marker', name, this.db.clock.now());
    ev.value = raw !== '' && !Number.isNaN(n) ? n : raw;
    this.write(ev);
  }

  private accepts(channel: string, kind: EventKind): boolean {
    if (this.kinds && !this.kinds.has(kind)) return false;
    if (!this.wanted) return true;
    let ok = this.verdicts.get(channel);
    if (ok === undefined) {
      ok = this.wanted(channel);
      this.verdicts.set(channel, ok);
    }
    return ok;
  }

  /** A fresh event stamped `ms` (clock time) — one object per event, filled in place (the hot path). */
  private event(kind: EventKind, channel: string, ms: number): MutableEvent {
    const t = epicsTimeFromMs(ms);
    return this.stamped(kind, channel, t.secPastEpoch, t.nsec);
  }

  private stamped(kind: EventKind, channel: string, sec: number, nsec: number): MutableEvent {
    return { seq: 0, kind, channel, timestamp: sec + EPICS_EPOCH_OFFSET + nsec / 1e9, epics: [sec, nsec] };
  }

  private write(ev: MutableEvent): void {
    ev.seq = ++this.seq;
    this.count++;
    this.sink.write(ev);
  }

  private onEvent(e: DbEvent): void {
    switch (e.kind) {
      case 'update': {
        const u = e.update;
        const pv = u.pv;
        if (pv === this.markerPv || pv === this.opts.linePv || this.ignore.has(pv) || !this.accepts(pv.name, 'update')) return;
        const ev = this.stamped('update', pv.name, u.secPastEpoch, u.nsec);
        this.setValue(ev, u.value, isFloat(pv));
        ev.mask = u.mask;
        ev.status = u.status;
        ev.severity = u.severity;
        this.write(ev);
        return;
      }
      case 'put': {
        if (e.pv === this.markerPv) {
          this.marker(String(typeof e.value === 'object' ? (e.value as ArrayLike<unknown>)[0] : e.value));
          return;
        }
        if (this.putLines && e.pv === this.opts.linePv) {
          this.putLines.announce(e.value, e.ctx);
          return;
        }
        const announced = this.putLines?.lineOf(e.ctx);
        if (this.ignore.has(e.pv) || !this.accepts(e.pv.name, 'put')) return;
        const ev = this.event('put', e.pv.name, this.db.clock.now());
        this.setValue(ev, e.value, isFloat(e.pv));
        const ctx = e.ctx;
        if (ctx.host !== undefined) ev.host = ctx.host;
        if (ctx.user !== undefined) ev.user = ctx.user;
        if (ctx.cid !== undefined) ev.cid = ctx.cid;
        ev.notify = ctx.notify === true;
        ev.origin = ctx.origin ?? 'internal';
        if (announced) {
          ev.line = announced.line;
          if (announced.pid !== undefined) ev.pid = announced.pid;
        }
        this.write(ev);
        return;
      }
      case 'put-complete': {
        if (e.pv === this.markerPv || e.pv === this.opts.linePv || this.ignore.has(e.pv) || !this.accepts(e.pv.name, 'put-complete')) return;
        const ev = this.event('put-complete', e.pv.name, this.db.clock.now());
        ev.eca = e.status;
        ev.durationMs = Math.round(e.durationMs * 1000) / 1000;
        if (e.message) ev.message = e.message;
        if (e.ctx.origin) ev.origin = e.ctx.origin;
        this.write(ev);
        return;
      }
      case 'created': {
        if (!e.resolved || !this.opts.isCatchAll?.(e.pv) || !this.accepts(e.pv.name, 'catch-all')) return;
        const ev = this.event('catch-all', e.pv.name, this.db.clock.now());
        this.setValue(ev, e.pv.value, isFloat(e.pv));
        this.write(ev);
        return;
      }
    }
  }

  /** Scalars as they are; arrays copied, or by length only beyond `maxArray`. */
  private setValue(ev: MutableEvent, v: unknown, float: boolean): void {
    if (typeof v === 'number' || typeof v === 'string') ev.value = v;
    else if (v && typeof v === 'object' && 'length' in v) {
      const arr = v as ArrayLike<number | string>;
      if (arr.length > this.maxArray) {
        ev.value = null;
        ev.length = arr.length;
      } else ev.value = Array.from(arr) as number[] | string[];
    } else ev.value = null;
    if (float) ev.float = true;
  }
}

type MutableEvent = { -readonly [K in keyof TraceEvent]: TraceEvent[K] };
