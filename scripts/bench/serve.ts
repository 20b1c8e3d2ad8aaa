// Start-up of `beamtwin serve` with the default (CMS) profile: time from process start until every
// profile PV answers a UDP search, the number of PVs served, and resident memory. One figure per line.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { frameDatagram } from '../../ioc/ca/protocol/framer.js';
import { Command, SEARCH_DONT_REPLY } from '../../ioc/ca/protocol/constants.js';
import { writeSearchRequest, writeVersion } from '../../ioc/ca/protocol/messages.js';
import { ByteWriter } from '../../ioc/ca/protocol/writer.js';
import { RealClock } from '../../ioc/clock.js';
import { loadProfile } from '../../devices/profile/profile.js';
import { Twin } from '../../devices/twin.js';

const main = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const profileArgs = process.argv.slice(2);
// The PVs the twin registers at start-up (record fields, served on demand, are not waited for; `serve
// --list-pvs` lists those too).
const at = profileArgs.indexOf('--profile');
const twin = new Twin(loadProfile(at >= 0 ? profileArgs[at + 1]! : 'cms'), { clock: new RealClock() });
twin.start();
const names = [...twin.db.names()].sort();
twin.stop();

const udp = dgram.createSocket('udp4');
await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
// A free port for the server: bind, read, release.
const probe = dgram.createSocket('udp4');
await new Promise<void>((r) => probe.bind(0, '127.0.0.1', () => r()));
const port = probe.address().port;
probe.close();

const answered = new Set<number>();
udp.on('message', (msg) => {
  frameDatagram(msg, (m) => {
    if (m.command === Command.SEARCH) answered.add(m.p2);
  });
});

const t0 = performance.now();
const child = spawn(process.execPath, [main, 'serve', '--port', String(port), '--interface', '127.0.0.1', ...profileArgs], { stdio: 'ignore' });
const ready = await new Promise<number>((resolve) => {
  const tick = () => {
    if (answered.size === names.length) return resolve(performance.now() - t0);
    // Ask for every name not yet answered, many per datagram, as libca batches searches.
    let w = new ByteWriter(1500);
    writeVersion(w, 0, 13, 0);
    for (let i = 0; i < names.length; i++) {
      if (answered.has(i)) continue;
      writeSearchRequest(w, names[i]!, i, SEARCH_DONT_REPLY);
      if (w.pos > 1300) {
        udp.send(w.take(), port, '127.0.0.1');
        w = new ByteWriter(1500);
        writeVersion(w, 0, 13, 0);
      }
    }
    if (w.pos > 16) udp.send(w.take(), port, '127.0.0.1');
    setTimeout(tick, 10);
  };
  tick();
});
const rss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
console.log(`start to all PVs searchable s: ${(ready / 1000).toFixed(3)}`);
console.log(`PVs served: ${names.length}`);
console.log(`resident memory MB: ${rss.toFixed(1)}`);
child.kill('SIGTERM');
udp.close();
