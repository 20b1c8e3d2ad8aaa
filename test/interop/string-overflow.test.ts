// Text naming a number outside an integer type (issue 12 item 9): the same string puts, to pythonSoftIOC
// (RSRV with EPICS base's dbFastLinkConv) and to the twin, both serving test/fixtures/db/client-types.db,
// end the same way: ECA_PUTFAIL with the value kept, or the value stored.
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CaClient } from '../../ioc/ca/client/client.js';
import { ECA } from '../../ioc/ca/protocol/constants.js';
import { VirtualClock } from '../../ioc/clock.js';
import { PvDatabase } from '../../ioc/db/database.js';
import { loadDb } from '../../ioc/records/load-db.js';
import { RecordDatabase } from '../../ioc/records/record-database.js';
import { quietLogger, randomPrefix, startTestServer, type TestServer } from '../helpers/ca-server.js';
import { freeUdpPort } from '../helpers/ports.js';
import { SoftIoc } from './softioc.js';

const DB = path.resolve(__dirname, '../fixtures/db/client-types.db');

// Field → strings to write, in order. long: DBF_LONG; dbl.PREC: DBF_SHORT; dbl.TPRO: DBF_UCHAR; chars
// and shorts: CHAR and SHORT waveforms. (One difference is left out on purpose: DBR_CHAR serves DBF_CHAR
// and DBF_UCHAR alike in the twin, so it takes 128 … 255 for a CHAR waveform too, where EPICS refuses.)
const PUTS: readonly (readonly [string, readonly string[]])[] = [
  ['long', ['99999999999', '2147483647', '2147483648', '-2147483649', '-5', ' 42 ', 'nan', 'inf', '']],
  ['dbl.PREC', ['70000', '32767', '32768', '-32769', '-3', '4']],
  ['dbl.TPRO', ['300', '256', '255', '0']],
  ['chars', ['300', '-129', '127', '-128']],
  ['shorts', ['70000', '-32769', '-7']],
];

type Outcome = readonly [field: string, text: string, status: number, after: unknown];

async function outcomes(client: CaClient, prefix: string): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (const [field, texts] of PUTS) {
    const ch = await client.channel(prefix + field).connected(10);
    for (const text of texts) {
      const status = await ch.put(text, { wait: true, type: 'DBR_STRING' }).then(
        () => ECA.NORMAL,
        (e: { status?: number }) => e.status ?? -1,
      );
      const v = (await ch.get()).value;
      out.push([field, text, status, typeof v === 'object' ? Array.from(v as ArrayLike<unknown>) : v]);
    }
  }
  return out;
}

function client(port: number, repeaterPort: number): CaClient {
  return new CaClient({ env: {}, addrList: [`127.0.0.1:${port}`], autoAddrList: false, repeaterPort, timeout: 10, log: quietLogger() });
}

const P = randomPrefix();
let ioc: SoftIoc;
let twin: TestServer;
const clients: CaClient[] = [];

beforeAll(async () => {
  ioc = await SoftIoc.start([{ path: DB, macros: `P=${P}` }]);
  const pvs = new PvDatabase(new VirtualClock());
  twin = await startTestServer(() => {}, {}, { db: pvs, prefix: P });
  const records = new RecordDatabase(pvs);
  loadDb(records, { files: [{ path: DB, macros: { P } }] });
  records.start();
}, 60_000);

afterAll(async () => {
  for (const c of clients) await c.close();
  await twin?.stop();
  await ioc?.stop();
});

it('an out-of-range string put fails (ECA_PUTFAIL, value kept) on the twin exactly where softIoc fails it', async () => {
  const repeater = await freeUdpPort();
  clients.push(client(ioc.port, repeater), client(twin.server.udpPort, repeater));
  const [epics, ours] = [await outcomes(clients[0]!, P), await outcomes(clients[1]!, P)];
  // The test means something only if EPICS refuses some of these and takes others.
  expect(epics.filter((o) => o[2] === ECA.PUTFAIL).length).toBeGreaterThan(5);
  expect(epics.filter((o) => o[2] === ECA.NORMAL).length).toBeGreaterThan(5);
  expect(ours).toEqual(epics);
}, 60_000);
