import type { Value } from '../trace.js';

// Python's float() grammar: optional sign, digits with single underscores between them, optional
// fraction and exponent, or inf/infinity/nan in any case; surrounding whitespace is stripped.
const DIGITS = '[0-9](?:_?[0-9])*';
const FLOAT_RE = new RegExp(
  `^[+-]?(?:(?:${DIGITS}(?:\\.(?:${DIGITS})?)?|\\.${DIGITS})(?:[eE][+-]?${DIGITS})?|inf|infinity|nan)$`,
  'i',
);

/**
 * `float(v)` as Python computes it, or undefined where Python raises (TypeError/ValueError).
 * Booleans are 0/1 (bool is an int subclass); None, lists and dicts raise.
 */
export function pyFloat(v: Value | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (!FLOAT_RE.test(s)) return undefined;
  const body = s.replace(/_/g, '').toLowerCase();
  const sign = body.startsWith('-') ? -1 : 1;
  const unsigned = body.replace(/^[+-]/, '');
  if (unsigned === 'nan') return NaN;
  if (unsigned === 'inf' || unsigned === 'infinity') return sign * Infinity;
  return Number(body);
}

/** EnvTrace's `_is_number`: an int or float that is not a bool. */
export function isPyNumber(v: Value | undefined): v is number {
  return typeof v === 'number';
}
