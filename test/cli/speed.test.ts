// `--speed N` reaches the Python command: its clocks run at the twin's speed (recorder/python/beamtwin_speed.py).
// Every assertion is about scaled time (the twin's stamps, the script's scaled clocks), never wall-clock
// time: unscaled, each wait below would last N times longer in scaled time than the bound allows.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runRecorded } from '../../harness/run-recorded.js';
import type { TraceEvent } from '../../recorder/event.js';
import { readJsonlTrace } from '../../recorder/read-trace.js';
import { DEBIAN_PYTHON, venvPython } from '../helpers/python.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-speed-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const X = 'XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr';
const MARKER = 'beamtwin:marker';
const SPEED = 10;

/** Run a script at `speed`; what it printed as `@@ {json}` and the trace. */
async function run(python: string, name: string, text: string, speed = SPEED): Promise<{ report: Record<string, any>; events: TraceEvent[] }> {
  const script = path.join(dir, name);
  fs.writeFileSync(script, text);
  const trace = `${script}.jsonl`;
  let output = '';
  const o = await runRecorded([python, script], { speed, record: trace, stdio: 'pipe', timeoutS: 60, keepEvents: false, onOutput: (s) => (output += s) });
  expect(o.exitCode, output).toBe(0);
  const line = output.split('\n').find((l) => l.startsWith('@@ '));
  expect(line, output).toBeDefined();
  return { report: JSON.parse(line!.slice(3)) as Record<string, any>, events: readJsonlTrace(trace).events };
}

const markerTime = (events: TraceEvent[], name: string) => events.find((e) => e.kind === 'marker' && e.channel === name)!.timestamp;

describe(`--speed ${SPEED}: the command's clocks run with the twin's`, () => {
  it('time.sleep, threading and asyncio waits last their scaled time, as the twin sees it too', async () => {
    const { report, events } = await run(
      DEBIAN_PYTHON,
      'waits.py',
      `import asyncio, datetime, json, threading, time
import epics
epics.caput('${MARKER}', 'before', wait=True)
t0, m0 = time.time(), time.monotonic()
time.sleep(4)
slept = [time.time() - t0, time.monotonic() - m0]
epics.caput('${MARKER}', 'after', wait=True)
m0 = time.monotonic()
threading.Event().wait(3)
event = time.monotonic() - m0
async def pause():
    m0 = time.monotonic()
    await asyncio.sleep(3)
    return time.monotonic() - m0
print('@@ ' + json.dumps({'slept': slept, 'event': event, 'asyncio': asyncio.run(pause()),
                          'datetime': abs(datetime.datetime.now().timestamp() - time.time())}), flush=True)
`,
    );
    for (const s of report['slept']) expect(s).toBeGreaterThanOrEqual(4);
    expect(Math.max(...report['slept'])).toBeLessThan(20); // unscaled: 40
    const twin = markerTime(events, 'after') - markerTime(events, 'before');
    expect(twin).toBeGreaterThanOrEqual(4);
    expect(twin).toBeLessThan(20);
    for (const k of ['event', 'asyncio']) {
      expect(report[k]).toBeGreaterThanOrEqual(3 - 1e-3);
      expect(report[k]).toBeLessThan(15); // unscaled: 30
    }
    expect(report['datetime']).toBeLessThan(1);
  });

  it("a script waiting for a move sees the move's twin duration", async () => {
    // VELO 1 mm/s: 3 mm take 3 s of twin time (plus acceleration).
    const { report, events } = await run(
      DEBIAN_PYTHON,
      'move.py',
      `import json, time
import epics
pv = epics.PV('${X}')
pv.wait_for_connection(5)
t0 = time.time()
pv.put(3.0, wait=True, timeout=30)
print('@@ ' + json.dumps({'seen': time.time() - t0, 't0': t0}), flush=True)
`,
    );
    const put = events.find((e) => e.kind === 'put' && e.channel === X)!;
    const done = events.find((e) => e.kind === 'put-complete' && e.channel === X)!;
    const twin = done.timestamp - put.timestamp;
    expect(twin).toBeGreaterThanOrEqual(3);
    // Unscaled, the script would see a tenth of the twin's duration; scaled twice, ten times it.
    expect(report['seen']).toBeGreaterThanOrEqual(twin - 0.01);
    expect(report['seen']).toBeLessThan(twin * 4);
    // The script's clock is the twin's: the put left after the script read t0, on the twin's time line.
    expect(put.timestamp).toBeGreaterThanOrEqual(report['t0'] - 0.01);
  });

  it('a Bluesky plan sleeping (asyncio in the RunEngine thread) and ophyd waiting on a move (pip pyepics)', async () => {
    const { report } = await run(
      venvPython(),
      'plan.py',
      `import json, time
from ophyd import EpicsMotor
from bluesky import RunEngine
import bluesky.plan_stubs as bps
x = EpicsMotor('${X}', name='x')
x.wait_for_connection(timeout=10)
RE = RunEngine({})
out = {}
def plan():
    t0 = time.monotonic()
    yield from bps.sleep(5)
    out['sleep'] = time.monotonic() - t0
    t0 = time.monotonic()
    yield from bps.mv(x, 2.0)
    out['move'] = time.monotonic() - t0
RE(plan())
print('@@ ' + json.dumps(out), flush=True)
`,
    );
    expect(report['sleep']).toBeGreaterThanOrEqual(5 - 1e-3);
    expect(report['sleep']).toBeLessThan(25); // unscaled: 50
    expect(report['move']).toBeGreaterThanOrEqual(2);
    expect(report['move']).toBeLessThan(20); // unscaled it would be 0.2, scaled twice 20
  }, 60_000);

  it('at --speed 1 the command starts untouched (no start-up hook)', async () => {
    const { report } = await run(DEBIAN_PYTHON, 'plain.py', "import json, sys, os\nprint('@@ ' + json.dumps({'hook': 'beamtwin_speed' in sys.modules, 'path': os.environ.get('PYTHONPATH')}), flush=True)\n", 1);
    expect(report['hook']).toBe(false);
    expect(report['path'] ?? '').not.toMatch(/recorder[\\/]python/);
  });
});
