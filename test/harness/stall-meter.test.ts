// The stall meter holds the twin's clock by the command's run-queue waits and shares the twin's own
// lateness with the command (issue 12 item 18). A fake /proc and a hand-moved wall: nothing here depends
// on this machine's speed or load.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RealClock } from '../../ioc/clock.js';
import { StallMeter } from '../../harness/stall-meter.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A fake /proc with one process whose main thread has waited `ns` in the run queue. */
function fakeProc(pid: number) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-proc-'));
  dirs.push(root);
  const dir = path.join(root, String(pid), 'task', String(pid));
  fs.mkdirSync(dir, { recursive: true });
  const setDelay = (ns: number) => fs.writeFileSync(path.join(dir, 'schedstat'), `123456 ${ns} 7\n`);
  setDelay(0);
  return { root, setDelay };
}

function setup(speed = 1) {
  let wall = 1000;
  const clock = new RealClock(speed, () => wall);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bt-share-')), 'clock');
  dirs.push(path.dirname(file));
  const proc = fakeProc(4242);
  const meter = new StallMeter(clock, { file, origin: 0 }, 0, proc.root).start();
  const namePython = (pid: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32LE(pid, 0);
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, b, 0, 4, 8);
    fs.closeSync(fd);
  };
  const shared = () => fs.readFileSync(file).readDoubleLE(0);
  return { clock, meter, proc, namePython, shared, pass: (ms: number) => void (wall += ms) };
}

describe('StallMeter', () => {
  it("holds the twin's clock by the waits of the Python process that named itself, × the speed", () => {
    const { clock, meter, proc, namePython, pass } = setup(2);
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
    const { clock, meter, proc, namePython, pass } = setup();
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
    const { clock, meter, proc, namePython, shared, pass } = setup();
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
});
