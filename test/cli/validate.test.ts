// beamtwin validate on the CMS twin with pyepics scripts: a bad plan (a move past the soft limit, a
// write to a PV the beamline does not have) fails and names both; a good one passes and lists its moves.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/run-cli.js';
import type { TimerHandle } from '../../ioc/clock.js';
import { AlarmStatus, Severity } from '../../ioc/epics/alarm.js';
import { DbrBase } from '../../ioc/epics/field-type.js';
import { registerDeviceKind } from '../../devices/profile/kinds.js';
import { PYTHON } from '../interop/pyepics.js';

const X = 'XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr';
const TH = 'XF:11BMB-ES{Chm:Smpl-Ax:theta}Mtr';
const UNKNOWN = 'XF:11BMB-ES{Chm:Smpl-Ax:Q}Mtr';

async function validate(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['validate', ...argv], { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

let dir: string;
const script = (name: string, body: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, `import epics\n${body}\n`);
  return p;
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beamtwin-validate-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('beamtwin validate (cms profile)', () => {
  it('fails a script that moves past a soft limit and writes an unknown PV, and names both', async () => {
    const bad = script(
      'bad.py',
      [
        `epics.caput('${X}', 0.5, wait=True, timeout=30)`,
        // The profile's soft limits are ±20000: the motor record refuses and sets LVIO.
        `epics.caput('${X}', 25000, wait=True, timeout=30)`,
        `epics.caput('${UNKNOWN}', 1, wait=True, timeout=10)`,
      ].join('\n'),
    );
    const r = await validate('--profile', 'cms', '--', PYTHON, bad);
    expect(r.code, r.out + r.err).not.toBe(0);
    expect(r.out).toMatch(/^FAIL/);
    expect(r.out).toMatch(/ERROR \[limit-violation\] smx: move refused, outside the soft limits/);
    expect(r.out).toContain(`ERROR [unknown-pv] ${UNKNOWN}`);

    const j = await validate('--profile', 'cms', '--json', '--', PYTHON, bad);
    expect(j.code).not.toBe(0);
    const report = JSON.parse(j.out) as { ok: boolean; findings: { kind: string; pv: string; breaks: boolean }[]; moves: { pv: string; to: number }[] };
    expect(report.ok).toBe(false);
    expect(report.findings).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'limit-violation', pv: X, breaks: true }), expect.objectContaining({ kind: 'unknown-pv', pv: UNKNOWN, breaks: true })]),
    );
    // The refused move went nowhere: the motor stayed at 0.5.
    expect(report.moves.find((m) => m.pv === X)?.to).toBeCloseTo(0.5, 6);
  }, 60_000);

  it('passes a correct script and lists its moves', async () => {
    const good = script(
      'good.py',
      [
        `epics.caput('${X}', 0.5, wait=True, timeout=30)`,
        `epics.caput('${TH}', -0.2, wait=True, timeout=30)`,
        `epics.caput('XF:11BMB-ES{Det:PIL2M}:cam1:AcquireTime', 0.2, wait=True)`,
        `epics.caput('XF:11BMB-ES{Det:PIL2M}:cam1:Acquire', 1, wait=True, timeout=30)`,
      ].join('\n'),
    );
    const r = await validate('--profile', 'cms', '--', PYTHON, good);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/^PASS/);
    expect(r.out).toMatch(/smx \(XF:11BMB-ES\{Chm:Smpl-Ax:X\}Mtr\): 0 -> 0\.5: net \+0\.5, path 0\.5, [\d.]+ s, setpoint 0\.5\n/);
    expect(r.out).toMatch(/sth \(XF:11BMB-ES\{Chm:Smpl-Ax:theta\}Mtr\): 0 -> -0\.2: net -0\.2, path 0\.2, [\d.]+ s, setpoint -0\.2\n/);
    expect(r.out).toMatch(/pilatus2M: 1 acquisitions, 1 images, 0\.2 s total exposure/);
    expect(r.out).toMatch(/Findings:\n {2}none/);
  }, 60_000);
});

describe('beamtwin validate: findings without noise', () => {
  it('a hard-limit hit on a motor whose HLSV is MAJOR prints exactly one finding naming the motor, the limit and the alarm', async () => {
    const profile = path.join(dir, 'limits.json');
    fs.writeFileSync(
      profile,
      JSON.stringify({
        name: 'limits',
        defaults: { motor: { VELO: 10, VBAS: 1, ACCL: 0.1, MRES: 0.001, DHLM: 100, DLLM: -100, hardLimits: [-5, 5], HLSV: 'MAJOR' } },
        devices: [{ kind: 'motor', name: 'm1', pv: 'VT:m1' }],
      }),
    );
    const hit = script('hit.py', `epics.caput('VT:m1', 10, wait=True, timeout=30)`);
    const r = await validate('--profile', profile, '--', PYTHON, hit);
    expect(r.code, r.out + r.err).toBe(1);
    const findings = r.out.slice(r.out.indexOf('Findings:\n') + 'Findings:\n'.length, r.out.indexOf('Final state'));
    expect(findings.trim().split('\n')).toEqual([expect.stringMatching(/^ERROR \[hard-limit\] m1: hit the high limit switch \(HLS\); MAJOR alarm \(HIGH\) \(at [\d.]+ s\)$/)]);
    // The move went up to the switch, not to the target.
    expect(r.out).toMatch(/m1 \(VT:m1\): 0 -> ([\d.]+): net \+\1, path \1, [\d.]+ s, setpoint 10\n/);
  }, 60_000);
});

// A device kind validate has never heard of: a stage with its own PV layout, declaring what matters.
registerDeviceKind('testStage', {
  create: ({ db }, spec) => {
    const p = String(spec['prefix']);
    const high = Number(spec['high']);
    const timers = new Set<TimerHandle>();
    const rb = db.create(`${p}Pos-I`, { type: DbrBase.DOUBLE, value: 0 });
    const moving = db.create(`${p}Moving`, { type: DbrBase.LONG, value: 0 });
    const end = db.create(`${p}EndStop:Hi`, { type: DbrBase.LONG, value: 0 });
    db.create(`${p}Lamp`, { type: DbrBase.LONG, value: 0, put: (pv, v) => void pv.set(v, { force: true }) });
    db.create(`${p}Pos-SP`, {
      type: DbrBase.DOUBLE,
      value: 0,
      // Two steps of 50 ms each toward the target, stopping at the end stop (with a MAJOR alarm).
      put: (pv, v) =>
        new Promise<void>((resolve) => {
          pv.set(v, { force: true });
          moving.set(1);
          const from = Number(rb.value);
          const to = Math.min(Number(v), high);
          const step = (i: number) => {
            const t = db.clock.setTimeout(() => {
              timers.delete(t);
              rb.set(from + ((to - from) * i) / 2);
              if (i < 2) return step(i + 1);
              if (Number(v) > high) {
                end.set(1, { status: AlarmStatus.HIGH, severity: Severity.MAJOR });
                rb.setAlarm(AlarmStatus.HIGH, Severity.MAJOR);
              }
              moving.set(0);
              resolve();
            }, 50);
            timers.add(t);
          };
          step(1);
        }),
    });
    return { reset: () => undefined, stop: () => timers.forEach((t) => t.cancel()) };
  },
  prefixes: (spec) => [String(spec['prefix'])],
  meaning: (spec) => {
    const p = String(spec['prefix']);
    return {
      prefixes: [p],
      meanings: [
        { kind: 'move', drive: [`${p}Pos-SP`], setpoint: [`${p}Pos-SP`], readback: `${p}Pos-I`, done: { channel: `${p}Moving`, value: 0 } },
        { kind: 'limit', trip: { channel: `${p}EndStop:Hi`, value: 1 }, limit: 'hard', says: 'ran into its high end stop' },
        { kind: 'state', channel: `${p}Lamp`, states: { 0: 'off', 1: 'on' } },
      ],
    };
  },
});

describe('beamtwin validate: a device kind that declares what matters about it', () => {
  it('reports its moves, its end-stop hit (one finding, alarm by name) and its lamp, with no change to the analysis', async () => {
    const profile = path.join(dir, 'stage.json');
    fs.writeFileSync(profile, JSON.stringify({ name: 'stage', devices: [{ kind: 'testStage', name: 'stage', prefix: 'VT:stage:', high: 10 }] }));
    const plan = script(
      'stage.py',
      [`epics.caput('VT:stage:Pos-SP', 4, wait=True, timeout=30)`, `epics.caput('VT:stage:Pos-SP', 20, wait=True, timeout=30)`, `epics.caput('VT:stage:Lamp', 1, wait=True, timeout=10)`].join('\n'),
    );
    const j = await validate('--profile', profile, '--json', '--', PYTHON, plan);
    expect(j.code, j.out + j.err).toBe(1);
    const report = JSON.parse(j.out) as {
      moves: { motor: string; pv: string; from: number; to: number; net: number; path: number; setpoints: number[]; done: boolean }[];
      findings: { kind: string; device?: string; alarm?: { severity: string; status: string }; message: string }[];
      states: { device: string; from: string; changes: { state: string }[] }[];
    };
    expect(report.moves.map(({ motor, pv, from, to, net, path, setpoints, done }) => ({ motor, pv, from, to, net, path, setpoints, done }))).toEqual([
      { motor: 'stage', pv: 'VT:stage:Pos-SP', from: 0, to: 4, net: 4, path: 4, setpoints: [4], done: true },
      { motor: 'stage', pv: 'VT:stage:Pos-SP', from: 4, to: 10, net: 6, path: 6, setpoints: [20], done: true },
    ]);
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'hard-limit', device: 'stage', alarm: { severity: 'MAJOR', status: 'HIGH' }, message: 'stage: ran into its high end stop; MAJOR alarm (HIGH)' })]);
    expect(report.states).toEqual([expect.objectContaining({ device: 'stage', from: 'off', changes: [expect.objectContaining({ state: 'on' })] })]);
  }, 60_000);
});
