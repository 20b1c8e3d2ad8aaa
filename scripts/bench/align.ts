/**
 * Aligner benchmark: for trace pairs of 1 000, 10 000 and 100 000 events, the time to score with the
 * `vision` preset (difflib-exact) and with `native`, the peak memory of each run (a child process per
 * run, so the peak is that run's own), and the speed of our difflib against CPython's on the same token
 * lists. One figure per line: `name value unit`.
 *
 *   node dist/scripts/bench/align.js            all sizes
 *   node dist/scripts/bench/align.js --quick    1 000 and 10 000 only
 *
 * CPython's difflib needs ~10 s at 10 000 and hours at 100 000 on few channels, so the Python
 * comparison stops at 10 000.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { difflibOpcodes } from '../../aligner/difflib.js';
import { scoreNative } from '../../aligner/presets/native.js';
import { scoreVision, VISION_TEMP } from '../../aligner/presets/vision.js';
import type { Event } from '../../aligner/trace.js';

/** Seeded PRNG so every run scores the same pair. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const X = 'XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr';
const Y = 'XF:11BMB-ES{Chm:Smpl-Ax:Y}Mtr';
const TH = 'XF:11BMB-ES{Chm:Smpl-Ax:theta}Mtr';
const ACQ = 'XF:11BMB-ES{Det:PIL2M}:cam1:Acquire';
const EXP = 'XF:11BMB-ES{Det:PIL2M}:cam1:AcquireTime';
const SH = 'XF:11BMB-ES{Shutter}:Cmd';

/** A grid scan with a temperature ramp: the shape of the traces the EnvTrace study scored. */
export function scanTrace(n: number, seed: number): Event[] {
  const next = rng(seed);
  const out: Event[] = [];
  let t = 1.7e9;
  let k = 0;
  while (out.length < n) {
    const step = out.length % 23 === 0 ? [EXP, 1 + (k % 3)] : null;
    if (step) out.push({ channel: step[0] as string, timestamp: (t += 0.01), value: step[1] as number });
    out.push({ channel: X, timestamp: (t += 0.5 + next() * 0.1), value: -16.2 + 0.1 * (k % 40) });
    if (k % 40 === 0) out.push({ channel: Y, timestamp: (t += 0.5), value: 9.5 + 0.1 * Math.floor(k / 40) });
    if (k % 97 === 0) out.push({ channel: TH, timestamp: (t += 0.3), value: 0.1 * (k % 5) });
    out.push({ channel: SH, timestamp: (t += 0.05), value: 1 });
    out.push({ channel: ACQ, timestamp: (t += 0.02), value: 1 });
    out.push({ channel: ACQ, timestamp: (t += 1 + next() * 0.02), value: 0 });
    out.push({ channel: SH, timestamp: (t += 0.05), value: 0 });
    if (k % 4 === 0) out.push({ channel: VISION_TEMP, timestamp: t, value: 25 + 0.01 * k });
    k++;
  }
  return out.slice(0, n);
}

/** The prediction: 5 % slower, jittered, ~1 % of values changed, ~0.5 % events dropped and added. */
export function perturb(gt: readonly Event[], seed: number): Event[] {
  const next = rng(seed);
  const out: Event[] = [];
  const t0 = gt[0]?.timestamp ?? 0;
  for (const e of gt) {
    const r = next();
    const ts = t0 + (e.timestamp - t0) * 1.05 + next() * 0.01;
    if (r < 0.005) continue;
    out.push(r < 0.015 && typeof e.value === 'number' ? { ...e, timestamp: ts, value: e.value + 0.5 } : { ...e, timestamp: ts });
    if (r > 0.995) out.push({ channel: SH, timestamp: ts + 0.001, value: 1 });
  }
  return out;
}

const PY_DIFFLIB = `
import sys, json, time, difflib
a, b = json.load(sys.stdin)
t = time.perf_counter()
ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
print(json.dumps({"seconds": time.perf_counter() - t, "opcodes": len(ops)}))
`;

function timeIt(f: () => unknown, minRuns = 1): number {
  let best = Infinity;
  for (let r = 0; r < minRuns; r++) {
    const t = performance.now();
    f();
    best = Math.min(best, performance.now() - t);
  }
  return best / 1000;
}

/** Child mode: one preset on one size; prints seconds and the process's peak RSS. */
function child(preset: string, n: number): void {
  const gt = scanTrace(n, 1);
  const pred = perturb(gt, 2);
  const base = process.resourceUsage().maxRSS;
  const t = performance.now();
  const r = preset === 'vision' ? scoreVision(gt, pred) : scoreNative(gt, pred);
  const s = (performance.now() - t) / 1000;
  process.stdout.write(JSON.stringify({ seconds: s, maxRssKiB: process.resourceUsage().maxRSS, baseRssKiB: base, full: r.fullScore }) + '\n');
}

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1]!, Number(args[2]));
  const sizes = args.includes('--quick') ? [1000, 10000] : [1000, 10000, 100000];
  const self = fileURLToPath(import.meta.url);
  for (const n of sizes) {
    for (const preset of ['vision', 'native']) {
      const r = spawnSync(process.execPath, [self, '--child', preset, String(n)], { encoding: 'utf8', maxBuffer: 1 << 24 });
      if (r.status !== 0) throw new Error(r.stderr);
      const x = JSON.parse(r.stdout) as { seconds: number; maxRssKiB: number; baseRssKiB: number; full: number };
      console.log(`align.${preset}.score_${n}x${n} ${x.seconds.toFixed(4)} s`);
      console.log(`align.${preset}.peak_rss_${n}x${n} ${(x.maxRssKiB / 1024).toFixed(1)} MiB`);
      console.log(`align.${preset}.rss_growth_${n}x${n} ${((x.maxRssKiB - x.baseRssKiB) / 1024).toFixed(1)} MiB`);
      console.log(`align.${preset}.full_score_${n}x${n} ${x.full.toFixed(6)} score`);
    }
    if (n <= 10000) {
      // difflib against CPython on the same channel-token lists (the vision preset's alignment input).
      const gt = scanTrace(n, 1).filter((e) => e.channel !== VISION_TEMP).map((e) => e.channel);
      const pred = perturb(scanTrace(n, 1), 2).filter((e) => e.channel !== VISION_TEMP).map((e) => e.channel);
      const ts = timeIt(() => difflibOpcodes(gt, pred), 7); // best of 7: the first runs include JIT warm-up
      const py = spawnSync('python3', ['-c', PY_DIFFLIB], { input: JSON.stringify([gt, pred]), encoding: 'utf8', maxBuffer: 1 << 26 });
      console.log(`align.difflib.ts_${n}x${n} ${ts.toFixed(4)} s`);
      if (py.status === 0) {
        const p = JSON.parse(py.stdout) as { seconds: number; opcodes: number };
        console.log(`align.difflib.python_${n}x${n} ${p.seconds.toFixed(4)} s`);
        console.log(`align.difflib.speedup_${n}x${n} ${(p.seconds / ts).toFixed(1)} x`);
      } else console.log(`align.difflib.python_${n}x${n} unavailable`);
    }
  }
}

main();
