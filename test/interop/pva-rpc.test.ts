// p4p's client doing what the twin does not serve (RPC): a clear error for that request, and the same
// circuit still answers afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PvDatabase } from '../../ioc/db/database.js';
import { RealClock } from '../../ioc/clock.js';
import { DbrBase } from '../../ioc/epics/field-type.js';
import { PvaServer } from '../../ioc/pva/server/server.js';
import { runP4p } from './p4p.js';

describe('p4p (pvxs) rpc against the PVA server', () => {
  const db = new PvDatabase(new RealClock());
  const server = new PvaServer({ source: db, config: { tcpPort: 0, udpPort: 0, interfaces: ['127.0.0.1'], beaconAddrs: [] } });
  beforeAll(async () => {
    db.create('t:x', { type: DbrBase.DOUBLE, value: 1.5 });
    await server.start();
  });
  afterAll(() => server.stop());

  it('Context.rpc gets a RemoteError naming RPC, not a timeout; a get on the same context still works', async () => {
    const [m] = await runP4p(
      String.raw`
from p4p.nt import NTScalar
from p4p.client.thread import RemoteError
before = ctx.get('t:x', timeout=5)
try:
    ctx.rpc('t:x', NTScalar('d').wrap(2.0), timeout=20)
    r = {'error': None}
except RemoteError as e:
    r = {'error': 'RemoteError', 'message': str(e)}
except Exception as e:
    r = {'error': type(e).__name__, 'message': str(e)}
r['after'] = ctx.get('t:x', timeout=5).todict()['value']
out(r)
`,
      server.clientEnv(),
    );
    // The server's answer (a hang would end in p4p's TimeoutError instead), and the context is still usable.
    expect(m).toEqual({ error: 'RemoteError', message: 't:x: RPC is not supported by this server (it serves GET, PUT, PUT_GET, MONITOR and GET_FIELD)', after: 1.5 });
  });
});
