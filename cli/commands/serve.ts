import type { Argv } from 'yargs';
import { port, positive } from '../options.js';
import { CaServer } from '../../ioc/ca/server/server.js';
import { PvDatabase } from '../../ioc/db/database.js';
import { RealClock } from '../../ioc/clock.js';
import { DbLoadError } from '../../ioc/records/load-db.js';
import { addDemoPvs } from '../../devices/demo/demo-pvs.js';
import '../../devices/motor/index.js'; // the motor record type, for databases that declare motors
import { loadProfile } from '../../devices/profile/profile.js';
import { Twin } from '../../devices/twin.js';
import { untilSignal } from '../signals.js';
import { startDatabases, wantsDatabases } from '../serve-db.js';
import type { CommandModule } from '../command.js';
import { checkSpeed, CommandFailed, type CliIo } from '../io.js';
import { startWebFromArgs, webOptions, type WebArgs } from '../web-option.js';

interface ServeArgs extends WebArgs {
  profile?: string;
  port?: number;
  interface?: string[];
  demo: boolean;
  strict: boolean;
  'list-pvs': boolean;
  speed: number;
  db?: string[];
  macros?: string;
  substitutions?: string[];
}

/**
 * Serve a twin until SIGINT/SIGTERM. With no profile and no database: the CMS 11-BM profile. With
 * `--profile` and/or `--db`: exactly those.
 */
export const serveCommand: CommandModule<ServeArgs> = {
  command: 'serve',
  describe: 'Serve a twin over Channel Access until interrupted (default: the CMS 11-BM beamline)',
  builder: (y: Argv) =>
    webOptions(y)
      .option('profile', { type: 'string', describe: 'Beamline profile: a built-in name (cms) or a YAML/JSON file' })
      .option('port', { type: 'number', coerce: port, describe: 'UDP search port and preferred TCP port (default EPICS_CAS_SERVER_PORT / EPICS_CA_SERVER_PORT / 5064; 0 = any free)' })
      .option('interface', { type: 'string', array: true, describe: 'Address(es) to bind, e.g. 0.0.0.0 for every interface (default EPICS_CAS_INTF_ADDR_LIST, else loopback only)' })
      .option('strict', { type: 'boolean', default: false, describe: 'No catch-all: names the profile does not serve stay unknown' })
      .option('demo', { type: 'boolean', default: false, describe: 'Also serve the demo:* PVs (one of each type)' })
      .option('list-pvs', { type: 'boolean', default: false, describe: 'Print the served PV names and exit (record fields NAME.FIELD are served too)' })
      .option('speed', { type: 'number', default: 1, coerce: positive('--speed'), describe: 'Run simulated dynamics this many times faster than real time' })
      .option('db', { type: 'string', array: true, describe: 'EPICS database file(s) to serve as records' })
      .option('macros', { type: 'string', describe: 'Macros for the --db and --substitutions files, e.g. "P=BL13:,R=cam1:"' })
      .option('substitutions', { type: 'string', array: true, describe: 'EPICS substitutions file(s) expanding templates into records' }) as Argv<ServeArgs>,
  handler: async (args: ServeArgs, io: CliIo) => {
    const clock = new RealClock(checkSpeed(args.speed));
    const t0 = performance.now();
    let twin: Twin | undefined;
    let db: PvDatabase;
    let records: { stop(): void } | undefined;
    if (args.profile !== undefined || !wantsDatabases(args)) {
      const profile = loadProfile(args.profile ?? 'cms');
      const macros = args.macros ? { macros: args.macros } : {};
      twin = new Twin(
        {
          ...profile,
          db: [...(profile.db ?? []), ...(args.db ?? []).map((file) => ({ file, ...macros }))],
          substitutions: [...(profile.substitutions ?? []), ...(args.substitutions ?? []).map((file) => ({ file, ...macros }))],
        },
        { clock, strict: args.strict },
      );
      try {
        twin.start();
      } catch (e) {
        if (e instanceof DbLoadError) throw new CommandFailed(`cannot load the database: ${e.message}`, 1);
        throw e;
      }
      // No reset here: a served twin starts in the profile's start-up state (AcquireTime 0.1 …).
      db = twin.db;
    } else {
      db = new PvDatabase(clock);
      records = startDatabases(db, args, io);
    }
    const demo = args.demo ? addDemoPvs(db) : undefined;
    const stopAll = () => {
      demo?.stop();
      records?.stop();
      twin?.stop();
    };
    if (args['list-pvs']) {
      stopAll();
      for (const name of [...db.names()].sort()) io.stdout.write(`${name}\n`);
      return 0;
    }
    const interfaces = servedInterfaces(args.interface, process.env);
    const catchAll = twin && !args.strict ? twin.profile.catchAll?.prefixes : undefined;
    if (catchAll?.length && !interfaces.every(isLoopback)) {
      io.stderr.write(
        `beamtwin: warning: serving ${interfaces.join(', ')} with the catch-all on: this twin answers searches from the network for every ${catchAll.map((p) => `${p}*`).join(', ')} name, shadowing the real IOCs; add --strict to serve only the profile's PVs\n`,
      );
    }
    const server = new CaServer({
      source: db,
      config: {
        ...(args.port !== undefined ? { port: args.port } : {}),
        interfaces,
      },
    });
    try {
      await server.start();
    } catch (e) {
      // A taken port, an address this host does not have: say so, and leave no twin running behind it
      // (nor the sockets already bound on other interfaces).
      stopAll();
      await server.stop();
      const err = e as NodeJS.ErrnoException;
      if (typeof err.code !== 'string') throw e;
      const where = `${args.interface ? ` on ${args.interface.join(', ')}` : ''}${args.port !== undefined ? ` port ${args.port}` : ''}`;
      throw new CommandFailed(`cannot serve${where}: ${err.message}`);
    }
    let web;
    try {
      web = await startWebFromArgs(args, twin ? { twin } : { db }, io);
    } catch (e) {
      stopAll();
      await server.stop();
      throw e;
    }
    const what = twin ? `profile ${twin.profile.name}` : 'databases';
    io.stdout.write(
      `beamtwin: serving ${what}, ${db.size} PVs, on ${interfaces.join(', ')} CA port ${server.udpPort} (TCP ${server.tcpPort}), ready in ${Math.round(performance.now() - t0)} ms; Ctrl-C stops\n`,
    );
    if (interfaces.every(isLoopback)) {
      io.stdout.write(`beamtwin: loopback only: clients on this host find it with EPICS_CA_ADDR_LIST=${interfaces[0]}:${server.udpPort} EPICS_CA_AUTO_ADDR_LIST=NO; --interface 0.0.0.0 serves the network\n`);
    }
    await untilSignal();
    await web?.close();
    stopAll();
    await server.stop();
    io.stdout.write('beamtwin: stopped\n');
    return 0;
  },
};

/**
 * Where `serve` listens: --interface, else EPICS_CAS_INTF_ADDR_LIST, else loopback only. A twin answers
 * for a real beamline's PV names, so reaching it from the network is something a user asks for.
 */
export function servedInterfaces(given: readonly string[] | undefined, env: NodeJS.ProcessEnv): string[] {
  if (given?.length) return [...given];
  const listed = (env['EPICS_CAS_INTF_ADDR_LIST'] ?? '').split(/\s+/).filter(Boolean);
  return listed.length ? listed : ['127.0.0.1'];
}

/** 127.0.0.0/8, ::1 and localhost reach only this host. */
export function isLoopback(addr: string): boolean {
  return /^127\./.test(addr) || addr === '::1' || addr === 'localhost';
}
