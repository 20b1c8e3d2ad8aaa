/**
 * Substitution files (dbLoadTemplate / msi -S): a pure parser with positions, after
 * `modules/database/src/ioc/dbtemplate/dbLoadTemplate.y` + `dbLoadTemplate_lex.l`, with the few
 * extensions msi accepts (several `pattern` blocks in one `file` block, `$(M)` in unquoted words).
 *
 *   global { P=a, R=b }                     # definitions that hold for the rest of the file
 *   file "x.db" {                           # or: file x.db {
 *     pattern { P, R }
 *     { v1, v2 }                            # values by position; "quoted" or bare; ',' optional
 *     global { Q=1 }                        # may appear between sets too
 *   }
 *   file y.template {
 *     { P=v1, R="v 2" }                     # name=value sets
 *     name { P=v1 }                         # deprecated: a word before '{' (warning)
 *   }
 *
 * Each set becomes { file, macros } with macros = globals so far + the set's own (the set wins).
 * Values are raw macLib values (see macros.ts): quoted values keep their quotes when they contain
 * a quote, backslash or `$`, exactly as dbLoadTemplate hands them to dbLoadRecords.
 */
import { rawFromQuoted } from './macros.js';
import type { DbError } from './db-parser.js';

export interface SubstitutionSet {
  /** template file name as written (macros/env not expanded) */
  file: string;
  macros: Record<string, string>;
  /** position of the set's '{' */
  line: number;
  col: number;
  /** position of the `file` statement */
  fileLine: number;
}

export interface ParseSubstitutionsOptions {
  file?: string;
}

export interface ParseSubstitutionsResult {
  sets: SubstitutionSet[];
  errors: DbError[];
  warnings: DbError[];
}

const enum T {
  EOF,
  WORD,
  QUOTE,
  EQUALS,
  COMMA,
  LBRACE,
  RBRACE,
  PATTERN,
  FILE,
  GLOBAL,
  ERROR,
}

// dbLoadTemplate_lex.l bareword [a-zA-Z0-9_\-+:./\\\[\]<>;]
const WORDCH = new Uint8Array(128);
for (const ch of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+:./\\[]<>;') WORDCH[ch.charCodeAt(0)] = 1;

class SubLexer {
  pos = 0;
  line = 1;
  lineStart = 0;
  tok: T = T.EOF;
  val = '';
  tline = 1;
  tcol = 1;
  err = '';
  constructor(private readonly s: string) {}

  next(): T {
    const s = this.s;
    const n = s.length;
    let p = this.pos;
    for (;;) {
      if (p >= n) break;
      const c = s.charCodeAt(p);
      if (c === 10) {
        p++;
        this.line++;
        this.lineStart = p;
      } else if (c === 32 || c === 9 || c === 13 || c === 11 || c === 12) p++;
      else if (c === 35) {
        const e = s.indexOf('\n', p);
        p = e < 0 ? n : e;
      } else break;
    }
    this.tline = this.line;
    this.tcol = p - this.lineStart + 1;
    if (p >= n) {
      this.pos = p;
      return (this.tok = T.EOF);
    }
    const c = s.charCodeAt(p);
    switch (c) {
      case 61:
        this.pos = p + 1;
        return (this.tok = T.EQUALS);
      case 44:
        this.pos = p + 1;
        return (this.tok = T.COMMA);
      case 123:
        this.pos = p + 1;
        return (this.tok = T.LBRACE);
      case 125:
        this.pos = p + 1;
        return (this.tok = T.RBRACE);
      case 34:
      case 39: {
        let q = p + 1;
        while (q < n) {
          const d = s.charCodeAt(q);
          if (d === c || d === 10) break;
          if (d === 92 && q + 1 < n && s.charCodeAt(q + 1) !== 10) q += 2;
          else q++;
        }
        if (q >= n || s.charCodeAt(q) !== c) {
          this.pos = q;
          this.err = 'Newline in string, closing quote missing';
          return (this.tok = T.ERROR);
        }
        this.val = s.slice(p + 1, q);
        this.pos = q + 1;
        return (this.tok = T.QUOTE);
      }
    }
    // bare word, plus balanced $(…)/${…} references (msi accepts them unquoted)
    const st = p;
    while (p < n) {
      const d = s.charCodeAt(p);
      if (d < 128 && WORDCH[d]) {
        p++;
        continue;
      }
      if (d === 36 && (s[p + 1] === '(' || s[p + 1] === '{')) {
        let depth = 0;
        let q = p + 1;
        for (; q < n; q++) {
          const e = s[q];
          if (e === '(' || e === '{') depth++;
          else if (e === ')' || e === '}') {
            if (--depth === 0) break;
          } else if (e === '\n') break;
        }
        if (q >= n || depth !== 0) break;
        p = q + 1;
        continue;
      }
      break;
    }
    if (p === st) {
      this.pos = p + 1;
      const ch = s[p]!;
      this.err = c >= 32 && c < 127 ? `invalid character '${ch}'` : `invalid character 0x${c.toString(16).padStart(2, '0')}`;
      return (this.tok = T.ERROR);
    }
    this.pos = p;
    this.val = s.slice(st, p);
    if (this.val === 'pattern') return (this.tok = T.PATTERN);
    if (this.val === 'file') return (this.tok = T.FILE);
    if (this.val === 'global') return (this.tok = T.GLOBAL);
    return (this.tok = T.WORD);
  }

  describe(): string {
    switch (this.tok) {
      case T.EOF:
        return 'end of file';
      case T.EQUALS:
        return "'='";
      case T.COMMA:
        return "','";
      case T.LBRACE:
        return "'{'";
      case T.RBRACE:
        return "'}'";
      case T.QUOTE:
        return `"${this.val}"`;
      case T.ERROR:
        return this.err;
      default:
        return `'${this.val}'`;
    }
  }
}

class Abort extends Error {}

export function parseSubstitutions(text: string, opts: ParseSubstitutionsOptions = {}): ParseSubstitutionsResult {
  const file = opts.file ?? '<input>';
  const lx = new SubLexer(text);
  const sets: SubstitutionSet[] = [];
  const errors: DbError[] = [];
  const warnings: DbError[] = [];
  const globals: Record<string, string> = {};

  const fail = (expected: string): never => {
    if (lx.tok === T.ERROR) errors.push({ file, line: lx.tline, col: lx.tcol, msg: lx.err });
    else errors.push({ file, line: lx.tline, col: lx.tcol, msg: `syntax error: expected ${expected}, found ${lx.describe()}` });
    throw new Abort();
  };
  const value = (): string => (lx.tok === T.QUOTE ? rawFromQuoted(lx.val) : lx.val);

  /** name=value definitions up to '}' (current token is '{'); into `into` */
  const definitions = (into: Record<string, string>): void => {
    for (;;) {
      const t = lx.next();
      if (t === T.RBRACE) return;
      if (t === T.COMMA) continue;
      if (t !== T.WORD) fail("a macro name, ',' or '}'");
      const name = lx.val;
      if (lx.next() !== T.EQUALS) fail(`'=' after '${name}'`);
      const v = lx.next();
      if (v === T.WORD || v === T.QUOTE) into[name] = value();
      else if (v === T.COMMA) into[name] = '';
      else if (v === T.RBRACE) {
        into[name] = '';
        return;
      } else fail(`a value for '${name}'`);
    }
  };

  const globalDefs = (): void => {
    if (lx.next() !== T.LBRACE) fail("'{' after 'global'");
    definitions(globals);
  };

  try {
    for (;;) {
      const t = lx.next();
      if (t === T.EOF) break;
      if (t === T.GLOBAL) {
        globalDefs();
        continue;
      }
      if (t !== T.FILE) fail("'file' or 'global'");
      const fileLine = lx.tline;
      const ft = lx.next();
      if (ft !== T.WORD && ft !== T.QUOTE) fail('a template file name');
      const tmpl = lx.val;
      if (lx.next() !== T.LBRACE) fail(`'{' after the file name`);
      let pattern: string[] | null = null;
      for (;;) {
        let s = lx.next();
        if (s === T.RBRACE) break;
        if (s === T.GLOBAL) {
          globalDefs();
          continue;
        }
        if (s === T.PATTERN) {
          if (lx.next() !== T.LBRACE) fail("'{' after 'pattern'");
          pattern = [];
          for (;;) {
            const p = lx.next();
            if (p === T.RBRACE) break;
            if (p === T.COMMA) continue;
            if (p !== T.WORD) fail("a macro name, ',' or '}'");
            pattern.push(lx.val);
          }
          continue;
        }
        if (s === T.WORD) {
          // DEPRECATED SYNTAX: a word before '{'
          const w = lx.val;
          const wl = lx.tline;
          const wc = lx.tcol;
          s = lx.next();
          if (s !== T.LBRACE) fail("'{'");
          warnings.push({
            file,
            line: wl,
            col: wc,
            msg: `deprecated syntax: the word '${w}' before '{' is extraneous and should be removed`,
          });
        }
        if (s !== T.LBRACE) fail("'{', 'pattern', 'global' or '}'");
        const line = lx.tline;
        const col = lx.tcol;
        const locals: Record<string, string> = {};
        if (pattern) {
          let k = 0;
          for (;;) {
            const v = lx.next();
            if (v === T.RBRACE) break;
            if (v === T.COMMA) continue;
            if (v !== T.WORD && v !== T.QUOTE) fail("a value, ',' or '}'");
            if (k < pattern.length) locals[pattern[k]!] = value();
            else warnings.push({ file, line: lx.tline, col: lx.tcol, msg: `too many values given (pattern has ${pattern.length})` });
            k++;
          }
        } else {
          definitions(locals);
        }
        sets.push({ file: tmpl, macros: { ...globals, ...locals }, line, col, fileLine });
      }
    }
  } catch (e) {
    if (!(e instanceof Abort)) throw e;
  }
  return { sets, errors, warnings };
}
