import fs from 'node:fs';
import type { RealClock } from '../ioc/clock.js';
import type { ClockShare } from '../recorder/lines/python-env.js';

/**
 * Keeps a twin's clock and its command's clocks one time line while the machine is busy, so that load
 * does not enter the trace's time stamps (issue 12 item 18).
 *
 * Two things stretch a plan on a busy machine. The command waits for a CPU: woken from `time.sleep(0.5)`
 * or by its put-callback, it may sit tens of milliseconds in the run queue before its next put. And the
 * twin runs late: its timers fire after their time. The clock already absorbs its own late timers (see
 * RealClock); this meter adds the command's waits. Linux counts them per thread (`/proc/PID/task/TID/
 * schedstat`, second field: run_delay, ns, from the thread's start); the meter holds the clock back by
 * that count for the main thread of the command's first Python process, which names itself in the
 * shared file. Other threads (libca's receive thread running a monitor callback while the main thread
 * sleeps) delay nothing the plan does, and are not counted; nor are commands that are not Python.
 *
 * Holding only the twin would leave the command's clocks running on: a plan sleeping 0.5 s while the
 * twin stood still 0.1 s would act 0.1 twin-second early. So the command's clocks hold with it: the
 * Python start-up hook (recorder/python/beamtwin_speed.py) subtracts its main thread's own run_delay and
 * the twin's absorbed lateness, which this meter keeps in the shared file (`ClockShare`), and its sleeps
 * last until their twin time has passed. Both sides read the same kernel counter, so they agree.
 *
 * It reads when the clock is read (at most every `minIntervalMs`), so a put that arrives after a wait
 * is stamped after the hold, and every 20 ms in between. CPU time the command spends computing is not a
 * wait and still counts, as on an idle machine. Without /proc (not Linux) nothing is held.
 */
/** Shared-clock files not yet removed: removed at exit too, when a run is cut short (SIGINT to eval). */
const sharedFiles = new Set<string>();
let exitHook = false;

function removeSharedFile(file: string): void {
  sharedFiles.delete(file);
  fs.rmSync(file, { force: true });
}

export class StallMeter {
  private lastRead = -Infinity;
  private timer: ReturnType<typeof setInterval> | undefined;
  private delayFile: string | undefined;
  /** The measured main thread's run_delay (ns) already held (all of it from the thread's start). */
  private heldDelayNs = 0;
  private readonly absorbed0: number;
  private readonly offset0: number;
  private shareFd: number | undefined;
  private readonly offsetBytes = Buffer.alloc(8);
  private readonly pidBytes = Buffer.alloc(4);
  private sharedOffset = NaN;
  /** Twin milliseconds held back so far. */
  heldMs = 0;

  constructor(
    private readonly clock: RealClock,
    private readonly share?: ClockShare,
    private readonly minIntervalMs = 0.5,
    private readonly procRoot = '/proc',
  ) {
    this.absorbed0 = clock.absorbedMs;
    // How far the twin stands behind the scaled wall clock now (the hook's formula); 0 at speed ≠ 1.
    this.offset0 = share ? (share.origin + (Date.now() - share.origin) * clock.speed - clock.now()) / 1000 : 0;
    if (share) {
      if (!exitHook) {
        exitHook = true;
        process.once('exit', () => [...sharedFiles].forEach(removeSharedFile));
      }
      sharedFiles.add(share.file);
      this.shareFd = fs.openSync(share.file, 'w+');
      fs.writeSync(this.shareFd, Buffer.alloc(12), 0, 12, 0); // bytes 8-12: the Python process's pid, 0 = none yet
      this.publish();
    }
  }

  /** Start measuring (the command's Python process names itself in the shared file when it starts). */
  start(): this {
    this.clock.onRead(() => this.sample());
    // Also while nobody reads the clock, so that a long wait is held before the next event, not after.
    this.timer = setInterval(() => this.sample(), 20);
    this.timer.unref();
    return this;
  }

  stop(): void {
    this.clock.onRead(undefined);
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.shareFd !== undefined) fs.closeSync(this.shareFd);
    this.shareFd = undefined;
    if (this.share) removeSharedFile(this.share.file);
  }

  private sample(): void {
    const t = performance.now();
    if (t - this.lastRead < this.minIntervalMs) return;
    this.lastRead = t;
    this.delayFile ??= this.pythonDelayFile();
    const delayNs = this.delayFile ? readRunDelay(this.delayFile) : undefined;
    if (delayNs !== undefined && delayNs > this.heldDelayNs) {
      const hold = ((delayNs - this.heldDelayNs) / 1e6) * this.clock.speed;
      this.heldDelayNs = delayNs;
      this.clock.holdBack(hold);
      this.heldMs += hold;
    }
    this.publish();
  }

  /** The schedstat file of the Python process that named itself, once it has. */
  private pythonDelayFile(): string | undefined {
    if (this.shareFd === undefined) return undefined;
    fs.readSync(this.shareFd, this.pidBytes, 0, 4, 8);
    const pid = this.pidBytes.readInt32LE(0);
    return pid > 0 ? `${this.procRoot}/${pid}/task/${pid}/schedstat` : undefined;
  }

  /** Share the twin's own absorbed lateness (seconds), when it changed by 1 ms or more. */
  private publish(): void {
    if (this.shareFd === undefined) return;
    const offset = this.offset0 + (this.clock.absorbedMs - this.absorbed0) / 1000;
    if (Math.abs(offset - this.sharedOffset) < 1e-3) return;
    this.sharedOffset = offset;
    this.offsetBytes.writeDoubleLE(offset, 0);
    fs.writeSync(this.shareFd, this.offsetBytes, 0, 8, 0);
  }
}

function readRunDelay(file: string): number | undefined {
  try {
    const d = Number(fs.readFileSync(file, 'utf8').split(' ')[1]);
    return Number.isFinite(d) ? d : undefined;
  } catch {
    return undefined; // the command has exited
  }
}
