/**
 * EPICS macro substitution, a port of the semantics of libCom macLib (`macCore.c` trans()/refer(),
 * `macUtil.c` macParseDefns()) as used by dbLoadRecords, dbLoadTemplate and msi.
 *
 * Pure functions: no I/O, no globals.
 *
 * Semantics kept from macLib:
 * - `$(M)` and `${M}`; `$(M=default)` (default used only when M is undefined; it is itself expanded);
 *   nested references in names and defaults (`$(A$(B))`, `$(M=$(D))`); scoped definitions
 *   `$(M,X=1,Y=2)` that hold only while M's value is expanded.
 * - A macro's value is "raw": when referenced it is expanded at level ≥ 1, where quotes and escapes
 *   are removed (`P="a b"` yields `a b`, `\"` yields `"`) and references inside it are expanded.
 * - In the text being expanded (level 0) quotes and backslashes are kept verbatim; `\x` protects
 *   x (so `\$(P)` is not a reference and stays `\$(P)`; the .db lexer later turns `\$` into `$`
 *   inside quoted field values), and no macro is expanded after an unmatched single quote
 *   on the same line (the single-quote rule of macLib; double quotes do not protect).
 * - EPICS expands a .db file line by line, so quote state resets at each newline.
 * - An undefined macro without default is replaced by `$(M,undefined)`, a recursive one by
 *   `$(M,recursive)`, exactly as macLib writes them. macLib only warns; here each is also an
 *   error with its position, because the loader refuses a database with undefined macros.
 *   (Inside defaults and scoped definitions macLib suppresses the marker to `$(M)`; so do we.)
 * - A reference never spans lines; an unterminated `$(M` is an error.
 */

/** A macro table: name → raw value (as macParseDefns produces: quotes and escapes still in). */
export type MacroTable = Readonly<Record<string, string>>;

export interface MacroError {
  /** file name given in the options (or '<input>') */
  file: string;
  /** 1-based line in the expanded text (= line in the source: expansion keeps line structure) */
  line: number;
  /** 1-based column in the source text of the `$` that starts the outermost reference */
  col: number;
  /** the macro concerned */
  macro: string;
  kind: 'undefined' | 'recursive' | 'unterminated';
  msg: string;
}

export interface ExpandOptions {
  file?: string;
}

export interface ExpandResult {
  text: string;
  errors: MacroError[];
}

const DQ = 34; // "
const SQ = 39; // '
const BS = 92; // \
const DOLLAR = 36; // $
const LPAREN = 40;
const LBRACE = 123;

/** Where output goes; `on=false` discards (macLib's scanning pass for defaults). */
interface Out {
  s: string;
  on: boolean;
}

interface Scope {
  readonly vars: Map<string, string>;
}

/** Per-expansion state. */
class Expander {
  readonly errors: MacroError[] = [];
  /** names currently being expanded (macLib's `visited` flag), in order, for the cycle message */
  private readonly visiting: string[] = [];
  /** scoped definitions from `$(M,X=1)` (macPushScope) */
  private readonly scopes: Scope[] = [];
  /** expanded values of table macros, valid while no scope is pushed */
  private readonly cache = new Map<string, { text: string; errs: { macro: string; kind: 'undefined' | 'recursive'; detail: string }[] }>();
  /** errors collected while computing a cached value */
  private collecting: { macro: string; kind: 'undefined' | 'recursive'; detail: string }[] | null = null;

  line = 1;
  col = 1;
  /** >0 while scanning default values / scoped defs: macLib sets FLAG_SUPPRESS_WARNINGS there */
  private suppress = 0;

  constructor(
    private readonly table: MacroTable,
    private readonly file: string,
  ) {}

  private lookup(name: string): string | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const v = this.scopes[i]!.vars.get(name);
      if (v !== undefined) return v;
    }
    return Object.prototype.hasOwnProperty.call(this.table, name) ? this.table[name] : undefined;
  }

  private report(macro: string, kind: 'undefined' | 'recursive', detail: string): void {
    if (this.collecting) this.collecting.push({ macro, kind, detail });
    this.emit(macro, kind, detail);
  }

  private emit(macro: string, kind: 'undefined' | 'recursive', detail: string): void {
    const msg =
      kind === 'undefined'
        ? `macro '${macro}' is undefined${detail}`
        : `macro '${macro}' is recursive${detail}`;
    this.errors.push({ file: this.file, line: this.line, col: this.col, macro, kind, msg });
  }

  /**
   * macLib trans(): copy `s` from `i` until a char of `term` (or the end), expanding references.
   * Returns the index of the terminating char (s.length at the end).
   */
  trans(s: string, i: number, level: number, term: string, out: Out): number {
    const discard = level > 0;
    let quote = 0;
    let run = i; // start of a pending verbatim run
    const n = s.length;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (term.length !== 0 && term.indexOf(s[i]!) >= 0) break;
      if (quote) {
        if (c === quote) {
          quote = 0;
          if (discard) {
            if (out.on) out.s += s.slice(run, i);
            run = i + 1;
            continue;
          }
        }
      } else if (c === DQ || c === SQ) {
        quote = c;
        if (discard) {
          if (out.on) out.s += s.slice(run, i);
          run = i + 1;
          continue;
        }
      }
      if (c === DOLLAR && quote !== SQ && i + 1 < n) {
        const d = s.charCodeAt(i + 1);
        if (d === LPAREN || d === LBRACE) {
          if (out.on) out.s += s.slice(run, i);
          i = this.refer(s, i, level, out);
          run = i + 1;
          continue;
        }
      }
      if (c === BS && i + 1 < n) {
        // escaped character: the backslash is kept at level 0, dropped inside macro values
        if (discard) {
          if (out.on) out.s += s.slice(run, i);
          run = i + 1;
        }
        i++;
      }
    }
    if (out.on) out.s += s.slice(run, i);
    return i;
  }

  /**
   * macLib refer(): `s[i]` is `$`, `s[i+1]` is `(` or `{`. Returns the index of the closing
   * bracket (or s.length if unterminated).
   */
  refer(s: string, i: number, level: number, out: Out): number {
    const start = i;
    const close = s.charCodeAt(i + 1) === LPAREN ? ')' : '}';
    const macEnd = '=,' + close;
    const valEnd = ',' + close;
    let r = i + 2;

    const name: Out = { s: '', on: true };
    r = this.trans(s, r, level + 1, macEnd, name);
    const refname = name.s;

    let defval = -1;
    if (s[r] === '=') {
      defval = ++r;
      this.suppress++;
      r = this.trans(s, r, level + 1, valEnd, { s: '', on: false });
      this.suppress--;
    }

    let pushed = false;
    if (s[r] === ',') {
      this.suppress++;
      const scope: Scope = { vars: new Map() };
      while (s[r] === ',') {
        r++;
        const sub: Out = { s: '', on: true };
        r = this.trans(s, r, level + 1, macEnd, sub);
        if (s[r] === '=') {
          r++;
          const val: Out = { s: '', on: true };
          r = this.trans(s, r, level + 1, valEnd, val);
          scope.vars.set(sub.s, val.s);
        }
      }
      this.suppress--;
      this.scopes.push(scope);
      pushed = true;
    }

    if (r >= s.length) {
      if (this.suppress === 0) {
        const msg = `unterminated macro reference '${s.slice(start)}'`;
        this.errors.push({ file: this.file, line: this.line, col: this.col, macro: refname, kind: 'unterminated', msg });
      }
    }

    try {
      const raw = this.lookup(refname);
      if (raw !== undefined) {
        if (this.visiting.includes(refname)) {
          if (this.suppress === 0) {
            const chain = [...this.visiting.slice(this.visiting.indexOf(refname)), refname].join(' → ');
            this.report(refname, 'recursive', ` (${chain})`);
          }
          this.badRef(refname, 'recursive', out);
          return r;
        }
        this.expandValue(refname, raw, level, out);
        return r;
      }
      if (defval >= 0) {
        this.trans(s, defval, level + 1, valEnd, out);
        return r;
      }
      if (this.suppress === 0) {
        const via = this.visiting.length ? ` (expanding macro '${this.visiting[this.visiting.length - 1]}')` : '';
        this.report(refname, 'undefined', via);
      }
      this.badRef(refname, 'undefined', out);
      return r;
    } finally {
      if (pushed) this.scopes.pop();
    }
  }

  private badRef(name: string, what: string, out: Out): void {
    if (!out.on) return;
    out.s += this.suppress ? `$(${name})` : `$(${name},${what})`;
  }

  private expandValue(name: string, raw: string, level: number, out: Out): void {
    // Values without any special character expand to themselves.
    if (!needsTrans(raw)) {
      if (out.on) out.s += raw;
      return;
    }
    const cacheable = this.scopes.length === 0 && this.suppress === 0 && this.visiting.length === 0;
    if (cacheable) {
      const hit = this.cache.get(name);
      if (hit) {
        if (out.on) out.s += hit.text;
        for (const e of hit.errs) this.emit(e.macro, e.kind, e.detail);
        return;
      }
      const saved = this.collecting;
      this.collecting = [];
      const o: Out = { s: '', on: true };
      this.visiting.push(name);
      this.trans(raw, 0, level + 1, '', o);
      this.visiting.pop();
      this.cache.set(name, { text: o.s, errs: this.collecting });
      this.collecting = saved;
      if (out.on) out.s += o.s;
      return;
    }
    this.visiting.push(name);
    this.trans(raw, 0, level + 1, '', out);
    this.visiting.pop();
  }
}

function needsTrans(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === DOLLAR || c === DQ || c === SQ || c === BS) return true;
  }
  return false;
}

/**
 * Expand macro references in `text` (a whole file) as dbLoadRecords does, line by line.
 * Line structure is preserved as long as macro values contain no newline.
 */
export function expandMacros(text: string, macros: MacroTable, opts: ExpandOptions = {}): ExpandResult {
  const file = opts.file ?? '<input>';
  let first = text.indexOf('$');
  if (first < 0) return { text, errors: [] };
  const ex = new Expander(macros, file);
  const out: string[] = []; // joined once at the end: a flat string, no rope of lines
  let pos = 0; // everything before pos has been emitted
  let line = 1;
  let counted = 0; // newlines counted up to this index
  while (first >= 0) {
    // the line containing `first`
    const ls = text.lastIndexOf('\n', first) + 1;
    let le = text.indexOf('\n', first);
    if (le < 0) le = text.length;
    for (let k = text.indexOf('\n', counted); k >= 0 && k < ls; k = text.indexOf('\n', k + 1)) line++;
    counted = ls;
    if (ls > pos) out.push(text.slice(pos, ls));
    ex.line = line;
    out.push(expandLine(ex, text.slice(ls, le)));
    pos = le;
    first = le < text.length ? text.indexOf('$', le) : -1;
  }
  out.push(text.slice(pos));
  return { text: out.join(''), errors: ex.errors };
}

/** Level-0 trans() over one line, tracking the column of each outermost reference. */
function expandLine(ex: Expander, s: string): string {
  let quote = 0;
  let run = 0;
  const out: Out = { s: '', on: true };
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (quote) {
      if (c === quote) quote = 0;
    } else if (c === DQ || c === SQ) {
      quote = c;
    }
    if (c === DOLLAR && quote !== SQ && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (d === LPAREN || d === LBRACE) {
        out.s += s.slice(run, i);
        ex.col = i + 1;
        i = ex.refer(s, i, 0, out);
        run = i + 1;
        continue;
      }
    }
    if (c === BS && i + 1 < n) i++;
  }
  out.s += s.slice(run);
  return out.s;
}

/** Convenience: expand a single string (e.g. a file name); errors as for expandMacros. */
export function expandString(text: string, macros: MacroTable, opts: ExpandOptions = {}): ExpandResult {
  return expandMacros(text, macros, opts);
}

/**
 * The value a macro would expand to when referenced (macLib expand(): level 1, quotes and escapes
 * removed, references expanded).
 */
export function macroValue(name: string, macros: MacroTable, opts: ExpandOptions = {}): ExpandResult {
  const ex = new Expander(macros, opts.file ?? '<input>');
  const out: Out = { s: '', on: true };
  const raw = macros[name];
  if (raw === undefined) return { text: '', errors: [] };
  ex.trans(raw, 0, 1, '', out);
  return { text: out.s, errors: ex.errors };
}

export interface MacroListError {
  col: number;
  msg: string;
}

/**
 * macParseDefns(): parse `"P=a,R=b"` into a table. Quotes and escapes are honoured and removed
 * from names; values keep them (they are removed when the value is expanded), as in macLib.
 * White space around names, values, `=` and `,` is ignored. A name without `=` (`"A,B=1"`)
 * undefines the macro in macLib; here it is listed in `undefine`.
 */
export function parseMacroList(defns: string): { macros: Record<string, string>; undefine: string[]; order: string[] } {
  const macros: Record<string, string> = {};
  const undefine: string[] = [];
  const order: string[] = [];
  type St = 0 | 1 | 2 | 3; // preName, inName, preValue, inValue
  let state: St = 0;
  let quote = 0;
  let nameStart = 0;
  let nameEnd = 0;
  let valStart = 0;
  const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);
  const trimEnd = (a: number, b: number) => {
    while (b > a && isSpace(defns.charCodeAt(b - 1))) b--;
    return b;
  };
  const put = (name: string, value: string | null) => {
    const nm = unquoteName(name);
    if (value === null) {
      delete macros[nm];
      undefine.push(nm);
    } else {
      if (!(nm in macros)) order.push(nm);
      macros[nm] = value;
    }
  };
  const n = defns.length;
  let i = 0;
  for (; i < n; i++) {
    const c = defns.charCodeAt(i);
    if (quote) quote = c === quote ? 0 : quote;
    else if (c === SQ || c === DQ) quote = c;
    const escape = c === BS && i + 1 < n;
    // state machine mirrors macParseDefns, including its fall-throughs
    if (state === 0) {
      if (!quote && !escape && (isSpace(c) || c === 44)) {
        if (escape) i++;
        continue;
      }
      nameStart = i;
      state = 1;
    }
    if (state === 1) {
      if (quote || escape || (c !== 61 && c !== 44)) {
        if (escape) i++;
        continue;
      }
      nameEnd = trimEnd(nameStart, i);
      if (c === 44) {
        // name without value: undefine
        put(defns.slice(nameStart, nameEnd), null);
        state = 0;
        continue;
      }
      state = 2;
      continue;
    }
    if (state === 2) {
      if (!quote && !escape && isSpace(c)) continue;
      valStart = i;
      state = 3;
    }
    if (state === 3) {
      if (quote || escape || c !== 44) {
        if (escape) i++;
        continue;
      }
      put(defns.slice(nameStart, nameEnd), defns.slice(valStart, trimEnd(valStart, i)));
      state = 0;
    }
  }
  if (state === 1) {
    put(defns.slice(nameStart, trimEnd(nameStart, n)), null);
  } else if (state === 2) {
    put(defns.slice(nameStart, nameEnd), '');
  } else if (state === 3) {
    put(defns.slice(nameStart, nameEnd), defns.slice(valStart, trimEnd(valStart, n)));
  }
  return { macros, undefine, order };
}

/** Remove quotes and escapes from a macro name (macParseDefns does this for names only). */
function unquoteName(s: string): string {
  if (!needsTrans(s)) return s;
  let quote = 0;
  let d = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (quote) {
      if (c === quote) {
        quote = 0;
        continue;
      }
    } else if (c === SQ || c === DQ) {
      quote = c;
      continue;
    }
    if (c === BS && i + 1 < s.length) i++;
    d += s[i];
  }
  return d;
}

/** Accepts a table or a `"P=a,R=b"` string. */
export type MacroInput = MacroTable | string | undefined;

export function toMacroTable(m: MacroInput): Record<string, string> {
  if (m === undefined) return {};
  if (typeof m === 'string') return parseMacroList(m).macros;
  return { ...m };
}

/**
 * The raw macro value dbLoadTemplate makes of a quoted substitution value: it wraps the inner
 * text in double quotes (`P="a b"` → `"a b"`), which expansion removes again. Left unwrapped
 * when the text holds no quote, backslash or `$` (the result is then the same).
 */
export function rawFromQuoted(inner: string): string {
  if (!needsTrans(inner)) return inner;
  return `"${inner}"`;
}
