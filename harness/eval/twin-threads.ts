import { Worker } from 'node:worker_threads';
import { runCommandJob, type CommandJob, type CommandResult } from './command-job.js';

export type ThreadRequest = { readonly type: 'run'; readonly id: number; readonly job: CommandJob } | { readonly type: 'signal'; readonly signal: NodeJS.Signals };

export type ThreadReply =
  | { readonly type: 'output'; readonly id: number; readonly text: string }
  | { readonly type: 'done'; readonly id: number; readonly result: CommandResult }
  | { readonly type: 'error'; readonly id: number; readonly error: { message: string; name: string; code?: string; syscall?: string } };

interface Running {
  readonly resolve: (r: CommandResult) => void;
  readonly reject: (e: Error) => void;
  readonly onOutput: (s: string) => void;
}

/**
 * Runs each command's twin on a thread of its own, so that twins running side by side do not share an
 * event loop: one twin's work (a frame through twelve plugins) would otherwise delay another's socket
 * reads, and the other's trace would carry this process's load (issue 18). Threads are made as needed,
 * up to `size`, and kept for the next command (a thread loads the twin's code once).
 *
 * From the built package only; from the TypeScript sources (the test runner, which cannot load a .ts
 * worker) commands run on the calling thread, as before.
 */
export class TwinThreads {
  private readonly idle: Worker[] = [];
  private readonly running = new Map<Worker, Running>();
  private readonly waiting: (() => void)[] = [];
  private threads = 0;
  private seq = 0;
  private closed = false;

  constructor(
    readonly size: number,
    private readonly workerUrl: URL | undefined = defaultWorkerUrl(),
  ) {}

  /** Whether commands run on threads of their own. */
  get threaded(): boolean {
    return this.workerUrl !== undefined;
  }

  async run(job: CommandJob, onOutput: (s: string) => void): Promise<CommandResult> {
    if (!this.workerUrl) return runCommandJob(job, onOutput);
    const w = await this.take(this.workerUrl);
    const id = ++this.seq;
    // The command's process group hears Ctrl-C, as a command run on this thread does (run-recorded.ts).
    const forward = (signal: NodeJS.Signals) => w.postMessage({ type: 'signal', signal } satisfies ThreadRequest);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    try {
      return await new Promise<CommandResult>((resolve, reject) => {
        this.running.set(w, { resolve, reject, onOutput });
        w.ref();
        w.postMessage({ type: 'run', id, job } satisfies ThreadRequest);
      });
    } finally {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      this.running.delete(w);
      this.give(w);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.idle.splice(0), ...this.running.keys()];
    await Promise.all(all.map((w) => w.terminate()));
  }

  private async take(url: URL): Promise<Worker> {
    for (;;) {
      if (this.closed) throw new Error('the twin threads were closed');
      const w = this.idle.pop();
      if (w) return w;
      if (this.threads < this.size) {
        this.threads++;
        return this.start(url);
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private give(w: Worker): void {
    if (this.closed || this.dead.has(w)) return;
    w.unref(); // an idle thread does not keep the process alive
    this.idle.push(w);
    this.waiting.shift()?.();
  }

  private readonly dead = new WeakSet<Worker>();

  private start(url: URL): Worker {
    const w = new Worker(url);
    w.on('message', (m: ThreadReply) => {
      const r = this.running.get(w);
      if (!r) return;
      if (m.type === 'output') r.onOutput(m.text);
      else if (m.type === 'done') r.resolve(m.result);
      else r.reject(Object.assign(new Error(m.error.message), m.error));
    });
    const lost = (e: Error) => {
      if (this.dead.has(w)) return;
      this.dead.add(w);
      this.threads--;
      const i = this.idle.indexOf(w);
      if (i >= 0) this.idle.splice(i, 1);
      this.running.get(w)?.reject(e);
      this.waiting.shift()?.(); // a thread may be made in its place
    };
    w.on('error', lost);
    w.on('exit', (code) => lost(new Error(`a twin thread ended (exit ${code})`)));
    return w;
  }
}

/** The compiled worker beside this file; none when running from TypeScript sources. */
function defaultWorkerUrl(): URL | undefined {
  return import.meta.url.endsWith('.js') ? new URL('./twin-thread.js', import.meta.url) : undefined;
}
