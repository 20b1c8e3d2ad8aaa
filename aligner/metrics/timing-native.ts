import { pyMax } from '../py/math.js';
import { npMean } from '../stats/pairwise-sum.js';
import { DEFAULT_TIMING, type TimingThresholds } from './timing.js';
import type { MetricResult } from './result.js';

/**
 * Native timing: the references zero both series at the first value-matched pair, so one mismatch at
 * the start moves the origin, and they use only matched pairs for the durations. Here each trace is
 * zeroed at its own first event and the origin is a pair in its own right, durations are the whole
 * traces' spans, and degenerate cases (everything at one instant) have defined values instead of NaN.
 * Same components, weights and thresholds as the references.
 */
export function nativeTimingMetric(
  gtRel: readonly number[],
  prRel: readonly number[],
  durGt: number,
  durPr: number,
  bothEmpty: boolean,
  th: TimingThresholds = DEFAULT_TIMING,
): MetricResult {
  if (gtRel.length === 0) {
    return bothEmpty
      ? { name: 'timing', score: 1, pass: true, details: { reason: 'no discrete events in either trace', score: 1 } }
      : { name: 'timing', score: 0, pass: false, details: { reason: 'no value-matched pairs', score: 0 } };
  }
  const x = [0, ...gtRel];
  const y = [0, ...prRel];
  const n = x.length;
  const xm = npMean(x);
  const ym = npMean(y);
  let sxx = 0, sxy = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i]! - xm) ** 2;
    sxy += (x[i]! - xm) * (y[i]! - ym);
    syy += (y[i]! - ym) ** 2;
  }
  let slope: number;
  let r2: number;
  if (sxx === 0 && syy === 0) [slope, r2] = [1, 1]; // both all at one instant: the same schedule
  else if (sxx === 0 || syy === 0) [slope, r2] = [0, 0]; // one instantaneous, the other not
  else {
    slope = sxy / sxx;
    r2 = Math.min(1, (sxy * sxy) / (sxx * syy));
  }
  const slopeScore = 1 - Math.min(Math.abs(slope - 1), 1);
  const durDiff = durGt === 0 ? (durPr === 0 ? 0 : Infinity) : Math.abs(durPr - durGt) / durGt;
  const durationScore = pyMax(0, 1 - durDiff / th.durTol);
  const ape: number[] = [];
  for (let i = 1; i < n; i++) {
    const a = x[i]! - x[i - 1]!;
    const p = y[i]! - y[i - 1]!;
    // An interval of zero in the reference: count a predicted gap of up to 10 ms as exact, else 100 %.
    ape.push(a === 0 ? (Math.abs(p) <= 0.01 ? 0 : 1) : Math.abs(a - p) / Math.abs(a));
  }
  const mape = npMean(ape);
  const mapeScore = pyMax(0, 1 - mape / th.mapeTol);
  const score = 0.4 * r2 + 0.2 * slopeScore + 0.2 * durationScore + 0.2 * mapeScore;
  const pass = r2 >= th.r2Thresh && th.slopeLo <= slope && slope <= th.slopeHi && durDiff <= th.durTol && mape <= th.mapeTol;
  return {
    name: 'timing',
    score,
    pass,
    details: { r2, slope, mape, duration_ratio: durPr / (durGt || 1), score, r2_score: r2, slope_score: slopeScore, duration_score: durationScore, mape_score: mapeScore },
  };
}
