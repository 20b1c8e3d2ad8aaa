// Channel Access server throughput, measured with the lean pipelining client (ca-lean-client.ts) against
// beamtwin's server in its own process. Prints one figure per line. Usage: node dist/scripts/bench/ca.js [channels]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DbrBase } from '../../ioc/ca/protocol/dbr-types.js';
import { LeanClient } from './ca-lean-client.js';

const N = Number(process.argv[2] ?? 10000);
const ROUNDS = 40;
const serverScript = fileURLToPath(new URL('./ca-server.js', import.meta.url));
const child = spawn(process.execPath, [serverScript, String(N)], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<number>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));

const c = await LeanClient.open(port);
console.log(`channels connected per second: ${await c.connect('bench:', N)}`);
const monitors = await c.monitorEvents({ name: 'bench:trigger', type: DbrBase.LONG, values: [1], times: ROUNDS }, (i) => i + ROUNDS);
console.log(`pipelined gets per second: ${await c.gets(300_000, DbrBase.DOUBLE + 14)}`);
console.log(`pipelined puts per second: ${await c.putCallbacks(300_000)}`);
console.log(`subscribe+cancel pairs per second: ${await c.subscribeCancel(200_000)}`);
console.log(`monitor events per second: ${monitors}`);
console.log(`mean get latency us: ${(await c.latency(5000)).toFixed(1)}`);
c.close();
child.kill('SIGTERM');
