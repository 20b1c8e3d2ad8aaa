// Channel Access server throughput, measured with a lean pipelining client built on the protocol core.
// Prints one figure per line. Usage: node dist/scripts/bench/ca.js [channels]
import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { Command, DBE } from '../../ioc/ca/protocol/constants.js';
import { DbrBase } from '../../ioc/ca/protocol/dbr-types.js';
import { Framer } from '../../ioc/ca/protocol/framer.js';
import type { RawMessage } from '../../ioc/ca/protocol/header.js';
import {
  writeClientName,
  writeCreateChanRequest,
  writeEventAddRequest,
  writeEventCancelRequest,
  writeHostName,
  writeReadNotifyRequest,
  writeVersion,
  writeWriteRequest,
} from '../../ioc/ca/protocol/messages.js';
import { ByteWriter } from '../../ioc/ca/protocol/writer.js';

const N = Number(process.argv[2] ?? 10000);
const serverScript = fileURLToPath(new URL('./ca-server.js', import.meta.url));
const child = spawn(process.execPath, [serverScript, String(N)], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<number>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));

const sock = net.connect(port, '127.0.0.1');
sock.setNoDelay(true);
await new Promise((r) => sock.once('connect', r));
let onMessage: (m: RawMessage) => void = () => {};
const framer = new Framer({ message: (m) => onMessage(m), oversized: () => {} }, 1 << 30);
sock.on('data', (c) => framer.push(c));

const w = new ByteWriter(1 << 20);
const send = () => {
  if (w.pos) sock.write(w.take());
};

/** Run `issue(i)` for i < total in windows, resolving when `expect` replies with `cmd` have arrived. */
function pipeline(total: number, cmd: number, issue: (i: number) => void, window = 4096): Promise<number> {
  return new Promise((resolve) => {
    let sent = 0;
    let got = 0;
    const t0 = performance.now();
    const pump = () => {
      while (sent < total && sent - got < window) issue(sent++);
      send();
    };
    onMessage = (m) => {
      if (m.command !== cmd) return;
      got++;
      if (got === total) resolve(performance.now() - t0);
      else if (sent - got < window / 2) pump();
    };
    pump();
  });
}

writeVersion(w, 0, 13);
writeClientName(w, 'bench');
writeHostName(w, 'localhost');
const sids: number[] = new Array(N);
onMessage = () => {};
// Connect: CREATE_CHAN for every channel (ACCESS_RIGHTS + CREATE_CHAN replies).
const tConnect = await new Promise<number>((resolve) => {
  let got = 0;
  const t0 = performance.now();
  onMessage = (m) => {
    if (m.command !== Command.CREATE_CHAN) return;
    sids[m.p1] = m.p2;
    if (++got === N) resolve(performance.now() - t0);
  };
  for (let i = 0; i < N; i++) writeCreateChanRequest(w, `bench:${i}`, i);
  send();
});

const GETS = 300_000;
const tGets = await pipeline(GETS, Command.READ_NOTIFY, (i) => writeReadNotifyRequest(w, DbrBase.DOUBLE + 14, 1, sids[i % N]!, i));
const PUTS = 300_000;
const tPuts = await pipeline(PUTS, Command.WRITE_NOTIFY, (i) => writeWriteRequest(w, true, DbrBase.DOUBLE, sids[i % N]!, i, [i]));
const SUBS = 200_000;
const tSubs = await pipeline(SUBS, Command.EVENT_ADD, (i) => {
  writeEventAddRequest(w, DbrBase.DOUBLE + 14, 1, sids[i % N]!, i, DBE.VALUE | DBE.ALARM);
  writeEventCancelRequest(w, DbrBase.DOUBLE + 14, 1, sids[i % N]!, i);
}, 2048);

// Monitor throughput: subscribe to every channel, then have the server post ROUNDS rounds.
const ROUNDS = 40;
await pipeline(N, Command.EVENT_ADD, (i) => writeEventAddRequest(w, DbrBase.DOUBLE + 14, 1, sids[i]!, 1_000_000 + i, DBE.VALUE));
const triggerSid = await new Promise<number>((resolve) => {
  onMessage = (m) => {
    if (m.command === Command.CREATE_CHAN) resolve(m.p2);
  };
  writeCreateChanRequest(w, 'bench:trigger', N);
  send();
});
const tMonitor = await new Promise<number>((resolve) => {
  let got = 0;
  const total = N * ROUNDS;
  const t0 = performance.now();
  onMessage = (m) => {
    if (m.command === Command.EVENT_ADD && ++got === total) resolve(performance.now() - t0);
  };
  writeWriteRequest(w, false, DbrBase.LONG, triggerSid, 0, [ROUNDS]);
  send();
});

// Latency: one get at a time.
const LAT = 5000;
const tLatency = await new Promise<number>((resolve) => {
  let i = 0;
  const t0 = performance.now();
  const next = () => {
    writeReadNotifyRequest(w, DbrBase.DOUBLE + 14, 1, sids[i % N]!, i);
    send();
  };
  onMessage = (m) => {
    if (m.command !== Command.READ_NOTIFY) return;
    if (++i === LAT) resolve(performance.now() - t0);
    else next();
  };
  next();
});

const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
console.log(`channels connected per second: ${rate(N, tConnect)}`);
console.log(`pipelined gets per second: ${rate(GETS, tGets)}`);
console.log(`pipelined puts per second: ${rate(PUTS, tPuts)}`);
console.log(`subscribe+cancel pairs per second: ${rate(SUBS, tSubs)}`);
console.log(`monitor events per second: ${rate(N * ROUNDS, tMonitor)}`);
console.log(`mean get latency us: ${((tLatency / LAT) * 1000).toFixed(1)}`);
sock.destroy();
child.kill('SIGTERM');
