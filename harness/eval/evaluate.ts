import path from 'node:path';
import { loadProfile, type Profile } from '../../devices/profile/profile.js';
import { executeTask, Interrupted, type ExecContext, type RunStats, type TaskRun } from './execute.js';
import type { TaskSpec } from './manifest.js';
import { forEachBounded, Semaphore } from './pool.js';
import { TwinThreads } from './twin-threads.js';
import type { TaskResult } from './score.js';
import { Scorer } from './scorer.js';
import { defaultJobs } from './jobs.js';
import { OutDir, summarize, writeSummary, type EvalSummary } from './store.js';

export interface EvalOptions {
  readonly out: string;
  /** Reference cache (default `<out>/cache`). */
  readonly cacheDir?: string;
  /** Twins at once (default: cores). */
  readonly jobs?: number;
  /** Redo tasks even when a stored result matches. */
  readonly force?: boolean;
  /** Told as tasks start and end; the command line draws it (see cli/eval/progress.ts). */
  readonly progress?: (plan: EvalPlan) => EvalProgress;
  /**
   * How a task's commands get run: in this process (default) or elsewhere (a queue). It returns the
   * TaskRun whose trace files are local; `tasksAtOnce` bounds how many are asked for at a time.
   */
  readonly executor?: { run(task: TaskSpec, out: OutDir): Promise<TaskRun>; readonly tasksAtOnce: number; readonly stats?: () => Partial<RunStats> };
}

/** What an evaluation is about to do, for a progress display. */
export interface EvalPlan {
  readonly tasks: number;
  /** Tasks whose stored results are current: not run again. */
  readonly reused: number;
  readonly jobs: number;
  /** Candidates of all tasks, and of the reused ones. */
  readonly candidates: number;
  readonly reusedCandidates: number;
}

/** What an evaluation reports while it runs. */
export interface EvalProgress {
  started(id: string): void;
  finished(id: string, failing: number, candidates: number, note?: string): void;
  failed(id: string, message: string): void;
  /** SIGINT/SIGTERM: finished tasks are kept, the rest stop. */
  interrupted(): void;
  close(): void;
}

const silent: EvalProgress = { started() {}, finished() {}, failed() {}, interrupted() {}, close() {} };

export { defaultJobs } from './jobs.js';

/** Profiles loaded once per evaluation. */
export function profileCache(): (name: string) => Profile {
  const m = new Map<string, Profile>();
  return (name) => {
    let p = m.get(name);
    if (!p) m.set(name, (p = loadProfile(name)));
    return p;
  };
}

/**
 * Evaluate every task: reuse finished ones, run the rest N twins at a time, score, store, summarise.
 * Ctrl-C stops starting new work, kills the running commands, stores nothing half-done and writes the
 * summary of what is finished; the next run resumes from there.
 */
export async function evaluate(tasks: readonly TaskSpec[], opts: EvalOptions): Promise<EvalSummary> {
  const t0 = performance.now();
  const out = new OutDir(path.resolve(opts.out));
  const jobs = Math.max(1, Math.floor(opts.jobs ?? defaultJobs()));
  const profile = profileCache();
  const stats: RunStats = { cacheHits: 0, cacheMisses: 0, commandsRun: 0, overheadMs: 0 };
  let interrupted = false;
  const threads = new TwinThreads(jobs);
  const ctx: ExecContext = {
    pool: new Semaphore(jobs),
    threads,
    cacheDir: path.resolve(opts.cacheDir ?? path.join(out.root, 'cache')),
    stats,
    interrupted: () => interrupted,
    profile,
    inflight: new Map(),
  };
  const results = new Map<string, TaskResult>();
  const errors: Record<string, string> = {};
  const pending: TaskSpec[] = [];
  for (const t of tasks) {
    const done = opts.force ? undefined : out.finished(t);
    if (done) results.set(t.id, done);
    else pending.push(t);
  }
  const candidates = (list: Iterable<{ readonly candidates: readonly unknown[] }>) => [...list].reduce((n, t) => n + t.candidates.length, 0);
  const progress = opts.progress?.({ tasks: tasks.length, reused: results.size, jobs, candidates: candidates(tasks), reusedCandidates: candidates(results.values()) }) ?? silent;
  const onSignal = () => {
    if (!interrupted) progress.interrupted();
    interrupted = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Each running command listens for SIGINT/SIGTERM to kill its process group.
  if (process.getMaxListeners() < jobs * 2 + 10) process.setMaxListeners(jobs * 2 + 10);
  const executor = opts.executor ?? {
    tasksAtOnce: jobs,
    run: (task: TaskSpec, o: OutDir) => executeTask(task, ctx, (c) => o.candidateTrace(task.id, c.id)),
  };
  const scorer = new Scorer();
  try {
    await forEachBounded(
      pending,
      executor.tasksAtOnce,
      async (task) => {
        progress.started(task.id);
        const started = performance.now();
        try {
          const run = await executor.run(task, out);
          if (interrupted) throw new Interrupted('interrupted');
          const scoredNow = await scorer.score(task, run, profile(task.profile));
          // How long the task took here (its commands, waits for a free twin included, and scoring).
          const scored = { ...scoredNow, result: { ...scoredNow.result, durationMs: Math.round(performance.now() - started) } };
          out.store(scored, run.references.map((r) => r.tracePath));
          results.set(task.id, scored.result);
          const failing = scored.result.candidates.filter((c) => c.verdict === 'fail').length;
          const unexpected = scored.result.candidates.filter((c) => c.ok === false).map((c) => c.id);
          progress.finished(task.id, failing, scored.result.candidates.length, unexpected.length ? `unexpected verdict: ${unexpected.join(', ')}` : '');
        } catch (e) {
          if (e instanceof Interrupted || interrupted) {
            progress.failed(task.id, 'interrupted');
            return;
          }
          errors[task.id] = (e as Error).message;
          progress.failed(task.id, (e as Error).message);
        }
      },
      () => interrupted,
    );
  } finally {
    await scorer.close();
    await threads.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    progress.close();
  }
  const ordered = tasks.map((t) => results.get(t.id)).filter((r): r is TaskResult => !!r);
  const extra = opts.executor?.stats?.() ?? {};
  const s = { ...stats, ...extra };
  const summary = summarize(ordered, errors, {
    tasks: tasks.length,
    skipped: tasks.length - pending.length,
    evaluated: pending.filter((t) => results.has(t.id)).length,
    failed: Object.keys(errors).length,
    cacheHits: s.cacheHits,
    cacheMisses: s.cacheMisses,
    commandsRun: s.commandsRun,
    overheadMsPerCommand: s.commandsRun && Number.isFinite(s.overheadMs) ? s.overheadMs / s.commandsRun : null,
    elapsedS: (performance.now() - t0) / 1000,
    jobs,
    interrupted,
  });
  writeSummary(out, summary);
  return summary;
}
