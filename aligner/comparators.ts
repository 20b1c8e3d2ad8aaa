import type { Event } from './trace.js';
import { isPyNumber, pyFloat } from './py/float.js';
import { isClose } from './py/math.js';
import { pyStr } from './py/str.js';

/** Decides whether a GT event's value and a predicted event's value match. */
export interface Comparator {
  readonly name: string;
  compare(gt: Event, pred: Event): boolean;
}

const strEq = (g: Event, p: Event) => pyStr(g.value, g.pyFloat) === pyStr(p.value, p.pyFloat);

/** EnvTrace `ExactEqualityComparator`: float equality for numbers (not bools), else `str(a) == str(b)`. */
export const exact: Comparator = {
  name: 'exact',
  compare: (g, p) => (isPyNumber(g.value) && isPyNumber(p.value) ? g.value === p.value : strEq(g, p)),
};

/** EnvTrace `NumericToleranceComparator`: `math.isclose(a, b, rel_tol=tol, abs_tol=0)`, else str equality. */
export function relativeTolerance(tol = 1e-3): Comparator {
  return {
    name: `numeric_tolerance(rel=${tol})`,
    compare: (g, p) => (isPyNumber(g.value) && isPyNumber(p.value) ? isClose(g.value, p.value, tol, 0) : strEq(g, p)),
  };
}

/**
 * The VISION harness's value test: `abs(float(g) - float(p)) < tol` when both convert with Python's
 * `float()` (so booleans are 0/1 and numeric strings count as numbers), else `str(g) == str(p)`.
 */
export function absoluteTolerance(tol = 1e-3): Comparator {
  return {
    name: `absolute_tolerance(${tol})`,
    compare: (g, p) => {
      const a = pyFloat(g.value);
      const b = pyFloat(p.value);
      return a !== undefined && b !== undefined ? Math.abs(a - b) < tol : strEq(g, p);
    },
  };
}

/** EnvTrace `AlwaysTrueComparator`; also the VISION markers whose parameters are not compared. */
export const alwaysTrue: Comparator = { name: 'always_true', compare: () => true };

/** Per-channel overrides, resolved on the GT event's channel (EnvTrace `get_comparator_for_channel`). */
export function byChannel(fallback: Comparator, overrides: ReadonlyMap<string, Comparator>): Comparator {
  if (overrides.size === 0) return fallback;
  return {
    name: fallback.name,
    compare: (g, p) => (overrides.get(g.channel) ?? fallback).compare(g, p),
  };
}

/** Adds the same-channel requirement (the VISION harness checks it; EnvTrace's metrics do not). */
export function sameChannel(c: Comparator): Comparator {
  return { name: c.name, compare: (g, p) => g.channel === p.channel && c.compare(g, p) };
}

/** An EnvTrace comparator spec (`{"type": "numeric_tolerance", "tol": 0.001}`) as `_make_comparator` reads it. */
export function comparatorFromSpec(spec: unknown): Comparator {
  if (!spec || typeof spec !== 'object' || Object.keys(spec).length === 0) return relativeTolerance(1e-3);
  const s = spec as Record<string, unknown>;
  const t = String(s.type ?? 'numeric_tolerance').toLowerCase();
  if (t === 'exact' || t === 'equals' || t === 'eq') return exact;
  if (t === 'numeric_tolerance' || t === 'tolerance' || t === 'tol') return relativeTolerance(s.tol === undefined ? 1e-3 : Number(s.tol));
  if (t === 'always_true' || t === 'any' || t === 'ignore') return alwaysTrue;
  return relativeTolerance(1e-3);
}
