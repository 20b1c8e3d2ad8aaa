/** Python's built-in `min(a, b)`: keeps `a` unless `b < a` (so `min(nan, 1) is nan`). */
export function pyMin(a: number, b: number): number {
  return b < a ? b : a;
}

/** Python's built-in `max(a, b)`: keeps `a` unless `b > a` (so `max(0, nan) == 0`). */
export function pyMax(a: number, b: number): number {
  return b > a ? b : a;
}

/** `math.isclose(a, b, rel_tol, abs_tol)` exactly as CPython's mathmodule.c evaluates it. */
export function isClose(a: number, b: number, relTol: number, absTol = 0): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false; // inf vs other, or nan
  const diff = Math.abs(b - a);
  return diff <= Math.abs(relTol * b) || diff <= Math.abs(relTol * a) || diff <= absTol;
}
