// The stall meter holds the twin's clock by the command's run-queue waits and shares the twin's own
// lateness with the command (issue 12 item 18). A fake /proc and a hand-moved wall: nothing here depends
// on this machine's speed or load.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { meterFixture, removeMeterFiles } from '../helpers/stall-meter-fixture.js';

afterEach(removeMeterFiles);

describe('StallMeter', () => {
  it("holds the twin's clock by the waits of the Python process that named itself, × the speed", () => {
    const { clock, meter, proc, namePython, pass } = meterFixture(2);
    const t0 = clock.now();
    proc.setDelay(30e6); // 30 ms waited, but no process has named itself yet: nothing is held
    pass(100);
    expect(clock.now()).toBe(t0 + 200);
    namePython(4242);
    pass(100); // 100 wall ms: 200 twin ms, of which 30 wall ms (60 twin ms) the command waited
    expect(clock.now()).toBe(t0 + 400 - 60);
    proc.setDelay(50e6);
    pass(50);
    expect(clock.now()).toBe(t0 + 500 - 100);
    expect(meter.heldMs).toBe(100);
    meter.stop();
  });

  it('never holds for a wait twice, and stops reading when stopped', () => {
    const { clock, meter, proc, namePython, pass } = meterFixture();
    namePython(4242);
    proc.setDelay(10e6);
    const t0 = clock.now(); // the 10 ms are held at this reading: time stands still until the wall catches up
    pass(20);
    expect(clock.now()).toBe(t0 + 10);
    pass(20);
    expect(clock.now()).toBe(t0 + 30); // read again: the same 10 ms are not held twice
    meter.stop();
    proc.setDelay(40e6);
    pass(20);
    expect(clock.now()).toBe(t0 + 50);
    expect(meter.heldMs).toBe(10);
  });

  it("shares the twin's own lateness, not the command's waits (the command subtracts those itself)", async () => {
    const { clock, meter, proc, namePython, shared, pass } = meterFixture();
    namePython(4242);
    const start = shared();
    proc.setDelay(25e6);
    clock.now();
    expect(shared()).toBeCloseTo(start, 2); // a held wait is not in the shared offset
    // A timer due in 10 ms runs after 310 wall ms, 25 of them already held: 275 ms of lateness absorbed,
    // which the command must learn of.
    await new Promise<void>((resolve) => {
      clock.setTimeout(resolve, 10);
      pass(310);
    });
    await new Promise((r) => setImmediate(r));
    clock.now();
    expect(shared() - start).toBeCloseTo(0.275, 3);
    meter.stop();
  });

  it('at --speed 10 the twin\'s busy time runs at real speed, and a wait within it is held once', () => {
    const { clock, meter, proc, namePython, setBusy, pass } = meterFixture(10);
    namePython(4242);
    const t0 = clock.now();
    setBusy(40e6); // a frame through its plugins: 40 ms on a CPU
    pass(40);
    expect(clock.now() - t0).toBeCloseTo(40, 6); // as at --speed 1, not 400
    pass(10); // idle: ten times faster
    expect(clock.now() - t0).toBeCloseTo(140, 6);
    setBusy(70e6); // 30 ms busy, and the command waited for a CPU all along
    proc.setDelay(30e6);
    pass(30);
    expect(clock.now() - t0).toBeCloseTo(140, 6); // stood still, as at --speed 1: held once, not twice
    pass(10);
    expect(clock.now() - t0).toBeCloseTo(240, 6); // and no debt left to stand still for afterwards
    meter.stop();
  });

  it('at --speed 1 the twin\'s busy time is not even read', () => {
    const { clock, meter, setBusy, counters, pass } = meterFixture(1);
    const t0 = clock.now();
    setBusy(40e6);
    pass(40);
    expect(clock.now() - t0).toBe(40);
    expect(counters().busy).toBe(0);
    meter.stop();
  });

  it('shares the counters its holds were taken at, under an even sequence number', () => {
    const { clock, meter, proc, namePython, setBusy, counters, shared, pass } = meterFixture(10);
    namePython(4242);
    const start = shared();
    setBusy(5e6);
    proc.setDelay(2e6);
    pass(10);
    clock.now();
    const c = counters();
    expect(c.seq % 2).toBe(0);
    expect(c.seq).toBeGreaterThan(0);
    expect(c.waited).toBeCloseTo(0.002, 9);
    expect(c.busy).toBeCloseTo(0.005, 9);
    // The twin's own hold: 9 × (5 − 2) busy ms not waited; the command's 2 ms × 10 it holds itself.
    expect(shared() - start).toBeCloseTo(0.027, 5);
    meter.stop();
  });

  it("at --speed 10 the command's own work runs at real speed too, overlapping the twin's", () => {
    const { clock, meter, proc, namePython, setBusy, pass } = meterFixture(10);
    namePython(4242);
    const t0 = clock.now();
    proc.setCpu(20e6); // Python starting: 20 ms on a CPU
    pass(20);
    expect(clock.now() - t0).toBeCloseTo(20, 6);
    proc.setCpu(30e6); // 10 ms of the command's work while the twin works 10 ms too: 10 twin ms, not 0
    setBusy(10e6);
    pass(10);
    expect(clock.now() - t0).toBeCloseTo(30, 6);
    pass(5); // both idle: ten times faster
    expect(clock.now() - t0).toBeCloseTo(80, 6);
    meter.stop();
  });

  it("the command's CPU time spent polling in pyepics' waits (its hook shares it) is waiting, not work", () => {
    const { clock, meter, proc, namePython, pass, file } = meterFixture(10);
    namePython(4242);
    const t0 = clock.now();
    const polled = Buffer.alloc(8);
    polled.writeDoubleLE(0.015, 0); // 15 of the 20 ms on a CPU were spent in poll()
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, polled, 0, 8, 40);
    fs.closeSync(fd);
    proc.setCpu(20e6);
    pass(20);
    expect(clock.now() - t0).toBeCloseTo(5 + 15 * 10, 6);
    meter.stop();
  });

  it('shares lateness as soon as it is absorbed, not at the next sample', async () => {
    // Samples at most once a minute: only an urgent one can share the lateness below.
    const { clock, meter, shared, pass } = meterFixture(10, 60_000);
    clock.now();
    const start = shared();
    await new Promise<void>((resolve) => {
      clock.setTimeout(resolve, 10);
      pass(31); // 310 twin ms: due after 10, so 300 are late
    });
    expect(shared() - start).toBeCloseTo(0.3, 5);
    meter.stop();
  });
});
