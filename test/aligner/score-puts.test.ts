import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../cli/run-cli.js';
import { scoreCommand } from '../../cli/commands/score.js';

// Two traces that move the same motor to the same place, one asking twice (two puts, one update each).
const header = JSON.stringify({ format: 'beamtwin-trace', version: 1 });
const line = (o: object) => JSON.stringify(o);
const M = 'XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr';
const gt = [header, line({ seq: 1, kind: 'put', channel: M, timestamp: 0, value: 1 }), line({ seq: 2, kind: 'update', channel: M, timestamp: 1, value: 1 })];
const pred = [header, line({ seq: 1, kind: 'put', channel: M, timestamp: 0, value: 1 }), line({ seq: 2, kind: 'put', channel: M, timestamp: 0.5, value: 1 }), line({ seq: 3, kind: 'update', channel: M, timestamp: 1, value: 1 })];

async function score(...extra: string[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-puts-'));
  fs.writeFileSync(path.join(dir, 'gt.jsonl'), gt.join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'pred.jsonl'), pred.join('\n') + '\n');
  let out = '';
  const code = await runCli(['score', '--gt', path.join(dir, 'gt.jsonl'), '--pred', path.join(dir, 'pred.jsonl'), '--exit-zero', ...extra], { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true } }, [scoreCommand]);
  fs.rmSync(dir, { recursive: true });
  return { code, out };
}

describe('score --score-puts', () => {
  it('native scores the puts (the extra put costs it); vision and envtrace are unchanged', async () => {
    const plain = JSON.parse((await score('--json')).out);
    const puts = JSON.parse((await score('--json', '--score-puts')).out);
    expect(puts.presets.vision).toEqual(plain.presets.vision);
    expect(puts.presets.envtrace).toEqual(plain.presets.envtrace);
    expect(plain.presets.native.full_score).toBe(1);
    expect(puts.presets.native.full_score).toBeLessThan(1);
  });

  it('the text report says who scores puts', async () => {
    expect((await score()).out).toMatch(/client puts, put completions, connects and line events are not scored by any preset/);
    const r = await score('--score-puts', '--preset', 'native');
    expect(r.out).toMatch(/client puts \(channels 'put NAME'\) by native only — vision and envtrace never score puts/);
    expect(r.out).toContain(`put ${M}`);
  });
});
