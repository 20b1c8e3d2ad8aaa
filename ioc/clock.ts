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
 * A timer callback reads the time it was *due*, not the time the event loop got round to it: under load
 * (other twins, scoring, a compiler next door) callbacks run late, and a motion that ends at t + 0.38 s
 * must still end at t + 0.38 s in the trace, or timing scores would measure the machine's load rather
 * than the plan. Intervals keep their own schedule (due, due + period …) and catch up when late. Time
 * never runs backwards: a late callback after a newer reading sees that reading.
 */
export class RealClock implements Clock {
  private readonly origin = performance.timeOrigin + performance.now();
  private readonly originPerf = performance.now();
  /** The latest time handed out. */
  private last = -Infinity;
  /** While a due callback (and the promise reactions it starts) runs: the time it was due. */
  private pinned: number | undefined;

  constructor(readonly speed = 1) {
    if (!(speed > 0)) throw new RangeError(`clock speed must be positive, got ${speed}`);
  }

  now(): number {
    const t = this.pinned ?? this.wall();
    if (t > this.last) this.last = t;
    return this.last;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const due = this.now() + Math.max(0, ms);
    const t = setTimeout(() => this.fire(fn, due), Math.max(0, ms / this.speed));
    return { cancel: () => clearTimeout(t) };
  }
  setInterval(fn: () => void, ms: number): TimerHandle {
    const period = Math.max(this.speed, ms); // at most one tick per wall millisecond, as before
    let due = this.now() + period;
    let cancelled = false;
    let t: NodeJS.Timeout;
    const arm = () => {
      t = setTimeout(tick, Math.max(0, (due - this.wall()) / this.speed));
    };
    const tick = () => {
      if (cancelled) return;
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

  private wall(): number {
    return this.origin + (performance.now() - this.originPerf) * this.speed;
  }

  /** Run `fn` with now() reading `due`; the promise reactions it queues see it too. */
  private fire(fn: () => void, due: number): void {
    const outer = this.pinned;
    this.pinned = Math.max(due, this.last);
    try {
      fn();
    } finally {
      // Reactions queued by fn (a put completing) run before this one and keep the due time.
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
