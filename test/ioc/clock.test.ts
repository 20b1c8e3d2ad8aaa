// The twin's wall clock under load (issue 12 item 18). A hand-moved performance.now() stands for an
// event loop that gets to a timer late: nothing here depends on how fast this machine is.
import { describe, expect, it } from 'vitest';
import { RealClock } from '../../ioc/clock.js';

/** A RealClock over a wall we move by hand (ms). */
function clockWithWall(speed = 1) {
  let wall = 1000;
  const clock = new RealClock(speed, () => wall);
  return { clock, pass: (ms: number) => void (wall += ms) };
}

/** Past the callback and the promise reactions it started (they still read its due time). */
const afterCallback = () => new Promise<void>((r) => setImmediate(r));

/** Resolves with what `read` returns inside a `clock.setTimeout(…, ms)` callback. */
function inTimer<T>(clock: RealClock, ms: number, read: () => T): Promise<T> {
  return new Promise((resolve) => clock.setTimeout(() => resolve(read()), ms));
}

describe('RealClock: time never passes a timer that has not run', () => {
  it('a callback that runs 500 ms late reads the time it was due, and time runs on from there', async () => {
    const { clock, pass } = clockWithWall();
    const t0 = clock.now();
    const seen = inTimer(clock, 20, () => clock.now());
    pass(520); // the loop was busy: the 20 ms timer runs after 520 ms of wall time
    expect(await seen).toBe(t0 + 20);
    await afterCallback();
    expect(clock.now()).toBe(t0 + 20); // the 500 ms of lateness is absorbed, not skipped over later
    pass(30);
    expect(clock.now()).toBe(t0 + 50);
  });

  it('what a late callback causes (a put-callback completing, the next timer) is stamped from its due time', async () => {
    const { clock, pass } = clockWithWall();
    const t0 = clock.now();
    const chain = new Promise<number[]>((resolve) => {
      clock.setTimeout(() => {
        const first = clock.now();
        void Promise.resolve().then(() => {
          const reaction = clock.now();
          clock.setTimeout(() => resolve([first, reaction, clock.now()]), 10);
        });
      }, 100);
    });
    pass(400);
    const [first, reaction, next] = await chain;
    expect([first, reaction]).toEqual([t0 + 100, t0 + 100]);
    expect(next).toBe(t0 + 110);
  });

  it('an interval held up for several periods catches up on its own schedule: due, due + p, due + 2p …', async () => {
    const { clock, pass } = clockWithWall();
    const t0 = clock.now();
    const ticks: number[] = [];
    let handle: { cancel(): void } | undefined;
    await new Promise<void>((resolve) => {
      handle = clock.setInterval(() => {
        ticks.push(clock.now());
        if (ticks.length === 3) pass(1000); // a long stall in the middle of the run
        if (ticks.length === 6) resolve();
      }, 10);
      pass(45);
    });
    handle!.cancel();
    expect(ticks.map((t) => t - t0)).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it('at --speed 5 a held-back clock still runs 5× the wall clock afterwards', async () => {
    const { clock, pass } = clockWithWall(5);
    const t0 = clock.now();
    const seen = inTimer(clock, 50, () => clock.now());
    pass(100); // 500 ms of twin time
    expect(await seen).toBe(t0 + 50);
    await afterCallback();
    pass(10);
    expect(clock.now()).toBe(t0 + 100);
  });

  it('time never runs backwards, whatever order readings and late callbacks come in', async () => {
    const { clock, pass } = clockWithWall();
    const readings: number[] = [clock.now()];
    const done = Promise.all([5, 0, 15, 10].map((ms) => inTimer(clock, ms, () => readings.push(clock.now()))));
    pass(30);
    readings.push(clock.now()); // read after the wall moved, before the late callbacks run
    await done;
    readings.push(clock.now());
    for (let i = 1; i < readings.length; i++) expect(readings[i]).toBeGreaterThanOrEqual(readings[i - 1]!);
  });
});
