// beamtwin's CA server against EPICS' own: pythonSoftIOC (RSRV and record support, from the test
// environment) and beamtwin serve the same 10 000 DOUBLE channels, each in its own process; the lean
// client (ca-lean-client.ts) measures both the same way, one server at a time, after a warm-up round, best
// of three, and prints each figure and the ratio beamtwin/C, one per line; then the server CPU time (all
// threads, from /proc) per request of each, which a loaded machine disturbs far less than the rates.
// Usage: node dist/scripts/bench/ca-vs-c.js [channels]   (BEAMTWIN_PYTHON overrides .venv/bin/python)
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DbrBase } from '../../ioc/ca/protocol/dbr-types.js';
import { LeanClient } from './ca-lean-client.js';

const N = Number(process.argv[2] ?? 10000);
const ROUNDS = 20;
const RUNS = 3;
const GETS = 300_000;
const PUTS = 300_000;
const PUT_CALLBACKS = 200_000;
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
type Key = keyof Figures;

/**
 * CPU time of every thread of a process so far, in nanoseconds (Linux schedstat), or undefined elsewhere.
 * Server CPU per request holds steady on a loaded machine, where requests per second do not.
 */
function cpuNs(pid: number): number | undefined {
  try {
    let sum = 0;
    for (const t of readdirSync(`/proc/${pid}/task`)) sum += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
    return sum;
  } catch {
    return undefined;
  }
}

/** Best rates and least server CPU per request (ns) seen for one server. */
class Tally {
  readonly rate: Partial<Figures> = {};
  readonly cpu: Partial<Figures> = {};
  constructor(readonly server: Server) {}

  /** Run one measurement of `n` requests returning a rate; keep the best of it and of the server CPU it took. */
  async time(key: Key, n: number | (() => number), fn: () => Promise<number>): Promise<void> {
    const pid = this.server.child.pid!;
    const c0 = cpuNs(pid);
    const rate = await fn();
    const c1 = cpuNs(pid);
    this.rate[key] = Math.max(this.rate[key] ?? 0, rate);
    const requests = typeof n === 'number' ? n : n();
    if (c0 !== undefined && c1 !== undefined && requests > 0) this.cpu[key] = Math.min(this.cpu[key] ?? Infinity, (c1 - c0) / requests);
  }
}

async function measure(t: Tally, run: number): Promise<void> {
  const c = await LeanClient.open(t.server.port);
  try {
    await t.time('connects', N, () => c.connect('bench:', N));
    // Monitors first: each run adds ROUNDS to every value, which starts at its index; puts come after.
    // Servers may coalesce (both do): the events counted, for the rate and the CPU, are those delivered.
    await t.time(
      'monitors',
      () => c.lastEvents,
      () => c.monitorEvents({ name: t.server.trigger, type: DbrBase.LONG, values: [1], times: ROUNDS }, (i) => i + ROUNDS * (run + 1)),
    );
    await t.time('gets', GETS, () => c.gets(GETS));
  } finally {
    c.close();
  }
}

async function measurePuts(t: Tally): Promise<void> {
  const c = await LeanClient.open(t.server.port);
  try {
    await c.connect('bench:', N);
    await t.time('puts', PUTS, () => c.puts(PUTS));
    await t.time('putCallbacks', PUT_CALLBACKS, () => c.putCallbacks(PUT_CALLBACKS));
  } finally {
    c.close();
  }
}

const twin = new Tally(await startTwin());
const cIoc = new Tally(await startC());
try {
  // Run 0 warms up (the JIT compiles beamtwin's hot path); runs 1..RUNS count, the two servers taking turns.
  // Puts come after every monitor run: they overwrite the values the monitor runs count on.
  for (let run = 0; run <= RUNS; run++) for (const t of [twin, cIoc]) await measure(run > 0 ? t : new Tally(t.server), run);
  for (let run = 0; run <= RUNS; run++) for (const t of [twin, cIoc]) await measurePuts(run > 0 ? t : new Tally(t.server));
  const rows: [string, Key][] = [
    ['pipelined DBR_DOUBLE gets', 'gets'],
    ['pipelined DBR_DOUBLE puts', 'puts'],
    ['pipelined DBR_DOUBLE put-callbacks', 'putCallbacks'],
    ['channel connects', 'connects'],
    ['monitor events', 'monitors'],
  ];
  for (const [what, key] of rows) {
    console.log(`beamtwin ${what} per second: ${twin.rate[key]}`);
    console.log(`C RSRV ${what} per second: ${cIoc.rate[key]}`);
    console.log(`ratio beamtwin/C ${what}: ${(twin.rate[key]! / cIoc.rate[key]!).toFixed(2)}`);
  }
  // Server CPU per request (all threads), steadier than rates when other work shares the cores.
  for (const [what, key] of rows) {
    const tc = twin.cpu[key];
    const cc = cIoc.cpu[key];
    if (tc === undefined || cc === undefined) continue;
    console.log(`beamtwin server CPU per ${what.replace(/s$/, '')} ns: ${Math.round(tc)}`);
    console.log(`C RSRV server CPU per ${what.replace(/s$/, '')} ns: ${Math.round(cc)}`);
    console.log(`ratio C/beamtwin server CPU per ${what.replace(/s$/, '')}: ${(cc / tc).toFixed(2)}`);
  }
  console.log(`load average (1 min) at the end: ${loadavg()[0]!.toFixed(2)}`);
} finally {
  twin.server.child.kill('SIGTERM');
  cIoc.server.child.kill('SIGTERM');
}
