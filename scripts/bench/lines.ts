/**
 * Line tracing benchmark (`--lines`): what the tracer costs a Python command. One figure per line:
 * `name value unit`.
 *
 * - a line-heavy pure-Python loop (1 000 000 iterations of a function body), CPU time of the Python
 *   process with the tracer's start-up hook vs without: at the default limits (10 000 steps, then tracing
 *   stops) and unlimited (every line recorded: the tracer's raw cost per line);
 * - a typical control script (examples/eval-cms/scan-x/good.py: moves, exposures, pauses) run against a
 *   fresh twin by `run`, command time with `--lines` vs without (median of the runs).
 *
 *   node dist/scripts/bench/lines.js [--runs 3] [--python /usr/bin/python3]
 *
 * Targets (issue 17): loop ≤ 5× (at the default limits), control script ≤ 1.2×.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runRecorded } from '../../harness/run-recorded.js';
import { DEFAULT_LINE_LIMITS, pythonHookDir } from '../../recorder/lines/tracing.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function args(): { runs: number; python: string } {
  const a = process.argv.slice(2);
  let runs = 3;
  let python = '/usr/bin/python3';
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '--runs') runs = Number(a[++i]);
    else if (a[i] === '--python') python = a[++i]!;
    else throw new Error(`unknown argument ${a[i]}`);
  }
  return { runs, python };
}

const LOOP = `def step(i, acc):
    x = i * i
    acc += x % 7
    return acc

acc = 0
for i in range(1_000_000):
    acc = step(i, acc)
print(acc)
`;

// CPU time of a child (user + system), as its parent sees it when the child has ended.
const CPU_OF = 'import os, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); t = os.times(); print(t.children_user + t.children_system)';

function cpuSeconds(python: string, script: string, env: NodeJS.ProcessEnv): number {
  const r = spawnSync(python, ['-c', CPU_OF, python, script], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${script}: ${r.stderr}`);
  return Number(r.stdout.trim());
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function tracerEnv(dir: string, maxSteps: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PYTHONPATH: pythonHookDir(),
    BEAMTWIN_LINES_DIR: dir,
    BEAMTWIN_LINES_MAX_STEPS: String(maxSteps),
    BEAMTWIN_LINES_MAX_REPR: String(DEFAULT_LINE_LIMITS.maxRepr),
  };
}

async function main(): Promise<void> {
  const { runs, python } = args();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'beamtwin-bench-lines-'));
  try {
    const loop = path.join(tmp, 'loop.py');
    fs.writeFileSync(loop, LOOP);
    const plain: number[] = [];
    const limited: number[] = [];
    const unlimited: number[] = [];
    for (let i = 0; i < runs; i++) {
      plain.push(cpuSeconds(python, loop, process.env));
      limited.push(cpuSeconds(python, loop, tracerEnv(fs.mkdtempSync(path.join(tmp, 'l-')), DEFAULT_LINE_LIMITS.maxSteps)));
      unlimited.push(cpuSeconds(python, loop, tracerEnv(fs.mkdtempSync(path.join(tmp, 'u-')), 1e9)));
    }
    const p = median(plain);
    console.log(`lines.loop.plain ${p.toFixed(3)} s`);
    console.log(`lines.loop.slowdown ${(median(limited) / p).toFixed(2)} x (default limits: ${DEFAULT_LINE_LIMITS.maxSteps} steps)`);
    // 1 module line + 1 loop header, then per iteration: the for line, the call line, three lines in step().
    const linesRun = 2 + 5 * 1_000_000;
    console.log(`lines.loop.slowdown-unlimited ${(median(unlimited) / p).toFixed(2)} x (every line recorded)`);
    console.log(`lines.loop.cost-per-line ${(((median(unlimited) - p) / linesRun) * 1e6).toFixed(2)} us`);

    const script = path.join(ROOT, 'examples/eval-cms/scan-x/good.py');
    const without: number[] = [];
    const withLines: number[] = [];
    for (let i = 0; i < runs; i++) {
      for (const lines of [false, true]) {
        const o = await runRecorded([python, script], { stdio: 'pipe', timeoutS: 60, keepEvents: false, ...(lines ? { lines: DEFAULT_LINE_LIMITS } : {}) });
        if (o.exitCode !== 0) throw new Error(`${script} exited ${o.exitCode}`);
        (lines ? withLines : without).push(o.durationMs);
      }
    }
    console.log(`lines.control.plain ${(median(without) / 1000).toFixed(3)} s`);
    console.log(`lines.control.slowdown ${(median(withLines) / median(without)).toFixed(3)} x`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
