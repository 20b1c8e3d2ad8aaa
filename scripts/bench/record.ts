// Trace recorder throughput. Prints one figure per line:
//   in-process: updates posted on PVs, tapped by the InProcessRecorder and written to a JSON Lines file;
//   over CA:    a CaRecorder (our CA client) subscribed to PVs that a server in another process updates at a
//               paced rate, written to a JSON Lines file; the rate steps up while nothing is lost, and the
//               best lossless rate is reported.
// "lost" is counted from the files: every posted value must be there, in order, with consecutive seq.
// Usage: node dist/scripts/bench/record.js [inProcessEvents] [caSecondsPerStep (0: skip CA)]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DbrBase } from '../../ioc/ca/protocol/dbr-types.js';
import { CaServer } from '../../ioc/ca/server/server.js';
import { PvDatabase } from '../../ioc/db/database.js';
import type { Pv } from '../../ioc/db/pv.js';
import { TRACE_FORMAT } from '../../aligner/trace.js';
import { RealClock, VirtualClock } from '../../ioc/clock.js';
import { CaRecorder } from '../../recorder/ca-recorder.js';
import type { TraceEvent } from '../../recorder/event.js';
import { JsonlTraceWriter, type TraceSink } from '../../recorder/jsonl.js';
import { InProcessRecorder } from '../../recorder/tap.js';

const PVS = 10;
const header = (source: 'in-process' | 'ca') => ({ format: TRACE_FORMAT, version: 1, producer: 'bench', clock: 'virtual', start: 0, source }) as const;

/** Check a trace file line by line: consecutive seq, and per channel consecutive values from `first`. */
function checkFile(
  file: string,
  channels: readonly string[],
  first: (ch: string) => number,
  skipInitial = false,
): { events: number; lost: number; disorder: number } {
  const text = fs.readFileSync(file, 'utf8');
  const next = new Map(channels.map((c) => [c, first(c)]));
  // A CA monitor starts with the current value: skip that one update per channel.
  const initial = new Set(skipInitial ? channels : []);
  let events = 0;
  let lost = 0;
  let disorder = 0;
  let seq = 0;
  let at = text.indexOf('\n') + 1; // after the header
  while (at < text.length) {
    const end = text.indexOf('\n', at);
    const e = JSON.parse(text.slice(at, end)) as TraceEvent;
    at = end + 1;
    if (e.seq !== ++seq) disorder++;
    const want = next.get(e.channel);
    if (want === undefined || e.kind !== 'update') continue;
    const v = e.value as number;
    if (initial.delete(e.channel) && v === want - 1) continue;
    events++;
    if (v > want) lost += v - want;
    else if (v < want) disorder++;
    next.set(e.channel, v + 1);
  }
  return { events, lost, disorder };
}

async function inProcess(total: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-bench-record-'));
  const file = path.join(dir, 'in-process.jsonl');
  const clock = new VirtualClock();
  const db = new PvDatabase(clock);
  const pvs: Pv[] = [];
  for (let i = 0; i < PVS; i++) pvs.push(db.create(`bench:rec:${i}`, { type: DbrBase.DOUBLE, value: 0 }));
  const writer = new JsonlTraceWriter(file, header('in-process'));
  const recorder = new InProcessRecorder(db, writer).start();
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    pvs[i % PVS]!.set(Math.floor(i / PVS) + 1, { timeMs: clock.now() + i * 0.01 });
  }
  recorder.stop();
  writer.close();
  const ms = performance.now() - t0;
  const check = checkFile(file, pvs.map((p) => p.name), () => 1);
  const bytes = fs.statSync(file).size;
  fs.rmSync(dir, { recursive: true, force: true });
  const lost = total - check.events;
  console.log(`in-process: ${Math.round(total / (ms / 1000))} events/s recorded to JSON Lines (${total} events, ${(bytes / 1e6).toFixed(0)} MB, ${ms.toFixed(0)} ms), lost ${lost}, out of order ${check.disorder}`);
}

// ---- over CA -----------------------------------------------------------------------------------------

/** The server side, in its own process: `bench:go` ← rate posts `rate × seconds` updates, paced. */
async function producer(): Promise<void> {
  const db = new PvDatabase(new RealClock());
  const pvs: Pv[] = [];
  for (let i = 0; i < PVS; i++) pvs.push(db.create(`bench:ca:${i}`, { type: DbrBase.DOUBLE, value: 0 }));
  const done = db.create('bench:done', { type: DbrBase.LONG, value: 0 });
  let seconds = 2;
  db.create('bench:seconds', { type: DbrBase.DOUBLE, value: seconds, put: (_pv, v) => void (seconds = Number(v)) });
  db.create('bench:go', {
    type: DbrBase.LONG,
    put: (_pv, v) => {
      const rate = Number(v);
      const total = Math.round(rate * seconds);
      let posted = 0;
      const t0 = performance.now();
      const step = () => {
        const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
        const until = Math.min(due, posted + 5000);
        for (; posted < until; posted++) {
          const pv = pvs[posted % PVS]!;
          pv.set((pv.value as number) + 1);
        }
        if (posted < total) setImmediate(step);
        else done.set(Number(done.value) + total);
      };
      setImmediate(step);
    },
  });
  const server = new CaServer({ source: db, config: { port: 0, interfaces: ['127.0.0.1'], beaconAddrs: [], autoBeaconAddrs: false } });
  await server.start();
  process.stdout.write(`${server.udpPort}\n`);
  process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
}

/** Counts updates as they arrive (for pacing the bench), then hands them to the file writer. */
class CountingSink implements TraceSink {
  updates = 0;
  firstMs = 0;
  lastMs = 0;
  constructor(
    private readonly inner: TraceSink,
    private readonly data: (channel: string) => boolean,
  ) {}
  write(e: TraceEvent): void {
    if (e.kind === 'update' && this.data(e.channel)) {
      const t = performance.now();
      if (this.updates++ === 0) this.firstMs = t;
      this.lastMs = t;
    }
    this.inner.write(e);
  }
  flush(): void {
    this.inner.flush();
  }
  close(): void {
    this.inner.close();
  }
}

async function overCa(seconds: number): Promise<void> {
  const script = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, [script, 'producer'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
  const client = { addrList: [`127.0.0.1:${port}`], autoAddrList: false, repeaterPort: port + 1 } as const;
  const names = Array.from({ length: PVS }, (_, i) => `bench:ca:${i}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-bench-record-'));
  let best: { rate: number; events: number } | undefined;
  let failed: string | undefined;
  try {
    for (const rate of [100_000, 150_000, 200_000, 300_000, 400_000, 600_000]) {
      const file = path.join(dir, `ca-${rate}.jsonl`);
      const writer = new JsonlTraceWriter(file, header('ca'));
      const sink = new CountingSink(writer, (c) => c.startsWith('bench:ca:'));
      const recorder = new CaRecorder(sink, { names: [...names, 'bench:done'], client }).start();
      const ctl = recorder.client;
      await Promise.all(names.map((n) => ctl.channel(n).connected(5)));
      // Wait for the first (current value) update of every channel, then start counting from zero.
      while (sink.updates < PVS) await new Promise((r) => setTimeout(r, 5));
      const first = new Map<string, number>();
      for (const n of names) first.set(n, ((await ctl.get(n)).value as number) + 1);
      const doneBefore = (await ctl.get('bench:done')).value as number;
      sink.updates = 0;
      await ctl.put('bench:seconds', seconds, { wait: true });
      await ctl.put('bench:go', rate, { wait: true });
      const total = Math.round(rate * seconds);
      // Wait until the producer says it is done and every update has arrived (or nothing more comes).
      const deadline = performance.now() + seconds * 1000 * 5 + 5000;
      for (;;) {
        await new Promise((r) => setTimeout(r, 20));
        const doneNow = (await ctl.get('bench:done')).value as number;
        if (doneNow - doneBefore >= total && (sink.updates >= total || performance.now() - sink.lastMs > 1000)) break;
        if (performance.now() > deadline) break;
      }
      const received = sink.updates;
      const spanMs = sink.lastMs - sink.firstMs;
      await recorder.stop();
      writer.close();
      const check = checkFile(file, names, (c) => first.get(c)!, true);
      const lost = Math.max(total - check.events, check.lost);
      const achieved = Math.round(received / (spanMs / 1000));
      console.error(`  (ca at ${rate}/s asked: ${received}/${total} received, ${achieved}/s, lost ${lost}, out of order ${check.disorder})`);
      fs.rmSync(file, { force: true });
      if (lost > 0 || check.disorder > 0) {
        failed = `lost ${lost} at ${rate}/s asked`;
        break;
      }
      if (!best || achieved > best.rate) best = { rate: achieved, events: total };
      if (achieved < rate * 0.9) break; // the producer or the client is saturated: no point asking for more
    }
  } finally {
    child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`over CA: ${best ? best.rate : 0} events/s recorded to JSON Lines, lost 0 (best lossless rate, ${best?.events ?? 0} events${failed ? `; ${failed}` : ''})`);
}

if (process.argv[2] === 'producer') {
  await producer();
} else {
  await inProcess(Number(process.argv[2] ?? 2_000_000));
  const caSeconds = Number(process.argv[3] ?? 2);
  if (caSeconds > 0) await overCa(caSeconds);
}
