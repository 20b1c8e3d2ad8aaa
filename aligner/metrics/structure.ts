import type { Pair } from '../pairs.js';
import type { MetricResult } from './result.js';

/** EnvTrace structure metric: gap_rate = gap rows / rows; score = 1 - min(1, gap_rate); pass iff no gaps. */
export function structureMetric(rows: readonly Pair<unknown>[]): MetricResult {
  const total = rows.length;
  let gaps = 0;
  for (const [g, p] of rows) if (g === null || p === null) gaps++;
  const gapRate = total ? gaps / total : 0;
  return {
    name: 'structure',
    score: 1 - Math.min(1, gapRate),
    pass: gapRate === 0,
    details: { gap_rate: gapRate, gaps, total_pairs: total },
  };
}
