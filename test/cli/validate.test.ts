// beamtwin validate on the CMS twin with pyepics scripts: a bad plan (a move past the soft limit, a
// write to a PV the beamline does not have) fails and names both; a good one passes and lists its moves.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/run-cli.js';
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
    expect(r.out).toMatch(/smx \(XF:11BMB-ES\{Chm:Smpl-Ax:X\}Mtr\): 0 -> 0\.5, distance 0\.5/);
    expect(r.out).toMatch(/sth \(XF:11BMB-ES\{Chm:Smpl-Ax:theta\}Mtr\): 0 -> -0\.2, distance 0\.2/);
    expect(r.out).toMatch(/pilatus2M: 1 acquisitions, 1 images, 0\.2 s total exposure/);
    expect(r.out).toMatch(/Findings:\n {2}none/);
  }, 60_000);
});
