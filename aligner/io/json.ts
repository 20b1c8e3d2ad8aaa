/**
 * A JSON parser that remembers which numbers were written as floats. Python's `json` turns `1.0` into
 * a float and `1` into an int, and the reference presets print values with `str()`, so the difference
 * shows up in scores (`str(1.0) != "1"`). `JSON.parse` forgets it; this parser returns integral float
 * literals as {@link PyFloatLiteral} boxes, which {@link unbox} removes once the caller has looked.
 */
export class PyFloatLiteral {
  constructor(readonly value: number) {}
}

export class JsonSyntaxError extends Error {
  override name = 'JsonSyntaxError';
}

export function parseJsonKeepingFloats(text: string): unknown {
  let i = 0;
  const fail = (what: string): never => {
    throw new JsonSyntaxError(`${what} at offset ${i}`);
  };
  const ws = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const o: Record<string, unknown> = {};
      ws();
      if (text[i] === '}') {
        i++;
        return o;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const k = str();
        ws();
        if (text[i++] !== ':') fail("expected ':'");
        o[k] = value();
        ws();
        const d = text[i++];
        if (d === '}') return o;
        if (d !== ',') fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const a: unknown[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return a;
      }
      for (;;) {
        a.push(value());
        ws();
        const d = text[i++];
        if (d === ']') return a;
        if (d !== ',') fail("expected ',' or ']'");
      }
    }
    if (c === '"') return str();
    if (text.startsWith('true', i)) return (i += 4), true;
    if (text.startsWith('false', i)) return (i += 5), false;
    if (text.startsWith('null', i)) return (i += 4), null;
    // Python's json also reads NaN / Infinity / -Infinity (and writes them).
    if (text.startsWith('NaN', i)) return (i += 3), new PyFloatLiteral(NaN);
    if (text.startsWith('Infinity', i)) return (i += 8), new PyFloatLiteral(Infinity);
    if (text.startsWith('-Infinity', i)) return (i += 9), new PyFloatLiteral(-Infinity);
    return number();
  };
  const NUM = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
  const number = (): unknown => {
    NUM.lastIndex = i;
    const m = NUM.exec(text);
    if (!m) return fail('unexpected character');
    i = NUM.lastIndex;
    const x = Number(m[0]);
    const isFloat = m[1] !== undefined || m[2] !== undefined;
    return isFloat && Number.isInteger(x) ? new PyFloatLiteral(x) : x;
  };
  const str = (): string => {
    const start = ++i;
    let simple = true;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 34) break;
      if (c === 92) {
        simple = false;
        i += 2;
      } else i++;
    }
    if (i >= text.length) fail('unterminated string');
    const raw = text.slice(start, i++);
    return simple ? raw : (JSON.parse(`"${raw}"`) as string);
  };
  const out = value();
  ws();
  if (i < text.length) fail('unexpected trailing text');
  return out;
}

/** Replace every {@link PyFloatLiteral} box by its number. */
export function unbox(v: unknown): unknown {
  if (v instanceof PyFloatLiteral) return v.value;
  if (Array.isArray(v)) return v.map(unbox);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = unbox(x);
    return o;
  }
  return v;
}
