// Connection life: server restart, the ECHO watchdog, and close() leaving nothing behind.
import dgram from 'node:dgram';
import net from 'node:net';
import { filter, firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { CaClient } from '../../../../ioc/ca/client/client.js';
import { Command, ECA } from '../../../../ioc/ca/protocol/constants.js';
import { DbrBase } from '../../../../ioc/ca/protocol/dbr-types.js';
import { Framer, frameDatagram } from '../../../../ioc/ca/protocol/framer.js';
import { writeAccessRights, writeCreateChanReply, writeSearchReply, writeVersion } from '../../../../ioc/ca/protocol/messages.js';
import { ByteWriter } from '../../../../ioc/ca/protocol/writer.js';
import { RealClock } from '../../../../ioc/clock.js';
import { PvDatabase } from '../../../../ioc/db/database.js';
import { clientFor, randomPrefix, resourceCounts, silentLogger, startServer, until } from './harness.js';

describe('reconnection', () => {
  it('reconnects, re-creates channels and re-subscribes after the server restarts on the same port', async () => {
    const db = new PvDatabase(new RealClock());
    const p = randomPrefix();
    const pv = db.create(`${p}V`, { type: DbrBase.DOUBLE, value: 1 });
    let server = await startServer(db);
    const port = server.udpPort;
    const client = clientFor(port);
    try {
      const ch = await client.channel(`${p}V`).connected();
      const values: number[] = [];
      const sub = ch.subscribe().subscribe((v) => values.push(v.value as number));
      await until(() => values.length === 1, 5000, 'first monitor update');
      const down = firstValueFrom(ch.connection$.pipe(filter((up) => !up)));
      await server.stop();
      await down;
      expect(ch.isConnected).toBe(false);
      await expect(ch.get({ timeout: 0.05 })).rejects.toMatchObject({ status: ECA.TIMEOUT });
      pv.set(2);
      server = await startServer(db, { port });
      await ch.connected(10);
      expect((await ch.get()).value).toBe(2);
      await until(() => values.at(-1) === 2, 5000, 'monitor update after reconnect');
      pv.set(3);
      await until(() => values.at(-1) === 3, 5000, 'monitor update of a new value');
      expect(values).toEqual([1, 2, 3]);
      sub.unsubscribe();
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('fails requests in flight on a lost circuit with ECA_DISCONN', async () => {
    const db = new PvDatabase(new RealClock());
    const p = randomPrefix();
    db.create(`${p}S`, { type: DbrBase.LONG, value: 0, put: () => new Promise<void>(() => {}) });
    const server = await startServer(db);
    const client = clientFor(server.udpPort);
    try {
      const ch = await client.channel(`${p}S`).connected();
      const pending = ch.put(1, { wait: true, timeout: 30 });
      await ch.get(); // the put reached the server
      await server.stop();
      await expect(pending).rejects.toMatchObject({ status: ECA.DISCONN });
    } finally {
      await client.close();
      await server.stop();
    }
  });
});

/**
 * A server that answers the search and the channel creation, then goes silent (a hung IOC): only the
 * client's ECHO watchdog can notice.
 */
async function silentServer(name: string): Promise<{ port: number; commands: number[]; close(): Promise<void> }> {
  const commands: number[] = [];
  const sockets = new Set<net.Socket>();
  const tcp = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    const w = new ByteWriter();
    writeVersion(w, 0, 13);
    s.write(w.take());
    const framer = new Framer(
      {
        message: (m) => {
          commands.push(m.command);
          if (m.command === Command.CREATE_CHAN) {
            writeAccessRights(w, m.p1, 3);
            writeCreateChanReply(w, DbrBase.DOUBLE, 1, m.p1, 77);
            s.write(w.take());
          }
        },
        oversized: () => {},
      },
      1 << 20,
    );
    s.on('data', (c) => framer.push(c));
    s.on('error', () => {});
  });
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
  const port = (tcp.address() as net.AddressInfo).port;
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
  udp.on('message', (msg, rinfo) => {
    const w = new ByteWriter();
    frameDatagram(msg, (m) => {
      if (m.command === Command.SEARCH && m.payload.toString('latin1').replace(/\0+$/, '') === name) {
        writeVersion(w, 0, 13);
        writeSearchReply(w, port, m.p1);
      }
    });
    if (w.pos) udp.send(w.take(), rinfo.port, rinfo.address);
  });
  return {
    port: udp.address().port,
    commands,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => tcp.close(() => r()));
      await new Promise<void>((r) => udp.close(() => r()));
    },
  };
}

describe('circuit watchdog', () => {
  it('probes a silent circuit with ECHO after EPICS_CA_CONN_TMO and drops it when unanswered', async () => {
    const fake = await silentServer('HUNG:PV');
    const client = clientFor(fake.port, { connTmo: 0.2 });
    try {
      const ch = await client.channel('HUNG:PV').connected();
      expect(ch.nativeType).toBe(DbrBase.DOUBLE);
      const down = firstValueFrom(ch.connection$.pipe(filter((up) => !up)));
      await down;
      expect(fake.commands).toContain(Command.ECHO);
      expect(fake.commands.indexOf(Command.ECHO)).toBeGreaterThan(fake.commands.indexOf(Command.CREATE_CHAN));
      expect(ch.state).not.toBe('connected');
    } finally {
      await client.close();
      await fake.close();
    }
  });

  it('keeps a circuit whose server answers ECHO', async () => {
    const db = new PvDatabase(new RealClock());
    const p = randomPrefix();
    db.create(`${p}E`, { type: DbrBase.DOUBLE, value: 5 });
    const server = await startServer(db);
    const client = clientFor(server.udpPort, { connTmo: 0.1 });
    try {
      const ch = await client.channel(`${p}E`).connected();
      let drops = 0;
      ch.connection$.pipe(filter((up) => !up)).subscribe(() => drops++);
      // Several watchdog periods of silence, each ended by an ECHO the server answers (counted, not timed).
      const w0 = client.stats.writes;
      await expect.poll(() => client.stats.writes, { timeout: 20_000, interval: 10 }).toBeGreaterThanOrEqual(w0 + 3);
      expect(drops).toBe(0);
      expect((await ch.get()).value).toBe(5);
    } finally {
      await client.close();
      await server.stop();
    }
  });
});

describe('close()', () => {
  it('leaves no sockets or timers behind', async () => {
    const db = new PvDatabase(new RealClock());
    const p = randomPrefix();
    db.create(`${p}A`, { type: DbrBase.DOUBLE, value: 1 });
    const server = await startServer(db);
    const baseline = resourceCounts();
    const client = clientFor(server.udpPort);
    const ch = await client.channel(`${p}A`).connected();
    const missing = client.channel(`${p}MISSING`);
    const sub = ch.subscribe().subscribe();
    void missing.connected(30).catch(() => {});
    const pending = ch.get();
    expect(resourceCounts()).not.toEqual(baseline);
    await pending;
    await client.close();
    // Timers and the UDP socket are ours alone: gone the moment close() resolves.
    const now = resourceCounts();
    for (const kind of ['Timeout', 'UDPWrap', 'Immediate']) expect(now[kind] ?? 0, kind).toBeLessThanOrEqual(baseline[kind] ?? 0);
    sub.unsubscribe();
    await expect(missing.connected()).rejects.toMatchObject({ status: ECA.BADCHID });
    // Our sockets are closed when close() resolves; the server's end of the circuit follows.
    // Our sockets are closed when close() resolves; the server's end of the circuit follows. Earlier
    // tests' leftovers may still be going away, so nothing may exceed the baseline.
    const noMoreThanBaseline = () => Object.entries(resourceCounts()).every(([k, n]) => n <= (baseline[k] ?? 0));
    await until(noMoreThanBaseline, 3000, 'resources back to baseline').catch(() => {});
    expect(resourceCounts()).toSatisfy(() => noMoreThanBaseline());
    await server.stop();
  });

  it('rejects new channels after close', async () => {
    const client = new CaClient({ env: {}, addrList: ['127.0.0.1:1'], autoAddrList: false, log: silentLogger() });
    await client.close();
    expect(() => client.channel('X')).toThrow(/closed/);
  });
});
