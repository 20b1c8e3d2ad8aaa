// The server side of scripts/bench/ca.ts, run in its own process so client and server each get a core.
import { DbrBase } from '../../ioc/ca/protocol/dbr-types.js';
import { CaServer } from '../../ioc/ca/server/server.js';
import { PvDatabase } from '../../ioc/db/database.js';
import type { Pv } from '../../ioc/db/pv.js';

const n = Number(process.argv[2] ?? 10000);
const db = new PvDatabase();
const pvs: Pv[] = [];
for (let i = 0; i < n; i++) pvs.push(db.create(`bench:${i}`, { type: DbrBase.DOUBLE, value: i, precision: 3, units: 'mm' }));
// Writing R to bench:trigger posts R rounds of new values on every bench PV (for monitor throughput).
db.create('bench:trigger', {
  type: DbrBase.LONG,
  put: (_pv, value) => {
    const rounds = Number(value);
    let round = 0;
    const step = () => {
      for (const pv of pvs) pv.set((pv.value as number) + 1);
      if (++round < rounds) setImmediate(step);
    };
    step();
  },
});
const server = new CaServer({ source: db, config: { port: 0, interfaces: ['127.0.0.1'], beaconAddrs: [] } });
await server.start();
process.stdout.write(`${server.tcpPort}\n`);
process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
