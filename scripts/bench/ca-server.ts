// The server side of scripts/bench/ca.ts and ca-vs-c.ts, in its own process so client and server each
// get a core. Prints the TCP port when ready.
import { DbrBase } from '../../ioc/ca/protocol/dbr-types.js';
import { CaServer } from '../../ioc/ca/server/server.js';
import { benchChannels } from './bench-channels.js';

const n = Number(process.argv[2] ?? 10000);
const { db, pvs } = benchChannels(n);
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
