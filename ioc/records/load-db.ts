/**
 * .db / .substitutions files into a RecordDatabase (dbLoadRecords / dbLoadTemplate, then iocInit).
 * The dbfile loader parses, expands macros and resolves includes; here every record is checked against
 * the record types (type known, fields known, values valid for their field: menu choices, numbers, no
 * name clash with what is already served) before anything is created, so a database with any error
 * loads nothing. Errors read `file:line:col: message`, one per line.
 */
import { UserError } from '../user-error.js';
import { loadDatabase, type DbRecordDef, type DbValidationIssue, type LoadDatabaseOptions } from '../dbfile/index.js';
import type { MacroInput } from '../dbfile/index.js';
import type { PvDatabase } from '../db/database.js';
import { fieldFromText, type EpicsRecord } from './record.js';
import './types/index.js'; // registers the record types
import { RecordDatabase, type RecordSpec } from './record-database.js';

export interface LoadDbOptions {
  /** .db/.template files, each with its macros (`"P=BL:,R=cam1:"` or a table). */
  readonly files?: readonly { readonly path: string; readonly macros?: MacroInput }[];
  /** Substitutions files (dbLoadTemplate), with optional caller macros. */
  readonly substitutions?: LoadDatabaseOptions['substitutions'];
  readonly includePath?: readonly string[];
  readonly cwd?: string;
  readonly env?: Record<string, string | undefined>;
}

export interface LoadDbResult {
  /** The records created, in file order. */
  readonly records: readonly EpicsRecord[];
  readonly warnings: readonly string[];
  readonly files: readonly string[];
}

/** A database that did not load: every problem as `file:line:col: message`, and nothing created. */
export class DbLoadError extends UserError {
  override name = 'DbLoadError';
  constructor(readonly errors: readonly string[]) {
    super(errors.length === 1 ? errors[0]! : `${errors.length} errors in the database:\n${errors.join('\n')}`);
  }
}

/** What is wrong with one record definition for these record types (positions chosen by the loader). */
export function validateRecord(rdb: RecordDatabase, rec: DbRecordDef): DbValidationIssue[] {
  const cls = rdb.types.get(rec.type);
  if (!cls) {
    const known = [...rdb.types.keys()].sort().join(', ');
    return [{ message: `unknown record type "${rec.type}" (record "${rec.name}"; known types: ${known})` }];
  }
  const issues: DbValidationIssue[] = [];
  if (rdb.records.has(rec.name) || rdb.pvs.get(rec.name)) issues.push({ message: `record "${rec.name}" is already defined` });
  for (const a of rec.aliases) if (rdb.records.has(a) || rdb.pvs.get(a)) issues.push({ message: `alias "${a}" of "${rec.name}" is already defined` });
  for (const fd of rec.fields) {
    const def = cls.table.get(fd.name);
    if (!def) {
      issues.push({ message: `record type ${rec.type} has no field ${fd.name} (record "${rec.name}")`, field: fd.name });
      continue;
    }
    try {
      fieldFromText(def, fd.value);
    } catch (e) {
      issues.push({ message: `${rec.name}.${fd.name}: ${(e as Error).message}`, field: fd.name });
    }
  }
  return issues;
}

/**
 * Load databases into `rdb` all-or-nothing; throws DbLoadError listing every problem. The records are
 * created but not started: call `rdb.start()` (iocInit) afterwards — or they start at once if `rdb` has
 * already been started.
 */
export function loadDb(rdb: RecordDatabase, opts: LoadDbOptions): LoadDbResult {
  const r = loadDatabase({
    ...(opts.files ? { files: opts.files.map((x) => ({ path: x.path, ...(x.macros !== undefined ? { macros: x.macros } : {}) })) } : {}),
    ...(opts.substitutions !== undefined ? { substitutions: opts.substitutions } : {}),
    ...(opts.includePath ? { includePath: [...opts.includePath] } : {}),
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    ...(opts.env ? { env: opts.env } : {}),
    validate: (rec) => validateRecord(rdb, rec),
  });
  // Top-level alias(rec, "a") statements: the target must exist in these files or already be served.
  const names = new Set(r.records.map((x) => x.name));
  const aliasErrors: string[] = [];
  const aliasesOf = new Map<string, string[]>();
  for (const a of r.aliases) {
    if (!names.has(a.record) && !rdb.records.has(a.record)) aliasErrors.push(`${a.file}:${a.line}:${a.col}: alias "${a.alias}" names unknown record "${a.record}"`);
    else if (rdb.records.has(a.alias) || rdb.pvs.get(a.alias) || names.has(a.alias)) aliasErrors.push(`${a.file}:${a.line}:${a.col}: alias "${a.alias}" is already defined`);
    else aliasesOf.set(a.record, [...(aliasesOf.get(a.record) ?? []), a.alias]);
  }
  const errors = [...r.errors, ...aliasErrors];
  if (errors.length) throw new DbLoadError(errors);

  const created: EpicsRecord[] = [];
  for (const def of r.records) {
    const spec: RecordSpec = {
      type: def.type,
      name: def.name,
      fields: Object.fromEntries(def.fields.map((x) => [x.name, x.value])),
      aliases: [...def.aliases, ...(aliasesOf.get(def.name) ?? [])],
      info: Object.fromEntries(def.info.map((x) => [x.name, x.value])),
    };
    created.push(rdb.add(spec));
    aliasesOf.delete(def.name);
  }
  // Aliases of records that were already there.
  for (const [record, aliases] of aliasesOf) {
    const rec = rdb.records.get(record)!;
    for (const a of aliases) rdb.records.set(a, rec);
  }
  return { records: created, warnings: r.warnings, files: r.files };
}

/** What `beamtwin serve --db … --macros … --substitutions …` asks for. */
export interface ServeDbArgs {
  readonly db?: readonly string[];
  /** Macros for every --db file: `"P=BL13:,R=cam1:"`. */
  readonly macros?: string;
  readonly substitutions?: readonly string[];
  readonly includePath?: readonly string[];
}

/**
 * The records of `beamtwin serve --db`: a RecordDatabase on `pvs`, loaded and started (PINI, scans).
 * Throws DbLoadError (nothing served) on any problem.
 */
export function serveDatabases(pvs: PvDatabase, args: ServeDbArgs): { records: RecordDatabase; result: LoadDbResult } {
  const records = new RecordDatabase(pvs);
  const result = loadDb(records, {
    files: (args.db ?? []).map((path) => ({ path, ...(args.macros ? { macros: args.macros } : {}) })),
    ...(args.substitutions?.length ? { substitutions: args.substitutions.map((path) => (args.macros ? { path, macros: args.macros } : path)) } : {}),
    ...(args.includePath ? { includePath: args.includePath } : {}),
  });
  records.start();
  return { records, result };
}
