// beamtwin's CA server against EPICS' own: pythonSoftIOC (RSRV and record support, from the test
// environment) and beamtwin serve the same 10 000 DOUBLE channels, each in its own process; the lean
// client (ca-lean-client.ts) measures both the same way, one server at a time, best of three, and
// prints each figure and the ratio beamtwin/C, one per line.
// Usage: node dist/scripts/bench/ca-vs-c.js [channels]   (BEAMTWIN_PYTHON overrides .venv/bin/python)
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DbrBase } from '../../ioc/ca/protocol/dbr-types.js';
import { LeanClient } from './ca-lean-client.js';

const N = Number(process.argv[2] ?? 10000);
const ROUNDS = 20;
const RUNS = 3;
const here = dirname(fileURLToPath(import.meta.url));

function repoRoot(): string {
  for (let dir = here; dirname(dir) !== dir; dir = dirname(dir)) if (existsSync(join(dir, 'package.json'))) return dir;
  throw new Error('repository root not found');
}

async function freePort(): Promise<number> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const { port } = sock.address();
  await new Promise<void>((r) => sock.close(() => r()));
  return port;
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (d: Buffer) => {
      text += String(d);
      const nl = text.indexOf('\n');
      if (nl >= 0) resolve(text.slice(0, nl).trim());
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before it was ready`)));
  });
}

interface Server {
  readonly port: number;
  readonly child: ChildProcess;
  /** The channel whose writes post one new value on every bench channel. */
  readonly trigger: string;
}

async function startTwin(): Promise<Server> {
  const child = spawn(process.execPath, [join(here, 'ca-server.js'), String(N)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return { port: Number(await firstLine(child)), child, trigger: 'bench:trigger' };
}

async function startC(): Promise<Server> {
  const root = repoRoot();
  const python = process.env['BEAMTWIN_PYTHON'] ?? join(root, '.venv', 'bin', 'python');
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('EPICS_')) delete env[k];
  Object.assign(env, {
    EPICS_CA_SERVER_PORT: String(port),
    EPICS_CAS_INTF_ADDR_LIST: '127.0.0.1',
    EPICS_CAS_BEACON_ADDR_LIST: `127.0.0.1:${await freePort()}`,
    EPICS_CAS_AUTO_BEACON_ADDR_LIST: 'NO',
    EPICS_PVAS_INTF_ADDR_LIST: '127.0.0.1',
    EPICS_PVAS_SERVER_PORT: String(await freePort()),
    EPICS_PVAS_BROADCAST_PORT: String(await freePort()),
  });
  const child = spawn(python, [join(root, 'scripts', 'bench', 'c-ioc.py'), String(N)], { stdio: ['ignore', 'pipe', 'inherit'], env });
  await firstLine(child);
  // RSRV starts listening a moment after iocInit returns.
  for (let i = 0; ; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) break;
    if (i === 100) throw new Error(`the C IOC never listened on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, child, trigger: 'bench:trigger.PROC' };
}

interface Figures {
  connects: number;
  gets: number;
  puts: number;
  putCallbacks: number;
  monitors: number;
}

const best = (a: Figures | undefined, b: Figures): Figures =>
  a ? (Object.fromEntries(Object.keys(b).map((k) => [k, Math.max(a[k as keyof Figures], b[k as keyof Figures])])) as unknown as Figures) : b;

async function measure(server: Server, run: number): Promise<Figures> {
  const c = await LeanClient.open(server.port);
  try {
    const connects = await c.connect('bench:', N);
    // Monitors first: each run adds ROUNDS to every value, which starts at its index; puts come after.
    const monitors = await c.monitorEvents(
      { name: server.trigger, type: DbrBase.LONG, values: [1], times: ROUNDS },
      (i) => i + ROUNDS * (run + 1),
    );
    const gets = await c.gets(300_000);
    return { connects, gets, monitors, puts: 0, putCallbacks: 0 };
  } finally {
    c.close();
  }
}

async function measurePuts(server: Server): Promise<Pick<Figures, 'puts' | 'putCallbacks'>> {
  const c = await LeanClient.open(server.port);
  try {
    await c.connect('bench:', N);
    return { puts: await c.puts(300_000), putCallbacks: await c.putCallbacks(200_000) };
  } finally {
    c.close();
  }
}

const twin = await startTwin();
const cIoc = await startC();
try {
  let t: Figures | undefined;
  let k: Figures | undefined;
  for (let run = 0; run < RUNS; run++) {
    t = best(t, await measure(twin, run));
    k = best(k, await measure(cIoc, run));
  }
  for (let run = 0; run < RUNS; run++) {
    t = best(t, { ...t!, ...(await measurePuts(twin)) });
    k = best(k, { ...k!, ...(await measurePuts(cIoc)) });
  }
  const rows: [string, keyof Figures][] = [
    ['pipelined DBR_DOUBLE gets per second', 'gets'],
    ['pipelined DBR_DOUBLE puts per second', 'puts'],
    ['pipelined DBR_DOUBLE put-callbacks per second', 'putCallbacks'],
    ['channel connects per second', 'connects'],
    ['monitor events per second', 'monitors'],
  ];
  for (const [what, key] of rows) {
    console.log(`beamtwin ${what}: ${t![key]}`);
    console.log(`C RSRV ${what}: ${k![key]}`);
    console.log(`ratio beamtwin/C ${what.replace(' per second', '')}: ${(t![key] / k![key]).toFixed(2)}`);
  }
} finally {
  twin.child.kill('SIGTERM');
  cIoc.child.kill('SIGTERM');
}
