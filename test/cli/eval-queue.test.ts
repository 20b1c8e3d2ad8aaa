// beamtwin eval --queue across worker processes (BullMQ on a private redis-server): 20 tiny tasks, two
// workers, one of them killed mid-run; every task still ends up in the results folder exactly once.
// Needs redis-server (Debian: apt-get install redis-server) and a built dist/ (npm test builds it first).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/run-cli.js';
import { PYTHON } from '../interop/pyepics.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = path.join(ROOT, 'dist/cli/main.js');
const MINI = path.join(ROOT, 'test/fixtures/profiles/mini.yaml');

async function freeTcpPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Proc {
  readonly child: ChildProcess;
  log: string;
  readonly exited: Promise<void>;
}

function start(cmd: string, args: string[]): Proc {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const p: Proc = { child, log: '', exited: new Promise((resolve) => child.on('exit', () => resolve())) };
  child.stdout!.on('data', (d: Buffer) => (p.log += String(d)));
  child.stderr!.on('data', (d: Buffer) => (p.log += String(d)));
  return p;
}

let dir: string;
let redis: Proc;
let url: string;
const workers: Proc[] = [];

beforeAll(async () => {
  if (!fs.existsSync(MAIN)) throw new Error('dist/ is not built: run `npx tsc -p .` first (npm test does)');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beamtwin-eval-queue-'));
  const port = await freeTcpPort();
  redis = start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  await waitForPort(port, 10_000);
  url = `redis://127.0.0.1:${port}`;
  // 20 tasks: the reference writes a setpoint, the candidate writes it and lingers a little (so tasks are
  // in flight when a worker dies); odd tasks' candidates write a wrong value.
  const tasks: string[] = [];
  for (let k = 1; k <= 20; k++) {
    const script = (v: number, linger: number) =>
      `import epics, time\nepics.caput('T:{LINKAM}:SETPOINT:SET', ${v}, wait=True, timeout=5)\ntime.sleep(${linger})\n`;
    fs.writeFileSync(path.join(dir, `ref${k}.py`), script(30 + k, 0));
    fs.writeFileSync(path.join(dir, `cand${k}.py`), script(k % 2 ? 30 + k + 0.5 : 30 + k, 0.6));
    tasks.push(`  - { id: t${k}, reference: ref${k}.py, candidates: [{ id: c, script: cand${k}.py, expect: ${k % 2 ? 'fail' : 'pass'} }] }`);
  }
  fs.writeFileSync(path.join(dir, 'manifest.yaml'), `defaults: { profile: ${JSON.stringify(MINI)}, python: ${JSON.stringify(PYTHON)}, timeout: 20 }\ntasks:\n${tasks.join('\n')}\n`);
  for (let i = 0; i < 2; i++) {
    workers.push(start(process.execPath, [MAIN, 'worker', '--queue', url, '--queue-name', 'qtest', '--jobs', '2', '--cache', path.join(dir, `wcache${i}`), '--lock-duration', '2000', '--stalled-interval', '1000']));
  }
  for (const w of workers) {
    const until = Date.now() + 20_000;
    while (!/ready on/.test(w.log)) {
      if (Date.now() > until) throw new Error(`worker did not start:\n${w.log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}, 60_000);

afterAll(async () => {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => Promise.race([w.exited, new Promise((r) => setTimeout(r, 10_000))])));
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  if (redis) {
    redis.child.kill('SIGTERM');
    await redis.exited;
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('beamtwin eval --queue', () => {
  it('gets all 20 results exactly once although one of two workers is killed mid-run', async () => {
    const out = path.join(dir, 'out');
    let err = '';
    let text = '';
    const io = { stdout: { write: (s: string) => (text += s) }, stderr: { write: (s: string) => (err += s) } };
    const evaluation = runCli(['eval', path.join(dir, 'manifest.yaml'), '--out', out, '--queue', url, '--queue-name', 'qtest'], io);
    // Kill the first worker once it has started two tasks and before the evaluation is over.
    const victim = workers[0]!;
    const until = Date.now() + 60_000;
    while ((victim.log.match(/: task t\d+/g) ?? []).length < 2) {
      if (Date.now() > until) throw new Error(`worker 1 never got two tasks:\n${victim.log}\n${workers[1]!.log}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const startedByVictim = [...victim.log.matchAll(/: task (t\d+)/g)].map((m) => m[1]!);
    victim.child.kill('SIGKILL');
    await victim.exited;
    const code = await evaluation;
    expect(err).not.toMatch(/failed:/);
    expect(code, `${text}\n${err}`).toBe(0);

    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')) as { tasks: { id: string; verdict: string }[]; verdicts: { expected: number; as_expected: number } };
    const ids = summary.tasks.map((t) => t.id);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
    expect(ids.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `t${i + 1}/c`).sort());
    expect(summary.verdicts).toMatchObject({ expected: 20, as_expected: 20 });
    for (let k = 1; k <= 20; k++) expect(fs.existsSync(path.join(out, 'tasks', `t${k}`, 'result.json'))).toBe(true);

    // The queue agrees: 20 completed jobs, none failed; the survivor finished what the victim had started.
    const queue = new Queue('qtest', { connection: { host: '127.0.0.1', port: Number(new URL(url).port), maxRetriesPerRequest: null } });
    try {
      const counts = await queue.getJobCounts('completed', 'failed', 'active', 'wait');
      expect(counts).toMatchObject({ completed: 20, failed: 0, active: 0, wait: 0 });
    } finally {
      await queue.close();
    }
    const survivor = workers[1]!.log;
    const unfinished = startedByVictim.filter((id) => survivor.includes(`: task ${id} `));
    expect(unfinished.length).toBeGreaterThan(0);
  }, 120_000);
});
