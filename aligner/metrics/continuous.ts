import { npMean } from '../stats/pairwise-sum.js';
import type { MetricResult } from './result.js';

export interface ContinuousParams {
  readonly maeScale: number;
  readonly finalScale: number;
  readonly maeThresh: number;
  readonly finalThresh: number;
}

export const DEFAULT_CONTINUOUS: ContinuousParams = { maeScale: 15, finalScale: 15, maeThresh: 5, finalThresh: 5 };

/**
 * The references' continuous metric: values only (timestamps ignored), the shorter series padded with
 * its last value, MAE index by index, final_diff = |last gt − last pred|;
 * score = 0.7·exp(−MAE/mae_scale) + 0.3·exp(−final_diff/final_scale); pass = MAE ≤ t ∧ final_diff ≤ t.
 * Both empty → 1, pass; one empty → 0, fail.
 */
export function continuousMetric(gt: readonly number[], pred: readonly number[], p: ContinuousParams = DEFAULT_CONTINUOUS): MetricResult {
  if (gt.length === 0 && pred.length === 0) return { name: 'continuous', score: 1, pass: true, details: { reason: 'both empty', score: 1 } };
  if (gt.length === 0 || pred.length === 0) return { name: 'continuous', score: 0, pass: false, details: { reason: 'one empty', score: 0 } };
  const n = Math.max(gt.length, pred.length);
  const diffs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    diffs[i] = Math.abs(gt[Math.min(i, gt.length - 1)]! - pred[Math.min(i, pred.length - 1)]!);
  }
  const mae = npMean(diffs);
  return scoreFromErrors(mae, diffs[n - 1]!, p);
}

/** The exponential scoring shared by the reference metric and the native time-based one. */
export function scoreFromErrors(mae: number, finalDiff: number, p: ContinuousParams, extra: Record<string, unknown> = {}): MetricResult {
  const maeScore = Math.exp(-mae / p.maeScale);
  const finalScore = Math.exp(-finalDiff / p.finalScale);
  const score = 0.7 * maeScore + 0.3 * finalScore;
  return {
    name: 'continuous',
    score,
    pass: mae <= p.maeThresh && finalDiff <= p.finalThresh,
    details: { mae, final_diff: finalDiff, mae_score: maeScore, final_score: finalScore, score, ...extra },
  };
}
