/**
 * Hand-written lexer for EPICS database (.db/.template/.dbd) text, after macro expansion.
 * Mirrors `modules/database/src/ioc/dbStatic/dbLex.l` (EPICS 7): an INITIAL state for the
 * database grammar and a JSON state used for field/info values.
 *
 * One pass over char codes with a class table; no regex per character (a single anchored regex
 * tests whether a JSON bare word is a number, as the flex rule {number} would match it).
 */

export const enum Tok {
  EOF = 0,
  STRING, // bare word or "quoted" (INITIAL)
  LPAREN,
  RPAREN,
  LBRACE,
  RBRACE,
  COMMA,
  CDEFS, // %... line (recordtype C definitions)
  // keywords (INITIAL only)
  INCLUDE,
  PATH,
  ADDPATH,
  MENU,
  CHOICE,
  RECORDTYPE,
  FIELD,
  DEVICE,
  DRIVER,
  LINK,
  BREAKTABLE,
  RECORD,
  GRECORD,
  ALIAS,
  INFO,
  REGISTRAR,
  FUNCTION,
  VARIABLE,
  // JSON state
  J_LBRACE,
  J_RBRACE,
  J_LBRACK,
  J_RBRACK,
  J_COLON,
  J_COMMA,
  J_STRING, // text keeps its quotes and escapes, as dbLex.l returns it
  J_NUMBER,
  J_BARE,
  J_NULL,
  J_TRUE,
  J_FALSE,
  ERROR,
}

const KEYWORDS = new Map<string, Tok>([
  ['include', Tok.INCLUDE],
  ['path', Tok.PATH],
  ['addpath', Tok.ADDPATH],
  ['menu', Tok.MENU],
  ['choice', Tok.CHOICE],
  ['recordtype', Tok.RECORDTYPE],
  ['field', Tok.FIELD],
  ['device', Tok.DEVICE],
  ['driver', Tok.DRIVER],
  ['link', Tok.LINK],
  ['breaktable', Tok.BREAKTABLE],
  ['record', Tok.RECORD],
  ['grecord', Tok.GRECORD],
  ['alias', Tok.ALIAS],
  ['info', Tok.INFO],
  ['registrar', Tok.REGISTRAR],
  ['function', Tok.FUNCTION],
  ['variable', Tok.VARIABLE],
]);

const KW_BY_FIRST: ([string, Tok][] | undefined)[] = [];
for (const [kw, tk] of KEYWORDS) (KW_BY_FIRST[kw.charCodeAt(0) - 97] ??= []).push([kw, tk]);

// character classes
const C_BARE = 1; // dbLex.l bareword [a-zA-Z0-9_\-+:.\[\]<>;]
const C_JBARE = 2; // barechar [a-zA-Z0-9_\-+.]
const C_WS = 4; // [ \t\r\n]
const CLS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[a-zA-Z0-9_\-+.]/.test(ch)) CLS[c] = C_BARE | C_JBARE;
  else if (/[:\[\]<>;]/.test(ch)) CLS[c] = C_BARE;
  else if (/[ \t\r\n]/.test(ch)) CLS[c] = C_WS;
}

// flex {number}: jsonnum | intexp | fracexp | specialnum | hexint
const NUMBER_RE =
  /^(?:[+-]?(?:[0-9]|[1-9][0-9]+)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|[+-]?(?:[0-9]|[1-9][0-9]+)\.(?:[eE][+-]?[0-9]+)?|[+-]?\.[0-9]+(?:[eE][+-]?[0-9]+)?|NaN|[+-]?Infinity|[+-]?0[xX][0-9a-fA-F]+)$/;

export function tokName(t: Tok): string {
  switch (t) {
    case Tok.EOF:
      return 'end of file';
    case Tok.LPAREN:
      return "'('";
    case Tok.RPAREN:
      return "')'";
    case Tok.LBRACE:
    case Tok.J_LBRACE:
      return "'{'";
    case Tok.RBRACE:
    case Tok.J_RBRACE:
      return "'}'";
    case Tok.COMMA:
    case Tok.J_COMMA:
      return "','";
    case Tok.J_LBRACK:
      return "'['";
    case Tok.J_RBRACK:
      return "']'";
    case Tok.J_COLON:
      return "':'";
    default:
      return 'a string';
  }
}

export class DbLexer {
  pos = 0;
  line = 1;
  lineStart = 0;
  /** current token */
  tok: Tok = Tok.EOF;
  /** token text: string value (quotes removed for INITIAL strings; kept for J_STRING) */
  val = '';
  quoted = false;
  tline = 1;
  tcol = 1;
  /** J_STRING token extent (with its quotes): read with jsonText() / jsonInner() */
  jStart = 0;
  jEnd = 0;
  /** message when tok === ERROR */
  err = '';

  constructor(readonly src: string) {}

  private skipWsAndComments(): void {
    const s = this.src;
    const n = s.length;
    let p = this.pos;
    while (p < n) {
      const c = s.charCodeAt(p);
      if (c === 10) {
        p++;
        this.line++;
        this.lineStart = p;
      } else if (c === 32 || c === 9 || c === 13) {
        p++;
      } else if (c === 35 /* # */) {
        const e = s.indexOf('\n', p);
        p = e < 0 ? n : e;
      } else break;
    }
    this.pos = p;
  }

  /** Skip blanks and comments and note where the next token starts (line, column); returns its offset. */
  private startToken(): number {
    this.skipWsAndComments();
    this.tline = this.line;
    this.tcol = this.pos - this.lineStart + 1;
    this.quoted = false;
    return this.pos;
  }

  /** Offset after the run of characters of class `mask` that starts at `p`. */
  private scanClass(p: number, mask: number): number {
    const s = this.src;
    const n = s.length;
    while (p < n) {
      const d = s.charCodeAt(p);
      if (d < 128 && CLS[d]! & mask) p++;
      else break;
    }
    return p;
  }

  private error(msg: string): Tok {
    this.err = msg;
    this.tok = Tok.ERROR;
    return Tok.ERROR;
  }

  private invalidChar(c: number): Tok {
    const ch = String.fromCharCode(c);
    return this.error(
      c >= 32 && c < 127 ? `Invalid character '${ch}'` : `Invalid character 0x${c.toString(16).padStart(2, '0')}`,
    );
  }

  /** Next token in the INITIAL state. */
  next(): Tok {
    const s = this.src;
    const n = s.length;
    let p = this.startToken();
    if (p >= n) return (this.tok = Tok.EOF);
    const c = s.charCodeAt(p);
    if (c < 128 && CLS[c]! & C_BARE) {
      const st = p;
      p = this.scanClass(p + 1, C_BARE);
      this.pos = p;
      const len = p - st;
      // keywords are 4-10 lowercase letters: compare in place, no slice (field names are upper case)
      if (len >= 4 && len <= 10 && c >= 97 && c <= 122) {
        const cands = KW_BY_FIRST[c - 97];
        if (cands) {
          for (const [kw, tk] of cands) {
            if (kw.length === len && s.startsWith(kw, st)) {
              this.val = kw;
              return (this.tok = tk);
            }
          }
        }
      }
      this.val = s.slice(st, p);
      return (this.tok = Tok.STRING);
    }
    switch (c) {
      case 34 /* " */: {
        // {doublequote}({dqschar}|{escape})*{doublequote}; escapes kept verbatim
        const st = ++p;
        while (p < n) {
          const d = s.charCodeAt(p);
          if (d === 34) break;
          if (d === 10) break;
          if (d === 92) {
            if (p + 1 < n && s.charCodeAt(p + 1) !== 10) p += 2;
            else {
              p++;
              break;
            }
          } else p++;
        }
        if (p >= n || s.charCodeAt(p) !== 34) {
          this.pos = p;
          return this.error('Newline in string, closing quote missing');
        }
        this.val = s.slice(st, p);
        this.pos = p + 1;
        this.quoted = true;
        return (this.tok = Tok.STRING);
      }
      case 37 /* % */: {
        let e = s.indexOf('\n', p);
        if (e < 0) e = n;
        this.val = s.slice(p + 1, e);
        this.pos = e;
        return (this.tok = Tok.CDEFS);
      }
      case 42 /* * */:
        // record(*, "name"): EPICS needs "*" quoted (not a bareword char); accepted bare too
        this.pos = p + 1;
        this.val = '*';
        return (this.tok = Tok.STRING);
      case 40:
        this.pos = p + 1;
        return (this.tok = Tok.LPAREN);
      case 41:
        this.pos = p + 1;
        return (this.tok = Tok.RPAREN);
      case 123:
        this.pos = p + 1;
        return (this.tok = Tok.LBRACE);
      case 125:
        this.pos = p + 1;
        return (this.tok = Tok.RBRACE);
      case 44:
        this.pos = p + 1;
        return (this.tok = Tok.COMMA);
      default:
        this.pos = p + 1;
        return this.invalidChar(c);
    }
  }

  /** Next token in the JSON state (field and info values). */
  nextJson(): Tok {
    const s = this.src;
    const n = s.length;
    let p = this.startToken();
    if (p >= n) return (this.tok = Tok.EOF);
    const c = s.charCodeAt(p);
    if (c < 128 && CLS[c]! & C_JBARE) {
      const st = p;
      p = this.scanClass(p + 1, C_JBARE);
      this.pos = p;
      const w = s.slice(st, p);
      this.val = w;
      if (w === 'null') return (this.tok = Tok.J_NULL);
      if (w === 'true') return (this.tok = Tok.J_TRUE);
      if (w === 'false') return (this.tok = Tok.J_FALSE);
      const c0 = w.charCodeAt(0);
      // cheap pre-check before the regex: numbers start with a digit, sign, '.', N or I
      if ((c0 >= 48 && c0 <= 57) || c0 === 43 || c0 === 45 || c0 === 46 || c0 === 78 || c0 === 73) {
        if (NUMBER_RE.test(w)) return (this.tok = Tok.J_NUMBER);
      }
      return (this.tok = Tok.J_BARE);
    }
    switch (c) {
      case 34:
      case 39:
        return this.jsonString(c);
      case 123:
        this.pos = p + 1;
        return (this.tok = Tok.J_LBRACE);
      case 125:
        this.pos = p + 1;
        return (this.tok = Tok.J_RBRACE);
      case 91:
        this.pos = p + 1;
        return (this.tok = Tok.J_LBRACK);
      case 93:
        this.pos = p + 1;
        return (this.tok = Tok.J_RBRACK);
      case 58:
        this.pos = p + 1;
        return (this.tok = Tok.J_COLON);
      case 44:
        this.pos = p + 1;
        return (this.tok = Tok.J_COMMA);
      default:
        this.pos = p + 1;
        return this.invalidChar(c);
    }
  }

  /**
   * {jsondqstr}|{jsonsqstr}: normal chars exclude the quotes, backslash and 0x00-0x1f; escapes are
   * `\` + any char but u, x, 1-9; `\xHH`; `\uHHHH`. The other quote is allowed inside.
   */
  private jsonString(q: number): Tok {
    const s = this.src;
    const n = s.length;
    const st = this.pos;
    let p = st + 1;
    let bad = false;
    while (p < n) {
      const d = s.charCodeAt(p);
      if (d === q) break;
      if (d === 10) break;
      if (d === 92) {
        if (p + 1 >= n) {
          p++;
          break;
        }
        const e = s.charCodeAt(p + 1);
        if (e === 10) {
          p++;
          break;
        }
        if (e === 120 /* x */) {
          if (!(isHex(s.charCodeAt(p + 2)) && isHex(s.charCodeAt(p + 3)))) bad = true;
        } else if (e === 117 /* u */) {
          if (!(isHex(s.charCodeAt(p + 2)) && isHex(s.charCodeAt(p + 3)) && isHex(s.charCodeAt(p + 4)) && isHex(s.charCodeAt(p + 5))))
            bad = true;
        } else if (e >= 49 && e <= 57) bad = true;
        p += 2;
        continue;
      }
      if (d < 32) bad = true;
      p++;
    }
    if (p >= n || s.charCodeAt(p) !== q) {
      this.pos = p;
      return this.error('Newline in string, closing quote missing');
    }
    this.pos = p + 1;
    if (bad) return this.error('Bad character in JSON string');
    this.jStart = st;
    this.jEnd = p + 1;
    this.quoted = true;
    return (this.tok = Tok.J_STRING);
  }

  /** J_STRING as written, with quotes and escapes (as dbLex.l returns jsonSTRING). */
  jsonText(): string {
    return this.src.slice(this.jStart, this.jEnd);
  }

  /** J_STRING without its quotes, escapes untranslated. */
  jsonInner(): string {
    return this.src.slice(this.jStart + 1, this.jEnd - 1);
  }

  /** Text of the current token for messages. */
  describe(): string {
    switch (this.tok) {
      case Tok.EOF:
        return 'end of file';
      case Tok.ERROR:
        return this.err;
      case Tok.STRING:
        return this.quoted ? `"${this.val}"` : `'${this.val}'`;
      case Tok.J_STRING:
        return this.jsonText();
      case Tok.J_NUMBER:
      case Tok.J_BARE:
      case Tok.J_NULL:
      case Tok.J_TRUE:
      case Tok.J_FALSE:
      case Tok.CDEFS:
        return `'${this.val}'`;
      default:
        if (this.tok >= Tok.INCLUDE && this.tok <= Tok.VARIABLE) return `keyword '${this.val}'`;
        return tokName(this.tok);
    }
  }
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/**
 * epicsStrnRawFromEscaped() (dbTranslateEscape): C escapes of quoted field and info values.
 * \a \b \f \n \r \t \v \\ \' \" \0, \xH or \xHH; any other escaped char stands for itself.
 */
export function translateEscapes(src: string): string {
  if (src.indexOf('\\') < 0) return src;
  let out = '';
  const n = src.length;
  let i = 0;
  while (i < n) {
    const c = src[i]!;
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    if (i + 1 >= n) break;
    const e = src[i + 1]!;
    i += 2;
    switch (e) {
      case 'a':
        out += '\x07';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case '0':
        out += '\0';
        break;
      case 'x': {
        let u = 0;
        let k = 0;
        while (k < 2 && i < n && isHex(src.charCodeAt(i))) {
          u = (u << 4) | parseInt(src[i]!, 16);
          i++;
          k++;
        }
        if (k > 0) out += String.fromCharCode(u);
        break;
      }
      default:
        out += e;
    }
  }
  return out;
}
