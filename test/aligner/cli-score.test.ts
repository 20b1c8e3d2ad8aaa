import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scoreCommand } from '../../cli/commands/score.js';
import { runCli } from '../../cli/run-cli.js';

function io(tty = false) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: { write: (s: string) => out.push(s), isTTY: tty }, stderr: { write: (s: string) => err.push(s) } }, out, err };
}

const EX = 'examples/traces';

describe('beamtwin score', () => {
  it('prints full score, accuracy, metrics with components, every preset and the alignment table', async () => {
    const b = io();
    const code = await runCli(['score', '--gt', `${EX}/scan-gt.vision.json`, '--pred', `${EX}/scan-pred.jsonl`], b.io, [scoreCommand]);
    const text = b.out.join('');
    expect(code).toBe(1); // FAIL gates a CI step
    expect(text).toMatch(/full score\s+0\.8243\s+accuracy FAIL/);
    expect(text).toMatch(/discrete\s+0\.8182/);
    expect(text).toMatch(/r2=1\.0000\s+slope=1\.0635/);
    expect(text).toMatch(/envtrace\s+full/);
    expect(text).toMatch(/native\s+full/);
    expect(text).toMatch(/✗ mismatch/);
    expect(text).toMatch(/· extra/);
    expect(text).not.toMatch(/\x1b\[/); // no colour off a terminal
  });

  it('colours only on a terminal', async () => {
    const b = io(true);
    await runCli(['score', '--gt', `${EX}/scan-gt.vision.json`, '--pred', `${EX}/scan-pred.jsonl`], b.io, [scoreCommand]);
    expect(b.out.join('')).toMatch(/\x1b\[32m/);
  });

  it('--json gives the chosen preset in full and all presets, and --html writes a report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bt-score-'));
    const html = join(dir, 'r.html');
    const b = io();
    const code = await runCli(
      ['score', '--gt', `${EX}/scan-gt.envtrace.json`, '--pred', `${EX}/scan-pred.jsonl`, '--preset', 'envtrace', '--config', `${EX}/scan.envtrace.yaml`, '--json', '--html', html, '--exit-zero'],
      b.io,
      [scoreCommand],
    );
    expect(code).toBe(0); // --exit-zero, whatever the verdict
    const doc = JSON.parse(b.out.join(''));
    expect(doc.accuracy).toBe(false);
    expect(doc.preset).toBe('envtrace');
    expect(Object.keys(doc.metrics).sort()).toEqual(['continuous', 'discrete', 'structure', 'timing']);
    expect(doc.aggregation.weights).toEqual({ discrete: 0.6, timing: 0.2, continuous: 0.2 });
    expect(doc.decision.passes).toHaveProperty('continuous');
    expect(Object.keys(doc.presets)).toEqual(['vision', 'envtrace', 'native']);
    expect(doc.alignment.length).toBeGreaterThan(5);
    expect(readFileSync(html, 'utf8')).toMatch(/<svg id="timeline"/);
  });

  it('reports an unreadable trace as a usage error naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bt-score-'));
    writeFileSync(join(dir, 'bad.json'), '{"nope": 1}');
    const b = io();
    const code = await runCli(['score', '--gt', join(dir, 'bad.json'), '--pred', `${EX}/scan-pred.jsonl`], b.io, [scoreCommand]);
    expect(code).toBe(2);
    expect(b.err.join('')).toMatch(/bad\.json: unrecognized trace JSON/);
  });
});
