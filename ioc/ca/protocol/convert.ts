import { MAX_STRING_SIZE } from './constants.js';
import { DbrBase } from './dbr-types.js';
import type { DbrSnapshot, DbrValue } from './snapshot.js';

/** A value that cannot be represented in the requested type (CA answers with an error status). */
export class ConversionError extends Error {
  override name = 'ConversionError';
}

const isNumericBase = (b: DbrBase): boolean => b !== DbrBase.STRING;

/** Format a number the way EPICS' cvtDoubleToString does for a given precision. */
export function formatNumber(v: number, base: DbrBase, precision: number): string {
  if (base === DbrBase.FLOAT || base === DbrBase.DOUBLE) {
    if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
    const prec = Math.max(0, Math.min(precision | 0, 17));
    if (Math.abs(v) >= 1e17) return v.toExponential(prec);
    return v.toFixed(prec);
  }
  return String(Math.trunc(v));
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
      out[i] = typeof v === 'string' ? v : formatNumber(v, wireBase, 0);
      if (out[i]!.length >= MAX_STRING_SIZE) out[i] = out[i]!.slice(0, MAX_STRING_SIZE - 1);
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
      nums[i] = coerce(parseNumber(v), native);
    } else {
      nums[i] = coerce(v, native);
    }
    if (native === DbrBase.ENUM && enumStrings.length > 0 && nums[i]! >= Math.max(enumStrings.length, 16)) {
      throw new ConversionError(`enum index ${nums[i]} out of range`);
    }
  }
  return count === 1 ? nums[0]! : nums;
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

export { isNumericBase };
