import { Subject } from 'rxjs';
import type { DbrValue } from '../epics/value.js';
import type { Clock } from '../clock.js';
import { Pv, type PutContext, type PvOptions, type PvOwner, type PvUpdate } from './pv.js';

/** Creates PVs on demand for names not in the database (catch-all prefixes, record fields …). */
export type PvResolver = (name: string, db: PvDatabase) => Pv | undefined;

/** What a channel server needs from a PV source (pvxs' Source idea): look a name up. */
export interface PvSource {
  lookup(name: string): Pv | undefined;
}

export type DbEvent =
  | { readonly kind: 'update'; readonly update: PvUpdate }
  | { readonly kind: 'put'; readonly pv: Pv; readonly value: DbrValue; readonly ctx: PutContext }
  | {
      readonly kind: 'put-complete';
      readonly pv: Pv;
      readonly ctx: PutContext;
      readonly status: number;
      readonly durationMs: number;
      readonly message?: string;
    }
  | { readonly kind: 'created'; readonly pv: Pv; readonly resolved: boolean };

/** All PVs of one twin, by name, with one clock and one tap of every put and update. */
export class PvDatabase implements PvSource, PvOwner {
  private readonly pvs = new Map<string, Pv>();
  private readonly resolvers: PvResolver[] = [];
  /** Every put, update and on-demand creation, in order. Observed by the recorder. */
  readonly events = new Subject<DbEvent>();

  constructor(readonly clock: Clock) {}

  get size(): number {
    return this.pvs.size;
  }
  names(): IterableIterator<string> {
    return this.pvs.keys();
  }
  values(): IterableIterator<Pv> {
    return this.pvs.values();
  }

  /** Create and register a PV. Names are unique. */
  create(name: string, opts: PvOptions): Pv {
    return this.add(new Pv(name, opts, this.clock));
  }

  add(pv: Pv): Pv {
    if (this.pvs.has(pv.name)) throw new Error(`duplicate PV name ${pv.name}`);
    pv.owner = this;
    pv.clock = this.clock;
    pv.stamp();
    this.pvs.set(pv.name, pv);
    return pv;
  }

  /** Make an existing PV reachable under another name too (EPICS alias). */
  alias(alias: string, pv: Pv): void {
    if (this.pvs.has(alias)) throw new Error(`duplicate PV name ${alias}`);
    this.pvs.set(alias, pv);
  }

  get(name: string): Pv | undefined {
    return this.pvs.get(name);
  }

  addResolver(resolver: PvResolver): void {
    this.resolvers.push(resolver);
  }

  /** Exact name, else the resolvers in order; a resolved PV is registered so later lookups are exact. */
  lookup(name: string): Pv | undefined {
    const pv = this.pvs.get(name);
    if (pv) return pv;
    for (const resolve of this.resolvers) {
      const made = resolve(name, this);
      if (made) {
        if (!this.pvs.has(name)) {
          if (made.owner !== this) this.add(made);
          if (made.name !== name) this.pvs.set(name, made);
        }
        if (this.events.observed) this.events.next({ kind: 'created', pv: made, resolved: true });
        return made;
      }
    }
    return undefined;
  }

  get tapped(): boolean {
    return this.events.observed;
  }

  posted(update: PvUpdate): void {
    if (this.events.observed) this.events.next({ kind: 'update', update });
  }

  putting(pv: Pv, value: DbrValue, ctx: PutContext): void {
    if (this.events.observed) this.events.next({ kind: 'put', pv, value, ctx });
  }

  putDone(pv: Pv, ctx: PutContext, status: number, durationMs: number, message?: string): void {
    if (this.events.observed) this.events.next({ kind: 'put-complete', pv, ctx, status, durationMs, ...(message ? { message } : {}) });
  }
}
