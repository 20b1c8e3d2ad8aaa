// Replays the reference motorSim recording (test/fixtures/motorsim/operations.json, from
// shared/reference/motorsim: record.py's operations against a real motor record on the motorSim driver) on
// the CMS twin's sample-x motor in virtual time, the way record.py drives an IOC: the same puts (with or
// without completion), sleeps and settle rule, monitors on the same fields, and a snapshot of every field
// after each operation.
import fs from 'node:fs';
import { DBE } from '../../../ioc/ca/protocol/constants.js';
import type { DbrValue } from '../../../ioc/ca/protocol/snapshot.js';
import { VirtualClock } from '../../../ioc/clock.js';
import { loadProfile } from '../../../devices/profile/profile.js';
import { Twin } from '../../../devices/twin.js';
import type { MotorRecord, SimMotorAxis } from '../../../devices/motor/index.js';

export const MOTOR = 'XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr';

/** [field, value, seconds since the operation started] */
export type Event = [string, number | string, number];

export interface Operation {
  readonly operation: string;
  readonly events: Event[];
  readonly after: Record<string, number | string>;
}

export interface Recording {
  readonly motor: string;
  readonly operations: Operation[];
  readonly recorded_with: Record<string, unknown>;
}

export function loadRecording(): Recording {
  return JSON.parse(fs.readFileSync('test/fixtures/motorsim/operations.json', 'utf8')) as Recording;
}

/** record.py's WATCH list: the fields with monitors. */
const WATCH = ['VAL', 'RBV', 'DVAL', 'DRBV', 'RVAL', 'RRBV', 'DMOV', 'MOVN', 'MIP', 'LVIO', 'HLS', 'LLS', 'TDIR', 'MSTA', 'DIFF', 'SPMG', 'JOGF', 'JOGR', 'HOMF', 'HOMR', 'OFF', 'STAT', 'SEVR', 'ATHM', 'STOP', 'SET', 'CDIR'];

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

/** The twin driven as record.py drives an IOC, in virtual time. */
export class Replay {
  readonly clock = new VirtualClock(Date.UTC(2026, 0, 1));
  readonly twin = new Twin(loadProfile('cms'), { clock: this.clock }).start();
  private events: Event[] = [];
  private t0 = 0;

  constructor() {
    for (const f of WATCH) {
      this.pv(f).updates.subscribe((u) => {
        if (u.mask & (DBE.VALUE | DBE.ALARM)) this.events.push([f, u.value as number | string, (this.clock.now() - this.t0) / 1000]);
      });
    }
  }

  pv(field: string) {
    const p = this.twin.db.lookup(field ? `${MOTOR}.${field}` : MOTOR);
    if (!p) throw new Error(`no PV ${MOTOR}.${field}`);
    return p;
  }

  get(field: string): number | string {
    return this.pv(field).value as number | string;
  }

  /** epics.caput: with `wait`, a put-callback waited for (in virtual time, 10 ms steps). */
  async put(field: string, value: DbrValue, wait = false): Promise<void> {
    let done = false;
    const p = this.pv(field)
      .put(value, { origin: 'ca', user: 'replay', notify: wait })
      .finally(() => (done = true));
    await flush();
    if (!wait) {
      await p.catch(() => undefined);
      return;
    }
    for (let i = 0; i < 60_000 && !done; i++) await this.sleep(0.01);
    await p;
  }

  async sleep(s: number): Promise<void> {
    const end = this.clock.now() + s * 1000;
    while (this.clock.now() < end - 1e-9) {
      this.clock.advance(Math.min(10, end - this.clock.now()));
      await flush();
    }
  }

  /** record.py's settle(): 0.2 s, then DMOV polled every 20 ms (at most 40 s), then 0.5 s. */
  async settle(): Promise<void> {
    await this.sleep(0.2);
    const start = this.clock.now();
    while (this.clock.now() - start < 40_000 && this.get('DMOV') !== 1) await this.sleep(0.02);
    await this.sleep(0.5);
  }

  /** The simulated axis behind the motor. */
  get axis(): SimMotorAxis {
    const rec = this.twin.records.findRecord(MOTOR) as MotorRecord;
    return (rec.device as unknown as { axis: SimMotorAxis }).axis;
  }

  /**
   * Wait (a little) so that the axis' next 0.1 s tick comes `phase` seconds after now: the recording's
   * operations met motorSim's poller at a phase of their own, and where a stop or a limit switch catches a
   * motion depends on it.
   */
  async alignPhase(phase: number): Promise<void> {
    const wait = (((this.axis.nextTickMs() - this.clock.now() - phase * 1000) % 100) + 100) % 100;
    if (wait > 1e-6) await this.sleep(wait / 1000);
  }

  /** Run one operation: its events (timed from its start) and the fields afterwards. */
  async run(op: () => Promise<void>, fields: readonly string[], phase?: number): Promise<{ events: Event[]; after: Record<string, number | string> }> {
    if (phase !== undefined) await this.alignPhase(phase);
    this.events = [];
    this.t0 = this.clock.now();
    await op();
    await this.settle();
    const events = this.events;
    this.events = [];
    return { events, after: Object.fromEntries(fields.map((f) => [f, this.get(f)])) };
  }

  stop(): void {
    this.twin.stop();
  }
}

/** record.py's OPS, in order. */
export const OPS: readonly [string, (r: Replay) => Promise<void>][] = [
  ['initial state', async () => {}],
  ['VAL 3.3 (absolute move)', (r) => r.put('VAL', 3.3)],
  ['TWV 0.25 then TWR 1 (tweak reverse)', async (r) => (await r.put('TWV', 0.25, true), await r.put('TWR', 1))],
  ['VAL -1 then STOP after 0.8 s', async (r) => (await r.put('VAL', -1), await r.sleep(0.8), await r.put('STOP', 1))],
  ['LLM -3 then VAL -5 (soft-limit violation)', async (r) => (await r.put('LLM', -3, true), await r.put('VAL', -5))],
  ['VAL 1 after a violation', (r) => r.put('VAL', 1)],
  ['LLM back to -20000', (r) => r.put('LLM', -20000, true)],
  ['SET Set, VAL 7, SET Use (redefine position)', async (r) => (await r.put('SET', 1, true), await r.put('VAL', 7, true), await r.put('SET', 0, true))],
  ['BDST 0.3, VAL 5.5 (move against backlash direction)', async (r) => (await r.put('BDST', 0.3, true), await r.put('VAL', 5.5))],
  ['VAL 6.5 (move with backlash direction)', (r) => r.put('VAL', 6.5)],
  ['BDST 0', (r) => r.put('BDST', 0, true)],
  ['JOGR 1 for 0.7 s, then JOGR 0', async (r) => (await r.put('JOGR', 1), await r.sleep(0.7), await r.put('JOGR', 0))],
  ['VAL 9, SPMG Pause after 0.6 s, Go after 0.4 s', async (r) => (await r.put('VAL', 9), await r.sleep(0.6), await r.put('SPMG', 1), await r.sleep(0.4), await r.put('SPMG', 3))],
  ['VAL 7, SPMG Stop after 0.5 s, then Go', async (r) => (await r.put('VAL', 7), await r.sleep(0.5), await r.put('SPMG', 0), await r.sleep(0.5), await r.put('SPMG', 3))],
  ['RLV 2.2 (relative move)', (r) => r.put('RLV', 2.2)],
  ['VELO 2, VAL 4 (faster move)', async (r) => (await r.put('VELO', 2, true), await r.put('VAL', 4))],
  ['VELO 1, DIR Neg, VAL 4.5', async (r) => (await r.put('VELO', 1, true), await r.put('DIR', 1, true), await r.put('VAL', 4.5))],
  ['DIR Pos', (r) => r.put('DIR', 0, true)],
  ['VAL 4.5 (a put of the current position)', (r) => r.put('VAL', 4.5)],
  ['VAL 250 (past the hard limit at 200 + OFF)', async (r) => (await r.put('VELO', 50, true), await r.put('VAL', 250))],
  ['VELO 1, VAL 0', async (r) => (await r.put('VELO', 1, true), await r.put('VAL', 0))],
];

/** Fields whose values are positions (compared at the record's precision, PREC 5). */
const ROUNDED = new Set(['VAL', 'RBV', 'DVAL', 'DRBV', 'OFF', 'DIFF', 'HLM', 'LLM', 'DHLM', 'DLLM']);

/** A value as the recording holds it (numbers at PREC 5; -0 is 0). */
export function norm(field: string, v: number | string): number | string {
  if (typeof v !== 'number') return v;
  const x = ROUNDED.has(field) ? Math.round(v * 1e5) / 1e5 : v;
  return x === 0 ? 0 : x;
}

/** The order of the motion flags' transitions (DMOV/MOVN/MIP/LVIO/HLS/LLS), repeats of a value dropped. */
export function transitions(events: readonly Event[]): string[] {
  const flags = new Set(['DMOV', 'MOVN', 'MIP', 'LVIO', 'HLS', 'LLS']);
  const last = new Map<string, number | string>();
  const out: string[] = [];
  for (const [f, v] of events) {
    if (!flags.has(f) || last.get(f) === v) continue;
    last.set(f, v);
    out.push(`${f}=${v}`);
  }
  return out;
}

/** The phase (s, within 0.1) of motorSim's ticks in a recorded operation: its first readback update. */
export function tickPhase(events: readonly Event[]): number | undefined {
  const first = events.find(([f, , t]) => f === 'RRBV' && t > 0.003);
  return first ? first[2] % 0.1 : undefined;
}

/** When the operation ended: the last DMOV 1 event (seconds), if the motor moved at all. */
export function duration(events: readonly Event[]): number | undefined {
  let t: number | undefined;
  for (const [f, v, s] of events) if (f === 'DMOV' && v === 1) t = s;
  return t;
}
