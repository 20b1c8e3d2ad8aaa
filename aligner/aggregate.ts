import type { MetricResult } from './metrics/result.js';

export type Weights = Readonly<Record<string, number>>;

export const WEIGHTS_NO_CONTINUOUS: Weights = { discrete: 0.8, timing: 0.2 };
export const WEIGHTS_WITH_CONTINUOUS: Weights = { discrete: 0.6, timing: 0.2, continuous: 0.2 };

/**
 * Full score = Σ weight·score over the weighted metrics that are present, summed left to right in the
 * weights' order from 0.0 (EnvTrace `WeightedAggregator.aggregate`; the VISION expression sums the same way).
 */
export function aggregate(metrics: Readonly<Record<string, MetricResult>>, weights: Weights): { total: number; contributions: Record<string, number> } {
  let total = 0.0;
  const contributions: Record<string, number> = {};
  for (const [name, w] of Object.entries(weights)) {
    const m = metrics[name];
    if (!m) continue;
    const part = w * m.score;
    contributions[name] = part;
    total += part;
  }
  return { total, contributions };
}

/** A custom full-score formula over the metrics (EnvTrace's `formula=` hook). */
export type Formula = (metrics: Readonly<Record<string, MetricResult>>) => number;

export interface Decision {
  readonly requireDiscreteExact: boolean;
  readonly timingMetricName: string;
  readonly requiredMetrics: readonly string[];
}

export const DEFAULT_DECISION: Decision = { requireDiscreteExact: true, timingMetricName: 'timing', requiredMetrics: [] };

/** The binary decision (EnvTrace `BinaryDecision.decide`): discrete exact, timing pass, each required metric passes. */
export function decide(metrics: Readonly<Record<string, MetricResult>>, d: Decision): { accuracy: boolean; passes: Record<string, boolean> } {
  const passes: Record<string, boolean> = {};
  if (d.requireDiscreteExact) passes.discrete = !!metrics.discrete?.pass;
  passes[d.timingMetricName] = !!metrics[d.timingMetricName]?.pass;
  for (const name of d.requiredMetrics) passes[name] = !!metrics[name]?.pass;
  return { accuracy: Object.values(passes).every(Boolean), passes };
}
