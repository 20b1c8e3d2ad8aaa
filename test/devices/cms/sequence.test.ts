// The CMS note §6 with pyepics calls only: what the beamline profile's sam.measure(2), sam.xr(-0.5),
// sam.thabs(0.15), sam.setLinkamTemperature(70.6) and setLinkamOn() write, run against a fresh CMS twin
// and recorded in-process (runRecorded: the `beamtwin run` path). The tracked channels' update events
// must come out as the reference trace has them: (AT, 2.0) (ACQ, 1) (ACQ, 0) (X, -0.5) (TH, 0.15)
// (SP, 70.6) (HEAT, 1) and TEMP ramping.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRecorded, type RunOutcome } from '../../../harness/run-recorded.js';
import { loadProfile } from '../../../devices/profile/profile.js';
import type { TraceEvent } from '../../../recorder/event.js';
import { PYTHON } from '../../interop/pyepics.js';

const CAM = 'XF:11BMB-ES{Det:PIL2M}:cam1:';
const TIFF = 'XF:11BMB-ES{Det:PIL2M}:TIFF1:';
const L = 'XF:11BM-ES:{LINKAM}:';
const SHUTTER = 'XF:11BM-ES{Shutter}';
const X = 'XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr';
const TH = 'XF:11BMB-ES{Chm:Smpl-Ax:theta}Mtr';
const AT = `${CAM}AcquireTime`;
const ACQ = `${CAM}Acquire`;

/** The profile's calls, spelled out in pyepics as §6 describes them. */
const SCRIPT = String.raw`
import sys, time, json
import epics

CAM = ${JSON.stringify(CAM)}
TIFF = ${JSON.stringify(TIFF)}
L = ${JSON.stringify(L)}
SHUTTER = ${JSON.stringify(SHUTTER)}
AXES = {'x': ${JSON.stringify(X)}, 'th': ${JSON.stringify(TH)}}
report = {}

def marker(name):
    epics.caput('beamtwin:marker', name, wait=True)

def poll(pred, period, limit):
    t0 = time.time()
    while not pred() and time.time() - t0 < limit:
        time.sleep(period)

def measure(t):
    marker('sam.measure')
    # AT <- t only if it differs; then wait for the readback.
    if epics.caget(CAM + 'AcquireTime', use_monitor=False) != t:
        epics.caput(CAM + 'AcquireTime', t, wait=True)
        poll(lambda: abs(epics.caget(CAM + 'AcquireTime_RBV', use_monitor=False) - t) < 1e-9, 0.01, 5)
    epics.caput(SHUTTER, 1, wait=True)
    # stage: ImageMode Multiple, WaitForPlugins Yes, file plugin settings (remember the old values).
    stage = [(CAM + 'ImageMode', 1), (CAM + 'WaitForPlugins', 1), (TIFF + 'EnableCallbacks', 1),
             (TIFF + 'FileWriteMode', 0), (TIFF + 'AutoIncrement', 1), (TIFF + 'AutoSave', 0),
             (TIFF + 'FileTemplate', '%s%s_%6.6d.tiff'), (TIFF + 'FileName', 'sample'),
             (TIFF + 'FilePath', '/nsls2/data/cms/legacy/xf11bm/data/')]
    saved = [(n, epics.caget(n, as_string=isinstance(v, str), use_monitor=False)) for n, v in stage]
    for n, v in stage:
        epics.caput(n, v, wait=True)
    ok = epics.caput(CAM + 'Acquire', 1, wait=True, timeout=30)
    report['acquire_put'] = ok
    # unstage
    for n, v in reversed(saved):
        epics.caput(n, v, wait=True)
    epics.caput(SHUTTER, 0, wait=True)

def move(axis, target):
    pv = AXES[axis]
    epics.caput(pv + '.VAL', target)
    poll(lambda: abs(epics.caget(pv + '.RBV', use_monitor=False) - target) < 0.01, 0.05, 10)

def xr(d):
    move('x', epics.caget(AXES['x'] + '.RBV', use_monitor=False) + d)

def thabs(v):
    move('th', v)

measure(2)
xr(-0.5)
thabs(0.15)
epics.caput(L + 'SETPOINT:SET', 70.6)  # setLinkamTemperature(70.6): no wait
epics.caput(L + 'STARTHEAT', 1)        # setLinkamOn()
time.sleep(2.5)                         # TEMP starts to ramp
report['x_rbv'] = epics.caget(AXES['x'] + '.RBV', use_monitor=False)
report['th_rbv'] = epics.caget(AXES['th'] + '.RBV', use_monitor=False)
print('@@ ' + json.dumps(report), flush=True)
`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-cms-seq-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('CMS note §6: sam.measure(2), sam.xr(-0.5), sam.thabs(0.15), setLinkamTemperature(70.6) + setLinkamOn()', () => {
  const tracked = new Set(loadProfile('cms').tracked);
  let outcome: RunOutcome;
  let out = '';
  let report: { acquire_put: number; x_rbv: number; th_rbv: number };
  let trace: TraceEvent[];

  beforeAll(async () => {
    const script = path.join(dir, 'sequence.py');
    fs.writeFileSync(script, SCRIPT);
    outcome = await runRecorded([PYTHON, script], { profile: 'cms', stdio: 'pipe', onOutput: (s) => (out += s), timeoutS: 60 });
    const line = out.split('\n').find((l) => l.startsWith('@@ '));
    if (outcome.exitCode !== 0 || !line) throw new Error(`the script failed (exit ${outcome.exitCode}):\n${out}`);
    report = JSON.parse(line.slice(3)) as typeof report;
    trace = outcome.events.filter((e) => e.kind === 'update' && tracked.has(e.channel));
  }, 90_000);

  it('the tracked channels’ updates, in order: (AT, 2) (ACQ, 1) (ACQ, 0) (X, -0.5) (TH, 0.15) (SP, 70.6) (HEAT, 1), then TEMP ramps', () => {
    const pairs = trace.map((e) => [e.channel, e.value]);
    const temps = pairs.filter(([c]) => c === `${L}TEMP`);
    expect(pairs.filter(([c]) => c !== `${L}TEMP`)).toEqual([
      [AT, 2],
      [ACQ, 1],
      [ACQ, 0],
      [X, -0.5],
      [TH, 0.15],
      [`${L}SETPOINT:SET`, 70.6],
      [`${L}STARTHEAT`, 1],
    ]);
    // TEMP ramps at the default RAMPRATE 10: 1 °C per step, toward 70.6, only after the heater is on.
    expect(temps.length).toBeGreaterThanOrEqual(1);
    expect(temps.map(([, v]) => v)).toEqual(temps.map((_, i) => 26 + i));
    const heatAt = trace.findIndex((e) => e.channel === `${L}STARTHEAT`);
    expect(trace.findIndex((e) => e.channel === `${L}TEMP`)).toBeGreaterThan(heatAt);
  });

  it('2 s of twin time between the two ACQ events, and the exposure’s put-callback completed only after ACQ 0', () => {
    // Twin time stamps (the clock is held at each timer's due time), so this holds on a loaded machine too.
    const acq = trace.filter((e) => e.channel === ACQ);
    expect(acq[1]!.timestamp - acq[0]!.timestamp).toBeCloseTo(2, 1);
    expect(report.acquire_put).toBe(1);
    const i0 = outcome.events.findIndex((e) => e.kind === 'update' && e.channel === ACQ && e.value === 0);
    const done = outcome.events.findIndex((e) => e.kind === 'put-complete' && e.channel === ACQ);
    expect(i0).toBeGreaterThan(-1);
    expect(done).toBeGreaterThan(i0);
  });

  it('the untracked writes happened too, in the order of the calls (shutter, staging, unstaging)', () => {
    const puts = outcome.events.filter((e) => e.kind === 'put').map((e) => e.channel);
    const at = (name: string, from = 0) => puts.indexOf(name, from);
    expect(at(AT)).toBeLessThan(at(SHUTTER));
    expect(at(SHUTTER)).toBeLessThan(at(`${CAM}ImageMode`));
    expect(at(`${CAM}ImageMode`)).toBeLessThan(at(ACQ));
    expect(at(ACQ)).toBeLessThan(at(`${CAM}ImageMode`, at(ACQ))); // unstaged after the exposure
    expect(at(SHUTTER, at(ACQ))).toBeGreaterThan(at(`${CAM}ImageMode`, at(ACQ))); // shutter closed last
    expect(puts.filter((c) => c === SHUTTER)).toHaveLength(2);
    // AcquirePeriod and NumImages are not written.
    expect(puts).not.toContain(`${CAM}AcquirePeriod`);
    expect(puts).not.toContain(`${CAM}NumImages`);
    expect(outcome.events.filter((e) => e.kind === 'marker').map((e) => e.channel)).toEqual(['sam.measure']);
    expect(outcome.events.filter((e) => e.kind === 'put-complete' && e.eca !== 1)).toEqual([]);
  });

  it('the motors arrived (the polls ended within 0.01) and nothing went to the catch-all', () => {
    expect(report.x_rbv).toBeCloseTo(-0.5, 6);
    expect(report.th_rbv).toBeCloseTo(0.15, 6);
    expect(outcome.catchAllHits).toEqual([]);
  });
});
