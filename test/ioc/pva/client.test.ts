// Our PVA client against our server (loopback, free ports) and against a p4p (pvxs) server.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealClock } from '../../../ioc/clock.js';
import { PvDatabase } from '../../../ioc/db/database.js';
import { DbrBase } from '../../../ioc/epics/field-type.js';
import { PvaClient, PvaRequestError } from '../../../ioc/pva/client/client.js';
import { PvaServer } from '../../../ioc/pva/server/server.js';
import { freeUdpPort } from '../../helpers/ports.js';
import { venvPython } from '../../helpers/python.js';

describe('PvaClient against the twin server', () => {
  const db = new PvDatabase(new RealClock());
  const server = new PvaServer({ source: db, config: { tcpPort: 0, udpPort: 0, beaconAddrs: [] } });
  let client: PvaClient;
  beforeAll(async () => {
    db.create('c:x', { type: DbrBase.DOUBLE, value: 1.25, units: 'V' });
    db.create('c:e', { type: DbrBase.ENUM, value: 0, enumStrings: ['Off', 'On'] });
    db.create('c:a', { type: DbrBase.LONG, value: [1, 2], maxCount: 4 });
    await server.start();
    client = new PvaClient({ env: server.clientEnv(), timeout: 5 });
  });
  afterAll(async () => {
    await client.close();
    await server.stop();
  });

  it('get, put (scalar, enum by name, array) and info', async () => {
    expect((await client.get('c:x')).value['value']).toBe(1.25);
    await client.put('c:x', '2.5');
    await client.put('c:e', 'On');
    await client.put('c:a', '7,8,9');
    expect(db.get('c:x')!.value).toBe(2.5);
    expect(db.get('c:e')!.value).toBe(1);
    expect(Array.from(db.get('c:a')!.value as number[])).toEqual([7, 8, 9]);
    const t = await client.info('c:x');
    expect(t).toMatchObject({ kind: 'structure', id: 'epics:nt/NTScalar:1.0' });
  });

  it('monitor: initial value then changes; a missing PV times out with a clear error', async () => {
    const got: unknown[] = [];
    let stop!: () => void;
    await new Promise<void>((resolve) => {
      void client
        .monitor('c:x', {
          onUpdate: (v) => {
            got.push(v['value']);
            if (got.length === 1) db.get('c:x')!.set(9);
            if (got.length === 2) resolve();
          },
        })
        .then((s) => (stop = s));
    });
    stop();
    expect(got).toEqual([2.5, 9]);
    const quick = new PvaClient({ env: server.clientEnv(), timeout: 0.3 });
    await expect(quick.get('nope')).rejects.toThrow(/no server answered for nope|timeout/);
    await expect(quick.get('nope')).rejects.toBeInstanceOf(PvaRequestError);
    await quick.close();
  });
});

describe('PvaClient when the server destroys a channel', () => {
  it('fails the monitor on it, and the next request on the name searches again', async () => {
    const db = new PvDatabase(new RealClock());
    const pv = db.create('d:x', { type: DbrBase.DOUBLE, value: 1 });
    const server = new PvaServer({ source: db, config: { tcpPort: 0, udpPort: 0, beaconAddrs: [] } });
    await server.start();
    const client = new PvaClient({ env: server.clientEnv(), timeout: 5 });
    try {
      const failed = new Promise<Error>((resolve) => {
        void client.monitor('d:x', { onUpdate: () => server.disconnectPv(pv), onError: resolve });
      });
      expect((await failed).message).toBe('channel destroyed by the server');
      pv.set(2);
      expect((await client.get('d:x')).value['value']).toBe(2);
    } finally {
      await client.close();
      await server.stop();
    }
  });
});

describe('PvaClient against a p4p (pvxs) server', () => {
  it('gets and puts an NTScalar served by p4p', async () => {
    const udp = await freeUdpPort();
    const script = String.raw`
import sys, time
from p4p.nt import NTScalar
from p4p.server import Server
from p4p.server.thread import SharedPV
pv = SharedPV(nt=NTScalar('d'), initial=4.25)
@pv.put
def onput(pv, op):
    pv.post(op.value() * 2); op.done()
with Server(providers=[{'p4p:x': pv}], conf={'EPICS_PVAS_INTF_ADDR_LIST': '127.0.0.1', 'EPICS_PVA_SERVER_PORT': '0', 'EPICS_PVA_BROADCAST_PORT': '${udp}', 'EPICS_PVAS_BEACON_ADDR_LIST': '', 'EPICS_PVAS_AUTO_BEACON_ADDR_LIST': 'NO'}, useenv=False):
    print('ready', flush=True)
    sys.stdin.read()
`;
    const proc = spawn(venvPython(), ['-c', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        proc.stdout.on('data', (d: Buffer) => String(d).includes('ready') && resolve());
        proc.on('close', (c) => reject(new Error(`p4p server exited ${c}`)));
      });
      const client = new PvaClient({ env: { EPICS_PVA_ADDR_LIST: `127.0.0.1:${udp}`, EPICS_PVA_AUTO_ADDR_LIST: 'NO' }, timeout: 5 });
      try {
        const got = await client.get('p4p:x');
        expect(got.desc.id).toBe('epics:nt/NTScalar:1.0');
        expect(got.value['value']).toBe(4.25);
        await client.put('p4p:x', 3);
        expect((await client.get('p4p:x', 'field(value)')).value).toEqual({ value: 6 });
      } finally {
        await client.close();
      }
    } finally {
      proc.stdin.end();
      proc.kill();
    }
  });
});
