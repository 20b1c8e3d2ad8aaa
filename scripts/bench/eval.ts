/**
 * Evaluation benchmark: the example suite (examples/eval-cms, 20 tasks on the CMS twin, pyepics
 * scripts) from scratch — references included, nothing cached — at --jobs 1 and at --jobs = cores, and
 * the twin overhead per command (start, reset, stop of a fresh isolated twin around `true`). One figure
 * per line: `name value unit`.
 *
 *   node dist/scripts/bench/eval.js                 the whole suite
 *   node dist/scripts/bench/eval.js --only 'move-*' --only exposure     a subset (globs on task ids)
 *   node dist/scripts/bench/eval.js --jobs 4        the parallel run at 4 instead of the core count
 *
 * Targets (issue 8): speed-up ≥ 0.8 × cores; overhead ≤ 0.3 s per task.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProfile } from '../../devices/profile/profile.js';
import { runRecorded } from '../../harness/run-recorded.js';
import { defaultJobs, evaluate } from '../../harness/eval/evaluate.js';
import { loadManifest, type TaskSpec } from '../../harness/eval/manifest.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SUITE = path.join(ROOT, 'examples/eval-cms/manifest.yaml');

function args(): { only: string[]; jobs: number; overheadRuns: number } {
  const a = process.argv.slice(2);
  const only: string[] = [];
  let jobs = defaultJobs();
  let overheadRuns = 20;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '--only') only.push(a[++i]!);
    else if (a[i] === '--jobs') jobs = Number(a[++i]);
    else if (a[i] === '--overhead-runs') overheadRuns = Number(a[++i]);
    else throw new Error(`unknown argument ${a[i]}`);
  }
  return { only, jobs, overheadRuns };
}

const glob = (p: string) => new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

async function suiteRate(tasks: readonly TaskSpec[], jobs: number): Promise<{ perMin: number; seconds: number; mismatches: number }> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'beamtwin-bench-eval-'));
  try {
    const t0 = performance.now();
    const s = await evaluate(tasks, { out, jobs });
    const seconds = (performance.now() - t0) / 1000;
    return { perMin: (tasks.length / seconds) * 60, seconds, mismatches: s.verdicts.filter((v) => !v.ok).length + Object.keys(s.errors).length };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

/** Wall time of a fresh twin around `true`, minus the time `true` itself ran. */
async function overhead(runs: number): Promise<number> {
  const profile = loadProfile('cms');
  await runRecorded(['true'], { profile, stdio: 'pipe' }); // warm-up (module loading, JIT)
  let total = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const o = await runRecorded(['true'], { profile, stdio: 'pipe' });
    total += performance.now() - t0 - o.durationMs;
  }
  return total / runs / 1000;
}

const { only, jobs, overheadRuns } = args();
let tasks = loadManifest(SUITE);
if (only.length) tasks = tasks.filter((t) => only.some((p) => glob(p).test(t.id)));
if (!tasks.length) throw new Error('no task selected');
const cores = defaultJobs();
const line = (name: string, value: number, unit: string) => console.log(`${name} ${Number.isInteger(value) ? value : value.toFixed(3)} ${unit}`);

line('eval_tasks', tasks.length, 'tasks');
line('eval_cores', cores, 'cores');
line('eval_overhead_per_task', await overhead(overheadRuns), 's');
const one = await suiteRate(tasks, 1);
line('eval_rate_jobs_1', one.perMin, 'tasks/min');
const many = await suiteRate(tasks, jobs);
line(`eval_rate_jobs_${jobs}`, many.perMin, 'tasks/min');
line('eval_speedup', many.perMin / one.perMin, 'x');
line('eval_speedup_per_job', many.perMin / one.perMin / jobs, 'x');
if (one.mismatches || many.mismatches) console.log(`eval_unexpected_verdicts ${one.mismatches + many.mismatches} verdicts`);
