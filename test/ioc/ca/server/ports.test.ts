import dgram from 'node:dgram';
import { afterAll, describe, expect, it } from 'vitest';
import { CaServer } from '../../../../ioc/ca/server/server.js';
import { RealClock } from '../../../../ioc/clock.js';
import { PvDatabase } from '../../../../ioc/db/database.js';

describe('free ports', () => {
  const servers: CaServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('many servers asking for port 0 each get a UDP search port of their own', async () => {
    // With SO_REUSEADDR, Linux may give two sockets that ask for port 0 the same port; isolated twins
    // would then answer each other's searches. 400 side by side showed duplicates before the fix.
    for (let i = 0; i < 400; i++) {
      const s = new CaServer({ source: new PvDatabase(new RealClock()), config: { port: 0, interfaces: ['127.0.0.1'], beaconAddrs: [] } });
      await s.start();
      servers.push(s);
    }
    const ports = servers.map((s) => s.udpPort);
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('a server that fails to start leaves nothing bound', async () => {
    const probe = dgram.createSocket({ type: 'udp4', reuseAddr: false });
    const port = await new Promise<number>((r) => probe.bind(0, '127.0.0.1', () => r(probe.address().port)));
    await new Promise<void>((r) => probe.close(() => r()));
    // The second address is not on this host (TEST-NET-1): binding it fails after the first succeeded.
    const s = new CaServer({ source: new PvDatabase(new RealClock()), config: { port, interfaces: ['127.0.0.1', '192.0.2.1'], beaconAddrs: [] } });
    await expect(s.start()).rejects.toMatchObject({ code: 'EADDRNOTAVAIL' });
    // Its UDP port on 127.0.0.1 was released: an exclusive bind gets it.
    const again = dgram.createSocket({ type: 'udp4', reuseAddr: false });
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.bind(port, '127.0.0.1', () => resolve());
    });
    await new Promise<void>((r) => again.close(() => r()));
  });
});
