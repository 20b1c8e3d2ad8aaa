import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { builtinProfiles, loadProfile } from '../../devices/profile/profile.js';
import { UserError } from '../../ioc/user-error.js';
import { cachedReference, executeTask, runCommandSpec, storeReference, type CommandRun, type ExecContext, type RunStats, type TaskRun } from './execute.js';
import { sha256 } from './hash.js';
import type { CommandSpec, TaskSpec } from './manifest.js';
import { Semaphore } from './pool.js';
import { TwinThreads } from './twin-threads.js';
import type { OutDir } from './store.js';

/**
 * Evaluation across machines on BullMQ (Redis): `beamtwin eval --queue URL` adds one job per task (job
 * id = the task's content hash, so adding it again is a no-op and a finished job is reused), and
 * `beamtwin worker --queue URL` on any machine runs the task's commands in fresh twins and returns their
 * traces in the job's return value. The evaluating process scores and stores everything in its --out
 * folder. A worker that dies mid-task loses its lock; BullMQ's stalled-job check gives the job to
 * another worker, and since results are keyed by task, each task ends up in the folder exactly once.
 *
 * Jobs carry the scripts they run (by content hash), so workers need no shared file system: a script is
 * run in place when the worker has the same file at the same path, else from a private copy.
 */

/** Options for ioredis from `redis://[user:pass@]host:port[/db]`. */
export function redisConnection(url: string): { host: string; port: number; username?: string; password?: string; db?: number; maxRetriesPerRequest: null } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError(`--queue: not a URL: ${url} (expected redis://host:port)`);
  }
  if (u.protocol !== 'redis:') throw new UserError(`--queue: expected a redis:// URL, not ${url}`);
  const db = u.pathname.replace(/^\//, '');
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    // BullMQ workers block on Redis; ioredis must not give up on a blocked command.
    maxRetriesPerRequest: null,
  };
}

type CommandMeta = Omit<CommandRun, 'tracePath' | 'cached'>;

/** A job: the task, the files its commands name (by sha256), references the evaluator already has. */
export interface QueueJobData {
  readonly v: 1;
  readonly task: TaskSpec;
  readonly blobs: Readonly<Record<string, string>>;
  /** The profile file when it is not built in. */
  readonly profileText?: string;
  readonly cachedRefs: Readonly<Record<string, { readonly meta: CommandMeta; readonly trace: string }>>;
}

export interface QueueJobResult {
  readonly worker: string;
  readonly references: readonly ({ readonly kind: 'command'; readonly meta: CommandMeta; readonly trace: string } | { readonly kind: 'trace'; readonly hash: string })[];
  readonly candidates: readonly { readonly id: string; readonly meta: CommandMeta; readonly trace: string }[];
}

function metaOf(r: CommandRun): CommandMeta {
  const { tracePath: _p, cached: _c, ...meta } = r;
  return meta;
}

function commandsOf(task: TaskSpec): CommandSpec[] {
  return [...task.references.flatMap((r) => (r.kind === 'command' ? [r] : [])), ...task.candidates];
}

/** The evaluator's side: enqueue, wait, and turn returned traces into local files. */
export class QueueExecutor {
  readonly tasksAtOnce = 1_000_000; // waiting costs nothing; workers bound the parallelism
  private readonly queue: Queue;
  private readonly events: QueueEvents;
  // Twin overhead is the workers' business: unknown here (NaN → not reported).
  private readonly counters: RunStats = { cacheHits: 0, cacheMisses: 0, commandsRun: 0, overheadMs: NaN };
  private ready: Promise<unknown> | undefined;

  constructor(
    url: string,
    name: string,
    private readonly cacheDirOpt: string | undefined,
    private readonly force = false,
  ) {
    const connection = redisConnection(url);
    this.queue = new Queue(name, { connection });
    this.events = new QueueEvents(name, { connection });
    // Every waiting task listens on these (BullMQ adds a listener per waitUntilFinished).
    this.queue.setMaxListeners(0);
    this.events.setMaxListeners(0);
  }

  /** Reference cache hits and misses as seen from here; commands run by the workers for us. */
  readonly stats = (): RunStats => this.counters;

  async run(task: TaskSpec, out: OutDir): Promise<TaskRun> {
    this.ready ??= this.events.waitUntilReady();
    await this.ready;
    const cacheDir = path.resolve(this.cacheDirOpt ?? path.join(out.root, 'cache'));
    const blobs: Record<string, string> = {};
    for (const c of commandsOf(task)) for (const [i, sha] of Object.entries(c.files)) blobs[sha] ??= fs.readFileSync(c.argv[Number(i)]!, 'utf8');
    const cachedRefs: Record<string, { meta: CommandMeta; trace: string }> = {};
    for (const r of task.references) {
      if (r.kind !== 'command') continue;
      const hit = cachedReference(cacheDir, r.hash);
      if (hit) {
        cachedRefs[r.hash] = { meta: metaOf(hit), trace: fs.readFileSync(hit.tracePath, 'utf8') };
        this.counters.cacheHits++;
      } else this.counters.cacheMisses++;
    }
    const data: QueueJobData = {
      v: 1,
      task,
      blobs,
      ...(builtinProfiles[task.profile] ? {} : { profileText: fs.readFileSync(task.profile, 'utf8') }),
      cachedRefs,
    };
    if (this.force) {
      const old = await this.queue.getJob(task.hash);
      if (old && ['completed', 'failed'].includes(await old.getState())) await old.remove();
    }
    let job: Job = await this.queue.add('task', data, { jobId: task.hash, removeOnComplete: false, removeOnFail: false, attempts: 3, backoff: { type: 'fixed', delay: 500 } });
    if ((await job.getState()) === 'failed') {
      await job.retry();
      job = (await this.queue.getJob(task.hash)) ?? job;
    }
    const result = (await job.waitUntilFinished(this.events)) as QueueJobResult;
    this.counters.commandsRun += result.candidates.length + result.references.filter((r, i) => r.kind === 'command' && !cachedRefs[(task.references[i] as { hash: string }).hash]).length;
    const references = result.references.map((r, i) => {
      const spec = task.references[i]!;
      if (r.kind === 'trace' || spec.kind === 'trace') return { kind: 'trace' as const, hash: spec.hash, tracePath: (spec as { path: string }).path };
      const stored = cachedReference(cacheDir, spec.hash) ?? storeReference(cacheDir, { ...r.meta, tracePath: '' }, r.trace);
      return { kind: 'command' as const, ...stored };
    });
    const candidates = result.candidates.map((c) => {
      const file = out.candidateTrace(task.id, c.id);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, c.trace);
      return { id: c.id, ...c.meta, tracePath: file };
    });
    return { references, candidates };
  }

  async close(): Promise<void> {
    await this.events.close();
    await this.queue.close();
  }
}

export interface WorkerOptions {
  readonly url: string;
  readonly name: string;
  /** Tasks at once on this worker (each task runs its commands through the same pool of `jobs` twins). */
  readonly jobs: number;
  readonly cacheDir?: string;
  /** BullMQ lock duration (ms): a worker silent this long is presumed dead and its job stalls. */
  readonly lockDurationMs?: number;
  /** How often (ms) this worker looks for stalled jobs to take back. */
  readonly stalledIntervalMs?: number;
  readonly maxStalledCount?: number;
  readonly log: { write(s: string): unknown };
}

/** Where a job's command runs: in place when this machine has the same files, else from private copies. */
function localize(spec: CommandSpec, blobs: Readonly<Record<string, string>>, scratch: string): { argv: string[]; cwd: string } {
  const argv = spec.argv.slice();
  let inPlace = fs.existsSync(spec.cwd);
  for (const [i, sha] of Object.entries(spec.files)) {
    const p = argv[Number(i)]!;
    let same = false;
    try {
      same = sha256(fs.readFileSync(p)) === sha;
    } catch {
      same = false;
    }
    if (same) continue;
    inPlace = false;
    const copy = path.join(scratch, 'files', sha, path.basename(p));
    if (!fs.existsSync(copy)) {
      fs.mkdirSync(path.dirname(copy), { recursive: true });
      fs.writeFileSync(copy, blobs[sha] ?? '');
    }
    argv[Number(i)] = copy;
  }
  return { argv, cwd: inPlace ? spec.cwd : scratch };
}

/** `beamtwin worker`: take tasks from the queue until told to stop (SIGINT/SIGTERM finish the running ones). */
export async function runWorker(opts: WorkerOptions): Promise<void> {
  const connection = redisConnection(opts.url);
  const me = `${os.hostname()}:${process.pid}`;
  const cacheDir = path.resolve(opts.cacheDir ?? path.join(os.tmpdir(), `beamtwin-worker-cache-${process.getuid?.() ?? 0}`));
  const pool = new Semaphore(Math.max(1, opts.jobs));
  const threads = new TwinThreads(Math.max(1, opts.jobs));
  const stats: RunStats = { cacheHits: 0, cacheMisses: 0, commandsRun: 0, overheadMs: 0 };
  const profiles = new Map<string, ReturnType<typeof loadProfile>>();
  let stopping = false;
  const processor = async (job: Job): Promise<QueueJobResult> => {
    const data = job.data as QueueJobData;
    const task = data.task;
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'beamtwin-job-'));
    try {
      let profileName = task.profile;
      if (data.profileText !== undefined) {
        profileName = path.join(scratch, path.basename(task.profile));
        fs.writeFileSync(profileName, data.profileText);
      }
      for (const [hash, r] of Object.entries(data.cachedRefs)) if (!cachedReference(cacheDir, hash)) storeReference(cacheDir, { ...r.meta, tracePath: '' }, r.trace);
      const ctx: ExecContext = {
        pool,
        threads,
        cacheDir,
        stats,
        // A stopping worker kills its commands: fail the job (it is retried elsewhere) rather than return their stubs.
        interrupted: () => stopping,
        profile: (name) => {
          const key = name === task.profile ? profileName : name;
          let p = profiles.get(key);
          if (!p) profiles.set(key, (p = loadProfile(key)));
          return p;
        },
        inflight: new Map(),
      };
      opts.log.write(`worker ${me}: task ${task.id} (job ${job.id}, attempt ${job.attemptsMade + 1})\n`);
      const run = await executeTask(
        task,
        ctx,
        (c) => path.join(scratch, 'candidates', `${c.id}.jsonl`),
        (spec, tracePath) => {
          const { argv, cwd } = localize(spec, data.blobs, scratch);
          return runCommandSpec(spec, ctx.profile(task.profile), tracePath, ctx, cwd, argv);
        },
      );
      return {
        worker: me,
        references: run.references.map((r) =>
          r.kind === 'trace' ? { kind: 'trace' as const, hash: r.hash } : { kind: 'command' as const, meta: metaOf(r), trace: fs.readFileSync(r.tracePath, 'utf8') },
        ),
        candidates: run.candidates.map((c) => ({ id: c.id, meta: metaOf(c), trace: fs.readFileSync(c.tracePath, 'utf8') })),
      };
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  };
  const worker = new Worker(opts.name, processor, {
    connection,
    concurrency: Math.max(1, opts.jobs),
    ...(opts.lockDurationMs ? { lockDuration: opts.lockDurationMs } : {}),
    ...(opts.stalledIntervalMs ? { stalledInterval: opts.stalledIntervalMs } : {}),
    maxStalledCount: opts.maxStalledCount ?? 2,
  });
  worker.on('failed', (job, err) => opts.log.write(`worker ${me}: task ${(job?.data as QueueJobData | undefined)?.task.id ?? job?.id} failed: ${err.message}\n`));
  // Connection trouble repeats every reconnect attempt: say each distinct problem once.
  const said = new Set<string>();
  worker.on('error', (err) => {
    if (said.has(err.message)) return;
    said.add(err.message);
    opts.log.write(`worker ${me}: ${err.message}\n`);
  });
  await worker.waitUntilReady();
  opts.log.write(`worker ${me}: ready on ${opts.url} queue ${opts.name} (${opts.jobs} twins at once)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      if (stopping) return;
      stopping = true;
      opts.log.write(`worker ${me}: stopping after the running tasks\n`);
      void worker
        .close()
        .then(() => threads.close())
        .then(resolve, resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
