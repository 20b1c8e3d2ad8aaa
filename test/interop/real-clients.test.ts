// The real client stack against the CMS twin: ophyd (EpicsMotor, the beamline's Pilatus composition),
// the Bluesky RunEngine and ophyd-async over CA (aioca), each as pytest modules in test/interop/python
// run by the test environment's interpreter. Every pytest case is reported here by name, and none may
// be skipped: a missing package fails the suite.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwinSession } from '../../harness/twin-session.js';
import { describeFailures, runPytest, type PytestResult } from '../helpers/pytest.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const suite = (name: string) => path.join(here, 'python', name);

let session: TwinSession;
beforeAll(async () => {
  session = await TwinSession.start({ profile: 'cms' });
});
afterAll(async () => {
  await session?.stop();
});

async function pytest(module: string): Promise<PytestResult> {
  const r = await runPytest([suite(module)], { env: session.childEnv(), timeoutMs: 240_000 });
  expect(r.failed, describeFailures(r)).toEqual([]);
  expect(r.skipped).toEqual([]);
  expect(r.exitCode, describeFailures(r)).toBe(0);
  return r;
}

describe('real EPICS clients against the CMS twin', () => {
  it('ophyd EpicsMotor: connect, set/wait, limits, readback during a move, move without wait, stop', async () => {
    const r = await pytest('test_ophyd_motor.py');
    expect(r.passed).toEqual([
      'test_ophyd_motor::test_connects_with_the_records_metadata',
      'test_ophyd_motor::test_set_wait_lands_on_target',
      'test_ophyd_motor::test_soft_limits_raise_limit_error_and_nothing_moves',
      'test_ophyd_motor::test_a_new_HLM_reaches_ophyd_and_the_server_refuses_past_it',
      'test_ophyd_motor::test_readback_updates_during_a_move',
      'test_ophyd_motor::test_move_without_wait_then_the_status_completes',
      'test_ophyd_motor::test_stop_halts_the_motor_short_of_its_target',
      'test_ophyd_motor::test_set_current_position_changes_the_offset_not_the_dial',
    ]);
  }, 300_000);

  it("ophyd: the beamline's Pilatus composition connects, its port graph is consistent, stage/unstage restore, trigger", async () => {
    const r = await pytest('test_ophyd_pilatus.py');
    expect(r.passed).toHaveLength(4);
  }, 300_000);

  it('Bluesky RunEngine: count, scan, rel_scan, list_scan, grid_scan, mv, pause/resume/abort', async () => {
    const r = await pytest('test_bluesky_plans.py');
    expect(r.passed).toHaveLength(7);
  }, 300_000);

  it('ophyd-async over CA: signals, the EPICS motor, the ADSimDetector device in a plan', async () => {
    const r = await pytest('test_ophyd_async_ca.py');
    expect(r.passed).toHaveLength(3);
  }, 300_000);
});
