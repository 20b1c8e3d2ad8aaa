// Progress of an evaluation on stderr. On a terminal: a cli-progress bar (loaded only then) with tasks and
// candidates done of all, failing candidates, errors, elapsed time, ETA and the tasks running now, and the
// notable events (a task that failed, a Ctrl-C) as lines above it. Elsewhere, or with --quiet: one plain
// line per finished task, for logs.
import type { EvalPlan, EvalProgress } from '../../harness/eval/evaluate.js';

export interface ProgressStream {
  write(s: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Counts shared by both displays. */
class Tally {
  done: number;
  candidatesDone: number;
  failing = 0;
  errors = 0;
  readonly running = new Set<string>();
  private readonly startedAt = new Map<string, number>();

  constructor(readonly plan: EvalPlan) {
    this.done = plan.reused;
    this.candidatesDone = plan.reusedCandidates;
  }

  start(id: string): void {
    this.running.add(id);
    this.startedAt.set(id, performance.now());
  }

  /** Seconds since the task started. */
  end(id: string): number {
    this.running.delete(id);
    const started = this.startedAt.get(id) ?? performance.now();
    this.startedAt.delete(id);
    return (performance.now() - started) / 1000;
  }

  reusedLine(): string | undefined {
    const { reused, tasks } = this.plan;
    return reused ? `eval: ${reused} of ${tasks} tasks already done (inputs unchanged), reused` : undefined;
  }
}

const INTERRUPTED = 'eval: interrupted — stopping; finished tasks are kept, run again to resume';

/** One line per finished or failed task: `eval: [3/10] id: 2/3 candidates pass (4.1 s)`. */
export class LineProgress implements EvalProgress {
  private readonly t: Tally;

  constructor(
    plan: EvalPlan,
    private readonly out: ProgressStream,
  ) {
    this.t = new Tally(plan);
    const reused = this.t.reusedLine();
    if (reused) out.write(`${reused}\n`);
  }

  started(id: string): void {
    this.t.start(id);
  }

  finished(id: string, failing: number, candidates: number, note = ''): void {
    const s = this.t.end(id);
    this.t.done++;
    this.out.write(`eval: [${this.t.done}/${this.t.plan.tasks}] ${id}: ${candidates - failing}/${candidates} candidates pass (${s.toFixed(1)} s)${note ? ` (${note})` : ''}\n`);
  }

  failed(id: string, message: string): void {
    this.t.end(id);
    this.out.write(`eval: task ${id} failed: ${message}\n`);
  }

  interrupted(): void {
    this.out.write(`${INTERRUPTED}\n`);
  }

  close(): void {}
}

/** The terminal display: one bar, redrawn in place by cli-progress; events as lines above it. */
export class BarProgress implements EvalProgress {
  private readonly t: Tally;
  private readonly bars: import('cli-progress').MultiBar;
  private readonly bar: import('cli-progress').SingleBar;

  constructor(plan: EvalPlan, out: ProgressStream, lib: typeof import('cli-progress')) {
    this.t = new Tally(plan);
    this.bars = new lib.MultiBar(
      {
        stream: out as NodeJS.WritableStream,
        format:
          'eval {bar} {value}/{total} tasks · {cands}/{candsTotal} candidates ({failing} failing) · {errors} errors · {duration_formatted} elapsed · ETA {eta_formatted} · running: {running}',
        barsize: 20,
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 20,
        fps: 4,
        linewrap: false,
      },
      lib.Presets.shades_classic,
    );
    const reused = this.t.reusedLine();
    if (reused) this.bars.log(`${reused}\n`);
    this.bar = this.bars.create(plan.tasks, this.t.done, this.payload());
  }

  private payload() {
    const names = [...this.t.running];
    return {
      cands: this.t.candidatesDone,
      candsTotal: this.t.plan.candidates,
      failing: this.t.failing,
      errors: this.t.errors,
      running: names.length ? `${names.length} (${names.join(', ')})` : '—',
    };
  }

  started(id: string): void {
    this.t.start(id);
    this.redraw(this.payload());
  }

  finished(id: string, failing: number, candidates: number, note = ''): void {
    this.t.end(id);
    this.t.done++;
    this.t.candidatesDone += candidates;
    this.t.failing += failing;
    if (note) this.bars.log(`eval: ${id}: ${note}\n`);
    this.bar.update(this.t.done);
    this.redraw(this.payload());
  }

  failed(id: string, message: string): void {
    this.t.end(id);
    this.t.errors++;
    this.bars.log(`eval: task ${id} failed: ${message}\n`);
    this.redraw(this.payload());
  }

  interrupted(): void {
    this.bars.log(`${INTERRUPTED}\n`);
    this.bars.update();
  }

  /** Draw now (events are few); between them cli-progress redraws for the elapsed time and ETA. */
  private redraw(payload: object): void {
    this.bar.update(payload);
    this.bars.update();
  }

  close(): void {
    this.bars.stop();
  }
}

/**
 * The progress display for `stream`: the bar on a terminal (cli-progress is imported only then), plain
 * lines otherwise or when `quiet`.
 */
export async function progressFor(stream: ProgressStream, quiet: boolean): Promise<(plan: EvalPlan) => EvalProgress> {
  if (quiet || !stream.isTTY) return (plan) => new LineProgress(plan, stream);
  const lib = (await import('cli-progress')).default;
  return (plan) => new BarProgress(plan, stream, lib);
}
