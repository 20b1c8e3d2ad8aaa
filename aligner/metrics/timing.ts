import { pyMax, pyMin } from '../py/math.js';
import { linregress } from '../stats/linregress.js';
import { pairwiseSum, npMean } from '../stats/pairwise-sum.js';
import { polyfit1, SingularFit } from '../stats/polyfit.js';
import type { MetricResult } from './result.js';

export interface TimingThresholds {
  readonly r2Thresh: number;
  readonly slopeLo: number;
  readonly slopeHi: number;
  readonly durTol: number;
  readonly mapeTol: number;
}

export const DEFAULT_TIMING: TimingThresholds = { r2Thresh: 0.9, slopeLo: 0.8, slopeHi: 1.2, durTol: 0.25, mapeTol: 1.0 };

/** How r² and the slope are fitted: VISION used `scipy.stats.linregress`, EnvTrace `np.polyfit` + its own r². */
export type TimingFit = 'linregress' | 'polyfit';

/**
 * The timing metric over the timestamps of value-matching pairs, in alignment order:
 * 0 pairs → 0, fail; 1 pair → 1, pass; otherwise both series are shifted to start at 0 and
 * score = 0.4·r² + 0.2·slope_score + 0.2·duration_score + 0.2·mape_score.
 * Python's `min`/`max` argument order is kept: it decides what a NaN turns into.
 */
export function timingMetric(
  gtTs: readonly number[],
  prTs: readonly number[],
  fit: TimingFit,
  th: TimingThresholds = DEFAULT_TIMING,
): MetricResult {
  const n = gtTs.length;
  if (n === 0) {
    return { name: 'timing', score: 0, pass: false, details: { reason: 'no matching PV/value pairs for timing evaluation', score: 0 } };
  }
  if (n < 2) return { name: 'timing', score: 1, pass: true, details: { score: 1 } };

  const gt = Float64Array.from(gtTs, (t) => t - gtTs[0]!);
  const pr = Float64Array.from(prTs, (t) => t - prTs[0]!);

  let slope: number;
  let r2: number;
  if (fit === 'linregress') {
    const res = linregress(gt, pr);
    slope = res.slope;
    r2 = res.rvalue ** 2;
  } else {
    try {
      const res = polyfit1(gt, pr);
      slope = res.slope;
      const yMean = npMean(pr);
      const res2 = new Float64Array(n);
      const tot2 = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const d = pr[i]! - (res.slope * gt[i]! + res.intercept);
        res2[i] = d * d;
        tot2[i] = (pr[i]! - yMean) ** 2;
      }
      const ssRes = pairwiseSum(res2);
      const ssTot = pairwiseSum(tot2);
      r2 = ssTot > 0 ? 1 - ssRes / ssTot : 1;
    } catch (e) {
      if (!(e instanceof SingularFit)) throw e;
      // The EnvTrace package stops here with numpy's LinAlgError; we report it instead of a number.
      return {
        name: 'timing',
        score: NaN,
        pass: false,
        details: { error: `numpy.linalg.LinAlgError: ${e.message} (all matched GT timestamps are equal)`, score: NaN },
      };
    }
  }

  const slopeScore = 1 - pyMin(Math.abs(slope - 1), 1);
  const durGt = gt[n - 1]!;
  const durPr = pr[n - 1]!;
  const durationScore = durGt === 0 ? 0 : pyMax(0, 1 - Math.abs(durPr - durGt) / durGt / th.durTol);

  const ape = new Float64Array(n - 1);
  for (let i = 0; i < n - 1; i++) {
    const a = gt[i + 1]! - gt[i]!;
    const p = pr[i + 1]! - pr[i]!;
    ape[i] = Math.abs(a - p) / Math.max(Math.abs(a), 1e-10);
  }
  const mape = npMean(ape);
  const mapeScore = pyMax(0, 1 - mape / th.mapeTol);

  const score = 0.4 * r2 + 0.2 * slopeScore + 0.2 * durationScore + 0.2 * mapeScore;
  const pass =
    r2 >= th.r2Thresh &&
    th.slopeLo <= slope &&
    slope <= th.slopeHi &&
    (durGt === 0 || Math.abs(durPr - durGt) / durGt <= th.durTol) &&
    mape <= th.mapeTol;
  return {
    name: 'timing',
    score,
    pass,
    details: {
      r2,
      slope,
      mape,
      duration_ratio: durPr / (durGt || 1),
      score,
      r2_score: r2,
      slope_score: slopeScore,
      duration_score: durationScore,
      mape_score: mapeScore,
    },
  };
}
