/**
 * Faster than real time, scripts included: the example suite (examples/eval-cms) at --speed 1 and at
 * --speed N (twin and Python clocks scaled), same --jobs, from scratch. One figure per line:
 * `name value unit` — each run's seconds, verdicts that differ from the expected ones, and the largest
 * difference of a candidate's timing score (and full score) between the two speeds.
 *
 *   node dist/scripts/bench/speed.js [--speed 10] [--jobs 2] [--only 'move-*']
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

function args(): { speed: number; jobs: number; only: string[] } {
  const a = process.argv.slice(2);
  let speed = 10;
  let jobs = 2;
  const only: string[] = [];
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '--speed') speed = Number(a[++i]);
    else if (a[i] === '--jobs') jobs = Number(a[++i]);
    else if (a[i] === '--only') only.push(a[++i]!);
    else throw new Error(`unknown argument ${a[i]}`);
  }
  return { speed, jobs, only };
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

async function main(): Promise<void> {
  const { speed, jobs, only } = args();
  const slow = await suite(1, jobs, only);
  console.log(`speed.suite-1x ${slow.seconds.toFixed(1)} s`);
  console.log(`speed.suite-1x.wrong-verdicts ${slow.wrong.length + slow.errors.length} ${[...slow.wrong, ...slow.errors].join(' ')}`.trimEnd());
  const fast = await suite(speed, jobs, only);
  console.log(`speed.suite-${speed}x ${fast.seconds.toFixed(1)} s`);
  console.log(`speed.suite-${speed}x.wrong-verdicts ${fast.wrong.length + fast.errors.length} ${[...fast.wrong, ...fast.errors].join(' ')}`.trimEnd());
  let timing = 0;
  let full = 0;
  let worst = '';
  for (const [id, a] of slow.scores) {
    const b = fast.scores.get(id);
    if (!b) continue;
    if (Math.abs(a.timing - b.timing) > timing) {
      timing = Math.abs(a.timing - b.timing);
      worst = id;
    }
    full = Math.max(full, Math.abs(a.full - b.full));
  }
  console.log(`speed.timing-score-max-diff ${timing.toFixed(4)} ${worst}`.trimEnd());
  console.log(`speed.full-score-max-diff ${full.toFixed(4)}`);
}

await main();
