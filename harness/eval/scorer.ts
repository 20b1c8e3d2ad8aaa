import { Worker } from 'node:worker_threads';
import type { Profile } from '../../devices/profile/profile.js';
import type { TaskRun } from './execute.js';
import type { TaskSpec } from './manifest.js';
import type { ScoredTask } from './score.js';

/** File names of a task's traces in its result folder. */
export const traceName = (kind: 'ref' | 'cand', id: string): string => (kind === 'ref' ? `ref-${id}.jsonl` : `${id}.jsonl`);

export interface ScoreRequest {
  readonly id: number;
  readonly task: TaskSpec;
  readonly run: TaskRun;
  readonly profile: Profile;
}

export type ScoreReply = { readonly id: number; readonly scored: ScoredTask } | { readonly id: number; readonly error: string };

/**
 * Scores finished tasks away from the event loop that the running twins share. A scoring pass (reading
 * traces, aligning, rendering HTML) holds a thread for up to ~0.3 s; on the twins' thread every request a
 * client sent meanwhile would be stamped that much later, and the next task's timing score would measure
 * this evaluation's own load (issue 12 item 18). From the built package a worker thread scores, one task
 * at a time; from the TypeScript sources (the test runner, which cannot load a .ts worker) it runs inline.
 */
export class Scorer {
  private worker: Worker | undefined;
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: (s: ScoredTask) => void; reject: (e: Error) => void }>();

  constructor(private readonly workerUrl: URL | undefined = defaultWorkerUrl()) {}

  /** Whether scoring runs on a thread of its own. */
  get threaded(): boolean {
    return this.workerUrl !== undefined;
  }

  async score(task: TaskSpec, run: TaskRun, profile: Profile): Promise<ScoredTask> {
    if (!this.workerUrl) {
      const { scoreTaskRun } = await import('./score.js');
      return scoreTaskRun(task, run, profile, traceName);
    }
    const w = this.start(this.workerUrl);
    const id = ++this.seq;
    return new Promise<ScoredTask>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      w.ref(); // a task being scored keeps the process alive
      w.postMessage({ id, task, run, profile } satisfies ScoreRequest);
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
  }

  private start(url: URL): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(url);
    w.on('message', (m: ScoreReply) => {
      const p = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (this.waiting.size === 0) w.unref();
      if ('error' in m) p?.reject(new Error(m.error));
      else p?.resolve(m.scored);
    });
    const failAll = (e: Error) => {
      for (const p of this.waiting.values()) p.reject(e);
      this.waiting.clear();
      if (this.worker === w) this.worker = undefined;
    };
    w.on('error', failAll);
    w.on('exit', (code) => failAll(new Error(`the scoring thread ended (exit ${code})`)));
    this.worker = w;
    return w;
  }
}

/** The compiled worker beside this file; none when running from TypeScript sources. */
function defaultWorkerUrl(): URL | undefined {
  return import.meta.url.endsWith('.js') ? new URL('./score-worker.js', import.meta.url) : undefined;
}
