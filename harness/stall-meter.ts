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
 * Faster than real time, only waiting is faster (issue 18). Work takes as long in twin time as at speed
 * 1: the twin's (a put handled, a frame through its plugins: its thread on a CPU or waiting for one) and
 * the command's (its main thread on a CPU: Python starting, a plan computing). The meter holds the clock
 * by speed − 1 ms per ms of either, taken to overlap. At speed 10 a 70 ms frame would otherwise take 0.7
 * twin seconds and stretch every interval it falls in, and a plan's 0.3 s start-up would take 3 s and
 * land its first move elsewhere on the motors' 0.1 s grid than at speed 1. Work in which the command
 * waited for a CPU is held once, not twice (the clock stood still then, as at speed 1): the command's
 * waits are taken to fall in the work, as they do when the twin is what it waited for.
 *
 * The command must see the twin's busy time as it happens, not when the meter next publishes: plugins
 * that work through a frame while the command sleeps would otherwise let the command wake 0.5 twin
 * seconds early. So the shared file also holds the counters of the last sample (the command's wait and
 * work, the twin's busy time) and the twin thread's schedstat is named to the command; the hook reads the
 * counters itself and applies the same rule from there (recorder/python/beamtwin_speed.py). Layout
 * (`ClockShare`): 0-8 float64 twin seconds of every hold but the command's waits (lateness, work), plus
 * the offset at the start;
 * 8-12 int32 the command's pid; 12-16 int32 a sequence number, odd while the meter writes; then float64
 * counters at the last sample, in seconds: 16-24 the command's run_delay, 24-32 the twin thread's busy
 * time, 32-40 the command's time on a CPU (less 40-48). Written by the command: 40-48 float64 its CPU
 * time spent polling in pyepics' waits (s), which is waiting, not work.
 *
 * It reads when the clock is read (at most every `minIntervalMs`), so a put that arrives after a wait
 * is stamped after the hold, and every 20 ms in between. CPU time the command spends computing is not a
 * wait and still counts (at real speed), as on an idle machine. Without /proc (not Linux) nothing is held.
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
  private delayFile: StatFile | undefined;
  private readonly twinFile: StatFile | undefined;
  /** The measured main thread's run_delay (ns) already held (all of it from the thread's start). */
  private heldDelayNs = 0;
  private readonly absorbed0: number;
  private readonly offset0: number;
  private shareFd: number | undefined;
  private readonly pidBytes = Buffer.alloc(4);
  private readonly seqBytes = Buffer.alloc(4);
  private readonly counterBytes = Buffer.alloc(24);
  private seq = 0;
  /** The twin thread's busy time (ns, schedstat) at the last sample; undefined at speed 1. */
  private busyNs: number | undefined;
  /** The measured main thread's time on a CPU (ns) at the last sample, less its polling (speed ≠ 1). */
  private ranNs = 0;
  /** Twin milliseconds held for the twin's busy time. */
  private busyHeldMs = 0;
  /** Twin milliseconds held back so far: the command's waits × the speed, and work at real speed. */
  heldMs = 0;

  /** `twinStat`: the schedstat file of the twin's thread (`threadStatFile()`); tests pass a fake one. */
  constructor(
    private readonly clock: RealClock,
    private readonly share?: ClockShare,
    private readonly minIntervalMs = 0.5,
    private readonly procRoot = '/proc',
    twinStat = share?.twinStat,
  ) {
    this.absorbed0 = clock.absorbedMs;
    // How far the twin stands behind the scaled wall clock now (the hook's formula); 0 at speed ≠ 1.
    this.offset0 = share ? (share.origin + (performance.timeOrigin + performance.now() - share.origin) * clock.speed - clock.now()) / 1000 : 0;
    if (share) {
      if (!exitHook) {
        exitHook = true;
        process.once('exit', () => [...sharedFiles].forEach(removeSharedFile));
      }
      sharedFiles.add(share.file);
      this.shareFd = fs.openSync(share.file, 'w+');
      fs.writeSync(this.shareFd, Buffer.alloc(SHARE_BYTES), 0, SHARE_BYTES, 0); // bytes 8-12: the Python process's pid, 0 = none yet
    }
    if (clock.speed !== 1 && twinStat) {
      this.twinFile = new StatFile(twinStat);
      const twin = this.twinFile.read();
      this.busyNs = twin ? twin.cpu + twin.delay : 0;
    }
    this.publish();
  }

  /** Start measuring (the command's Python process names itself in the shared file when it starts). */
  start(): this {
    this.clock.onRead((urgent) => this.sample(urgent));
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
    this.delayFile?.close();
    this.twinFile?.close();
    if (this.share) removeSharedFile(this.share.file);
  }

  /**
   * Read the counters and hold, at most every `minIntervalMs`; `urgent` (lateness absorbed) shares what
   * the clock absorbed at once even between samples.
   */
  private sample(urgent = false): void {
    const t = performance.now();
    if (t - this.lastRead < this.minIntervalMs) {
      if (urgent) this.publish();
      return;
    }
    this.lastRead = t;
    this.delayFile ??= this.pythonDelayFile();
    const py = this.delayFile?.read();
    let waitedNs = 0;
    let ranNs = 0;
    if (py && py.delay > this.heldDelayNs) {
      waitedNs = py.delay - this.heldDelayNs;
      this.heldDelayNs = py.delay;
      this.hold((waitedNs / 1e6) * this.clock.speed);
    }
    if (this.busyNs !== undefined) {
      const ran = py ? py.cpu - this.polledNs() : 0;
      if (ran > this.ranNs) {
        ranNs = ran - this.ranNs;
        this.ranNs = ran;
      }
      const twin = this.twinFile?.read();
      let busyNs = 0;
      if (twin && twin.cpu + twin.delay > this.busyNs) {
        busyNs = twin.cpu + twin.delay - this.busyNs;
        this.busyNs = twin.cpu + twin.delay;
      }
      // Work runs at real speed, the twin's or the command's (taken to overlap); waits stand still.
      const hold = ((this.clock.speed - 1) * Math.max(0, Math.max(busyNs, ranNs) - waitedNs)) / 1e6;
      this.busyHeldMs += hold;
      this.hold(hold);
    }
    this.publish();
  }

  private hold(ms: number): void {
    if (ms <= 0) return;
    this.clock.holdBack(ms);
    this.heldMs += ms;
  }

  /** The command's CPU time spent polling in pyepics' waits (ns): a wait, not work (the hook counts it). */
  private polledNs(): number {
    if (this.shareFd === undefined) return 0;
    fs.readSync(this.shareFd, this.polledBytes, 0, 8, 40);
    const s = this.polledBytes.readDoubleLE(0);
    return Number.isFinite(s) && s > 0 ? s * 1e9 : 0;
  }

  private readonly polledBytes = Buffer.alloc(8);

  /** The schedstat file of the Python process that named itself, once it has. */
  private pythonDelayFile(): StatFile | undefined {
    if (this.shareFd === undefined) return undefined;
    fs.readSync(this.shareFd, this.pidBytes, 0, 4, 8);
    const pid = this.pidBytes.readInt32LE(0);
    return pid > 0 ? new StatFile(`${this.procRoot}/${pid}/task/${pid}/schedstat`) : undefined;
  }

  /**
   * Share the twin's own holds (seconds: late callbacks, busy time) and the counters they were taken at,
   * when any changed. A sequence number, odd while writing, lets the reader retry a torn read.
   */
  private publish(): void {
    if (this.shareFd === undefined) return;
    const offset = this.offset0 + (this.clock.absorbedMs - this.absorbed0 + this.busyHeldMs) / 1000;
    const b = this.counterBytes;
    const delayS = this.heldDelayNs / 1e9;
    const busyS = (this.busyNs ?? 0) / 1e9;
    const ranS = this.ranNs / 1e9;
    const sh = this.shared;
    if (offset === sh[0] && delayS === sh[1] && busyS === sh[2] && ranS === sh[3]) return;
    this.shared = [offset, delayS, busyS, ranS];
    this.writeSeq(++this.seq); // odd: being written
    b.writeDoubleLE(offset, 0);
    fs.writeSync(this.shareFd, b, 0, 8, 0);
    b.writeDoubleLE(delayS, 0);
    b.writeDoubleLE(busyS, 8);
    b.writeDoubleLE(ranS, 16);
    fs.writeSync(this.shareFd, b, 0, 24, 16);
    this.writeSeq(++this.seq);
  }

  private shared: [number, number, number, number] = [NaN, NaN, NaN, NaN];

  private writeSeq(n: number): void {
    this.seqBytes.writeInt32LE(n | 0, 0);
    fs.writeSync(this.shareFd!, this.seqBytes, 0, 4, 12);
  }
}

/** Bytes of the shared-clock file (layout above). */
const SHARE_BYTES = 48;

/**
 * A thread's schedstat, kept open: read again from its start it gives fresh counters, for one pread
 * instead of an open, read and close at every sample.
 */
class StatFile {
  private fd: number | undefined;
  private readonly buf = Buffer.alloc(128);

  constructor(readonly path: string) {}

  /** Time on a CPU and run_delay (waiting for one), ns; undefined once the thread is gone. */
  read(): { cpu: number; delay: number } | undefined {
    try {
      this.fd ??= fs.openSync(this.path, 'r');
      const f = this.buf.toString('latin1', 0, fs.readSync(this.fd, this.buf, 0, this.buf.length, 0)).split(' ');
      const cpu = Number(f[0]);
      const delay = Number(f[1]);
      return Number.isFinite(cpu) && Number.isFinite(delay) ? { cpu, delay } : undefined;
    } catch {
      return undefined; // the command has exited
    }
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

/** The schedstat file of the calling thread, under its own /proc path (so another process can read it). */
export function threadStatFile(): string | undefined {
  try {
    return `/proc/${fs.readlinkSync('/proc/thread-self')}/schedstat`;
  } catch {
    return undefined; // not Linux
  }
}
