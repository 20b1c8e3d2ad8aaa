// Many twins side by side, as `eval` runs them: CMS twins started in one process (each a TwinSession:
// database, devices, CA server on its own free ports, private repeater), resident memory per idle twin,
// and whether every one of them still answers a search. One figure per line.
//   node --expose-gc dist/scripts/bench/twins.js [count=50]
import dgram from 'node:dgram';
import { TwinSession } from '../../harness/twin-session.js';
import { Command, SEARCH_DONT_REPLY } from '../../ioc/ca/protocol/constants.js';
import { frameDatagram } from '../../ioc/ca/protocol/framer.js';
import { writeSearchRequest, writeVersion } from '../../ioc/ca/protocol/messages.js';
import { ByteWriter } from '../../ioc/ca/protocol/writer.js';

const count = Number(process.argv[2] ?? 50);
const gc = (globalThis as { gc?: () => void }).gc;
const rssMB = () => {
  gc?.();
  return process.memoryUsage().rss / 2 ** 20;
};

const before = rssMB();
const t0 = performance.now();
const sessions: TwinSession[] = [];
for (let i = 0; i < count; i++) sessions.push(await TwinSession.start({ profile: 'cms' }));
const startMs = (performance.now() - t0) / count;
// Let start-up transients (first monitors, timers) settle before measuring the idle state.
await new Promise((r) => setTimeout(r, 1000));
const after = rssMB();

// Every twin answers a search for a motor.
const udp = dgram.createSocket('udp4');
await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
const answered = new Set<number>();
udp.on('message', (msg) => frameDatagram(msg, (m) => void (m.command === Command.SEARCH && answered.add(m.p2))));
for (let round = 0; round < 20 && answered.size < count; round++) {
  sessions.forEach((s, i) => {
    if (answered.has(i)) return;
    const w = new ByteWriter(128);
    writeVersion(w, 0, 13, 0);
    writeSearchRequest(w, 'XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr', i, SEARCH_DONT_REPLY);
    udp.send(w.take(), s.server.udpPort, '127.0.0.1');
  });
  await new Promise((r) => setTimeout(r, 100));
}
udp.close();

console.log(`twins started side by side: ${count}`);
console.log(`twins answering a search: ${answered.size}`);
console.log(`start-up per twin: ${startMs.toFixed(1)} ms`);
console.log(`resident memory per idle CMS twin: ${((after - before) / count).toFixed(1)} MB${gc ? '' : ' (run with --expose-gc for a steadier figure)'}`);
console.log(`resident memory of the process with ${count} twins: ${after.toFixed(0)} MB`);
for (const s of sessions) await s.stop();
