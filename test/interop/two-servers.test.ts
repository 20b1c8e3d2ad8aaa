// Two twins on one host at once, on two ports: each answers only its own names, and the same name on both
// gives each client the value of the server it is aimed at.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DbrBase } from '../../ioc/ca/protocol/dbr-types.js';
import { randomPrefix, startTestServer, type TestServer } from '../helpers/ca-server.js';
import { runPython } from './pyepics.js';
import { py } from './python-lib.js';

let a: TestServer;
let b: TestServer;
const shared = randomPrefix();

beforeAll(async () => {
  a = await startTestServer(
    (db, p) => {
      db.create(p + 'val', { type: DbrBase.DOUBLE, value: 1 });
      db.create(p + 'only_a', { type: DbrBase.STRING, value: 'from A' });
    },
    {},
    { prefix: shared },
  );
  b = await startTestServer(
    (db, p) => {
      db.create(p + 'val', { type: DbrBase.DOUBLE, value: 2 });
      db.create(p + 'only_b', { type: DbrBase.STRING, value: 'from B' });
    },
    {},
    { prefix: shared },
  );
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
});

const ONE_SERVER = (other: string) => String.raw`
P = ${py(shared)}
chid = connect(P + 'val')
res = {'val': ca.get(chid), 'port': int(ca.host_name(chid).rsplit(':', 1)[1])}
ca.put(chid, res['val'] * 10, wait=True)
res['after'] = ca.get(chid)
# The other twin's name: this server does not answer for it.
other = ca.create_channel(P + ${py(other)}, connect=False, auto_cb=False)
res['other_connected'] = bool(ca.connect_channel(other, timeout=1.5))
out(res)
`;

it('runs on two ports at once; each client sees its own server only', async () => {
  expect(a.server.udpPort).not.toBe(b.server.udpPort);
  for (const s of [a, b]) {
    expect(s.server.udpPort).not.toBe(5064);
    expect(s.server.tcpPort).not.toBe(5064);
  }
  const [ra, rb] = await Promise.all([
    runPython(ONE_SERVER('only_b'), { env: a.env }),
    runPython(ONE_SERVER('only_a'), { env: b.env }),
  ]);
  expect(ra).toEqual({ val: 1, port: a.server.tcpPort, after: 10, other_connected: false });
  expect(rb).toEqual({ val: 2, port: b.server.tcpPort, after: 20, other_connected: false });
  expect(a.db.get(shared + 'val')!.value).toBe(10);
  expect(b.db.get(shared + 'val')!.value).toBe(20);
  // Each heard the search for the other's name and did not claim it.
  expect(a.server.stats.searches).toBeGreaterThan(a.server.stats.hits);
  expect(b.server.stats.searches).toBeGreaterThan(b.server.stats.hits);
});

it('a client searching both finds each name on the server that has it', async () => {
  const env = { ...a.env, EPICS_CA_ADDR_LIST: `${a.env['EPICS_CA_ADDR_LIST']} ${b.env['EPICS_CA_ADDR_LIST']}` };
  const r = await runPython(
    String.raw`
P = ${py(shared)}
res = {}
for n in ('only_a', 'only_b'):
    chid = connect(P + n)
    res[n] = {'value': ca.get(chid), 'port': int(ca.host_name(chid).rsplit(':', 1)[1])}
out(res)
`,
    { env },
  );
  expect(r).toEqual({
    only_a: { value: 'from A', port: a.server.tcpPort },
    only_b: { value: 'from B', port: b.server.tcpPort },
  });
});
