// A soft IOC in virtual time for motor tests: motors from the factory or from .db text, CA-like puts
// through the field PVs (with or without completion), and monitors that note the virtual time of each post.
import { DBE } from '../../../ioc/ca/protocol/constants.js';
import type { DbrValue } from '../../../ioc/ca/protocol/snapshot.js';
import { VirtualClock } from '../../../ioc/clock.js';
import { PvDatabase } from '../../../ioc/db/database.js';
import type { Pv } from '../../../ioc/db/pv.js';
import { parseDb } from '../../../ioc/dbfile/index.js';
import { RecordDatabase } from '../../../ioc/records/index.js';
import { createSimMotor, MotorRecord, type SimMotorSettings } from '../../../devices/motor/index.js';

export interface Post {
  /** ms since the IOC was created (virtual) */
  readonly t: number;
  readonly value: number | string;
  readonly mask: number;
  readonly severity: number;
}

/** A put in flight: `done` turns true when its completion (put-callback) arrives. */
export interface PendingPut {
  readonly promise: Promise<void>;
  readonly done: () => boolean;
  /** virtual ms since start at completion */
  readonly doneAt: () => number | undefined;
  readonly error: () => unknown;
}

export const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

export class MotorIoc {
  readonly clock = new VirtualClock();
  readonly pvs = new PvDatabase(this.clock);
  readonly rdb = new RecordDatabase(this.pvs);
  readonly t0 = this.clock.now();

  /** Virtual ms since start. */
  get now(): number {
    return this.clock.now() - this.t0;
  }

  motor(name: string, settings: SimMotorSettings = {}): MotorRecord {
    return createSimMotor(this.rdb, name, settings);
  }

  load(text: string): this {
    const r = parseDb(text, { file: 'test.db', macros: {} });
    if (r.errors.length) throw new Error(r.errors.map((e) => `${e.line}: ${e.msg}`).join('\n'));
    for (const def of r.records) this.rdb.add({ type: def.type, name: def.name, fields: Object.fromEntries(def.fields.map((x) => [x.name, x.value])) });
    return this;
  }

  start(): this {
    this.rdb.start();
    return this;
  }

  pv(name: string): Pv {
    const pv = this.pvs.lookup(name);
    if (!pv) throw new Error(`no PV ${name}`);
    return pv;
  }

  get(name: string): number {
    return this.pv(name).value as number;
  }

  str(name: string): string {
    return String(this.pv(name).value);
  }

  /** A CA put; `notify` as with ca_put_callback (default) or a plain ca_put. */
  put(name: string, value: DbrValue, notify = true): PendingPut {
    let done = false;
    let at: number | undefined;
    let error: unknown;
    const promise = this.pv(name)
      .put(value, { origin: 'ca', user: 'test', notify })
      .then(
        () => {
          done = true;
          at = this.now;
        },
        (e: unknown) => {
          done = true;
          at = this.now;
          error = e;
        },
      );
    return { promise, done: () => done, doneAt: () => at, error: () => error };
  }

  /** Every post of a PV with DBE_VALUE from now on, with its virtual time. */
  watch(name: string, mask: number = DBE.VALUE): Post[] {
    const out: Post[] = [];
    this.pv(name).updates.subscribe((u) => {
      if (u.mask & mask) out.push({ t: this.now, value: u.value as number | string, mask: u.mask, severity: u.severity });
    });
    return out;
  }

  /** Advance virtual time (timers fire at their exact instants), then let completions run. */
  async advance(ms: number): Promise<void> {
    await flush();
    this.clock.advance(ms);
    await flush();
  }

  /** Advance in steps until `pred` holds (or `maxMs`); returns the virtual time spent. */
  async until(pred: () => boolean, maxMs = 60_000, stepMs = 10): Promise<number> {
    const start = this.now;
    await flush();
    while (!pred() && this.now - start < maxMs) {
      this.clock.advance(stepMs);
      await flush();
    }
    return this.now - start;
  }
}

export const values = (posts: readonly Post[]): (number | string)[] => posts.map((p) => p.value);

/**
 * When motorSim reports the end of a move from rest (ms after the command, with the command on a tick): its
 * route ramps from 0 at `a` to `v` (a triangle when too short), and the tick after the route's end reports done.
 */
export function routeDoneMs(distance: number, v: number, a: number, periodMs = 100): number {
  const d = Math.abs(distance);
  const t = d >= (v * v) / a ? d / v + v / a : 2 * Math.sqrt(d / a);
  return Math.ceil((t * 1000) / periodMs - 1e-9) * periodMs;
}
