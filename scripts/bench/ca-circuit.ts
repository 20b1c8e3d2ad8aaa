// The CA server's own cost per request, without sockets or a client: one ServerCircuit fed pre-encoded
// requests in 64 kB chunks (as a pipelining client's TCP stream arrives), replies taken and dropped.
// CPU time, not wall time, and no client: steadier than the socket benchmarks on a loaded machine; profile
// with node --cpu-prof. Prints the least CPU nanoseconds per request of five runs for each kind, one per line.
// Usage: node dist/scripts/bench/ca-circuit.js [channels]
import { DBE } from '../../ioc/ca/protocol/constants.js';
import { DbrBase } from '../../ioc/ca/protocol/dbr-types.js';
import {
  writeClearChannel,
  writeCreateChanRequest,
  writeEventAddRequest,
  writeReadNotifyRequest,
  writeVersion,
  writeWriteRequest,
} from '../../ioc/ca/protocol/messages.js';
import { ByteWriter } from '../../ioc/ca/protocol/writer.js';
import { ServerCircuit } from '../../ioc/ca/server/circuit.js';
import { getLogger } from '../../ioc/log.js';
import { benchChannels } from './bench-channels.js';

const N = Number(process.argv[2] ?? 10000);
const CHUNK = 64 * 1024;
const { db, pvs } = benchChannels(N);

/** Encode requests with `fill`, cut into CHUNK-sized pieces (messages may straddle them, as on TCP). */
function chunks(fill: (w: ByteWriter) => void): Buffer[] {
  const w = new ByteWriter(1 << 20);
  fill(w);
  const all = w.take();
  const out: Buffer[] = [];
  for (let at = 0; at < all.length; at += CHUNK) out.push(all.subarray(at, at + CHUNK));
  return out;
}

let replyBytes = 0;
let reading = true;
let sids: number[] = [];
function open(): ServerCircuit {
  return new ServerCircuit(
    {
      write: (b) => void (replyBytes += b.length),
      backlog: 0,
      close: () => {},
      pause: () => void (reading = false),
      resume: () => void (reading = true),
    },
    { source: db, log: getLogger('bench'), maxArrayBytes: 16384, tcpPort: 5064, peer: 'bench' },
  );
}

const turn = () => new Promise((r) => setImmediate(r));

const cpuNs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};

/**
 * CPU nanoseconds per request (this process: the circuit, and the turns that feed it) to push `input`
 * through a circuit until `replies` more reply bytes came out. CPU time, not wall time: other work on the
 * machine barely moves it.
 */
async function time(circuit: ServerCircuit, input: Buffer[], requests: number, replies: number): Promise<number> {
  const target = replyBytes + replies;
  const t0 = cpuNs();
  for (const c of input) {
    // One chunk per turn, as socket reads arrive; held back while the circuit applies backpressure.
    do await turn();
    while (!reading);
    circuit.recv(c);
  }
  while (replyBytes < target) await turn();
  return (cpuNs() - t0) / requests;
}

const connectInput = chunks((w) => {
  writeVersion(w, 0, 13);
  for (let i = 0; i < N; i++) writeCreateChanRequest(w, `bench:${i}`, i);
});
// Channel sids count up from 1 in order of creation on each circuit.
sids = Array.from({ length: N }, (_, i) => i + 1);
const TOTAL = 300_000;
const getInput = chunks((w) => {
  for (let i = 0; i < TOTAL; i++) writeReadNotifyRequest(w, DbrBase.DOUBLE, 1, sids[i % N]!, i);
});
const putInput = chunks((w) => {
  for (let i = 0; i < TOTAL; i++) writeWriteRequest(w, false, DbrBase.DOUBLE, sids[i % N]!, 0, [i]);
});
const putCbInput = chunks((w) => {
  for (let i = 0; i < TOTAL; i++) writeWriteRequest(w, true, DbrBase.DOUBLE, sids[i % N]!, i, [i]);
});
const subInput = chunks((w) => {
  for (let i = 0; i < N; i++) writeEventAddRequest(w, DbrBase.DOUBLE, 1, sids[i]!, i, DBE.VALUE);
});
const clearInput = chunks((w) => {
  for (let i = 0; i < N; i++) writeClearChannel(w, sids[i]!, i);
});

const best: Record<string, number> = {};
const keep = (k: string, v: number) => void (best[k] = Math.min(best[k] ?? Infinity, v));
for (let run = 0; run < 5; run++) {
  const c = open();
  await turn();
  // Replies: ACCESS_RIGHTS + CREATE_CHAN per channel; 24 bytes per get, 16 per put-callback, none per put.
  keep('channel connect', await time(c, connectInput, N, 32 * N));
  keep('DBR_DOUBLE get', await time(c, getInput, TOTAL, 24 * TOTAL));
  keep('DBR_DOUBLE put', await time(c, putInput, TOTAL, 0));
  keep('DBR_DOUBLE put-callback', await time(c, putCbInput, TOTAL, 16 * TOTAL));
  await time(c, subInput, N, 24 * N);
  // Each set posts one monitor event on its channel's subscription.
  const t0 = cpuNs();
  for (let round = 0; round < 20; round++) {
    for (const pv of pvs) pv.set((pv.value as number) + 1);
    await turn();
  }
  keep('monitor event', (cpuNs() - t0) / (20 * N));
  await time(c, clearInput, N, 16 * N);
  c.dispose();
}
for (const [what, v] of Object.entries(best)) console.log(`circuit CPU per ${what} ns: ${Math.round(v)}`);
