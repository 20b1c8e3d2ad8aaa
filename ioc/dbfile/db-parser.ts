/**
 * EPICS database (.db) parser: a pure function with positions, after
 * `modules/database/src/ioc/dbStatic/dbYacc.y` and the actions in `dbLexRoutines.c` (EPICS 7).
 *
 *   parseDb(text, { file, macros }) → { records, aliases, includes, errors, warnings }
 *
 * The text is macro-expanded first (line by line, as dbReadCOM does) and then lexed and parsed.
 * Positions: line numbers are those of the source (expansion keeps lines); columns are in the
 * expanded line (equal to the source column on lines without macro references).
 *
 * Includes are resolved by the caller through `resolveInclude` (no I/O here); without it they are
 * only reported. dbd-level statements (menu, recordtype, device, driver, link, registrar,
 * function, variable, breaktable) are parsed loosely and ignored, as when a .dbd is loaded
 * into an IOC that already has them.
 */
import { expandMacros, toMacroTable, type MacroError, type MacroInput, type MacroTable } from './macros.js';
import { DbLexer, Tok, translateEscapes } from './lexer.js';

export interface DbPosition {
  file: string;
  line: number;
  col: number;
}

export interface DbError extends DbPosition {
  msg: string;
}

export interface DbFieldDef extends DbPosition {
  name: string;
  /** value as EPICS stores it: quotes removed and C escapes translated for quoted values;
   *  JSON objects/arrays (JSON links) as canonical JSON text */
  value: string;
}

export interface DbInfoDef extends DbPosition {
  name: string;
  value: string;
}

export interface DbRecordDef extends DbPosition {
  type: string;
  name: string;
  /** in order of first definition; a later field(F, …) replaces the value and position */
  fields: DbFieldDef[];
  info: DbInfoDef[];
  aliases: string[];
}

export interface DbAliasDef extends DbPosition {
  alias: string;
  record: string;
}

export interface DbIncludeRef extends DbPosition {
  /** the name as written (after macro expansion) */
  name: string;
  /** the resolver's identity for the file, when resolved */
  resolved?: string;
}

export interface IncludeRequest extends DbPosition {
  name: string;
  /** search path from `path`/`addpath` statements seen so far (raw entries) */
  searchPath: readonly string[];
  /** directory entries of `path`/`addpath`, each with the file that declared it */
  searchPathFrom: readonly { dir: string; file: string }[];
}

/** `file` is an identity used for cycle detection and positions (e.g. an absolute path). */
export type IncludeResolution = { file: string; text: string } | { error: string };

export interface ParseDbOptions {
  /** name used in positions; default '<input>' */
  file?: string;
  /** macros: a table of raw values or "P=a,R=b" */
  macros?: MacroInput;
  /** accumulate into this set of definitions (records of the same name merge across files) */
  into?: DbDefinitions;
  resolveInclude?: (req: IncludeRequest) => IncludeResolution;
  /** initial search path (as `path` would set) */
  searchPath?: { dir: string; file: string }[];
  /** files already being parsed (outer includes), for cycle detection across calls */
  includeStack?: string[];
}

export interface ParseDbResult {
  records: DbRecordDef[];
  aliases: DbAliasDef[];
  includes: DbIncludeRef[];
  errors: DbError[];
  warnings: DbError[];
}

/** The record set being built (EPICS's DBBASE record part). */
export class DbDefinitions {
  readonly records = new Map<string, DbRecordDef>();
  /** alias name → definition */
  readonly aliases = new Map<string, DbAliasDef>();

  /** Resolve a record or alias name to its record. */
  find(name: string): DbRecordDef | undefined {
    const r = this.records.get(name);
    if (r) return r;
    const a = this.aliases.get(name);
    return a ? this.records.get(a.record) : undefined;
  }

  recordList(): DbRecordDef[] {
    return [...this.records.values()];
  }

  aliasList(): DbAliasDef[] {
    return [...this.aliases.values()];
  }
}

class ParseAbort extends Error {}

const MAX_INCLUDE_DEPTH = 64;

/** Value of a field in a record definition (the last one set), or undefined. */
export function fieldValue(rec: DbRecordDef, name: string): string | undefined {
  for (const f of rec.fields) if (f.name === name) return f.value;
  return undefined;
}

export function formatDbError(e: DbError): string {
  return `${e.file}:${e.line}:${e.col}: ${e.msg}`;
}

export function parseDb(text: string, opts: ParseDbOptions = {}): ParseDbResult {
  const p = new DbParser(opts);
  p.run(text, opts.file ?? '<input>');
  return {
    records: p.db.recordList(),
    aliases: p.db.aliasList(),
    includes: p.includes,
    errors: p.errors,
    warnings: p.warnings,
  };
}

class DbParser {
  readonly db: DbDefinitions;
  readonly errors: DbError[] = [];
  readonly warnings: DbError[] = [];
  readonly includes: DbIncludeRef[] = [];
  private readonly macros: MacroTable;
  private readonly searchPath: { dir: string; file: string }[];
  private readonly stack: string[];
  private lx!: DbLexer;
  private file = '<input>';
  /** lines (per file) on which a macro could not be expanded: derived errors there are muted */
  private macroLines = new Map<string, Set<number>>();
  /** undefined/recursive macros already reported (by file and name) */
  private reported = new Map<string, DbError & { count: number }>();
  /** a peeked INITIAL token is pending */
  private peeked = false;

  constructor(private readonly opts: ParseDbOptions) {
    this.db = opts.into ?? new DbDefinitions();
    this.macros = toMacroTable(opts.macros);
    this.searchPath = [...(opts.searchPath ?? [])];
    this.stack = [...(opts.includeStack ?? [])];
  }

  run(text: string, file: string): void {
    try {
      this.parseFile(text, file, null);
    } catch (e) {
      if (!(e instanceof ParseAbort)) throw e;
    }
    for (const r of this.reported.values()) {
      if (r.count > 1) r.msg += ` (${r.count - 1} more use${r.count > 2 ? 's' : ''} in this file)`;
    }
  }

  // ---- errors -------------------------------------------------------------------------------

  private err(line: number, col: number, msg: string): void {
    if (this.macroLines.get(this.file)?.has(line)) return; // caused by the macro error reported there
    this.errors.push({ file: this.file, line, col, msg });
  }

  private warn(line: number, col: number, msg: string): void {
    this.warnings.push({ file: this.file, line, col, msg });
  }

  /** Syntax error at the current token; aborts the parse (as yyerrorAbort / a yacc error). */
  private syntax(expected: string): never {
    const lx = this.lx;
    if (lx.tok === Tok.ERROR) this.err(lx.tline, lx.tcol, lx.err);
    else this.err(lx.tline, lx.tcol, `syntax error: expected ${expected}, found ${lx.describe()}`);
    throw new ParseAbort(); // (an error muted by a macro error on its line still stops the parse)
  }

  private macroErrors(errs: MacroError[]): void {
    for (const e of errs) {
      let set = this.macroLines.get(e.file);
      if (!set) this.macroLines.set(e.file, (set = new Set()));
      set.add(e.line);
      const key = `${e.file}\0${e.kind}\0${e.macro}`;
      const prev = this.reported.get(key);
      if (prev) {
        prev.count++;
        continue;
      }
      const d = { file: e.file, line: e.line, col: e.col, msg: e.msg, count: 1 };
      this.reported.set(key, d);
      this.errors.push(d);
    }
  }

  // ---- token helpers ------------------------------------------------------------------------

  private next(): Tok {
    if (this.peeked) {
      this.peeked = false;
      return this.lx.tok;
    }
    return this.lx.next();
  }

  private expect(t: Tok, what: string): void {
    if (this.next() !== t) this.syntax(what);
  }

  private expectString(what: string): string {
    if (this.next() !== Tok.STRING) this.syntax(what);
    return this.lx.val;
  }

  // ---- grammar ------------------------------------------------------------------------------

  /**
   * Parse one file. `rec` non-null: the file is included inside a record body and holds fields.
   */
  private parseFile(text: string, file: string, rec: RecCtx | null): void {
    const ex = expandMacros(text, this.macros, { file });
    const savedLx = this.lx;
    const savedFile = this.file;
    const savedPeek = this.peeked;
    this.file = file;
    this.macroErrors(ex.errors);
    this.lx = new DbLexer(ex.text);
    this.peeked = false;
    this.stack.push(file);
    try {
      if (rec) {
        while (this.next() !== Tok.EOF) this.recordItem(rec, true);
      } else {
        this.database();
      }
    } finally {
      this.stack.pop();
      this.lx = savedLx;
      this.file = savedFile;
      this.peeked = savedPeek;
    }
  }

  private database(): void {
    for (;;) {
      const t = this.next();
      switch (t) {
        case Tok.EOF:
          return;
        case Tok.INCLUDE:
          this.include(null);
          break;
        case Tok.PATH:
        case Tok.ADDPATH: {
          const v = this.expectString('a path string');
          const dirs = v.split(':').filter((d) => d.length > 0);
          if (t === Tok.PATH) this.searchPath.length = 0;
          for (const d of dirs) this.searchPath.push({ dir: d, file: this.file });
          break;
        }
        case Tok.RECORD:
        case Tok.GRECORD:
          this.record();
          break;
        case Tok.ALIAS:
          this.topAlias();
          break;
        case Tok.MENU:
        case Tok.RECORDTYPE:
        case Tok.BREAKTABLE:
          this.skipParens();
          this.skipBraces();
          break;
        case Tok.DEVICE:
        case Tok.DRIVER:
        case Tok.LINK:
        case Tok.REGISTRAR:
        case Tok.FUNCTION:
        case Tok.VARIABLE:
          this.skipParens();
          break;
        default:
          this.syntax("'record', 'grecord', 'alias', 'include', 'path' or 'addpath'");
      }
    }
  }

  /** '(' tokenSTRING {',' tokenSTRING} ')' */
  private skipParens(): void {
    this.expect(Tok.LPAREN, "'('");
    for (;;) {
      const t = this.next();
      if (t === Tok.RPAREN) return;
      if (t !== Tok.STRING && t !== Tok.COMMA) this.syntax("a string, ',' or ')'");
    }
  }

  /** '{' … '}' balanced, INITIAL tokens (menu choices, recordtype fields, breaktable points) */
  private skipBraces(): void {
    this.expect(Tok.LBRACE, "'{'");
    let depth = 1;
    while (depth > 0) {
      const t = this.next();
      if (t === Tok.LBRACE) depth++;
      else if (t === Tok.RBRACE) depth--;
      else if (t === Tok.EOF || t === Tok.ERROR) this.syntax("'}'");
    }
  }

  private include(rec: RecCtx | null): void {
    const lx = this.lx;
    const line = lx.tline;
    const col = lx.tcol;
    const name = this.expectString('a file name string');
    const ref: DbIncludeRef = { file: this.file, line, col, name };
    this.includes.push(ref);
    const resolve = this.opts.resolveInclude;
    if (!resolve) return;
    const res = resolve({
      file: this.file,
      line,
      col,
      name,
      searchPath: this.searchPath.map((s) => s.dir),
      searchPathFrom: this.searchPath,
    });
    if ('error' in res) {
      this.err(line, col, res.error);
      throw new ParseAbort(); // dbIncludeNew → yyerror: the file's parse fails
    }
    ref.resolved = res.file;
    if (this.stack.includes(res.file)) {
      const chain = [...this.stack.slice(this.stack.indexOf(res.file)), res.file].join(' → ');
      this.err(line, col, `cyclic include of '${name}': ${chain}`);
      throw new ParseAbort();
    }
    if (this.stack.length >= MAX_INCLUDE_DEPTH) {
      this.err(line, col, `includes nested deeper than ${MAX_INCLUDE_DEPTH}`);
      throw new ParseAbort();
    }
    this.parseFile(res.text, res.file, rec);
  }

  // ---- records ------------------------------------------------------------------------------

  /** record_head record_body (dbRecordHead / dbRecordBody) */
  private record(): void {
    const line = this.lx.tline;
    const col = this.lx.tcol;
    this.expect(Tok.LPAREN, "'('");
    const type = this.expectString('a record type');
    this.expect(Tok.COMMA, "','");
    const name = this.expectString('a record name');
    const nameLine = this.lx.tline;
    const nameCol = this.lx.tcol;
    this.expect(Tok.RPAREN, "')'");
    const ctx = this.recordHead(type, name, line, col, nameLine, nameCol);
    // optional body
    if (this.next() !== Tok.LBRACE) {
      this.peeked = true;
      return;
    }
    for (;;) {
      const t = this.next();
      if (t === Tok.RBRACE) return;
      this.recordItem(ctx, false);
    }
  }

  private recordHead(type: string, name: string, line: number, col: number, nline: number, ncol: number): RecCtx {
    const ignore: RecCtx = { rec: null };
    if (!this.validateName(name, nline, ncol, 'Record')) return ignore;
    if (type === '*') {
      const rec = this.db.find(name);
      if (!rec) {
        this.err(line, col, `record '${name}' not found (record(*, …) extends an existing record)`);
        return ignore;
      }
      return { rec };
    }
    if (type === '#') {
      const rec = this.db.find(name);
      if (!rec) {
        this.warn(line, col, `record '${name}' not found, can't delete`);
        return ignore;
      }
      this.db.records.delete(rec.name);
      for (const [a, d] of this.db.aliases) if (d.record === rec.name) this.db.aliases.delete(a);
      return ignore;
    }
    const existing = this.db.find(name);
    if (existing) {
      if (existing.type !== type) {
        this.err(
          line,
          col,
          `record '${name}' is already defined as type '${existing.type}' (${existing.file}:${existing.line}), can't load it as '${type}'`,
        );
        return ignore;
      }
      return { rec: existing }; // duplicate records of the same type merge (EPICS)
    }
    const rec: DbRecordDef = { file: this.file, line, col, type, name, fields: [], info: [], aliases: [] };
    this.db.records.set(name, rec);
    return { rec };
  }

  /** dbRecordNameValidate() */
  private validateName(name: string, line: number, col: number, what: 'Record' | 'Alias'): boolean {
    if (name.length === 0) {
      this.err(line, col, `${what} name can't be empty`);
      return false;
    }
    const c0 = name[0];
    if (c0 === '-' || c0 === '+' || c0 === '[' || c0 === '{')
      this.warn(line, col, `${what} name '${name}' should not begin with '${c0}'`);
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i);
      const ch = name[i]!;
      if (c < 32) {
        this.warn(line, col, `${what} name '${name}' contains non-printable 0x${c.toString(16).padStart(2, '0')}`);
      } else if (ch === ' ' || ch === '\t' || ch === '"' || ch === "'" || ch === '.' || ch === '$') {
        this.err(line, col, `bad character '${ch}' in ${what.toLowerCase()} name "${name}"`);
        return false;
      }
    }
    return true;
  }

  /** record_field: field | info | alias | include. The current token starts the item. */
  private recordItem(ctx: RecCtx, inIncludedFile: boolean): void {
    const lx = this.lx;
    const t = lx.tok;
    const line = lx.tline;
    const col = lx.tcol;
    switch (t) {
      case Tok.FIELD:
      case Tok.INFO: {
        this.expect(Tok.LPAREN, "'('");
        const name = this.expectString(t === Tok.FIELD ? 'a field name' : 'an info name');
        this.expect(Tok.COMMA, "','");
        // jsonSTRING values lose their quotes and get C escapes translated (dbRecordField)
        const value = lx.nextJson() === Tok.J_STRING ? translateEscapes(lx.jsonInner()) : this.jsonValue();
        const scalarBare = lx.tok === Tok.J_BARE || lx.tok === Tok.J_NUMBER;
        if (this.next() !== Tok.RPAREN) {
          if (scalarBare && lx.tok !== Tok.EOF && lx.tline === line) {
            this.syntax(
              `')' after the value of ${t === Tok.FIELD ? 'field' : 'info'} '${name}' ` +
                `(unquoted values may only contain letters, digits and _ - + . : quote the value)`,
            );
          }
          this.syntax("')'");
        }
        if (!ctx.rec) return;
        if (t === Tok.FIELD) this.setField(ctx.rec, name, value, line, col);
        else this.setInfo(ctx.rec, name, value, line, col);
        return;
      }
      case Tok.ALIAS: {
        this.expect(Tok.LPAREN, "'('");
        const alias = this.expectString('an alias name');
        const nl = lx.tline;
        const ncol = lx.tcol;
        this.expect(Tok.RPAREN, "')'");
        if (!this.validateName(alias, nl, ncol, 'Alias')) return;
        if (!ctx.rec) return;
        this.createAlias(ctx.rec, alias, line, col);
        return;
      }
      case Tok.INCLUDE:
        this.include(ctx);
        return;
      default:
        this.syntax(inIncludedFile ? "'field', 'info', 'alias' or 'include'" : "'field', 'info', 'alias', 'include' or '}'");
    }
  }

  private setField(rec: DbRecordDef, name: string, value: string, line: number, col: number): void {
    if (name === 'NAME') {
      this.err(line, col, `can't set 'NAME' field of record '${rec.name}'`);
      return;
    }
    this.upsert(rec.fields, name, value, line, col);
  }

  private setInfo(rec: DbRecordDef, name: string, value: string, line: number, col: number): void {
    if (name.length === 0) {
      this.err(line, col, "info item name can't be empty");
      return;
    }
    this.upsert(rec.info, name, value, line, col);
  }

  /** A later definition of the same field or info item replaces the value and its position (EPICS). */
  private upsert(items: DbFieldDef[], name: string, value: string, line: number, col: number): void {
    for (const f of items) {
      if (f.name === name) {
        f.value = value;
        f.file = this.file;
        f.line = line;
        f.col = col;
        return;
      }
    }
    items.push({ file: this.file, line, col, name, value });
  }

  /** createAlias() */
  private createAlias(rec: DbRecordDef, alias: string, line: number, col: number): void {
    const a = this.db.aliases.get(alias);
    if (a) {
      if (a.record !== rec.name) {
        this.err(line, col, `alias '${alias}' for record '${rec.name}' already aliases '${a.record}'`);
      }
      return;
    }
    if (this.db.records.has(alias)) {
      this.err(line, col, `alias '${alias}' for record '${rec.name}' is already a record name`);
      return;
    }
    this.db.aliases.set(alias, { file: this.file, line, col, alias, record: rec.name });
    rec.aliases.push(alias);
  }

  /** alias(rec, "a") at top level (dbAlias) */
  private topAlias(): void {
    const lx = this.lx;
    const line = lx.tline;
    const col = lx.tcol;
    this.expect(Tok.LPAREN, "'('");
    const name = this.expectString('a record name');
    const nl1 = lx.tline;
    const c1 = lx.tcol;
    this.expect(Tok.COMMA, "','");
    const alias = this.expectString('an alias name');
    const nl2 = lx.tline;
    const c2 = lx.tcol;
    this.expect(Tok.RPAREN, "')'");
    if (!this.validateName(alias, nl2, c2, 'Alias') || !this.validateName(name, nl1, c1, 'Record')) return;
    const rec = this.db.find(name);
    if (!rec) {
      this.err(line, col, `alias '${alias}' names an unknown record '${name}'`);
      return;
    }
    this.createAlias(rec, alias, line, col);
  }

  // ---- JSON values --------------------------------------------------------------------------

  /**
   * json_value with the current token (JSON state) as its first token. Returns the text EPICS
   * builds: scalars as written (strings with their quotes), objects/arrays re-serialised with
   * bare keys and bare values quoted. On return the current token is the value's last token.
   */
  private jsonValue(): string {
    const lx = this.lx;
    switch (lx.tok) {
      case Tok.J_NULL:
      case Tok.J_TRUE:
      case Tok.J_FALSE:
      case Tok.J_NUMBER:
        return lx.val;
      case Tok.J_STRING:
        return lx.jsonText();
      case Tok.J_BARE:
        return lx.val;
      case Tok.J_LBRACE:
        return this.jsonObject();
      case Tok.J_LBRACK:
        return this.jsonArray();
      default:
        return this.syntax('a value (quoted string, number, bare word, {…} or […])');
    }
  }

  private jsonInner(): string {
    const lx = this.lx;
    if (lx.tok === Tok.J_BARE) return `"${lx.val}"`;
    return this.jsonValue();
  }

  private jsonObject(): string {
    const lx = this.lx;
    const members: string[] = [];
    if (lx.nextJson() === Tok.J_RBRACE) return '{}';
    for (;;) {
      let key: string;
      if (lx.tok === Tok.J_STRING) key = lx.jsonText();
      else if (lx.tok === Tok.J_BARE) key = `"${lx.val}"`;
      else return this.syntax('an object key');
      if (lx.nextJson() !== Tok.J_COLON) this.syntax("':'");
      lx.nextJson();
      members.push(`${key}:${this.jsonInner()}`);
      const t = lx.nextJson();
      if (t === Tok.J_RBRACE) break;
      if (t !== Tok.J_COMMA) this.syntax("',' or '}'");
      if (lx.nextJson() === Tok.J_RBRACE) break; // trailing comma allowed, dropped
    }
    return `{${members.join(',')}}`;
  }

  private jsonArray(): string {
    const lx = this.lx;
    let out = '';
    if (lx.nextJson() === Tok.J_RBRACK) return '[]';
    for (;;) {
      out += this.jsonInner();
      const t = lx.nextJson();
      if (t === Tok.J_RBRACK) break;
      if (t !== Tok.J_COMMA) this.syntax("',' or ']'");
      out += ',';
      // a trailing ',' is retained so that a 1-element const list differs from a PV name
      if (lx.nextJson() === Tok.J_RBRACK) break;
    }
    return `[${out}]`;
  }
}

interface RecCtx {
  /** null: body parsed but ignored (after an error, or a deleted record) */
  rec: DbRecordDef | null;
}
