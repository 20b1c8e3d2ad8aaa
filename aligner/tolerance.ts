import type { Comparator } from './comparators.js';
import { pyFloat } from './py/float.js';
import type { Event, Value } from './trace.js';

/** Absolute tolerance the native preset starts from (the harness's 1e-3). */
export const NATIVE_BASE_TOLERANCE = 1e-3;

function metaNumber(e: Event, ...keys: string[]): number | undefined {
  if (!e.meta) return undefined;
  for (const k of keys) {
    const v = e.meta[k];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return undefined;
}

/**
 * The tolerance for comparing two values of one channel, from record metadata when the recorder kept
 * it: an explicit `tolerance`, else half a motor step (`MRES`: a move to 1.234 lands on 1.23 with
 * MRES 0.01), else half the last displayed digit (`PREC`), never below 1e-3.
 */
export function channelTolerance(g: Event, p: Event): number {
  const explicit = metaNumber(g, 'tolerance') ?? metaNumber(p, 'tolerance');
  if (explicit !== undefined) return explicit;
  let tol = NATIVE_BASE_TOLERANCE;
  const mres = metaNumber(g, 'MRES', 'mres') ?? metaNumber(p, 'MRES', 'mres');
  if (mres !== undefined) tol = Math.max(tol, Math.abs(mres) / 2);
  const prec = metaNumber(g, 'PREC', 'precision') ?? metaNumber(p, 'PREC', 'precision');
  if (prec !== undefined && prec >= 0 && prec < 17) tol = Math.max(tol, 0.5 * 10 ** -prec);
  return tol;
}

function valuesMatch(a: Value, b: Value, tol: number): boolean {
  const x = pyFloat(a);
  const y = pyFloat(b);
  if (x !== undefined && y !== undefined) {
    if (x === y) return true; // also inf == inf
    return Math.abs(x - y) <= tol * (1 + 1e-12) + 1e-12 * Math.max(Math.abs(x), Math.abs(y));
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => valuesMatch(v, b[i]!, tol));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && valuesMatch((a as never)[k], (b as never)[k], tol));
  }
  return a === b;
}

/** The native value test: same channel, numbers (booleans as 0/1) within the channel tolerance, else equal. */
export const nativeMatch: Comparator = {
  name: 'native',
  compare: (g, p) => g.channel === p.channel && valuesMatch(g.value, p.value, channelTolerance(g, p)),
};
