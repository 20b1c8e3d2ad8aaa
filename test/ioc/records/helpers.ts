// A soft IOC in memory for record tests: records from .db text, a VirtualClock, CA-like puts and
// monitors through the field PVs (the same objects the CA server serves).
import { DBE } from '../../../ioc/ca/protocol/constants.js';
import type { DbrValue } from '../../../ioc/ca/protocol/snapshot.js';
import { VirtualClock } from '../../../ioc/clock.js';
import { PvDatabase } from '../../../ioc/db/database.js';
import type { Pv } from '../../../ioc/db/pv.js';
import { parseDb } from '../../../ioc/dbfile/index.js';
import { RecordDatabase } from '../../../ioc/records/index.js';
import type { EpicsRecord } from '../../../ioc/records/index.js';

export interface Posted {
  readonly value: DbrValue;
  readonly mask: number;
  readonly status: number;
  readonly severity: number;
}

/** Let promise chains run (asynchronous record completion after a timer fired). */
export const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

export class TestIoc {
  readonly clock = new VirtualClock();
  readonly pvs = new PvDatabase(this.clock);
  readonly rdb = new RecordDatabase(this.pvs);

  /** Records from database text (macros optional); not started. */
  load(text: string, macros: Record<string, string> = {}): this {
    const r = parseDb(text, { file: 'test.db', macros });
    if (r.errors.length) throw new Error(r.errors.map((e) => `${e.line}: ${e.msg}`).join('\n'));
    for (const def of r.records) {
      this.rdb.add({ type: def.type, name: def.name, fields: Object.fromEntries(def.fields.map((x) => [x.name, x.value])), aliases: def.aliases });
    }
    return this;
  }

  start(): this {
    this.rdb.start();
    return this;
  }

  rec(name: string): EpicsRecord {
    const r = this.rdb.findRecord(name);
    if (!r) throw new Error(`no record ${name}`);
    return r;
  }

  pv(name: string): Pv {
    const pv = this.pvs.lookup(name);
    if (!pv) throw new Error(`no PV ${name}`);
    return pv;
  }

  get(name: string): DbrValue {
    const v = this.pv(name).value;
    return typeof v === 'object' && !Array.isArray(v) ? Array.from(v as ArrayLike<number>) : v;
  }

  /** A CA put (processing as dbPutField does); resolves when the processing it started completes. */
  put(name: string, value: DbrValue): Promise<void> {
    return this.pv(name).put(value, { origin: 'ca', user: 'test' });
  }

  /** A put to an asynchronous record: start it, run the clock `ms`, then wait for its completion. */
  async putWait(name: string, value: DbrValue, ms = 20): Promise<void> {
    const p = this.put(name, value);
    await this.advance(ms, 1);
    await p;
  }

  /** Every post of a PV from now on (a camonitor with all DBE bits). */
  watch(name: string): Posted[] {
    const out: Posted[] = [];
    this.pv(name).updates.subscribe((u) => {
      const v = u.value;
      out.push({ value: typeof v === 'object' && !Array.isArray(v) ? Array.from(v as ArrayLike<number>) : v, mask: u.mask, status: u.status, severity: u.severity });
    });
    return out;
  }

  /** Advance virtual time in steps, letting asynchronous completions run between them. */
  async advance(ms: number, stepMs = 10): Promise<void> {
    await flush();
    for (let t = 0; t < ms; t += stepMs) {
      this.clock.advance(Math.min(stepMs, ms - t));
      await flush();
    }
  }

  stop(): void {
    this.rdb.stop();
  }
}

export function ioc(text: string, macros: Record<string, string> = {}): TestIoc {
  return new TestIoc().load(text, macros).start();
}

/** Values of the posts that carried DBE_VALUE. */
export const valuePosts = (p: readonly Posted[]): DbrValue[] => p.filter((x) => x.mask & DBE.VALUE).map((x) => x.value);
/** Values of the posts that carried DBE_LOG (archive). */
export const logPosts = (p: readonly Posted[]): DbrValue[] => p.filter((x) => x.mask & DBE.LOG).map((x) => x.value);
