// beamtwin eval on the example suite (examples/eval-cms, the CMS twin driven by pyepics scripts):
// expected verdicts with --jobs 4, reuse of cached references and finished tasks, resume after an
// interruption, a hung candidate killed at its timeout and scored on its trace.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest } from '../../harness/eval/manifest.js';
import { runCli } from '../../cli/run-cli.js';
import { PYTHON } from '../interop/pyepics.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SUITE = path.join(ROOT, 'examples/eval-cms/manifest.yaml');

interface SummaryTask {
  id: string;
  verdict: string;
  expect: string | null;
  full_score: number | null;
  discrete_rate: number;
  discrete_exact: boolean;
  timing_score: number;
  timing_pass: boolean;
  continuous_score: number | null;
  timed_out: boolean;
  exit_code: number;
  unknown_pvs: string[];
}
interface Summary {
  tasks: SummaryTask[];
  summary: Record<string, { count: number; accuracy: number }>;
  verdicts: { expected: number; as_expected: number; mismatches: unknown[] };
  errors: Record<string, string>;
  run: { tasks: number; skipped: number; evaluated: number; cacheHits: number; cacheMisses: number; commandsRun: number; interrupted: boolean };
}

async function evalCli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['eval', ...argv], { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

const readSummary = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as Summary;

let tmp: string;
const savedPython = process.env['BEAMTWIN_PYTHON'];

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'beamtwin-eval-'));
});

afterAll(() => {
  if (savedPython === undefined) delete process.env['BEAMTWIN_PYTHON'];
  else process.env['BEAMTWIN_PYTHON'] = savedPython;
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the example suite (examples/eval-cms)', () => {
  const outA = () => path.join(tmp, 'a');
  let first: Summary;

  it('reproduces every expected verdict with --jobs 4', async () => {
    const r = await evalCli(SUITE, '--jobs', '4', '--out', outA());
    first = readSummary(outA());
    expect(first.verdicts.mismatches, r.out).toEqual([]);
    expect(r.code, r.out + r.err).toBe(0);
    const tasks = loadManifest(SUITE);
    const candidates = tasks.reduce((n, t) => n + t.candidates.length, 0);
    expect(first.tasks).toHaveLength(candidates);
    expect(first.verdicts.expected).toBe(candidates);
    expect(first.verdicts.as_expected).toBe(candidates);
    expect(first.errors).toEqual({});
    // Every command reference ran once (none shared), nothing came from a cache.
    const commandRefs = new Set(tasks.flatMap((t) => t.references.filter((x) => x.kind === 'command').map((x) => x.hash))).size;
    expect(first.run).toMatchObject({ tasks: tasks.length, skipped: 0, evaluated: tasks.length, cacheHits: 0, cacheMisses: commandRefs, interrupted: false });
    // The harness summary splits simple and complex tasks.
    expect(Object.keys(first.summary).sort()).toEqual(['all', 'complex', 'simple']);
    expect(first.summary.all!.count).toBe(candidates);
    // The deliberately wrong candidates fail for the right reason.
    const row = (id: string) => first.tasks.find((t) => t.id === id)!;
    expect(row('beamstop/unknown-pv').unknown_pvs).toEqual(['XF:11BMB-ES{BS-Ax:Z}Mtr']);
    expect(row('beamstop/unknown-pv').discrete_exact).toBe(false);
    expect(row('move-x/wrong-position').discrete_exact).toBe(false);
    expect(row('two-axes/wrong-order').discrete_exact).toBe(false);
    expect(row('temperature-ramp/good').continuous_score).not.toBeNull();
    // A hanging candidate is killed at its timeout and scored on the trace it produced.
    expect(row('hang-and-crash/hangs-after')).toMatchObject({ timed_out: true, verdict: 'pass', discrete_exact: true });
    expect(row('hang-and-crash/crashes')).toMatchObject({ timed_out: false, exit_code: 1, verdict: 'fail' });
    // Per-task files: traces, score reports, HTML, the result; the summary in three forms.
    for (const f of ['ref-1.jsonl', 'good.jsonl', 'good.score.json', 'good.html', 'result.json']) expect(fs.existsSync(path.join(outA(), 'tasks/move-x', f)), f).toBe(true);
    expect(fs.readFileSync(path.join(outA(), 'tasks/move-x/good.html'), 'utf8')).toContain('<svg id="timeline"');
    expect(fs.readFileSync(path.join(outA(), 'summary.csv'), 'utf8').split('\n')[0]).toMatch(/^id,complexity,reference,full_score/);
    expect(fs.readFileSync(path.join(outA(), 'summary.txt'), 'utf8')).toMatch(/Expected verdicts: \d+\/\d+ as expected/);
  }, 300_000);

  it('runs again with identical scores, reusing finished tasks and cached references', async () => {
    expect(first).toBeDefined();
    // Same folder: every task's inputs are unchanged, so nothing runs and the scores are the stored ones.
    const again = await evalCli(SUITE, '--jobs', '4', '--out', outA());
    expect(again.code).toBe(0);
    const reused = readSummary(outA());
    expect(reused.run).toMatchObject({ skipped: reused.run.tasks, evaluated: 0, commandsRun: 0 });
    expect(reused.tasks).toEqual(first.tasks);

    // A fresh folder sharing the reference cache: the references are cache hits, the candidates run again.
    const outB = path.join(tmp, 'b');
    const rerun = await evalCli(SUITE, '--jobs', '4', '--out', outB, '--cache', path.join(outA(), 'cache'));
    const second = readSummary(outB);
    expect(second.verdicts.mismatches, rerun.out).toEqual([]);
    expect(second.run.cacheMisses).toBe(0);
    expect(second.run.cacheHits).toBe(first.run.cacheMisses);
    expect(second.run.commandsRun).toBe(second.tasks.length);
    // Same verdicts and the same value-level scores; timing is measured on a real clock, so it is close, not
    // equal (and a timing pass near its threshold may differ between runs without changing a verdict).
    const strip = (t: SummaryTask) => ({ id: t.id, verdict: t.verdict, discrete_rate: t.discrete_rate, discrete_exact: t.discrete_exact, unknown_pvs: t.unknown_pvs });
    expect(second.tasks.map(strip)).toEqual(first.tasks.map(strip));
    for (const [k, t] of second.tasks.entries()) expect(Math.abs((t.full_score ?? 0) - (first.tasks[k]!.full_score ?? 0)), t.id).toBeLessThan(0.1);
  }, 300_000);
});

describe('beamtwin eval resumes', () => {
  it('an interrupted evaluation keeps finished tasks and completes on the next run', async () => {
    const out = path.join(tmp, 'resume');
    const only = ['--only', 'move-x', 'rotation', 'two-axes', 'beamstop', 'set-exposure-time'];
    const running = evalCli(SUITE, '--jobs', '2', '--out', out, ...only);
    // Ctrl-C once the first task is stored (an in-process SIGINT: the handlers run, the test process stays).
    const until = Date.now() + 120_000;
    const done = () => (fs.existsSync(path.join(out, 'tasks')) ? fs.readdirSync(path.join(out, 'tasks')).filter((d) => fs.existsSync(path.join(out, 'tasks', d, 'result.json'))).length : 0);
    while (done() < 1) {
      if (Date.now() > until) throw new Error('no task finished');
      await new Promise((r) => setTimeout(r, 20));
    }
    process.emit('SIGINT');
    const stopped = await running;
    expect(stopped.code).toBe(130);
    const partial = readSummary(out);
    expect(partial.run.interrupted).toBe(true);
    const kept = done();
    expect(kept).toBeGreaterThanOrEqual(1);
    expect(kept).toBeLessThan(5);

    const resumed = await evalCli(SUITE, '--jobs', '2', '--out', out, ...only);
    expect(resumed.code, resumed.out + resumed.err).toBe(0);
    const s = readSummary(out);
    expect(s.run).toMatchObject({ tasks: 5, skipped: kept, evaluated: 5 - kept, interrupted: false });
    expect(s.verdicts.mismatches).toEqual([]);
    expect(s.tasks.map((t) => t.id.split('/')[0])).toEqual(['move-x', 'move-x', 'two-axes', 'two-axes', 'rotation', 'rotation', 'beamstop', 'beamstop', 'set-exposure-time', 'set-exposure-time']);
  }, 300_000);
});

describe('manifests', () => {
  it('resolve scripts by content: a changed script changes the task hash, a moved manifest does not', () => {
    const dir = path.join(tmp, 'm1');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'ref.py'), 'print(1)\n');
    fs.writeFileSync(path.join(dir, 'cand.py'), 'print(2)\n');
    const doc = { defaults: { profile: 'cms', python: PYTHON }, tasks: [{ id: 't', reference: 'ref.py', candidates: [{ id: 'c', script: 'cand.py', expect: 'pass' }, { id: 'd', command: 'true' }] }] };
    fs.writeFileSync(path.join(dir, 'm.json'), JSON.stringify(doc));
    const [a] = loadManifest(path.join(dir, 'm.json'));
    expect(a!.candidates.map((c) => c.argv)).toEqual([[PYTHON, path.join(dir, 'cand.py')], ['true']]);
    const moved = path.join(tmp, 'm2');
    fs.cpSync(dir, moved, { recursive: true });
    expect(loadManifest(path.join(moved, 'm.json'))[0]!.hash).toBe(a!.hash);
    fs.writeFileSync(path.join(moved, 'cand.py'), 'print(3)\n');
    const [b] = loadManifest(path.join(moved, 'm.json'));
    expect(b!.hash).not.toBe(a!.hash);
    expect(b!.references[0]!.hash).toBe(a!.references[0]!.hash);
    // --speed changes what runs, so every hash.
    expect(loadManifest(path.join(dir, 'm.json'), { speed: 2 })[0]!.references[0]!.hash).not.toBe(a!.references[0]!.hash);
  });

  it('name the problem: missing scripts, duplicate ids, unknown presets', async () => {
    const dir = path.join(tmp, 'm3');
    fs.mkdirSync(dir);
    const write = (doc: unknown) => fs.writeFileSync(path.join(dir, 'm.yaml'), JSON.stringify(doc));
    write({ tasks: [{ id: 't', reference: 'nope.py', candidates: ['true'] }] });
    let r = await evalCli(path.join(dir, 'm.yaml'), '--out', path.join(dir, 'o'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no such script .*nope\.py/);
    write({ tasks: [{ id: 't', reference: 'true', candidates: ['true'] }, { id: 't', reference: 'true', candidates: ['true'] }] });
    r = await evalCli(path.join(dir, 'm.yaml'), '--out', path.join(dir, 'o'));
    expect(r.err).toMatch(/task t: duplicate id/);
    write({ defaults: { preset: 'fancy' }, tasks: [{ id: 't', reference: 'true', candidates: ['true'] }] });
    r = await evalCli(path.join(dir, 'm.yaml'), '--out', path.join(dir, 'o'));
    expect(r.err).toMatch(/"defaults.preset" must be one of vision, envtrace, native/);
  });
});
