import type { Subscription } from 'rxjs';
import { DbrBase } from '../ioc/ca/protocol/dbr-types.js';
import { EPICS_EPOCH_OFFSET } from '../ioc/ca/protocol/constants.js';
import { epicsTimeFromMs } from '../ioc/ca/protocol/time.js';
import type { DbEvent, PvDatabase } from '../ioc/db/database.js';
import type { Pv } from '../ioc/db/pv.js';
import type { EventKind, TraceEvent, TraceValue } from './event.js';
import { nameMatcher } from './filter.js';
import type { TraceSink } from './jsonl.js';

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
  /** Arrays longer than this are recorded by length only. */
  readonly maxArray?: number;
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
  private readonly wanted: (name: string) => boolean;
  private readonly kinds: ReadonlySet<string> | undefined;
  private readonly ignore: ReadonlySet<Pv>;
  count = 0;

  constructor(
    private readonly db: PvDatabase,
    private readonly sink: TraceSink,
    private readonly opts: TapOptions = {},
  ) {
    this.wanted = nameMatcher(opts.channels);
    this.kinds = opts.kinds ? new Set(opts.kinds) : undefined;
    this.ignore = new Set(opts.ignore ?? []);
  }

  start(): this {
    this.sub = this.db.events.subscribe((e) => this.onEvent(e));
    return this;
  }

  stop(): void {
    this.sub?.unsubscribe();
    this.sub = undefined;
    this.sink.flush();
  }

  /** Add a marker event now (also what a write to the marker PV does). */
  marker(text: string): void {
    const eq = text.indexOf('=');
    const name = (eq >= 0 ? text.slice(0, eq) : text).trim();
    if (!name) return;
    const raw = eq >= 0 ? text.slice(eq + 1).trim() : '0';
    const n = Number(raw);
    const t = epicsTimeFromMs(this.db.clock.now());
    this.emit({ kind: 'marker', channel: name, value: raw !== '' && !Number.isNaN(n) ? n : raw, ...this.time(t.secPastEpoch, t.nsec) }, true);
  }

  private time(sec: number, nsec: number): { timestamp: number; epics: [number, number] } {
    return { timestamp: sec + EPICS_EPOCH_OFFSET + nsec / 1e9, epics: [sec, nsec] };
  }

  private emit(e: Omit<TraceEvent, 'seq'>, force = false): void {
    if (!force && (!this.wanted(e.channel) || (this.kinds && !this.kinds.has(e.kind)))) return;
    if (force && this.kinds && !this.kinds.has(e.kind)) return;
    this.count++;
    this.sink.write({ seq: ++this.seq, ...e } as TraceEvent);
  }

  private onEvent(e: DbEvent): void {
    switch (e.kind) {
      case 'update': {
        const u = e.update;
        if (this.ignore.has(u.pv) || u.pv === this.opts.markerPv) return;
        this.emit({
          kind: 'update',
          channel: u.pv.name,
          ...this.time(u.secPastEpoch, u.nsec),
          value: this.value(u.value),
          ...(isFloat(u.pv) ? { float: true } : {}),
          mask: u.mask,
          status: u.status,
          severity: u.severity,
        });
        return;
      }
      case 'put': {
        if (e.pv === this.opts.markerPv) {
          this.marker(String(Array.isArray(e.value) ? e.value[0] : e.value));
          return;
        }
        if (this.ignore.has(e.pv)) return;
        const t = epicsTimeFromMs(this.db.clock.now());
        this.emit({
          kind: 'put',
          channel: e.pv.name,
          ...this.time(t.secPastEpoch, t.nsec),
          value: this.value(e.value),
          ...(isFloat(e.pv) ? { float: true } : {}),
          ...(e.ctx.host !== undefined ? { host: e.ctx.host } : {}),
          ...(e.ctx.user !== undefined ? { user: e.ctx.user } : {}),
          ...(e.ctx.cid !== undefined ? { cid: e.ctx.cid } : {}),
          notify: e.ctx.notify === true,
          origin: e.ctx.origin ?? 'internal',
        });
        return;
      }
      case 'put-complete': {
        if (this.ignore.has(e.pv) || e.pv === this.opts.markerPv) return;
        const t = epicsTimeFromMs(this.db.clock.now());
        this.emit({
          kind: 'put-complete',
          channel: e.pv.name,
          ...this.time(t.secPastEpoch, t.nsec),
          eca: e.status,
          durationMs: Math.round(e.durationMs * 1000) / 1000,
          ...(e.message ? { message: e.message } : {}),
          ...(e.ctx.origin ? { origin: e.ctx.origin } : {}),
        });
        return;
      }
      case 'created': {
        if (!e.resolved || !this.opts.isCatchAll?.(e.pv)) return;
        const t = epicsTimeFromMs(this.db.clock.now());
        this.emit({ kind: 'catch-all', channel: e.pv.name, ...this.time(t.secPastEpoch, t.nsec), value: this.value(e.pv.value) });
        return;
      }
    }
  }

  private value(v: unknown): TraceValue {
    if (typeof v === 'number' || typeof v === 'string') return v;
    if (v && typeof v === 'object' && 'length' in v) {
      const arr = v as ArrayLike<number | string>;
      const max = this.opts.maxArray ?? 4096;
      if (arr.length > max) return null;
      return Array.from(arr) as number[] | string[];
    }
    return null;
  }
}
