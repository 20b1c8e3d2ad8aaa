// `beamtwin serve --db FILE [--macros "P=…,R=…"] [--substitutions FILE]`: EPICS databases served as
// records. Kept out of serve.ts so that file only names the options and calls this.
import type { PvDatabase } from '../ioc/db/database.js';
import type { RecordDatabase } from '../ioc/records/record-database.js';
import { DbLoadError, serveDatabases } from '../ioc/records/load-db.js';
import { CommandFailed, type CliIo } from './io.js';

export interface ServeDbOptions {
  readonly db?: readonly string[];
  readonly macros?: string;
  readonly substitutions?: readonly string[];
}

/** True when the command line names any database (then the demo PVs are not served). */
export function wantsDatabases(args: ServeDbOptions): boolean {
  return Boolean(args.db?.length || args.substitutions?.length);
}

/**
 * Load and start the databases on `pvs`; each record's `NAME` is registered at once (so `--list-pvs` and
 * the served-PV count include them; `NAME.FIELD` PVs appear on demand). A bad database is one
 * CommandFailed naming every problem as file:line:col, and nothing is served.
 */
export function startDatabases(pvs: PvDatabase, args: ServeDbOptions, io: CliIo): { stop(): void; records: RecordDatabase } | undefined {
  if (!wantsDatabases(args)) return undefined;
  try {
    const { records, result } = serveDatabases(pvs, args);
    for (const w of result.warnings) io.stderr.write(`beamtwin: warning: ${w}\n`);
    for (const name of records.records.keys()) pvs.lookup(name);
    return { stop: () => records.stop(), records };
  } catch (e) {
    throw dbLoadFailed(e);
  }
}

/** `serve` refuses a database that does not load with exit 1 (the twin cannot start), not 2. */
export function dbLoadFailed(e: unknown): unknown {
  return e instanceof DbLoadError ? new CommandFailed(`cannot load the database: ${e.message}`, 1) : e;
}
