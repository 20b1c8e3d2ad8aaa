// The server side of scripts/bench/ca.ts and ca-vs-c.ts, in its own process so client and server each
// get a core. Prints the TCP port when ready.
import { RealClock } from '../../ioc/clock.js';
import { DbrBase } from '../../ioc/ca/protocol/dbr-types.js';
import { CaServer } from '../../ioc/ca/server/server.js';
import { PvDatabase } from '../../ioc/db/database.js';
import type { Pv } from '../../ioc/db/pv.js';

const n = Number(process.argv[2] ?? 10000);
const db = new PvDatabase(new RealClock());
const pvs: Pv[] = [];
for (let i = 0; i < n; i++) pvs.push(db.create(`bench:${i}`, { type: DbrBase.DOUBLE, value: i, precision: 3, units: 'mm' }));
// Each write to bench:trigger posts one new value (+1) on every bench PV (for monitor throughput), as
// the C side's event record does in scripts/bench/c-ioc.py.
db.create('bench:trigger', {
  type: DbrBase.LONG,
  put: () => {
    for (const pv of pvs) pv.set((pv.value as number) + 1);
  },
});
const server = new CaServer({ source: db, config: { port: 0, interfaces: ['127.0.0.1'], beaconAddrs: [] } });
await server.start();
process.stdout.write(`${server.tcpPort}\n`);
process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
