// A stall meter over a fake /proc and a hand-moved wall (test/harness/stall-meter.test.ts and
// test/recorder/speed-hook.test.ts): nothing depends on this machine's speed or load.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RealClock } from '../../ioc/clock.js';
import { StallMeter } from '../../harness/stall-meter.js';

const dirs: string[] = [];

/** Remove every fake /proc and shared file made so far (call in afterEach). */
export function removeMeterFiles(): void {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** A fake /proc with one process whose main thread has waited and run as told (ns). */
export function fakeProc(pid: number) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-proc-'));
  dirs.push(root);
  const dir = path.join(root, String(pid), 'task', String(pid));
  fs.mkdirSync(dir, { recursive: true });
  let cpu = 0;
  let delay = 0;
  const write = () => fs.writeFileSync(path.join(dir, 'schedstat'), `${cpu} ${delay} 7\n`);
  const setDelay = (ns: number) => {
    delay = ns;
    write();
  };
  /** The process's main thread has run `ns` on a CPU. */
  const setCpu = (ns: number) => {
    cpu = ns;
    write();
  };
  write();
  return { root, setDelay, setCpu };
}

/**
 * A clock at `speed` over a hand-moved wall, its meter sharing a fresh file (sampling at most every
 * `minIntervalMs`), pid 4242 the command.
 */
export function meterFixture(speed = 1, minIntervalMs = 0) {
  let wall = 1000;
  const clock = new RealClock(speed, () => wall);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bt-share-')), 'clock');
  dirs.push(path.dirname(file));
  const proc = fakeProc(4242);
  // The twin thread's schedstat: time on a CPU, run_delay (ns).
  const twinStat = path.join(proc.root, 'twin-schedstat');
  const setBusy = (ns: number) => fs.writeFileSync(twinStat, `${ns} 0 9\n`);
  setBusy(0);
  const meter = new StallMeter(clock, { file, origin: 0 }, minIntervalMs, proc.root, twinStat).start();
  const namePython = (pid: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32LE(pid, 0);
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, b, 0, 4, 8);
    fs.closeSync(fd);
  };
  const shared = () => fs.readFileSync(file).readDoubleLE(0);
  const counters = () => {
    const b = fs.readFileSync(file);
    return { seq: b.readInt32LE(12), waited: b.readDoubleLE(16), busy: b.readDoubleLE(24) };
  };
  return { clock, meter, proc, namePython, shared, counters, setBusy, file, twinStat, pass: (ms: number) => void (wall += ms) };
}
