/**
 * Faster than real time, scripts included: the example suite (examples/eval-cms) at --speed 1 and at
 * --speed N (twin and Python clocks scaled), same --jobs, from scratch. One figure per line:
 * `name value unit` — each run's seconds, verdicts that differ from the expected ones, and how far a
 * candidate's timing score (and full score) moves between the two speeds: the largest move and the mean.
 *
 * A second run at --speed 1 gives the same figures between two runs at the same speed: the noise floor.
 * Timing scores are not reproducible to 0.02 even at --speed 1: a motor moves on motorSim's fixed 0.1 s
 * grid (devices/motor/sim-controller.ts), and where a plan's first put falls on that grid depends on
 * how fast Python started, so each move's duration varies by up to 0.1 s from run to run.
 *
 *   node dist/scripts/bench/speed.js [--speed 10] [--jobs 2] [--only 'move-*'] [--no-floor]
 *
 * Targets (issue 18): every expected verdict holds at --speed 10 --jobs 2, in under 30 s on 2 cores;
 * timing scores within 0.02 of those at --speed 1.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluate } from '../../harness/eval/evaluate.js';
import { loadManifest } from '../../harness/eval/manifest.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SUITE = path.join(ROOT, 'examples/eval-cms/manifest.yaml');

function args(): { speed: number; jobs: number; only: string[]; floor: boolean } {
  const a = process.argv.slice(2);
  let speed = 10;
  let jobs = 2;
  let floor = true;
  const only: string[] = [];
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '--speed') speed = Number(a[++i]);
    else if (a[i] === '--jobs') jobs = Number(a[++i]);
    else if (a[i] === '--only') only.push(a[++i]!);
    else if (a[i] === '--no-floor') floor = false;
    else throw new Error(`unknown argument ${a[i]}`);
  }
  return { speed, jobs, only, floor };
}

const glob = (p: string) => new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

async function suite(speed: number, jobs: number, only: string[]) {
  const tasks = loadManifest(SUITE, { speed }).filter((t) => !only.length || only.some((p) => glob(p).test(t.id)));
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `beamtwin-bench-speed-${speed}-`));
  try {
    const t0 = performance.now();
    const s = await evaluate(tasks, { out, jobs });
    const seconds = (performance.now() - t0) / 1000;
    const scores = new Map(s.rows.map((r) => [r.id, { timing: r.timingScore, full: r.fullScore }]));
    const wrong = s.verdicts.filter((v) => !v.ok).map((v) => v.id);
    return { seconds, wrong, errors: Object.keys(s.errors), scores };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

type SuiteRun = Awaited<ReturnType<typeof suite>>;

/** How far candidates' scores move between two runs: largest and mean |difference|, and where the largest is. */
function moves(a: SuiteRun, b: SuiteRun) {
  const timing: number[] = [];
  const full: number[] = [];
  let worst = '';
  for (const [id, x] of a.scores) {
    const y = b.scores.get(id);
    if (!y) continue;
    const d = Math.abs(x.timing - y.timing);
    if (d > Math.max(0, ...timing)) worst = id;
    timing.push(d);
    full.push(Math.abs(x.full - y.full));
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
  return { timingMax: Math.max(0, ...timing), timingMean: mean(timing), fullMax: Math.max(0, ...full), worst };
}

function report(name: string, r: SuiteRun): void {
  console.log(`speed.${name} ${r.seconds.toFixed(1)} s`);
  console.log(`speed.${name}.wrong-verdicts ${r.wrong.length + r.errors.length} ${[...r.wrong, ...r.errors].join(' ')}`.trimEnd());
}

function compare(name: string, m: ReturnType<typeof moves>): void {
  console.log(`speed.${name}.timing-score-max-diff ${m.timingMax.toFixed(4)} ${m.worst}`.trimEnd());
  console.log(`speed.${name}.timing-score-mean-diff ${m.timingMean.toFixed(4)}`);
  console.log(`speed.${name}.full-score-max-diff ${m.fullMax.toFixed(4)}`);
}

async function main(): Promise<void> {
  const { speed, jobs, only, floor } = args();
  const slow = await suite(1, jobs, only);
  report('suite-1x', slow);
  if (floor) {
    const again = await suite(1, jobs, only);
    report('suite-1x-again', again);
    compare('1x-vs-1x', moves(slow, again));
  }
  const fast = await suite(speed, jobs, only);
  report(`suite-${speed}x`, fast);
  compare(`${speed}x-vs-1x`, moves(slow, fast));
}

await main();
