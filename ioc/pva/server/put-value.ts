import { DbrBase, MAX_STRING_SIZE } from '../../epics/field-type.js';
import type { DbrValue } from '../../epics/value.js';

export class PutConversionError extends Error {
  override name = 'PutConversionError';
}

/**
 * A PVA put's `value` (or NTEnum `value.index`) in the PV's native type, shaped as the CA server shapes
 * a put: one element as a scalar, more as a list. Strings parse as numbers, or as an enum's choice.
 */
export function convertPutValue(v: unknown, native: DbrBase, enumStrings: readonly string[], maxCount: number): DbrValue {
  if (v && typeof v === 'object' && !ArrayBuffer.isView(v) && !Array.isArray(v)) {
    // NTEnum: { index } (a client may send the whole enum_t).
    const idx = (v as Record<string, unknown>)['index'];
    if (idx === undefined) throw new PutConversionError('no value to put');
    v = idx;
  }
  const list: unknown[] = Array.isArray(v) || ArrayBuffer.isView(v) ? Array.from(v as ArrayLike<unknown>) : [v];
  if (list.length === 0) throw new PutConversionError('empty array');
  if (list.length > maxCount) throw new PutConversionError(`${list.length} elements, at most ${maxCount}`);
  if (native === DbrBase.STRING) {
    const out = list.map((x) => {
      const s = typeof x === 'string' ? x : String(x);
      return Buffer.byteLength(s) >= MAX_STRING_SIZE ? s.slice(0, MAX_STRING_SIZE - 1) : s;
    });
    return out.length === 1 ? out[0]! : out;
  }
  const nums = list.map((x) => toNumber(x, native, enumStrings));
  return nums.length === 1 ? nums[0]! : nums;
}

function toNumber(x: unknown, native: DbrBase, enumStrings: readonly string[]): number {
  let n: number;
  if (typeof x === 'string') {
    if (native === DbrBase.ENUM) {
      const i = enumStrings.indexOf(x);
      if (i >= 0) return i;
    }
    n = x.trim() === '' ? NaN : Number(x);
    if (Number.isNaN(n)) throw new PutConversionError(`"${x}" is not a number`);
  } else if (typeof x === 'boolean') n = x ? 1 : 0;
  else n = Number(x);
  switch (native) {
    case DbrBase.DOUBLE:
      return n;
    case DbrBase.FLOAT:
      return Math.fround(n);
    case DbrBase.ENUM:
      if (!(n >= 0) || (enumStrings.length && n >= Math.max(enumStrings.length, 16))) throw new PutConversionError(`enum index ${n} out of range`);
      return Math.trunc(n);
    case DbrBase.SHORT:
      return clampInt(n, -0x8000, 0x7fff);
    case DbrBase.CHAR:
      return clampInt(n, 0, 0xff);
    default:
      return clampInt(n, -0x80000000, 0x7fffffff);
  }
}

const clampInt = (n: number, lo: number, hi: number): number => (Number.isFinite(n) ? Math.min(hi, Math.max(lo, Math.trunc(n))) : Number.isNaN(n) ? 0 : n > 0 ? hi : lo);
