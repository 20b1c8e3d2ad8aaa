// The Python hook's clock offset follows the stall meter's rule (issue 18): what the meter shares in
// the clock file, plus the twin's busy time since, read by the hook as it happens. A fake /proc and a
// hand-moved wall; the hook runs in a real interpreter.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RealClock } from '../../ioc/clock.js';
import { StallMeter } from '../../harness/stall-meter.js';
import { pythonHookDir } from '../../recorder/lines/tracing.js';
import { DEBIAN_PYTHON } from '../helpers/python.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** The hook's offset (s) for the shared file, as a process of the command that is not the measured one. */
function hookOffset(file: string, speed: number, twinStat: string): number {
  const code = `import sys; sys.path.insert(0, ${JSON.stringify(pythonHookDir())})
import beamtwin_speed as b
print(repr(b._offset_reader(${JSON.stringify(file)}, ${speed}, ${JSON.stringify(twinStat)})()))`;
  return Number(execFileSync(DEBIAN_PYTHON, ['-c', code], { encoding: 'utf8' }).trim());
}

describe('the Python hook applies the stall meter\'s rule', () => {
  it('shared holds + the measured process\'s waits × N + the twin\'s busy time since × (N − 1)', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-hook-'));
    dirs.push(root);
    const pid = 4242; // the measured Python process (named in the file): not the interpreter run here
    const taskDir = path.join(root, String(pid), 'task', String(pid));
    fs.mkdirSync(taskDir, { recursive: true });
    let cpu = 0;
    let delay = 0;
    const writeStat = () => fs.writeFileSync(path.join(taskDir, 'schedstat'), `${cpu} ${delay} 1\n`);
    const setDelay = (ns: number) => {
      delay = ns;
      writeStat();
    };
    const twinStat = path.join(root, 'twin-schedstat');
    const setBusy = (ns: number) => fs.writeFileSync(twinStat, `${ns} 0 1\n`);
    setDelay(0);
    setBusy(0);
    let wall = 1000;
    const clock = new RealClock(10, () => wall);
    const file = path.join(root, 'clock');
    const meter = new StallMeter(clock, { file, origin: 0 }, 0, root, twinStat).start();
    const pidBytes = Buffer.alloc(4);
    pidBytes.writeInt32LE(pid, 0);
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, pidBytes, 0, 4, 8);
    fs.closeSync(fd);

    const held0 = fs.readFileSync(file).readDoubleLE(0);
    expect(hookOffset(file, 10, twinStat)).toBeCloseTo(held0, 6);

    // The meter samples: 5 ms busy, 2 of them the command waited. Shared: 9 × 3 ms of the twin's own.
    setBusy(5e6);
    setDelay(2e6);
    wall += 10;
    clock.now();
    const held = fs.readFileSync(file).readDoubleLE(0);
    expect(held - held0).toBeCloseTo(0.027, 5);
    expect(hookOffset(file, 10, twinStat)).toBeCloseTo(held + 10 * 0.002, 6);

    // 7 ms more busy, not sampled yet: the hook sees it at once.
    setBusy(12e6);
    expect(hookOffset(file, 10, twinStat)).toBeCloseTo(held + 10 * 0.002 + 9 * 0.007, 6);
    // Sampled, the same total: the twin and the hook agree.
    clock.now();
    const after = fs.readFileSync(file).readDoubleLE(0);
    expect(after + 10 * 0.002).toBeCloseTo(held + 10 * 0.002 + 9 * 0.007, 5);
    expect(hookOffset(file, 10, twinStat)).toBeCloseTo(after + 10 * 0.002, 6);
    // The measured process worked 4 ms on a CPU while the twin worked 1: 4 ms of work (they overlap).
    cpu = 4e6;
    writeStat();
    setBusy(13e6);
    clock.now();
    const later = fs.readFileSync(file).readDoubleLE(0);
    expect(later - after).toBeCloseTo(9 * 0.004, 5);
    expect(hookOffset(file, 10, twinStat)).toBeCloseTo(later + 10 * 0.002, 6);
    meter.stop();
  });
});
