import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scoreDatasetCommand } from '../../cli/commands/score-dataset.js';
import { runCli } from '../../cli/run-cli.js';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } }, out, err };
}

/** Three tasks: a perfect simple one, a simple one with one wrong value, a complex one with nothing in its reference. */
function dataset(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bt-ds-'));
  const w = (p: string, v: unknown) => {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), JSON.stringify(v));
  };
  w('t1/gt.json', [['a', 0, 1], ['b', 1, 2]]);
  w('t1/pred.json', [['a', 5, 1], ['b', 6, 2]]);
  w('t2/gt.json', [['a', 0, 1], ['b', 1, 2]]);
  w('t2/pred.json', [['a', 0, 1], ['b', 1, 3]]);
  w('t3/gt.json', [['ign', 0, 1]]);
  w('t3/pred.json', [['a', 0, 1]]);
  w('t3/task.json', { is_complex: true, ignore: ['ign'] });
  return dir;
}

describe('beamtwin score-dataset', () => {
  it('prints per-task rows and the harness statistics split by complexity (JSON)', async () => {
    const b = io();
    expect(await runCli(['score-dataset', dataset(), '--json'], b.io, [scoreDatasetCommand])).toBe(0);
    const doc = JSON.parse(b.out.join(''));
    expect(doc.tasks.map((t: { id: string; full_score: number }) => [t.id, t.full_score])).toEqual([
      ['t1', 1],
      ['t2', 0.8 * 0.5 + 0.2 * 1], // one of two rows matches; one matched pair → timing 1
      ['t3', 0], // no reference events after the ignore list → 0 without comparing
    ]);
    expect(doc.summary.simple).toMatchObject({ count: 2, full_matches: 1, accuracy: 50, pv_exact_match_rate: 50, average_pv_match_rate: 75, timing_match_rate: 100 });
    expect(doc.summary.simple.average_full_score).toBeCloseTo(0.8, 12);
    expect(doc.summary.complex).toMatchObject({ count: 1, accuracy: 0, average_full_score: 0, average_temp_score: 0 });
    expect(doc.summary.all.count).toBe(3);
  });

  it('reads a manifest and writes CSV; text mode prints the summary', async () => {
    const dir = dataset();
    writeFileSync(join(dir, 'list.yaml'), 'tasks:\n  - {id: first, references: [t1/gt.json, t2/gt.json], prediction: t2/pred.json}\n');
    const b = io();
    await runCli(['score-dataset', join(dir, 'list.yaml'), '--format', 'csv'], b.io, [scoreDatasetCommand]);
    const csv = b.out.join('').split('\n');
    expect(csv[0]).toBe('id,complexity,reference,full_score,full_match,discrete_rate,discrete_exact,timing_score,timing_pass,continuous_score,continuous_pass,exact_code_match,error');
    expect(csv[1]).toMatch(/^first,simple,1,0\.6/); // first reference wins the tie
    const t = io();
    await runCli(['score-dataset', dataset()], t.io, [scoreDatasetCommand]);
    expect(t.out.join('')).toMatch(/Simple tasks \(2\):\n  Accuracy \(full match rate\): 50\.00% \(1\/2\)/);
  });

  it('rejects a folder without tasks as a usage error', async () => {
    const b = io();
    expect(await runCli(['score-dataset', mkdtempSync(join(tmpdir(), 'bt-empty-'))], b.io, [scoreDatasetCommand])).toBe(2);
    expect(b.err.join('')).toMatch(/no tasks/);
  });
});
