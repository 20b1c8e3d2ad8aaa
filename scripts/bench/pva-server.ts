// The server side of scripts/bench/pva.ts, run in its own process so client and server each get a core.
import { benchChannels } from './bench-channels.js';
import { DbrBase } from '../../ioc/epics/field-type.js';
import { ntNdArrayDesc, ntNdArrayValue } from '../../ioc/pva/server/ntndarray.js';
import { PvaServer } from '../../ioc/pva/server/server.js';
import { SharedPv, sharedPvs } from '../../ioc/pva/server/shared-pv.js';

const n = Number(process.argv[2] ?? 10000);
const { db, pvs } = benchChannels(n);
// Writing R to bench:trigger posts R new values on bench:0, one per event-loop turn (monitor throughput).
db.create('bench:trigger', {
  type: DbrBase.LONG,
  put: (_pv, value) => {
    const rounds = Number(value);
    let round = 0;
    const step = () => {
      for (let k = 0; k < 64 && round < rounds; k++, round++) pvs[0]!.set(round + 1);
      if (round < rounds) setImmediate(step);
    };
    step();
  },
});
// A 1024×1024 Int32 detector frame, posted as fast as the loop turns once bench:frames is written 1.
const pixels = new Int32Array(1024 * 1024).map((_, i) => i & 0xffff);
const image = new SharedPv('bench:image', ntNdArrayDesc, ntNdArrayValue({ pixels, dims: [1024, 1024], uniqueId: 0, secPastEpoch: 0, nsec: 0 }));
sharedPvs(db).set(image.name, image);
let uid = 0;
db.create('bench:frames', {
  type: DbrBase.LONG,
  put: () => {
    const step = () => {
      image.post(ntNdArrayValue({ pixels, dims: [1024, 1024], uniqueId: ++uid, secPastEpoch: 0, nsec: 0 }));
      setTimeout(step, 0);
    };
    step();
  },
});
const server = new PvaServer({ source: db, config: { tcpPort: 0, udpPort: 0, interfaces: ['127.0.0.1'], beaconAddrs: [] } });
await server.start();
process.stdout.write(`${server.tcpPort}\n`);
process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
