// `--lines` end to end: real Python processes (Debian's pyepics on Debian's libca, and the test
// environment's pip pyepics + ophyd + bluesky) traced through the start-up hook, against a fresh twin.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRecorded } from '../../harness/run-recorded.js';
import { runCli } from '../../cli/run-cli.js';
import { loadManifest, ManifestError } from '../../harness/eval/manifest.js';
import type { TraceEvent } from '../../recorder/event.js';
import { DEFAULT_LINE_LIMITS } from '../../recorder/lines/tracing.js';
import { readJsonlTrace } from '../../recorder/read-trace.js';
import { DEBIAN_PYTHON, venvPython } from '../helpers/python.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-lines-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const X = 'XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr';

/** A script with a loop and a function; `# @name` comments mark the lines the tests expect. */
const LOOP = `import epics

X = '${X}'

def move(target):
    value = round(target * 2, 3)
    epics.caput(X, value, wait=True)  # @put-in-function
    return value

pv = epics.PV(X)
pv.wait_for_connection(5)
total = 0
for i in range(3):  # @loop
    total += move(0.1 * i)
pv.put(0.05, wait=True)  # @put-at-top
print('total', total)
`;

/** The 1-based line of a `# @name` marker. */
const lineOf = (src: string, name: string) => src.split('\n').findIndex((l) => l.includes(`# @${name}`)) + 1;

function write(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

/** Run a script with --lines, recorded; the trace's events. */
async function traced(python: string, script: string, extra: { lines?: { maxSteps: number; maxRepr: number } } = {}): Promise<{ events: TraceEvent[]; trace: string; output: string }> {
  const trace = path.join(dir, `${path.basename(script)}-${path.basename(path.dirname(python))}-${Math.random().toString(36).slice(2)}.jsonl`);
  let output = '';
  const o = await runRecorded([python, path.basename(script)], {
    cwd: path.dirname(script),
    record: trace,
    lines: extra.lines ?? DEFAULT_LINE_LIMITS,
    stdio: 'pipe',
    timeoutS: 60,
    keepEvents: false,
    onOutput: (s) => (output += s),
  });
  expect(o.exitCode, output).toBe(0);
  const t = readJsonlTrace(trace);
  expect(t.truncated).toBe(false);
  return { events: t.events, trace, output };
}

const interpreters: [string, () => string][] = [
  ['Debian pyepics', () => DEBIAN_PYTHON],
  ['pip pyepics', venvPython],
];

describe.each(interpreters)('a loop and a function (%s)', (_name, python) => {
  const script = write(`loop-${_name.split(' ')[0]}.py`, LOOP);
  let run: ReturnType<typeof traced>;
  beforeAll(() => {
    run = traced(python(), script);
  });

  it('each put names the line that issued it, exactly, and its step', async () => {
    const { events } = await run;
    const puts = events.filter((e) => e.kind === 'put' && e.channel === X);
    expect(puts.map((e) => e.value)).toEqual([0, 0.2, 0.4, 0.05]);
    const inFn = lineOf(LOOP, 'put-in-function');
    expect(puts.map((e) => [e.line?.line, e.line?.function, e.line?.via])).toEqual([
      [inFn, 'move', 'stack'],
      [inFn, 'move', 'stack'],
      [inFn, 'move', 'stack'],
      [lineOf(LOOP, 'put-at-top'), '<module>', 'stack'],
    ]);
    for (const p of puts) {
      // The line event of the put's step is that line, in the same process, and comes right before the put's effects.
      const step = events.find((e) => e.kind === 'line' && e.pid === p.pid && e.step === p.line?.step)!;
      expect(step.line?.line).toBe(p.line?.line);
      expect(step.seq).toBeLessThan(p.seq);
      const next = events.find((e) => e.kind === 'line' && e.pid === p.pid && e.step === p.line!.step! + 1)!;
      expect(next.seq).toBeGreaterThan(p.seq);
    }
  });

  it('lines of the user file only, with depth and the locals that changed', async () => {
    const { events } = await run;
    const lines = events.filter((e) => e.kind === 'line');
    expect(new Set(lines.map((e) => e.line?.file))).toEqual(new Set([path.basename(script)]));
    expect(lines.map((e) => e.step)).toEqual(lines.map((_, i) => i + 1));
    // A line shows the state as it is reached: the loop variable the `for` line set, on the loop body's line.
    const loop = lines.filter((e) => e.line?.line === lineOf(LOOP, 'loop') + 1 && e.locals?.['i'] !== undefined).map((e) => e.locals!['i']);
    expect(loop).toEqual(['0', '1', '2']);
    const inMove = lines.filter((e) => e.line?.function === 'move');
    expect(inMove.every((e) => e.depth === 1)).toBe(true);
    expect(inMove.filter((e) => e.locals?.['value'] !== undefined).map((e) => e.locals!['value'])).toEqual(['0.0', '0.2', '0.4']);
    expect(events.find((e) => e.kind === 'source')?.value).toBe(LOOP);
    expect(events.filter((e) => e.kind === 'output').map((e) => e.value).join('')).toBe('total 0.6000000000000001\n');
  });

  it('exports in the three forms with the expected steps, byte-identical again', async () => {
    const { trace, events } = await run;
    const nLines = events.filter((e) => e.kind === 'line').length;
    for (const format of ['et-scratchpad', 'et-compact', 'et-dynamic']) {
      const out = path.join(dir, `${path.basename(trace)}.${format}.jsonl`);
      const r = await cli(['export', '--format', format, trace, '-o', out]);
      expect(r.code, r.err).toBe(0);
      const text = fs.readFileSync(out, 'utf8');
      const rec = JSON.parse(text) as { code: Record<string, string>; steps: Record<string, any>[]; output: { beamline: Record<string, number>; stdout: string } };
      expect(text.trim().split('\n')).toHaveLength(1);
      expect(Object.values(rec.code)).toEqual([LOOP]);
      expect(rec.output.stdout).toBe('total 0.6000000000000001\n');
      expect(rec.output.beamline[X]).toBe(0.05);
      const puts = rec.steps.flatMap((s) => s['puts'] ?? []);
      expect(puts).toEqual([0, 0.2, 0.4, 0.05].map((value) => ({ pv: X, value })));
      if (format === 'et-dynamic') {
        expect(rec.steps.length).toBeLessThan(nLines); // unchanged-state lines fold
        expect(rec.steps.flatMap((s) => s['lines'])).toHaveLength(nLines);
      } else expect(rec.steps).toHaveLength(nLines);
      const again = path.join(dir, `${path.basename(trace)}.${format}.again.jsonl`);
      await cli(['export', '--format', format, trace, '-o', again]);
      expect(fs.readFileSync(again, 'utf8')).toBe(text);
    }
    const perPut = await cli(['export', '--format', 'et-compact', '--granularity', 'put', trace]);
    const steps = (JSON.parse(perPut.out) as { steps: { pv: string; line: { line: number } }[] }).steps;
    expect(steps.map((s) => s.line.line)).toEqual([...Array(3).fill(lineOf(LOOP, 'put-in-function')), lineOf(LOOP, 'put-at-top')]);
  });
});

describe('ophyd and a Bluesky plan (pip pyepics)', () => {
  const PLAN = `from ophyd import EpicsMotor
from bluesky import RunEngine
import bluesky.plan_stubs as bps

x = EpicsMotor('${X}', name='x')
x.wait_for_connection(timeout=10)

def my_plan(points):
    for p in points:
        yield from bps.mv(x, p)  # @plan-move

RE = RunEngine({})
RE(my_plan([0.1, 0.2]))  # @run-plan
x.set(0.3).wait(10)  # @ophyd-set
`;
  it('a put from a plan names the plan line that yielded it (via plan); a direct ophyd set names its own line', async () => {
    const { events } = await traced(venvPython(), write('plan.py', PLAN));
    const puts = events.filter((e) => e.kind === 'put' && e.channel === X);
    expect(puts.map((e) => [e.value, e.line?.line, e.line?.function, e.line?.via])).toEqual([
      [0.1, lineOf(PLAN, 'plan-move'), 'my_plan', 'plan'],
      [0.2, lineOf(PLAN, 'plan-move'), 'my_plan', 'plan'],
      [0.3, lineOf(PLAN, 'ophyd-set'), '<module>', 'stack'],
    ]);
    // Nothing of ophyd or bluesky is traced.
    expect(new Set(events.filter((e) => e.kind === 'line').map((e) => e.line?.file))).toEqual(new Set(['plan.py']));
  }, 60_000);
});

describe('bounds', () => {
  const BIG = `def f(n):
    s = 0
    long = 'x' * 1000
    for i in range(n):
        s += i * i
    return s
print(f(100000))
`;
  it('a 100 000-iteration loop stops at the step limit, says so, and cuts long values', async () => {
    const { events, trace } = await traced(DEBIAN_PYTHON, write('big.py', BIG), { lines: { maxSteps: 5000, maxRepr: 40 } });
    const lines = events.filter((e) => e.kind === 'line');
    expect(lines).toHaveLength(5000);
    const limit = events.filter((e) => e.kind === 'line-limit');
    expect(limit).toHaveLength(1);
    expect(limit[0]!.value).toBe(5000);
    expect(limit[0]!.seq).toBeGreaterThan(lines[lines.length - 1]!.seq);
    // The script still ran to its end (tracing stopped, not the script).
    expect(events.find((e) => e.kind === 'output')?.value).toBe('333328333350000\n');
    const withLong = lines.find((e) => e.locals?.['long'] !== undefined)!;
    expect(withLong.locals!['long']).toHaveLength(40);
    expect(withLong.cut).toEqual(['long']);
    expect(fs.statSync(trace).size).toBeLessThan(5000 * 400);
    const rec = JSON.parse((await cli(['export', '--format', 'et-compact', trace])).out) as { truncated: { steps: boolean; values: number } };
    expect(rec.truncated).toEqual({ steps: true, values: 1, stdout: false, code: false });
  });

  it('limits are checked', async () => {
    const r = await cli(['run', '--lines', '--lines-max-steps', '0', '--', DEBIAN_PYTHON, '-c', 'pass']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--lines-max-steps/);
  });
});

describe('the start-up hook', () => {
  it("runs the command's own sitecustomize too, and keeps its PYTHONPATH", async () => {
    const site = fs.mkdtempSync(path.join(dir, 'site-'));
    fs.writeFileSync(path.join(site, 'sitecustomize.py'), "import os\nos.environ['SITE_RAN'] = 'yes'\n");
    fs.writeFileSync(path.join(site, 'helper.py'), 'VALUE = 42\n');
    const script = write('uses-site.py', "import os, helper\nprint(os.environ.get('SITE_RAN'), helper.VALUE)\n");
    const saved = process.env['PYTHONPATH'];
    process.env['PYTHONPATH'] = site;
    try {
      const { events } = await traced(DEBIAN_PYTHON, script);
      expect(events.filter((e) => e.kind === 'output').map((e) => e.value).join('')).toBe('yes 42\n');
      // helper.py is the user's own file (not installed): traced; the sitecustomize ran before tracing began.
      const files = new Set(events.filter((e) => e.kind === 'line').map((e) => e.line?.file));
      expect(files.has('uses-site.py')).toBe(true);
      expect([...files].some((f) => f?.endsWith('sitecustomize.py'))).toBe(false);
    } finally {
      if (saved === undefined) delete process.env['PYTHONPATH'];
      else process.env['PYTHONPATH'] = saved;
    }
  });
});

describe('lines in an eval manifest', () => {
  const manifest = (lines: string) => {
    const script = write('m.py', 'pass\n');
    const file = write(`m-${Math.random().toString(36).slice(2)}.yaml`, `defaults: { lines: ${lines} }\ntasks:\n  - id: t\n    reference: ${script}\n    candidates: [ { id: c, script: ${script} } ]\n`);
    return file;
  };
  it('true, limits or absent; traced commands hash apart from untraced ones', () => {
    const on = loadManifest(manifest('true'))[0]!;
    const off = loadManifest(manifest('false'))[0]!;
    const limited = loadManifest(manifest('{ maxSteps: 50 }'))[0]!;
    expect(on.candidates[0]!.lines).toEqual(DEFAULT_LINE_LIMITS);
    expect(off.candidates[0]!.lines).toBeUndefined();
    expect(limited.candidates[0]!.lines).toEqual({ maxSteps: 50, maxRepr: DEFAULT_LINE_LIMITS.maxRepr });
    expect(new Set([on.candidates[0]!.hash, off.candidates[0]!.hash, limited.candidates[0]!.hash]).size).toBe(3);
    // eval --lines turns it on for every task
    expect(loadManifest(manifest('false'), { lines: DEFAULT_LINE_LIMITS })[0]!.references[0]).toMatchObject({ lines: DEFAULT_LINE_LIMITS });
  });
  it('refuses bad limits, naming them', () => {
    expect(() => loadManifest(manifest('{ maxSteps: 0 }'))).toThrow(ManifestError);
    expect(() => loadManifest(manifest('{ maxSteps: 0 }'))).toThrow(/t\.lines\.maxSteps/);
    expect(() => loadManifest(manifest('yes please'))).toThrow(/lines.*true, false or \{maxSteps, maxRepr\}/);
  });
});

describe('eval --lines, then export the evaluation', () => {
  it('writes one record per candidate with its scores', async () => {
    const out = path.join(dir, 'eval-out');
    const manifest = path.resolve('examples/eval-cms/manifest.yaml');
    const r = await cli(['eval', manifest, '--lines', '--only', 'move-x', 'scan-x', '--jobs', '2', '--out', out]);
    // Verdicts may differ on a loaded machine (timing): the export is what is under test here.
    expect(r.code, r.err + r.out).toBeLessThanOrEqual(1);
    const file = path.join(dir, 'dataset.jsonl');
    const e = await cli(['export', '--format', 'et-compact', out, '-o', file]);
    expect(e.code, e.err).toBe(0);
    const records = fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, any>);
    expect(records.map((x) => x['id'])).toEqual(['move-x/good', 'move-x/wrong-position', 'scan-x/good', 'scan-x/missing-point', 'scan-x/unknown-pv']);
    for (const rec of records) {
      expect(['pass', 'fail']).toContain(rec['verdict']);
      expect(rec['ok']).toBe(rec['verdict'] === rec['expect']);
      expect(typeof rec['scores'].presets.vision.full_score).toBe('number');
      const script = fs.readFileSync(path.resolve('examples/eval-cms', rec['task'], `${rec['candidate']}.py`), 'utf8');
      expect(Object.values(rec['code'])).toContain(script);
      expect(rec['steps'].some((s: any) => s.puts?.length)).toBe(true);
    }
    const again = path.join(dir, 'dataset-again.jsonl');
    await cli(['export', '--format', 'et-compact', out, '-o', again]);
    expect(fs.readFileSync(again, 'utf8')).toBe(fs.readFileSync(file, 'utf8'));
  }, 120_000);
});
