// The twin's wall clock under load (issue 12 item 18): a timer callback that runs late reads the time it
// was due, so simulated dynamics (a motion's end, a ramp step) are stamped the same on a busy machine as
// on an idle one. The event loop is blocked on purpose; nothing here asserts how long anything took.
import { describe, expect, it } from 'vitest';
import { RealClock } from '../../ioc/clock.js';

/**
 * Keep the event loop busy for `ms` of `clock`'s time (without reading the clock, as a scoring pass or a
 * compiler taking the CPU would not).
 */
function block(clock: RealClock, ms: number): void {
  const until = performance.now() + ms / clock.speed;
  while (performance.now() < until) {
    // spin
  }
}

describe('RealClock under load', () => {
  it('a late setTimeout callback reads its due time, and so do the promise reactions it starts', async () => {
    const clock = new RealClock();
    const before = clock.now();
    const seen = new Promise<{ inCallback: number; inReaction: number }>((resolve) => {
      clock.setTimeout(() => {
        const inCallback = clock.now();
        void Promise.resolve().then(() => resolve({ inCallback, inReaction: clock.now() }));
      }, 20);
    });
    const after = clock.now();
    block(clock, 80); // the callback is due after 20 ms but cannot run before 80 ms have passed
    const { inCallback, inReaction } = await seen;
    expect(inCallback).toBeGreaterThanOrEqual(before + 20);
    expect(inCallback).toBeLessThanOrEqual(after + 20);
    expect(inReaction).toBe(inCallback);
    // Outside callbacks, time is the wall clock again (and later than the blocked stretch).
    expect(clock.now()).toBeGreaterThanOrEqual(before + 80);
  });

  it('an interval blocked for several periods catches up on its own schedule: due, due + p, due + 2p …', async () => {
    const clock = new RealClock();
    const ticks: number[] = [];
    let handle: { cancel(): void } | undefined;
    const done = new Promise<void>((resolve) => {
      handle = clock.setInterval(() => {
        ticks.push(clock.now());
        if (ticks.length === 6) resolve();
      }, 10);
    });
    block(clock, 45);
    await done;
    handle!.cancel();
    const steps = ticks.slice(1).map((t, i) => t - ticks[i]!);
    for (const s of steps) expect(s).toBeCloseTo(10, 6);
  });

  it('time never runs backwards, whatever order callbacks and readings come in', async () => {
    const clock = new RealClock(5);
    const readings: number[] = [];
    const done = new Promise<void>((resolve) => {
      for (let i = 0; i < 20; i++) clock.setTimeout(() => readings.push(clock.now()), (i % 4) * 5);
      clock.setTimeout(resolve, 40);
    });
    readings.push(clock.now());
    block(clock, 50);
    readings.push(clock.now());
    await done;
    readings.push(clock.now());
    for (let i = 1; i < readings.length; i++) expect(readings[i]).toBeGreaterThanOrEqual(readings[i - 1]!);
  });
});
