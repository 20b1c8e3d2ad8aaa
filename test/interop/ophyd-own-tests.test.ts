// ophyd's own IOC-backed tests against `--profile ophyd-test`, the twin standing in for the
// bluesky/epics-services-for-ophyd docker stack. The tests come from the installed ophyd package (the
// test environment pins its version); those marked `motorsim` or `adsim` are the ones that need that
// stack, run here with ophyd's pyepics control layer. Tests that cannot pass on a twin are listed, with
// the reason, in the README ("ophyd's own tests") and deselected by name below.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwinSession } from '../../cli/twin-session.js';
import { describeFailures, runPytest } from '../helpers/pytest.js';

/** `module::test[param]` ids that cannot pass on any twin, with why (mirrored in the README). */
export const CANNOT_PASS: Readonly<Record<string, string>> = {};

let session: TwinSession;
beforeAll(async () => {
  session = await TwinSession.start({ profile: 'ophyd-test' });
});
afterAll(async () => {
  await session?.stop();
});

async function ophydTests(module: string) {
  const deselect = Object.keys(CANNOT_PASS).filter((id) => id.startsWith(`${module}::`)).flatMap((id) => ['--deselect', `${module.replace(/\./g, '/')}.py::${id.split('::')[1]}`]);
  const r = await runPytest(['--pyargs', `ophyd.tests.${module}`], {
    env: session.childEnv(),
    timeoutMs: 600_000,
    args: ['-m', 'motorsim or adsim', '-k', 'not caproto', ...deselect],
  });
  expect(r.failed, describeFailures(r)).toEqual([]);
  expect(r.exitCode, describeFailures(r)).toBe(0);
  return r;
}

describe("ophyd's own IOC-backed tests against the ophyd-test profile", () => {
  it('test_epicsmotor: every motorsim test passes', async () => {
    const r = await ophydTests('test_epicsmotor');
    expect(r.skipped).toEqual([]);
    expect(r.passed).toHaveLength(21);
  }, 900_000);

  it('test_pvpositioner: every motorsim test passes', async () => {
    const r = await ophydTests('test_pvpositioner');
    expect(r.skipped).toEqual([]);
    expect(r.passed).toHaveLength(4);
  }, 900_000);

  it('test_signal: every motorsim test passes (PV reuse on the sim motors and the table axes)', async () => {
    const r = await ophydTests('test_signal');
    expect(r.skipped).toEqual([]);
    expect(r.passed).toHaveLength(6);
  }, 900_000);
});
