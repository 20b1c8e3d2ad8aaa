// The Python hook's clock offset follows the stall meter's rule (issue 18): what the meter shares in
// the clock file, plus the twin's busy time since, read by the hook as it happens. A fake /proc and a
// hand-moved wall; the hook runs in a real interpreter.
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { pythonHookDir } from '../../recorder/lines/tracing.js';
import { DEBIAN_PYTHON } from '../helpers/python.js';
import { meterFixture, removeMeterFiles } from '../helpers/stall-meter-fixture.js';

afterEach(removeMeterFiles);

/** The hook's offset (s) for the shared file, as a process of the command that is not the measured one. */
function hookOffset(file: string, speed: number, twinStat: string): number {
  const code = `import sys; sys.path.insert(0, ${JSON.stringify(pythonHookDir())})
import beamtwin_speed as b
print(repr(b._offset_reader(${JSON.stringify(file)}, ${speed}, ${JSON.stringify(twinStat)})()))`;
  return Number(execFileSync(DEBIAN_PYTHON, ['-c', code], { encoding: 'utf8' }).trim());
}

describe('the Python hook applies the stall meter\'s rule', () => {
  it('shared holds + the measured process\'s waits × N + the twin\'s busy time since × (N − 1)', () => {
    // pid 4242 is the measured Python process (named in the file): not the interpreter run here.
    const { clock, meter, proc, namePython, setBusy, shared, file, twinStat, pass } = meterFixture(10);
    namePython(4242);

    const held0 = shared();
    expect(hookOffset(file, 10, twinStat)).toBeCloseTo(held0, 6);

    // The meter samples: 5 ms busy, 2 of them the command waited. Shared: 9 × 3 ms of the twin's own.
    setBusy(5e6);
    proc.setDelay(2e6);
    pass(10);
    clock.now();
    const held = shared();
    expect(held - held0).toBeCloseTo(0.027, 5);
    expect(hookOffset(file, 10, twinStat)).toBeCloseTo(held + 10 * 0.002, 6);

    // 7 ms more busy, not sampled yet: the hook sees it at once.
    setBusy(12e6);
    expect(hookOffset(file, 10, twinStat)).toBeCloseTo(held + 10 * 0.002 + 9 * 0.007, 6);
    // Sampled, the same total: the twin and the hook agree.
    clock.now();
    const after = shared();
    expect(after + 10 * 0.002).toBeCloseTo(held + 10 * 0.002 + 9 * 0.007, 5);
    expect(hookOffset(file, 10, twinStat)).toBeCloseTo(after + 10 * 0.002, 6);
    // The measured process worked 4 ms on a CPU while the twin worked 1: 4 ms of work (they overlap).
    proc.setCpu(4e6);
    setBusy(13e6);
    clock.now();
    const later = shared();
    expect(later - after).toBeCloseTo(9 * 0.004, 5);
    expect(hookOffset(file, 10, twinStat)).toBeCloseTo(later + 10 * 0.002, 6);
    meter.stop();
  });
});
