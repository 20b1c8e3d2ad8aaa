import { DEFAULT_CONTINUOUS, scoreFromErrors, type ContinuousParams } from './continuous.js';
import type { MetricResult } from './result.js';

/** A sampled series: times (seconds from the trace's start, ascending) and values. */
export interface Series {
  readonly t: readonly number[];
  readonly v: readonly number[];
}

/** Linear interpolation inside the samples, the nearest sample's value outside them. */
function at(s: Series, t: number, hint: { k: number }): number {
  const n = s.t.length;
  if (t <= s.t[0]!) return s.v[0]!;
  if (t >= s.t[n - 1]!) return s.v[n - 1]!;
  let k = hint.k;
  while (k + 1 < n && s.t[k + 1]! <= t) k++;
  hint.k = k;
  const t0 = s.t[k]!;
  const t1 = s.t[k + 1]!;
  return t1 === t0 ? s.v[k + 1]! : s.v[k]! + ((s.v[k + 1]! - s.v[k]!) * (t - t0)) / (t1 - t0);
}

/**
 * Native continuous metric: the references pad by index and ignore time, so the same ramp sampled at a
 * different rate scores badly. Here both series are read as functions of time (linear between samples,
 * held before the first and after the last), and MAE is the time average of |gt − pred| over the span
 * both cover together (trapezoids on the union of sample times); with all samples at one instant it is
 * the mean over those samples. Same exponential score and thresholds as the references.
 */
export function nativeContinuousMetric(gt: Series, pred: Series, p: ContinuousParams = DEFAULT_CONTINUOUS): MetricResult {
  if (gt.t.length === 0 && pred.t.length === 0) return { name: 'continuous', score: 1, pass: true, details: { reason: 'both empty', score: 1 } };
  if (gt.t.length === 0 || pred.t.length === 0) return { name: 'continuous', score: 0, pass: false, details: { reason: 'one empty', score: 0 } };
  const grid = [...new Set([...gt.t, ...pred.t])].sort((a, b) => a - b);
  const hg = { k: 0 };
  const hp = { k: 0 };
  const d = grid.map((t) => Math.abs(at(gt, t, hg) - at(pred, t, hp)));
  let mae: number;
  const span = grid[grid.length - 1]! - grid[0]!;
  if (span === 0) mae = d.reduce((s, x) => s + x, 0) / d.length;
  else {
    let area = 0;
    for (let k = 1; k < grid.length; k++) area += ((d[k - 1]! + d[k]!) / 2) * (grid[k]! - grid[k - 1]!);
    mae = area / span;
  }
  const finalDiff = Math.abs(gt.v[gt.v.length - 1]! - pred.v[pred.v.length - 1]!);
  return scoreFromErrors(mae, finalDiff, p, { method: 'time-weighted' });
}
