/**
 * Motor benchmark: how many simultaneously moving motor records one twin sustains with every RBV posted at
 * 10 Hz while the process stays below 50 % of one core. Each trial creates N CMS-style motors on a real
 * clock (0.1 s update period), subscribes to every RBV (as a CA monitor would), starts long moves on all of
 * them, and measures over a window of real time the process CPU time (process.cpuUsage: user + system)
 * and the RBV posts per motor per second. N doubles until a trial fails, then bisects.
 * One figure per line: `name value unit`.
 *
 *   node dist/scripts/bench/motor.js            trials up to 64 000 motors
 *   node dist/scripts/bench/motor.js --quick    a shorter window
 */
import { RealClock } from '../../ioc/clock.js';
import { PvDatabase } from '../../ioc/db/database.js';
import { RecordDatabase } from '../../ioc/records/index.js';
import { CMS_SIM_MOTOR, createSimMotor, findSimController } from '../../devices/motor/index.js';

const quick = process.argv.includes('--quick');
const WARMUP_MS = quick ? 600 : 1000;
const WINDOW_MS = quick ? 1500 : 3000;
const CPU_LIMIT = 0.5;
const MIN_RATE_HZ = 9.5;
const MAX_MOTORS = 64_000;

interface Trial {
  readonly n: number;
  readonly cpu: number;
  readonly rateHz: number;
  readonly ok: boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function trial(n: number): Promise<Trial> {
  const db = new PvDatabase(new RealClock());
  const records = new RecordDatabase(db);
  const port = `bench${n}`;
  for (let i = 0; i < n; i++) createSimMotor(records, `bench:m${i}`, { ...CMS_SIM_MOTOR, port, axis: i });
  records.start();
  let posts = 0;
  const subs = [];
  for (let i = 0; i < n; i++) subs.push(db.lookup(`bench:m${i}.RBV`)!.updates.subscribe(() => posts++));
  // Long moves (150 EGU at 1 EGU/s), all started within one turn of the event loop.
  for (let i = 0; i < n; i++) void db.lookup(`bench:m${i}`)!.put(150, { origin: 'ca', notify: false });
  await sleep(WARMUP_MS);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  posts = 0;
  await sleep(WINDOW_MS);
  const c1 = process.cpuUsage(c0);
  const wall = performance.now() - t0;
  const counted = posts;
  const cpu = (c1.user + c1.system) / 1000 / wall;
  const rateHz = counted / n / (wall / 1000);
  for (const s of subs) s.unsubscribe();
  records.stop();
  findSimController(records, port)?.dispose();
  return { n, cpu, rateHz, ok: cpu < CPU_LIMIT && rateHz >= MIN_RATE_HZ };
}

function report(t: Trial): void {
  process.stdout.write(`motor.cpu_busy_at_${t.n} ${(t.cpu * 100).toFixed(1)} %\n`);
  process.stdout.write(`motor.rbv_rate_at_${t.n} ${t.rateHz.toFixed(2)} Hz\n`);
}

async function main(): Promise<void> {
  let good = 0;
  let bad = 0;
  for (let n = 500; n <= MAX_MOTORS; n *= 2) {
    const t = await trial(n);
    report(t);
    global.gc?.();
    await sleep(200);
    if (t.ok) good = n;
    else {
      bad = n;
      break;
    }
  }
  // Bisect between the last good and the first bad count, to ~5 %.
  while (bad && bad - good > Math.max(100, good * 0.05)) {
    const n = Math.round((good + bad) / 2 / 100) * 100;
    const t = await trial(n);
    report(t);
    global.gc?.();
    await sleep(200);
    if (t.ok) good = n;
    else bad = n;
  }
  process.stdout.write(`motor.sustained_moving_motors ${good} motors\n`);
  process.stdout.write(`motor.target 2000 motors\n`);
}

await main();
process.exit(0);
