// The CA repeater: registration, fan-out, dead clients; our client and libca (pyepics) behind it.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { Command } from '../../../../ioc/ca/protocol/constants.js';
import { DbrBase } from '../../../../ioc/ca/protocol/dbr-types.js';
import { frameDatagram } from '../../../../ioc/ca/protocol/framer.js';
import { writeBeacon, writeRepeaterRegister } from '../../../../ioc/ca/protocol/messages.js';
import { ByteWriter } from '../../../../ioc/ca/protocol/writer.js';
import { CaRepeater, classifyDatagram } from '../../../../ioc/ca/repeater/repeater.js';
import { RealClock } from '../../../../ioc/clock.js';
import { PvDatabase } from '../../../../ioc/db/database.js';
import { DEBIAN_PYTHON } from '../../../helpers/python.js';
import { clientFor, randomPrefix, silentLogger, startServer, until } from './harness.js';

const PYTHON = DEBIAN_PYTHON;

async function startRepeater(): Promise<CaRepeater> {
  for (;;) {
    const r = new CaRepeater({ port: 0, host: '127.0.0.1', log: silentLogger() });
    await r.start();
    if (r.port !== 5064 && r.port !== 5065) return r;
    await r.stop();
  }
}

interface Peer {
  sock: dgram.Socket;
  port: number;
  got: { command: number; p1: number; p2: number }[];
}

async function peer(): Promise<Peer> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const got: Peer['got'] = [];
  sock.on('message', (m) => frameDatagram(m, (x) => got.push({ command: x.command, p1: x.p1, p2: x.p2 })));
  return { sock, port: sock.address().port, got };
}

const msg = (fn: (w: ByteWriter) => void): Buffer => {
  const w = new ByteWriter(16);
  fn(w);
  return w.take();
};
const close = (s: dgram.Socket) => new Promise<void>((r) => s.close(() => r()));

describe('CaRepeater', () => {
  it('classifies datagrams', () => {
    expect(classifyDatagram(msg((w) => writeRepeaterRegister(w, 0)))).toBe('register');
    expect(classifyDatagram(msg((w) => writeBeacon(w, 5064, 1)))).toBe('forward');
    expect(classifyDatagram(Buffer.alloc(0))).toBe('register'); // how libca registers
    expect(classifyDatagram(Buffer.alloc(5))).toBe('ignore');
  });

  it('confirms registrations and fans beacons out to every client but the sender', async () => {
    const rep = await startRepeater();
    const a = await peer();
    const b = await peer();
    try {
      a.sock.send(msg((w) => writeRepeaterRegister(w, 0x7f000001)), rep.port, '127.0.0.1');
      await until(() => a.got.some((m) => m.command === Command.REPEATER_CONFIRM), 3000, 'confirm to a');
      expect(a.got.find((m) => m.command === Command.REPEATER_CONFIRM)!.p2).toBe(0x7f000001);
      b.sock.send(msg((w) => writeRepeaterRegister(w, 0x7f000001)), rep.port, '127.0.0.1');
      await until(() => b.got.some((m) => m.command === Command.REPEATER_CONFIRM), 3000, 'confirm to b');
      // b's registration probes the others with an empty VERSION
      await until(() => a.got.some((m) => m.command === Command.VERSION), 3000, 'probe to a');
      expect(rep.clientList.sort()).toEqual([`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`].sort());
      b.sock.send(msg((w) => writeBeacon(w, 40000, 17)), rep.port, '127.0.0.1');
      await until(() => a.got.some((m) => m.command === Command.RSRV_IS_UP), 3000, 'beacon at a');
      expect(a.got.find((m) => m.command === Command.RSRV_IS_UP)).toEqual({ command: Command.RSRV_IS_UP, p1: 17, p2: 0 });
      // The sender does not get its own datagram back: a later beacon from elsewhere arrives alone.
      const server = await peer();
      server.sock.send(msg((w) => writeBeacon(w, 40000, 18)), rep.port, '127.0.0.1');
      await until(() => b.got.some((m) => m.command === Command.RSRV_IS_UP), 3000, 'beacon at b');
      expect(b.got.filter((m) => m.command === Command.RSRV_IS_UP).map((m) => m.p1)).toEqual([18]);
      await close(server.sock);
    } finally {
      await close(a.sock);
      await close(b.sock);
      await rep.stop();
    }
  });

  it('drops clients that went away when another registers', async () => {
    const rep = await startRepeater();
    const a = await peer();
    const b = await peer();
    try {
      a.sock.send(msg((w) => writeRepeaterRegister(w, 0)), rep.port, '127.0.0.1');
      await until(() => rep.clientList.length === 1, 3000, 'a registered');
      await close(a.sock);
      b.sock.send(msg((w) => writeRepeaterRegister(w, 0)), rep.port, '127.0.0.1');
      await until(() => rep.clientList.length === 1 && rep.clientList[0] === `127.0.0.1:${b.port}`, 3000, 'a dropped');
      expect(rep.stats.dropped).toBe(1);
    } finally {
      await close(b.sock);
      await rep.stop();
    }
  });

  it('refuses a second repeater on the same port', async () => {
    const rep = await startRepeater();
    const other = new CaRepeater({ port: rep.port, host: '127.0.0.1', log: silentLogger() });
    await expect(other.start()).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await rep.stop();
  });

  it('passes a restarted server’s beacons to our client, which searches again at once', async () => {
    const rep = await startRepeater();
    const db = new PvDatabase(new RealClock());
    const p = randomPrefix();
    db.create(`${p}LATE`, { type: DbrBase.DOUBLE, value: 4 });
    // A port for the server-to-be: taken from a server we stop again.
    const first = await startServer(new PvDatabase(new RealClock()));
    const port = first.udpPort;
    await first.stop();
    const client = clientFor(port, { repeaterPort: rep.port });
    try {
      const ch = client.channel(`${p}LATE`);
      await until(() => client.repeaterConfirmed, 5000, 'client registered with the repeater');
      await until(() => client.stats.searchDatagrams >= 4, 5000, 'searches backing off');
      const server = await startServer(db, { port, beaconAddrs: [{ host: '127.0.0.1', port: rep.port }] });
      try {
        await ch.connected(10);
        await until(() => client.stats.beaconAnomalies >= 1, 5000, 'beacon seen through the repeater');
        expect(client.stats.beacons).toBeGreaterThanOrEqual(1);
        expect((await ch.get()).value).toBe(4);
      } finally {
        await server.stop();
      }
    } finally {
      await client.close();
      await rep.stop();
    }
  });

  it('libca (pyepics) registers, receives beacons and reconnects after our server restarts', async () => {
    const rep = await startRepeater();
    const db = new PvDatabase(new RealClock());
    const p = randomPrefix();
    db.create(`${p}PY`, { type: DbrBase.DOUBLE, value: 1.5 });
    const beaconAddrs = [{ host: '127.0.0.1', port: rep.port }];
    let server = await startServer(db, { beaconAddrs });
    const port = server.udpPort;
    const script = String.raw`
import sys, json, epics
def out(o):
    sys.stdout.write('@@ ' + json.dumps(o) + '\n'); sys.stdout.flush()
def on_conn(pvname=None, conn=None, **kw):
    out({'conn': bool(conn)})
pv = epics.PV(sys.argv[1], connection_callback=on_conn)
out({'value': pv.get(timeout=5)})
for line in sys.stdin:
    if line.strip() == 'get':
        out({'value': pv.get(timeout=5)})
`;
    const py = spawn(PYTHON, ['-c', script, `${p}PY`], {
      env: {
        ...process.env,
        EPICS_CA_ADDR_LIST: `127.0.0.1:${port}`,
        EPICS_CA_AUTO_ADDR_LIST: 'NO',
        EPICS_CA_SERVER_PORT: String(port),
        EPICS_CA_REPEATER_PORT: String(rep.port),
      },
    });
    const events: Record<string, unknown>[] = [];
    let stdout = '';
    py.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      for (;;) {
        const nl = stdout.indexOf('\n');
        if (nl < 0) break;
        const line = stdout.slice(0, nl);
        stdout = stdout.slice(nl + 1);
        if (line.startsWith('@@ ')) events.push(JSON.parse(line.slice(3)) as Record<string, unknown>);
      }
    });
    py.stderr.on('data', () => {}); // libca's "cannot start caRepeater" noise, should it appear
    try {
      await until(() => events.some((e) => e['value'] === 1.5), 15000, 'pyepics read');
      // libca first registers 10 s after its context starts, then retries every second (repeaterSubscribeTimer.cpp).
      await until(() => rep.clientList.length >= 1, 25000, 'libca registered with the repeater');
      const libca = rep.clientList[0]!;
      await server.stop();
      await until(() => events.some((e) => e['conn'] === false), 10000, 'pyepics saw the disconnect');
      db.get(`${p}PY`)!.set(2.5);
      const forwardedBefore = rep.stats.forwarded;
      server = await startServer(db, { port, beaconAddrs });
      await until(() => events.filter((e) => e['conn'] === true).length >= 2, 15000, 'pyepics reconnected');
      await until(() => rep.stats.forwarded > forwardedBefore, 5000, 'beacons forwarded');
      expect(rep.clientList).toContain(libca);
      py.stdin.write('get\n');
      await until(() => events.some((e) => e['value'] === 2.5), 10000, 'pyepics read after restart');
    } finally {
      py.stdin.end();
      py.kill();
      await server.stop();
      await rep.stop();
    }
  }, 90_000);
});
