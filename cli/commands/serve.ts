import type { Argv } from 'yargs';
import { CaServer } from '../../ioc/ca/server/server.js';
import { PvDatabase } from '../../ioc/db/database.js';
import { RealClock } from '../../ioc/clock.js';
import { addDemoPvs } from '../../devices/demo/demo-pvs.js';
import { untilSignal } from '../signals.js';
import { startDatabases, wantsDatabases } from '../serve-db.js';
import type { CommandModule } from '../command.js';
import type { CliIo } from '../io.js';

interface ServeArgs {
  port?: number;
  interface?: string[];
  demo: boolean;
  'list-pvs': boolean;
  speed: number;
  db?: string[];
  macros?: string;
  substitutions?: string[];
}

/** Serve a twin until SIGINT/SIGTERM. */
export const serveCommand: CommandModule<ServeArgs> = {
  command: 'serve',
  describe: 'Serve a twin over Channel Access until interrupted',
  builder: (y: Argv) =>
    y
      .option('port', { type: 'number', describe: 'UDP search port and preferred TCP port (default EPICS_CAS_SERVER_PORT / EPICS_CA_SERVER_PORT / 5064; 0 = any free)' })
      .option('interface', { type: 'string', array: true, describe: 'Address(es) to bind (default EPICS_CAS_INTF_ADDR_LIST, else all)' })
      .option('demo', { type: 'boolean', default: true, describe: 'Serve the demo:* PVs' })
      .option('list-pvs', { type: 'boolean', default: false, describe: 'Print the served PV names and exit' })
      .option('speed', { type: 'number', default: 1, describe: 'Run simulated dynamics this many times faster than real time' })
      .option('db', { type: 'string', array: true, describe: 'EPICS database file(s) to serve as records (the demo PVs are then not served)' })
      .option('macros', { type: 'string', describe: 'Macros for the --db and --substitutions files, e.g. "P=BL13:,R=cam1:"' })
      .option('substitutions', { type: 'string', array: true, describe: 'EPICS substitutions file(s) expanding templates into records' }) as Argv<ServeArgs>,
  handler: async (args: ServeArgs, io: CliIo) => {
    const db = new PvDatabase(new RealClock(args.speed));
    const demo = args.demo && !wantsDatabases(args) ? addDemoPvs(db) : undefined;
    const records = startDatabases(db, args, io);
    if (args['list-pvs']) {
      demo?.stop();
      records?.stop();
      for (const name of [...db.names()].sort()) io.stdout.write(`${name}\n`);
      return 0;
    }
    const server = new CaServer({
      source: db,
      config: {
        ...(args.port !== undefined ? { port: args.port } : {}),
        ...(args.interface ? { interfaces: args.interface } : {}),
      },
    });
    await server.start();
    io.stdout.write(`beamtwin: serving ${db.size} PVs on CA port ${server.udpPort} (TCP ${server.tcpPort}); Ctrl-C stops\n`);
    await untilSignal();
    demo?.stop();
    records?.stop();
    await server.stop();
    io.stdout.write('beamtwin: stopped\n');
    return 0;
  },
};
