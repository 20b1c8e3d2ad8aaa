import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TraceEvent, TraceValue } from '../recorder/event.js';
import { JsonlTraceWriter, MemorySink, TeeSink, type TraceSink } from '../recorder/jsonl.js';
import { InProcessRecorder } from '../recorder/tap.js';
import type { Profile } from '../devices/profile/profile.js';
import type { Twin } from '../devices/twin.js';
import { TRACE_FORMAT } from '../aligner/trace.js';
import { StallMeter, threadStatFile } from './stall-meter.js';
import { TwinSession } from './twin-session.js';
import { beamtwinVersion } from './version.js';
import { LineTracing, type LineLimits, type LineSummary } from '../recorder/lines/tracing.js';
import { clockOrigin, pythonHookEnv } from '../recorder/lines/python-env.js';

export interface RunOutcome {
  readonly exitCode: number;
  readonly signal: string | null;
  readonly timedOut: boolean;
  /** Why the command could not start ("not found", "not executable"), as a shell says it (exit 127/126). */
  readonly startError?: string;
  readonly durationMs: number;
  /** Twin milliseconds the stall meter held the clock: the command's waits for a CPU × the speed, and work run at real speed. */
  readonly heldMs: number;
  /** Every event (empty with keepEvents: false). */
  readonly events: readonly TraceEvent[];
  readonly tally: RunTally;
  readonly catchAllHits: readonly string[];
  /** Twin time (POSIX seconds) when the command started and ended. */
  readonly startTs: number;
  readonly endTs: number;
  /** Values of the `snapshot` PVs before the command and after it. */
  readonly before: Readonly<Record<string, unknown>>;
  readonly after: Readonly<Record<string, unknown>>;
  /** With `lines`: what the line tracer recorded (merged into the trace file). */
  readonly lines?: LineSummary;
}

/**
 * Where SIGINT/SIGTERM come from for a running command: `forward` is called with each; the returned
 * function stops listening. The process's own signals by default; a twin thread hears them from the
 * main thread (eval/twin-threads.ts).
 */
export type SignalSource = (forward: (sig: NodeJS.Signals) => void) => () => void;

const processSignals: SignalSource = (forward) => {
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return () => {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
  };
};

/**
 * Run COMMAND against a fresh, isolated twin and record what it does. Used by `run`, `validate`, `eval`.
 * The command inherits stdio; its exit status is returned. A timeout kills its whole process group.
 */
export async function runRecorded(
  argv: readonly string[],
  opts: { profile?: string | Profile; snapshot?: (twin: Twin) => readonly string[]; web?: (twin: Twin) => Promise<{ close(): Promise<void> } | undefined>; record?: string; timeoutS?: number; speed?: number; strict?: boolean; channels?: readonly string[]; stdio?: 'inherit' | 'pipe'; onOutput?: (s: string) => void; cwd?: string; keepEvents?: boolean; lines?: LineLimits; signals?: SignalSource },
): Promise<RunOutcome> {
  // Port 0: the server takes a free UDP port exclusively, so parallel twins never share one.
  const session = await TwinSession.start({ profile: opts.profile ?? 'cms', speed: opts.speed ?? 1, strict: opts.strict ?? false });
  const memory = new MemorySink();
  const tally = new RunTally();
  // Every event stays in memory only for callers that analyse them (validate, eval); `run` just counts.
  const sinks: TraceSink[] = opts.keepEvents === false ? [tally] : [tally, memory];
  const twin = session.twin;
  const tracing = opts.lines ? new LineTracing(twin.db, twin.profile.controlPrefix ?? 'beamtwin:', opts.lines, opts.speed ?? 1) : undefined;
  if (opts.record) {
    try {
      sinks.push(
        new JsonlTraceWriter(opts.record, {
          format: TRACE_FORMAT,
          version: 1,
          producer: 'beamtwin run',
          beamtwinVersion,
          profile: twin.profile.name,
          clock: 'real',
          speed: opts.speed ?? 1,
          start: twin.clock.now() / 1000,
          channels: opts.channels ?? [],
          source: 'in-process',
          ...(tracing ? { command: [...argv], cwd: opts.cwd ?? process.cwd(), lines: tracing.limits, initial: snapshotOf(twin, twin.tracked) as Record<string, TraceValue> } : {}),
        }),
      );
    } catch (e) {
      // A trace file that cannot be opened: the twin, its server and repeater must not outlive the error.
      await session.stop();
      throw e;
    }
  }
  let web;
  try {
    web = await opts.web?.(twin);
  } catch (e) {
    // A web port that cannot be had: nothing of this run may outlive the error.
    for (const s of sinks) s.close();
    await session.stop();
    throw e;
  }
  const sink = new TeeSink(sinks);
  const recorder = new InProcessRecorder(twin.db, sink, {
    ...(opts.channels?.length ? { channels: opts.channels } : {}),
    markerPv: twin.marker,
    ignore: [twin.resetPv],
    isCatchAll: (pv) => twin.isCatchAllPv(pv),
    ...(tracing ? { linePv: tracing.linePv } : {}),
  }).start();
  const names = opts.snapshot?.(twin) ?? [];
  const before = snapshotOf(twin, names);
  const startTs = twin.clock.now() / 1000;
  const t0 = performance.now();
  let timedOut = false;
  let startError: string | undefined;
  // Load must not enter the trace: time stands still while the command waits for a CPU, and a Python
  // command's clocks stand still with the twin's (see StallMeter).
  const speed = opts.speed ?? 1;
  const twinStat = threadStatFile();
  const share = {
    file: path.join(os.tmpdir(), `beamtwin-clock-${process.pid}-${startTs.toFixed(3)}-${Math.random().toString(36).slice(2)}`),
    origin: clockOrigin(twin.clock, speed),
    ...(twinStat ? { twinStat } : {}),
  };
  let meter: StallMeter;
  try {
    meter = new StallMeter(session.clock, share);
  } catch (e) {
    // A temporary directory that cannot be written: nothing of this run may outlive the error.
    recorder.stop();
    sink.close();
    await web?.close();
    await session.stop();
    throw e;
  }
  const child = spawn(argv[0]!, argv.slice(1), {
    env: { ...session.childEnv(process.env), ...pythonHookEnv(process.env, twin.clock, speed, tracing, share) },
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    stdio: opts.stdio === 'pipe' ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    detached: true, // its own process group, so a timeout can kill everything it started
  });
  if (child.pid !== undefined) meter.start();
  if (opts.stdio === 'pipe') {
    child.stdout?.on('data', (d: Buffer) => opts.onOutput?.(String(d)));
    child.stderr?.on('data', (d: Buffer) => opts.onOutput?.(String(d)));
  }
  // The timeout counts the command's time, as its own clocks do: seconds of real time at --speed 1 on an
  // idle machine, held with the twin while the command waits for a CPU. A wall-clock cap of ten times
  // as long still ends a command whose clock is held without end.
  const kill = () => {
    timedOut = true;
    killGroup(child.pid);
  };
  const timers: { cancel(): void }[] = [];
  if (opts.timeoutS !== undefined) {
    timers.push(twin.clock.setTimeout(kill, opts.timeoutS * 1000 * speed));
    const cap = setTimeout(kill, opts.timeoutS * 10_000);
    timers.push({ cancel: () => clearTimeout(cap) });
  }
  const unlisten = (opts.signals ?? processSignals)((sig) => killGroup(child.pid, sig));
  const { code, signal } = await new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.on('error', (e: NodeJS.ErrnoException) => {
      // As a shell reports it: 127 for a command not found, 126 for one found but not executable.
      const why = startFailure(e);
      startError = why.reason;
      opts.onOutput?.(`beamtwin run: cannot start ${argv[0]}: ${why.reason}\n`);
      resolve({ code: why.code, signal: null });
    });
    child.on('exit', (c, s) => {
      // Piped output is complete only at 'close' (the child's stdio has ended); a background process
      // that keeps the pipe open must not hold the run, so wait for it briefly only.
      const done = () => resolve({ code: c, signal: s });
      if (child.stdout || child.stderr) {
        const t = setTimeout(done, 500);
        child.once('close', () => {
          clearTimeout(t);
          done();
        });
      } else done();
    });
  });
  for (const t of timers) t.cancel();
  unlisten();
  killGroup(child.pid); // leftovers of the command's group
  meter.stop(); // removes the shared-clock file
  const durationMs = performance.now() - t0;
  const endTs = twin.clock.now() / 1000;
  const after = snapshotOf(twin, names);
  recorder.stop();
  sink.close();
  const lines = tracing?.finish(opts.record);
  const hits = twin.catchAllHits.map((h) => h.name);
  await web?.close();
  await session.stop();
  // A command killed by a signal exits 128 + its number, as a shell reports it (SIGKILL → 137, SIGTERM → 143).
  const bySignal = signal ? 128 + (os.constants.signals[signal as NodeJS.Signals] ?? 9) : 1;
  return { exitCode: code ?? bySignal, signal, timedOut, ...(startError ? { startError } : {}), durationMs, heldMs: meter.heldMs, events: memory.events, tally, catchAllHits: hits, startTs, endTs, before, after, ...(lines ? { lines } : {}) };
}

/** Why spawn failed, in a shell's words and exit status. */
export function startFailure(e: NodeJS.ErrnoException): { code: number; reason: string } {
  if (e.code === 'ENOENT') return { code: 127, reason: 'command not found' };
  if (e.code === 'EACCES') {
    const dir = typeof e.path === 'string' && fs.existsSync(e.path) && fs.statSync(e.path).isDirectory();
    return { code: 126, reason: dir ? 'is a directory' : 'permission denied (not an executable file)' };
  }
  if (e.code === 'ENOEXEC') return { code: 126, reason: 'not an executable format' };
  return { code: 126, reason: e.message };
}

/** Current values of PVs (plain numbers/strings/arrays), for before/after comparisons. */
function snapshotOf(twin: Twin, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of names) {
    // Never let a snapshot fabricate a catch-all PV.
    const v = twin.served(n)?.value;
    out[n] = v !== null && typeof v === 'object' ? Array.from(v as ArrayLike<number>) : v;
  }
  return out;
}

function killGroup(pid: number | undefined, sig: NodeJS.Signals = 'SIGKILL'): void {
  if (!pid) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // already gone
  }
}

/** Counts events by channel and kind and keeps the failed puts: what `run` summarises, in bounded memory. */
export class RunTally implements TraceSink {
  readonly byChannel = new Map<string, Map<string, number>>();
  readonly failedPuts: TraceEvent[] = [];
  count = 0;
  write(e: TraceEvent): void {
    this.count++;
    let m = this.byChannel.get(e.channel);
    if (!m) this.byChannel.set(e.channel, (m = new Map()));
    m.set(e.kind, (m.get(e.kind) ?? 0) + 1);
    if (e.kind === 'put-complete' && e.eca !== 1 && this.failedPuts.length < 100) this.failedPuts.push(e);
  }
  flush(): void {}
  close(): void {}
}
