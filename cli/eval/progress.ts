/**
 * Progress of an evaluation. On a terminal: one line redrawn in place (tasks done, failing candidates,
 * errors, running, ETA). Otherwise: one plain line per finished task, for logs.
 */
export class Progress {
  private done = 0;
  private failing = 0;
  private errors = 0;
  private running = 0;
  private finishedHere = 0;
  private readonly t0 = performance.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly total: number,
    reused: number,
    private readonly out: { write(s: string): unknown },
    private readonly tty: boolean,
    private readonly jobs: number,
  ) {
    this.done = reused;
    if (tty) {
      this.timer = setInterval(() => this.draw(), 500);
      this.timer.unref();
    }
    if (reused) this.line(`eval: ${reused} of ${total} tasks already done (inputs unchanged), reused`);
  }

  started(_id: string): void {
    this.running++;
    this.draw();
  }

  finished(id: string, failing: number, candidates: number, note = ''): void {
    this.running--;
    this.done++;
    this.finishedHere++;
    this.failing += failing;
    if (!this.tty) this.line(`eval: [${this.done}/${this.total}] ${id}: ${candidates - failing}/${candidates} candidates pass${note ? ` (${note})` : ''}`);
    this.draw();
  }

  failed(id: string, message: string): void {
    this.running--;
    this.errors++;
    this.line(`eval: task ${id} failed: ${message}`);
    this.draw();
  }

  interrupted(): void {
    this.line('eval: interrupted — stopping; finished tasks are kept, run again to resume');
  }

  private eta(): string {
    const left = this.total - this.done - this.errors;
    if (!this.finishedHere || left <= 0) return '';
    const per = (performance.now() - this.t0) / 1000 / this.finishedHere;
    const s = Math.round(per * left);
    return ` · ETA ${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  }

  private draw(): void {
    if (!this.tty) return;
    const pct = this.total ? Math.floor(((this.done + this.errors) / this.total) * 100) : 100;
    const width = 20;
    const fill = Math.round((pct / 100) * width);
    const bar = `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}]`;
    this.out.write(`\r\x1b[K${bar} ${this.done}/${this.total} tasks · ${this.failing} failing candidates · ${this.errors} errors · ${this.running} running (jobs ${this.jobs})${this.eta()}`);
  }

  private line(s: string): void {
    this.out.write(this.tty ? `\r\x1b[K${s}\n` : `${s}\n`);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.tty) this.out.write('\r\x1b[K');
  }
}
