import fs from 'node:fs';
import path from 'node:path';
import type { Profile } from '../../devices/profile/profile.js';
import { runCommandJob, type CommandResult } from './command-job.js';
import type { CandidateSpec, CommandSpec, ReferenceSpec, TaskSpec } from './manifest.js';
import type { Semaphore } from './pool.js';
import type { TwinThreads } from './twin-threads.js';

/** What running one command left behind: its trace file and how it ended. */
export interface CommandRun extends CommandResult {
  readonly hash: string;
  /** The end of what the command printed (for diagnosing a failing script). */
  readonly outputTail: string;
  /** The full trace, beamtwin JSON Lines. */
  readonly tracePath: string;
  /** Served from the reference cache. */
  readonly cached?: boolean;
}

export type ReferenceRun = ({ readonly kind: 'command' } & CommandRun) | { readonly kind: 'trace'; readonly hash: string; readonly tracePath: string };

export interface CandidateRun extends CommandRun {
  readonly id: string;
}

/** Everything a task's commands produced, before scoring. */
export interface TaskRun {
  readonly references: readonly ReferenceRun[];
  readonly candidates: readonly CandidateRun[];
}

export interface RunStats {
  cacheHits: number;
  cacheMisses: number;
  commandsRun: number;
  /** Sum over commands of (twin session time − command time): start, reset, stop, recorder. */
  overheadMs: number;
}

export interface ExecContext {
  /** Bounds the twins running at once. */
  readonly pool: Semaphore;
  /** Where the twins run: threads of their own (else this thread). */
  readonly threads?: TwinThreads;
  /** Reference traces by content hash: `<cacheDir>/<hash>.jsonl` + `<hash>.json`. */
  readonly cacheDir: string;
  readonly stats: RunStats;
  /** Set when the evaluation is being interrupted: nothing half-done is cached or stored. */
  readonly interrupted: () => boolean;
  readonly profile: (name: string) => Profile;
  /** References being run right now, so two tasks sharing one run it once. */
  readonly inflight: Map<string, Promise<ReferenceRun>>;
}

export class Interrupted extends Error {
  override name = 'Interrupted';
}

const TAIL = 4000;
let tmpSeq = 0;

/** Run one command in a fresh twin, recording its whole trace to `tracePath` (written atomically). */
export async function runCommandSpec(spec: CommandSpec, profile: Profile, tracePath: string, ctx: ExecContext, cwd = spec.cwd, argv = spec.argv): Promise<CommandRun> {
  if (ctx.interrupted()) throw new Interrupted('interrupted');
  return ctx.pool.run(async () => {
    if (ctx.interrupted()) throw new Interrupted('interrupted');
    fs.mkdirSync(path.dirname(tracePath), { recursive: true });
    const tmp = `${tracePath}.${process.pid}-${++tmpSeq}.tmp`;
    let tail = '';
    const t0 = performance.now();
    const job = { argv, profile, record: tmp, timeoutS: spec.timeoutS, speed: spec.speed, ...(spec.lines ? { lines: spec.lines } : {}), ...(cwd ? { cwd } : {}) };
    const onOutput = (s: string) => {
      tail = (tail + s).slice(-TAIL);
    };
    const o = await (ctx.threads ? ctx.threads.run(job, onOutput) : runCommandJob(job, onOutput));
    ctx.stats.commandsRun++;
    ctx.stats.overheadMs += Math.max(0, performance.now() - t0 - o.durationMs);
    if (ctx.interrupted()) {
      fs.rmSync(tmp, { force: true });
      throw new Interrupted('interrupted');
    }
    fs.renameSync(tmp, tracePath);
    return {
      hash: spec.hash,
      exitCode: o.exitCode,
      signal: o.signal,
      timedOut: o.timedOut,
      durationMs: Math.round(o.durationMs),
      events: o.events,
      unknownPvWrites: o.unknownPvWrites,
      outputTail: tail,
      tracePath,
    };
  });
}

type CommandMeta = Omit<CommandRun, 'tracePath' | 'cached'>;

function readMeta(file: string): CommandMeta | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as CommandMeta;
  } catch {
    return undefined;
  }
}

/** A cached reference trace, if both its trace and its metadata are there. */
export function cachedReference(cacheDir: string, hash: string): CommandRun | undefined {
  const trace = path.join(cacheDir, `${hash}.jsonl`);
  const meta = readMeta(path.join(cacheDir, `${hash}.json`));
  if (!meta || meta.hash !== hash || !fs.existsSync(trace)) return undefined;
  return { ...meta, tracePath: trace, cached: true };
}

/** Put a finished reference run into the cache (trace first, metadata last: the metadata marks it complete). */
export function storeReference(cacheDir: string, run: CommandRun, traceText?: string): CommandRun {
  fs.mkdirSync(cacheDir, { recursive: true });
  const trace = path.join(cacheDir, `${run.hash}.jsonl`);
  const tmp = `${trace}.${process.pid}.tmp`;
  if (traceText !== undefined) fs.writeFileSync(tmp, traceText);
  else fs.copyFileSync(run.tracePath, tmp);
  fs.renameSync(tmp, trace);
  const { tracePath: _t, cached: _c, ...meta } = run;
  const metaFile = path.join(cacheDir, `${run.hash}.json`);
  fs.writeFileSync(`${metaFile}.${process.pid}.tmp`, JSON.stringify(meta, null, 1));
  fs.renameSync(`${metaFile}.${process.pid}.tmp`, metaFile);
  return { ...run, tracePath: trace };
}

/** A reference: from the cache when its hash is there, else run once (shared by tasks asking at the same time). */
export async function referenceRun(ref: ReferenceSpec, ctx: ExecContext, exec: (spec: CommandSpec, tracePath: string) => Promise<CommandRun>): Promise<ReferenceRun> {
  if (ref.kind === 'trace') return { kind: 'trace', hash: ref.hash, tracePath: ref.path };
  const hit = cachedReference(ctx.cacheDir, ref.hash);
  if (hit) {
    ctx.stats.cacheHits++;
    return { kind: 'command', ...hit };
  }
  const running = ctx.inflight.get(ref.hash);
  if (running) {
    ctx.stats.cacheHits++;
    return running;
  }
  ctx.stats.cacheMisses++;
  const p = (async (): Promise<ReferenceRun> => {
    const scratch = path.join(ctx.cacheDir, 'running', `${ref.hash}.jsonl`);
    const run = await exec(ref, scratch);
    const stored = storeReference(ctx.cacheDir, run);
    fs.rmSync(scratch, { force: true });
    return { kind: 'command', ...stored };
  })();
  ctx.inflight.set(ref.hash, p);
  try {
    return await p;
  } finally {
    ctx.inflight.delete(ref.hash);
  }
}

/**
 * Run a task's commands: references (cached by content hash) and candidates, all through the shared
 * pool. Candidate traces go to `candidateTrace(id)`.
 */
export async function executeTask(
  task: TaskSpec,
  ctx: ExecContext,
  candidateTrace: (c: CandidateSpec) => string,
  exec: (spec: CommandSpec, tracePath: string) => Promise<CommandRun> = (spec, p) => runCommandSpec(spec, ctx.profile(task.profile), p, ctx),
): Promise<TaskRun> {
  ctx.profile(task.profile); // a bad profile fails the task before any command runs
  // allSettled: when one command fails (an interruption), the task ends only after all its commands have.
  const refs = Promise.allSettled(task.references.map((r) => referenceRun(r, ctx, exec)));
  const cands = Promise.allSettled(task.candidates.map(async (c) => ({ id: c.id, ...(await exec(c, candidateTrace(c))) })));
  const settled = [...(await refs), ...(await cands)];
  const failed = settled.find((x): x is PromiseRejectedResult => x.status === 'rejected');
  if (failed) throw failed.reason;
  const value = <T>(x: PromiseSettledResult<T>) => (x as PromiseFulfilledResult<T>).value;
  return { references: (await refs).map(value), candidates: (await cands).map(value) };
}
