import type { Value } from '../trace.js';

/**
 * `repr(float)` in CPython: the shortest round-trip digits (the same digits JavaScript picks), written
 * in fixed notation for 1e-4 <= |x| < 1e16 and in scientific notation otherwise.
 */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, expStr] = Math.abs(x).toExponential().split('e') as [string, string];
  const exp = Number(expStr);
  const digits = mant.replace('.', '');
  const sign = x < 0 ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp).toString().padStart(2, '0');
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac || '0'}`;
}

/** `str(int)`: JavaScript numbers that came from JSON integers. Exact for |x| < 2**53. */
function pyIntStr(x: number): string {
  return Number.isSafeInteger(x) ? String(x) : BigInt(x).toString();
}

/** `repr(str)`: single quotes unless the text holds a single quote and no double quote. */
export function pyStrRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === q) out += `\\${q}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + q;
}

function pyNumberStr(x: number, isFloat: boolean): string {
  return isFloat || !Number.isInteger(x) ? pyFloatRepr(x) : pyIntStr(x);
}

function pyRepr(v: Value): string {
  return typeof v === 'string' ? pyStrRepr(v) : pyStr(v);
}

/**
 * `str(v)` for a JSON-shaped value as Python prints it: None, True/False, 1 vs 1.0, lists and dicts
 * with repr'd items. Nested numbers are taken as ints when integral (JSON parsing loses `1.0` there).
 */
export function pyStr(v: Value | undefined, isFloat = false): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return pyNumberStr(v, isFloat);
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `[${(v as readonly Value[]).map(pyRepr).join(', ')}]`;
  const entries = Object.entries(v as Record<string, Value>);
  return `{${entries.map(([k, x]) => `${pyStrRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
}
