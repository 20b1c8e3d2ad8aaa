import { MAX_STRING_SIZE } from './constants.js';
import { DbrBase } from './dbr-types.js';
import type { DbrSnapshot, DbrValue } from './snapshot.js';

/** A value that cannot be represented in the requested type (CA answers with an error status). */
export class ConversionError extends Error {
  override name = 'ConversionError';
}

/**
 * Format a number the way EPICS' cvtDoubleToString / cvtFloatToString (libcom cvtFast.c) do for a given
 * precision: a fixed-point fast path for |v| <= 1e7 and precision <= 8; beyond that "%.*f" with at most 3
 * decimals, or "%*.*e" for precision > 8 and huge values (FLOAT: >= 1e8, cap 12, width prec+6;
 * DOUBLE: > 1e16, cap 17, width prec+7).
 */
export function formatNumber(v: number, base: DbrBase, precision: number): string {
  if (base === DbrBase.FLOAT || base === DbrBase.DOUBLE) {
    const isFloat = base === DbrBase.FLOAT;
    let prec = precision & 0xffff; // the C routines take an epicsUInt16: a negative PREC becomes huge
    if (!Number.isNaN(v) && prec <= 8 && v <= 1e7 && v >= -1e7) return cvtFastFixed(v, prec, isFloat ? Math.fround : (x) => x);
    if (prec > 8 || (isFloat ? v >= 1e8 || v <= -1e8 : v > 1e16 || v < -1e16)) {
      prec = Math.min(prec, isFloat ? 12 : 17);
      return cExponential(v, prec).padStart(prec + (isFloat ? 6 : 7));
    }
    return Number.isNaN(v) ? 'nan' : v.toFixed(Math.min(prec, 3));
  }
  return String(Math.trunc(v));
}

/** The fast path of cvtDoubleToString/cvtFloatToString, including its truncate-then-round arithmetic. */
function cvtFastFixed(v: number, prec: number, r: (x: number) => number): string {
  const neg = v < 0;
  const a = neg ? -v : v;
  let whole = Math.trunc(a);
  const fplace = 10 ** prec;
  let fraction = Math.trunc(r(r(r(a - whole) * fplace) * 10));
  fraction = Math.trunc((fraction + 5) / 10); // round up
  if (fraction >= fplace) {
    whole++;
    fraction -= fplace;
  }
  return `${neg ? '-' : ''}${whole}${prec > 0 ? '.' + String(fraction).padStart(prec, '0') : ''}`;
}

/** printf("%.*e"): at least two exponent digits, "nan"/"inf" for non-finite values. */
function cExponential(v: number, prec: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  return v.toExponential(prec).replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Parse a string as EPICS does when writing text to a numeric field (strtod with a full-match check). */
export function parseNumber(text: string): number {
  const s = text.trim();
  if (s === '') return 0;
  if (/^[+-]?0x[0-9a-f]+$/i.test(s)) return Number.parseInt(s, 16);
  const n = Number(s);
  if (Number.isNaN(n)) {
    const lower = s.toLowerCase();
    if (lower === 'nan') return Number.NaN;
    throw new ConversionError(`cannot convert "${text}" to a number`);
  }
  return n;
}

/**
 * What text may name in an integer type. EPICS parses it with epicsParseInt16/Int32 (Int8/UInt8): a number
 * outside the type is S_stdlib_overflow and the put fails, and so does one without digits ("nan", "inf").
 * DBR_CHAR serves DBF_CHAR and DBF_UCHAR alike, so a CHAR takes what either takes (-128 … 255).
 */
const INTEGER_RANGE: ReadonlyMap<DbrBase, readonly [string, number, number]> = new Map([
  [DbrBase.SHORT, ['DBR_SHORT', -0x8000, 0x7fff]],
  [DbrBase.LONG, ['DBR_LONG', -0x80000000, 0x7fffffff]],
  [DbrBase.CHAR, ['DBR_CHAR', -0x80, 0xff]],
] as const);

/** Text written to a numeric native type: parsed, refused outside an integer type, then narrowed. */
function parseForPut(text: string, native: DbrBase): number {
  const n = parseNumber(text);
  const range = INTEGER_RANGE.get(native);
  if (range && !(Math.trunc(n) >= range[1] && Math.trunc(n) <= range[2])) {
    throw new ConversionError(`"${text}" is out of range for ${range[0]} (${range[1]} to ${range[2]})`);
  }
  return coerce(n, native);
}

/** Elements of a native value as numbers (the requested type is numeric). */
export function valueAsNumbers(snap: DbrSnapshot): ArrayLike<number> {
  const v = snap.value;
  if (typeof v === 'number') return [v];
  if (typeof v === 'string') return [stringToNumber(v, snap)];
  if (v.length > 0 && typeof v[0] === 'string') {
    return (v as readonly string[]).map((s) => stringToNumber(s, snap));
  }
  return v as ArrayLike<number>;
}

function stringToNumber(s: string, snap: DbrSnapshot): number {
  if (snap.nativeType === DbrBase.ENUM) {
    const idx = snap.enumStrings.indexOf(s);
    if (idx >= 0) return idx;
  }
  return parseNumber(s);
}

/** Elements of a native value as strings (the requested type is DBR_STRING). */
export function valueAsStrings(snap: DbrSnapshot): readonly string[] {
  const v = snap.value;
  if (typeof v === 'string') return [v];
  if (typeof v === 'number') return [numberToString(v, snap)];
  if (v.length > 0 && typeof v[0] === 'string') return v as readonly string[];
  const nums = v as ArrayLike<number>;
  const out: string[] = new Array(nums.length);
  for (let i = 0; i < nums.length; i++) out[i] = numberToString(nums[i]!, snap);
  return out;
}

function numberToString(n: number, snap: DbrSnapshot): string {
  if (snap.nativeType === DbrBase.ENUM) {
    const s = snap.enumStrings[n];
    return s !== undefined && s !== '' ? s : String(n);
  }
  return formatNumber(n, snap.nativeType, snap.precision);
}

/**
 * Convert values written by a client (decoded from the wire as `wireBase`) into a value of the PV's
 * native type. Strings are parsed, enum states accepted by name or index; failures throw ConversionError.
 */
export function convertForPut(
  values: ArrayLike<number> | readonly string[],
  wireBase: DbrBase,
  native: DbrBase,
  enumStrings: readonly string[],
): DbrValue {
  const count = values.length;
  if (native === DbrBase.STRING) {
    const out: string[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const v = values[i]!;
      out[i] = typeof v === 'string' ? (v.length >= MAX_STRING_SIZE ? v.slice(0, MAX_STRING_SIZE - 1) : v) : numberAsPutString(v, wireBase);
    }
    return count === 1 ? out[0]! : out;
  }
  const nums = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const v = values[i]!;
    if (typeof v === 'string') {
      if (native === DbrBase.ENUM) {
        const idx = enumStrings.indexOf(v);
        if (idx >= 0) {
          nums[i] = idx;
          continue;
        }
      }
      nums[i] = numberAsPutNumber(parseForPut(v, native), native, enumStrings);
    } else {
      nums[i] = numberAsPutNumber(v, native, enumStrings);
    }
  }
  return count === 1 ? nums[0]! : nums;
}

/** convertForPut for one number (the common scalar put), without the arrays. */
export function convertNumberForPut(v: number, wireBase: DbrBase, native: DbrBase, enumStrings: readonly string[]): DbrValue {
  return native === DbrBase.STRING ? numberAsPutString(v, wireBase) : numberAsPutNumber(v, native, enumStrings);
}

/** dbConvert.c putDoubleString/putFloatString: precision 6 unless the record supplies one. */
function numberAsPutString(v: number, wireBase: DbrBase): string {
  const s = formatNumber(v, wireBase, 6);
  return s.length >= MAX_STRING_SIZE ? s.slice(0, MAX_STRING_SIZE - 1) : s;
}

function numberAsPutNumber(v: number, native: DbrBase, enumStrings: readonly string[]): number {
  const n = coerce(v, native);
  if (native === DbrBase.ENUM && enumStrings.length > 0 && n >= Math.max(enumStrings.length, 16)) {
    throw new ConversionError(`enum index ${n} out of range`);
  }
  return n;
}

/** C-style narrowing into a native numeric type. */
export function coerce(v: number, base: DbrBase): number {
  switch (base) {
    case DbrBase.DOUBLE:
      return v;
    case DbrBase.FLOAT:
      return Math.fround(v);
    case DbrBase.LONG:
      return Number.isFinite(v) ? Math.trunc(v) | 0 : 0;
    case DbrBase.SHORT:
      return Number.isFinite(v) ? ((Math.trunc(v) << 16) >> 16) : 0;
    case DbrBase.ENUM:
      return Number.isFinite(v) ? Math.trunc(v) & 0xffff : 0;
    case DbrBase.CHAR:
      return Number.isFinite(v) ? Math.trunc(v) & 0xff : 0;
    default:
      return v;
  }
}

