import { describe, expect, it } from 'vitest';
import { RealClock } from '../../../../ioc/clock.js';
import { PvDatabase } from '../../../../ioc/db/database.js';
import { DbrBase } from '../../../../ioc/epics/field-type.js';
import { PvaClient } from '../../../../ioc/pva/client/client.js';
import { pvaServerConfigFromEnv } from '../../../../ioc/pva/config.js';
import { PvaServer } from '../../../../ioc/pva/server/server.js';

describe('PVA server configuration from the environment', () => {
  it('defaults: ports 5075/5076, loopback interface, beacons to loopback', () => {
    const c = pvaServerConfigFromEnv({});
    expect(c).toMatchObject({ tcpPort: 5075, udpPort: 5076, interfaces: ['127.0.0.1'], beaconAddrs: [{ host: '127.0.0.1', port: 5076 }], beaconPeriod: 15 });
  });

  it('EPICS_PVAS_* win over EPICS_PVA_*, as pvxs reads them', () => {
    const c = pvaServerConfigFromEnv({
      EPICS_PVA_SERVER_PORT: '6000',
      EPICS_PVAS_SERVER_PORT: '6001',
      EPICS_PVA_BROADCAST_PORT: '6002',
      EPICS_PVAS_INTF_ADDR_LIST: '127.0.0.2 127.0.0.3',
      EPICS_PVA_ADDR_LIST: '10.0.0.255',
      EPICS_PVAS_BEACON_ADDR_LIST: '127.0.0.9:7000 127.0.0.8',
      EPICS_PVAS_IGNORE_ADDR_LIST: '127.0.0.5',
    });
    expect(c).toMatchObject({
      tcpPort: 6001,
      udpPort: 6002,
      interfaces: ['127.0.0.2', '127.0.0.3'],
      beaconAddrs: [{ host: '127.0.0.9', port: 7000 }, { host: '127.0.0.8', port: 6002 }],
      ignoreAddrs: ['127.0.0.5'],
    });
  });

  it('an empty beacon list or auto NO means no beacons; a bad port falls back to the default', () => {
    expect(pvaServerConfigFromEnv({ EPICS_PVAS_BEACON_ADDR_LIST: '' }).beaconAddrs).toEqual([]);
    expect(pvaServerConfigFromEnv({ EPICS_PVA_AUTO_ADDR_LIST: 'NO' }).beaconAddrs).toEqual([]);
    expect(pvaServerConfigFromEnv({ EPICS_PVA_SERVER_PORT: '99999' }).tcpPort).toBe(5075);
  });
});

describe('several twins on one host', () => {
  it('each serves its own PVs on its own free ports; a client aimed at one finds only that one', async () => {
    const dbs = [new PvDatabase(new RealClock()), new PvDatabase(new RealClock())];
    dbs[0]!.create('twinA:x', { type: DbrBase.LONG, value: 1 });
    dbs[1]!.create('twinB:x', { type: DbrBase.LONG, value: 2 });
    const servers = dbs.map((source) => new PvaServer({ source, config: { tcpPort: 0, udpPort: 0, beaconAddrs: [] } }));
    await Promise.all(servers.map((s) => s.start()));
    const clients = servers.map((s) => new PvaClient({ env: s.clientEnv(), timeout: 1 }));
    try {
      expect(servers[0]!.udpPort).not.toBe(servers[1]!.udpPort);
      expect((await clients[0]!.get('twinA:x')).value['value']).toBe(1);
      expect((await clients[1]!.get('twinB:x')).value['value']).toBe(2);
      await expect(clients[0]!.get('twinB:x')).rejects.toThrow(/twinB:x/);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await Promise.all(servers.map((s) => s.stop()));
    }
  });
});
