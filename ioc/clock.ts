/** A cancellable scheduled callback. */
export interface TimerHandle {
  cancel(): void;
}

/**
 * The one source of simulated time. Device models read `now()` and schedule with `setTimeout` here,
 * never with Date.now()/setTimeout, so tests run in virtual time and twins can run faster than real time.
 */
export interface Clock {
  /** Milliseconds since the POSIX epoch (fractional). */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  setInterval(fn: () => void, ms: number): TimerHandle;
}

/**
 * Wall-clock time, optionally running `speed` times faster from the moment it was created.
 *
 * Time never passes a timer that has not run yet: when the event loop gets to a callback late (other
 * twins, a compiler next door, a starved process), the clock is held back to the time the callback was
 * due, and runs on from there. A twin's dynamics and everything after them (the put-callback a client
 * waits for, the client's next request) are then stamped as on an idle machine, and timing scores
 * measure the plan, not the load (issue 12 item 18). The lag the clock absorbs by itself is the twin's
 * own; `holdBack` lets a caller that can see other stalls (harness/stall-meter.ts: a client process
 * waiting for a CPU) hold time back for them too. Intervals keep their own schedule (due, due + period …).
 */
export class RealClock implements Clock {
  private readonly origin: number;
  private readonly originPerf: number;
  /** Twin milliseconds the clock was held back: late callbacks plus `holdBack`. */
  private lag = 0;
  /** The part of `lag` absorbed from late callbacks. */
  private absorbed = 0;
  /** The part of `lag` from `holdBack`. */
  private held = 0;
  /** Called before every reading (a stall meter samples there); see `onRead`. */
  private probe: ((urgent?: boolean) => void) | undefined;
  /** The latest time handed out: time never runs backwards. */
  private last = -Infinity;
  /** While a due callback (and the promise reactions it starts) runs: the time it was due. */
  private pinned: number | undefined;

  /** `perfNow` is performance.now(); tests pass a hand-moved one to stand in for a late event loop. */
  constructor(
    readonly speed = 1,
    private readonly perfNow: () => number = () => performance.now(),
  ) {
    if (!(speed > 0)) throw new RangeError(`clock speed must be positive, got ${speed}`);
    this.originPerf = perfNow();
    this.origin = performance.timeOrigin + performance.now();
  }

  now(): number {
    this.probe?.();
    return this.peek();
  }

  /** `now()` without running the read probe. */
  private peek(): number {
    const t = this.pinned ?? this.wall();
    if (t > this.last) this.last = t;
    return this.last;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const due = this.now() + Math.max(0, ms);
    let t: ReturnType<typeof setTimeout>;
    let held = this.held;
    // A clock held back after the timer was set reaches `due` later than planned: wait for it.
    const run = () => {
      this.probe?.(); // holds not yet taken (a stall meter's) may make the timer early
      if (this.held > held && this.early(due)) {
        held = this.held;
        t = setTimeout(run, (due - this.wall()) / this.speed);
      } else this.fire(fn, due);
    };
    t = setTimeout(run, Math.max(0, ms / this.speed));
    return { cancel: () => clearTimeout(t) };
  }
  setInterval(fn: () => void, ms: number): TimerHandle {
    const period = Math.max(this.speed, ms); // at most one tick per wall millisecond
    let due = this.now() + period;
    let cancelled = false;
    let held = this.held;
    let t: ReturnType<typeof setTimeout>;
    const arm = () => {
      t = setTimeout(tick, Math.max(0, (due - this.wall()) / this.speed));
    };
    const tick = () => {
      if (cancelled) return;
      this.probe?.();
      if (this.held > held && this.early(due)) {
        held = this.held;
        return arm();
      }
      const at = due;
      due += period;
      this.fire(fn, at);
      if (!cancelled) arm();
    };
    arm();
    return {
      cancel: () => {
        cancelled = true;
        clearTimeout(t);
      },
    };
  }

  /**
   * Hold time back by `ms` twin milliseconds: the world stood still for that long (a client that was
   * ready to run but had no CPU). Readings never run backwards; they stand still until the wall catches up.
   */
  holdBack(ms: number): void {
    if (ms > 0) {
      this.lag += ms;
      this.held += ms;
    }
  }

  /** Twin milliseconds absorbed so far from callbacks that ran late (the twin's own stalls). */
  get absorbedMs(): number {
    return this.absorbed;
  }

  /**
   * Run `probe` before every reading (one at a time; `undefined` removes it), and with `urgent` after
   * absorbing a late callback's lateness, which a meter sharing the clock must pass on at once.
   */
  onRead(probe: ((urgent?: boolean) => void) | undefined): void {
    this.probe = probe;
  }

  /** A timer woken before its twin time: the clock was held back after it was set (1 wall ms of slack). */
  private early(due: number): boolean {
    return due - this.wall() > this.speed;
  }

  private wall(): number {
    return this.origin + (this.perfNow() - this.originPerf) * this.speed - this.lag;
  }

  /** Run `fn` at the time it was due: absorb the lateness, then pin now() for fn and its reactions. */
  private fire(fn: () => void, due: number): void {
    const at = Math.max(due, this.last);
    const late = this.wall() - at;
    if (late > 0) {
      this.lag += late;
      this.absorbed += late;
      this.probe?.(true);
    }
    const outer = this.pinned;
    this.pinned = at;
    try {
      fn();
    } finally {
      // Reactions queued by fn (a put-callback completing) run before this one and keep the due time.
      queueMicrotask(() => {
        this.pinned = outer;
      });
    }
  }
}

interface VirtualTimer {
  at: number;
  seq: number;
  fn: () => void;
  every: number;
  cancelled: boolean;
}

/** Time that moves only when told to: `advance(ms)` fires due timers in order. For tests. */
export class VirtualClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: VirtualTimer[] = [];

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms, 0);
  }
  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms, Math.max(ms, 1e-6));
  }
  private add(fn: () => void, ms: number, every: number): TimerHandle {
    const timer: VirtualTimer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, every, cancelled: false };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Pending (uncancelled) timers. */
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Move time forward by `ms`, firing every timer that falls due, in time order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      let next: VirtualTimer | undefined;
      for (const t of this.timers) {
        if (t.at <= end && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
      }
      if (!next) break;
      this.t = Math.max(this.t, next.at);
      if (next.every > 0) {
        next.at += next.every;
        next.seq = this.seq++;
      } else {
        next.cancelled = true;
      }
      next.fn();
    }
    this.t = end;
  }

  /** Advance in steps until `done()` or `maxMs` elapsed; returns the virtual time spent. */
  runUntil(done: () => boolean, maxMs = 600_000, stepMs = 1): number {
    const start = this.t;
    while (!done() && this.t - start < maxMs) this.advance(stepMs);
    return this.t - start;
  }
}
