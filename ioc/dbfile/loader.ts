/**
 * Thin I/O shell over the pure parsers: reads .db files and substitution files with node:fs,
 * resolves includes, and loads all-or-nothing (like dbLoadRecords/dbLoadTemplate, but any error
 * anywhere means no records at all).
 *
 * File search (includes): an absolute name is used as is; otherwise, in order,
 *   1. the directory of the including file,
 *   2. directories from `path`/`addpath` statements (relative ones taken from the directory of the
 *      file that declared them),
 *   3. `includePath`.
 * Template files named in a substitutions file: the substitutions file's directory, then
 * `includePath`, then the current directory. Environment references in those names
 * (`file "$(TOP)/db/x.db"`) are expanded from `env` (default process.env), as macEnvExpand does.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import {
  DbDefinitions,
  formatDbError,
  parseDb,
  type DbAliasDef,
  type DbError,
  type DbRecordDef,
  type IncludeRequest,
  type IncludeResolution,
} from './db-parser.js';
import { expandMacros, toMacroTable, type MacroInput } from './macros.js';
import { parseSubstitutions } from './substitutions.js';

export interface DbValidationIssue {
  message: string;
  /** the field concerned: the error is then placed at that field's definition */
  field?: string;
}

export interface SubstitutionsSpec {
  path: string;
  /** macros given to dbLoadTemplate (lowest precedence) */
  macros?: MacroInput;
}

export interface LoadDatabaseOptions {
  files?: { path: string; macros?: MacroInput }[];
  substitutions?: string | SubstitutionsSpec | (string | SubstitutionsSpec)[];
  includePath?: string[];
  /** record/field validation (unknown record types, fields, bad values): messages per record */
  validate?: (rec: DbRecordDef) => (string | DbValidationIssue)[];
  /** environment for file names in substitution files; default process.env */
  env?: Record<string, string | undefined>;
  /** stop listing errors after this many; default 100 */
  maxErrors?: number;
  /** base for relative paths and for display names; default process.cwd() */
  cwd?: string;
}

export interface LoadDatabaseResult {
  /** empty when there is any error */
  records: DbRecordDef[];
  aliases: DbAliasDef[];
  /** "file:line:col: message" */
  errors: string[];
  diagnostics: DbError[];
  warnings: string[];
  /** files read (display names) */
  files: string[];
}

export function loadDatabase(opts: LoadDatabaseOptions): LoadDatabaseResult {
  const cwd = opts.cwd ?? process.cwd();
  const includePath = (opts.includePath ?? []).map((d) => nodePath.resolve(cwd, d));
  const envMacros = envTable(opts.env ?? process.env);
  const maxErrors = opts.maxErrors ?? 100;
  const db = new DbDefinitions();
  const diagnostics: DbError[] = [];
  const warnings: DbError[] = [];
  const filesRead: string[] = [];
  const seen = new Map<string, DbError & { count: number }>();

  const display = (abs: string): string => {
    const rel = nodePath.relative(cwd, abs);
    if (rel === '') return '.';
    return !rel.startsWith('..') && !nodePath.isAbsolute(rel) ? rel : abs;
  };
  /** display name → absolute path */
  const absOf = new Map<string, string>();
  const readText = (abs: string): string => {
    const text = fs.readFileSync(abs, 'utf8');
    const d = display(abs);
    absOf.set(d, abs);
    filesRead.push(d);
    return text;
  };
  const addError = (e: DbError, context = ''): void => {
    const key = `${e.file}\0${e.line}\0${e.col}\0${e.msg}`;
    const prev = seen.get(key);
    if (prev) {
      prev.count++;
      return;
    }
    const d = { ...e, msg: e.msg + context, count: 1 };
    seen.set(key, d);
    diagnostics.push(d);
  };
  const findFile = (name: string, dirs: string[]): string | undefined => {
    if (nodePath.isAbsolute(name)) return isFile(name) ? name : undefined;
    for (const dir of dirs) {
      const p = nodePath.resolve(dir, name);
      if (isFile(p)) return p;
    }
    return undefined;
  };

  const resolveInclude = (req: IncludeRequest): IncludeResolution => {
    const env1 = expandMacros(req.name, envMacros);
    const name = env1.errors.length ? req.name : env1.text;
    const fromAbs = absOf.get(req.file);
    const dirs: string[] = [];
    if (fromAbs) dirs.push(nodePath.dirname(fromAbs));
    for (const sp of req.searchPathFrom) {
      const base = absOf.get(sp.file);
      dirs.push(nodePath.resolve(base ? nodePath.dirname(base) : cwd, sp.dir));
    }
    dirs.push(...includePath);
    const found = findFile(name, dirs);
    if (!found) return { error: `can't open include file '${name}' (searched ${dirs.map(display).join(', ') || 'nothing'})` };
    let abs = found;
    try {
      abs = fs.realpathSync(found);
    } catch {
      /* keep */
    }
    try {
      const text = readText(abs);
      return { file: display(abs), text };
    } catch (e) {
      return { error: `can't read include file '${name}': ${(e as Error).message}` };
    }
  };

  const loadOne = (abs: string, macros: Record<string, string>, context: string): void => {
    let real = abs;
    try {
      real = fs.realpathSync(abs);
    } catch {
      /* reported by the read */
    }
    let text: string;
    try {
      text = readText(real);
    } catch (e) {
      addError({ file: display(abs), line: 0, col: 0, msg: `can't open file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }, context);
      return;
    }
    const r = parseDb(text, { file: display(real), macros, into: db, resolveInclude });
    for (const e of r.errors) addError(e, context);
    warnings.push(...r.warnings);
  };

  for (const f of opts.files ?? []) {
    loadOne(nodePath.resolve(cwd, f.path), toMacroTable(f.macros), '');
  }

  const subsList = opts.substitutions === undefined ? [] : Array.isArray(opts.substitutions) ? opts.substitutions : [opts.substitutions];
  for (const s of subsList) {
    const spec: SubstitutionsSpec = typeof s === 'string' ? { path: s } : s;
    const subsAbs = nodePath.resolve(cwd, spec.path);
    let text: string;
    try {
      text = readText(subsAbs);
    } catch (e) {
      addError({ file: display(subsAbs), line: 0, col: 0, msg: `can't open substitutions file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
      continue;
    }
    const subsName = display(subsAbs);
    const parsed = parseSubstitutions(text, { file: subsName });
    for (const e of parsed.errors) addError(e);
    warnings.push(...parsed.warnings);
    if (parsed.errors.length) continue;
    const caller = toMacroTable(spec.macros);
    const dirs = [nodePath.dirname(subsAbs), ...includePath, cwd];
    for (const set of parsed.sets) {
      const fx = expandMacros(set.file, envMacros, { file: subsName });
      if (fx.errors.length) {
        for (const e of fx.errors) addError({ file: subsName, line: set.fileLine, col: 1, msg: `${e.msg} in template file name '${set.file}'` });
        continue;
      }
      const found = findFile(fx.text, dirs);
      if (!found) {
        addError({
          file: subsName,
          line: set.fileLine,
          col: 1,
          msg: `can't open template file '${fx.text}' (searched ${dirs.map(display).join(', ')})`,
        });
        continue;
      }
      loadOne(found, { ...caller, ...set.macros }, ` (instance at ${subsName}:${set.line})`);
    }
  }

  const records = db.recordList();
  if (opts.validate) {
    for (const rec of records) {
      for (const issue of opts.validate(rec)) {
        const msg = typeof issue === 'string' ? issue : issue.message;
        const fieldName = typeof issue === 'string' ? undefined : issue.field;
        const f = fieldName === undefined ? undefined : rec.fields.find((x) => x.name === fieldName);
        addError(f ? { file: f.file, line: f.line, col: f.col, msg } : { file: rec.file, line: rec.line, col: rec.col, msg });
      }
    }
  }

  for (const d of seen.values()) {
    if (d.count > 1) d.msg += ` (repeated ${d.count} times)`;
  }
  let shown = diagnostics;
  const errors = shown.slice(0, maxErrors).map(formatLoadError);
  if (shown.length > maxErrors) {
    errors.push(`${shown.length - maxErrors} more errors not shown`);
    shown = shown.slice(0, maxErrors);
  }
  const ok = diagnostics.length === 0;
  return {
    records: ok ? records : [],
    aliases: ok ? db.aliasList() : [],
    errors,
    diagnostics: shown.map(({ file, line, col, msg }) => ({ file, line, col, msg })),
    warnings: warnings.map(formatLoadError),
    files: filesRead,
  };
}

function formatLoadError(e: DbError): string {
  return e.line > 0 ? formatDbError(e) : `${e.file}: ${e.msg}`;
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function envTable(env: Record<string, string | undefined>): Record<string, string> {
  const t: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) t[k] = v;
  return t;
}
