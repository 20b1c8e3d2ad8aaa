import type { Comparator } from '../comparators.js';
import type { Pair } from '../pairs.js';
import type { Event } from '../trace.js';
import type { MetricResult } from './result.js';

/**
 * Discrete metric: rate = value-matching rows / all rows (gaps included); exact = every GT and every
 * predicted event took part in a value match. `emptyRate` is the rate when there are no rows
 * (EnvTrace: 1.0).
 */
export function discreteMetric(rows: readonly Pair<Event>[], match: Comparator, emptyRate = 1): MetricResult {
  let valueMatches = 0;
  let gtCount = 0;
  let predCount = 0;
  for (const [g, p] of rows) {
    if (g) gtCount++;
    if (p) predCount++;
    if (g && p && match.compare(g, p)) valueMatches++;
  }
  return discreteResult(valueMatches, rows.length, gtCount, predCount, emptyRate);
}

/**
 * The discrete metric from its counts, for aligners that know which rows value-match (the native
 * value-aware alignment): `total` rows, `gtCount`/`predCount` events on each side.
 */
export function discreteResult(valueMatches: number, total: number, gtCount: number, predCount: number, emptyRate = 1): MetricResult {
  const exact = valueMatches === gtCount && valueMatches === predCount;
  return {
    name: 'discrete',
    score: total ? valueMatches / total : emptyRate,
    pass: exact,
    details: {
      mismatch_rate: total ? (total - valueMatches) / total : 0,
      exact,
      value_matches: valueMatches,
      total_pairs: total,
      gt_event_count: gtCount,
      pred_event_count: predCount,
    },
  };
}
