import fs from 'node:fs';
import type { RealClock } from '../ioc/clock.js';

/**
 * Holds a twin's clock back while the command it serves (or the twin itself) waits for a CPU, so that
 * machine load does not enter the trace's time stamps (issue 12 item 18).
 *
 * On a busy machine a client that wakes from `time.sleep(0.5)` or receives its put-callback may wait
 * tens of milliseconds in the run queue before it runs, and its next put arrives that much later: the
 * timing score then measures the machine, not the plan. Linux counts that wait per thread
 * (`/proc/PID/task/TID/schedstat`, second field: run_delay, ns). The meter reads it for every thread of
 * the command's process tree and for the twin's own main thread (its event loop), and holds the clock
 * back by the largest new wait of any of them since the last reading — the largest, not the sum: threads
 * that wait at the same time lose that time only once. Waits the clock already absorbed from its own late
 * timers are not held twice.
 *
 * It reads when the clock is read (rate-limited to one reading per `minIntervalMs`), so a put that
 * arrives after a stall is stamped after the hold, and on a timer in between. CPU time the command spends
 * computing is not a wait and still counts, as it would on an idle machine. Where /proc is missing (not
 * Linux) the meter does nothing.
 */
export class StallMeter {
  private readonly seen = new Map<string, number>();
  private lastRead = -Infinity;
  private lastAbsorbed: number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly ownMain: string;
  /** Twin milliseconds held back so far. */
  heldMs = 0;

  constructor(
    private readonly clock: RealClock,
    private readonly rootPid: number,
    private readonly minIntervalMs = 2,
    private readonly procRoot = '/proc',
  ) {
    this.lastAbsorbed = clock.absorbedMs;
    this.ownMain = `${procRoot}/${process.pid}/task/${process.pid}/schedstat`;
  }

  /** Whether this machine reports run-queue waits. */
  static available(procRoot = '/proc'): boolean {
    return fs.existsSync(`${procRoot}/self/schedstat`);
  }

  start(): this {
    if (!StallMeter.available(this.procRoot)) return this;
    this.sample(true); // the baseline: waits before the command started are not held
    this.clock.onRead(() => this.sample(false));
    // Also while nobody reads the clock, so that a long stall is held before the next event, not after.
    this.timer = setInterval(() => this.sample(false), 20);
    this.timer.unref();
    return this;
  }

  stop(): void {
    this.clock.onRead(undefined);
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private sample(baseline: boolean): void {
    const t = performance.now();
    if (!baseline && t - this.lastRead < this.minIntervalMs) return;
    this.lastRead = t;
    let worst = 0;
    for (const [file, delayNs] of this.readDelays()) {
      const before = this.seen.get(file);
      this.seen.set(file, delayNs);
      // A thread first seen after the baseline waited since it started: all of its wait is new.
      const grew = delayNs - (before ?? (baseline ? delayNs : 0));
      if (grew > worst) worst = grew;
    }
    const absorbed = this.clock.absorbedMs;
    const alreadyHeld = (absorbed - this.lastAbsorbed) / this.clock.speed; // wall ms
    this.lastAbsorbed = absorbed;
    if (baseline) return;
    const hold = (worst / 1e6 - alreadyHeld) * this.clock.speed;
    if (hold > 0) {
      this.clock.holdBack(hold);
      this.heldMs += hold;
    }
  }

  /** run_delay (ns) of every thread of the command's process tree and of the twin's main thread. */
  private readDelays(): [string, number][] {
    const out: [string, number][] = [];
    const own = readRunDelay(this.ownMain);
    if (own !== undefined) out.push([this.ownMain, own]);
    const pids = [this.rootPid];
    for (let i = 0; i < pids.length && i < 256; i++) {
      const dir = `${this.procRoot}/${pids[i]}/task`;
      let tids: string[];
      try {
        tids = fs.readdirSync(dir);
      } catch {
        continue; // the process has exited
      }
      for (const tid of tids) {
        const file = `${dir}/${tid}/schedstat`;
        const d = readRunDelay(file);
        if (d !== undefined) out.push([file, d]);
        try {
          for (const c of fs.readFileSync(`${dir}/${tid}/children`, 'utf8').split(' ')) if (c.trim()) pids.push(Number(c));
        } catch {
          // no children file (old kernels) or the thread is gone
        }
      }
    }
    return out;
  }
}

function readRunDelay(file: string): number | undefined {
  try {
    const f = fs.readFileSync(file, 'utf8').split(' ');
    const d = Number(f[1]);
    return Number.isFinite(d) ? d : undefined;
  } catch {
    return undefined;
  }
}
