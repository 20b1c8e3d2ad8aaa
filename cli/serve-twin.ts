// What `beamtwin serve` does once its options are parsed: build the twin (or the databases), serve it over
// CA and PVA until SIGINT/SIGTERM. Loaded by the command only when it runs.
import { CaServer } from '../ioc/ca/server/server.js';
import { PvaServer } from '../ioc/pva/server/server.js';
import { PvDatabase } from '../ioc/db/database.js';
import type { RecordDatabase } from '../ioc/records/record-database.js';
import { RealClock } from '../ioc/clock.js';
import { addDemoPvs } from '../devices/demo/demo-pvs.js';
import '../devices/motor/index.js'; // the motor record type, for databases that declare motors
import { loadProfile } from '../devices/profile/profile.js';
import { Twin } from '../devices/twin.js';
import { untilSignal } from './signals.js';
import { dbLoadFailed, startDatabases, wantsDatabases } from './serve-db.js';
import { checkSpeed, CommandFailed, type CliIo } from './io.js';
import { startWebFromArgs } from './web-option.js';
import type { ServeArgs } from './commands/serve.js';

export async function serveTwin(args: ServeArgs, io: CliIo): Promise<number> {
    const clock = new RealClock(checkSpeed(args.speed));
    const t0 = performance.now();
    let twin: Twin | undefined;
    let db: PvDatabase;
    let records: ReturnType<typeof startDatabases>;
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
        throw dbLoadFailed(e);
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
      const recordDb = twin?.records ?? records?.records;
      for (const name of servedNames(db, recordDb)) io.stdout.write(`${name}\n`);
      const prefixes = twin && !args.strict ? (twin.profile.catchAll?.prefixes ?? []) : [];
      if (prefixes.length) io.stderr.write(`beamtwin: the catch-all also answers any other name starting ${prefixes.join(', ')} (--strict turns it off)\n`);
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
    // The same PVs over pvAccess, from the same database (one source of truth, one write path).
    const pva = args.pva
      ? new PvaServer({
          source: db,
          config: {
            ...(args.port === 0 ? { tcpPort: 0, udpPort: 0 } : {}),
            ...(args.interface ? { interfaces: args.interface } : {}),
          },
        })
      : undefined;
    try {
      await server.start();
      await pva?.start();
    } catch (e) {
      // A taken port, an address this host does not have: say so, and leave no twin running behind it
      // (nor the sockets already bound on other interfaces).
      stopAll();
      await server.stop();
      await pva?.stop();
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
      await pva?.stop();
      throw e;
    }
    const what = twin ? `profile ${twin.profile.name}` : 'databases';
    // Listen for the stop signal before saying "ready": whoever waits for that line may signal at once.
    const stopped = untilSignal();
    const hint = interfaces.every(isLoopback)
      ? `beamtwin: loopback only: clients on this host find it with EPICS_CA_ADDR_LIST=${interfaces[0]}:${server.udpPort} EPICS_CA_AUTO_ADDR_LIST=NO; --interface 0.0.0.0 serves the network\n`
      : '';
    io.stdout.write(
      `beamtwin: serving ${what}, ${db.size} PVs, on ${interfaces.join(', ')} CA port ${server.udpPort} (TCP ${server.tcpPort})${pva ? `, PVA port ${pva.udpPort} (TCP ${pva.tcpPort})` : ''}, ready in ${Math.round(performance.now() - t0)} ms; Ctrl-C stops\n${hint}`,
    );
    await stopped;
    await web?.close();
    stopAll();
    await server.stop();
    await pva?.stop();
    io.stdout.write('beamtwin: stopped\n');
    return 0;
  
}

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

/**
 * Every name a client can reach: the database's PVs and, for each record, every field as NAME.FIELD
 * (records serve their fields on demand, so the database alone lists only those already asked for).
 */
export function servedNames(db: PvDatabase, records: RecordDatabase | undefined): string[] {
  const names = new Set(db.names());
  for (const [name, rec] of records?.records ?? []) for (const fd of rec.table.fields) names.add(`${name}.${fd.name}`);
  return [...names].sort();
}
