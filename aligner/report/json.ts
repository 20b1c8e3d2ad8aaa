import type { BestOf, PresetName, ScoreResult } from '../result.js';
import type { Event } from '../trace.js';
import { jsonSafe } from './format.js';

const eventJson = (e: Event | null) => (e ? { channel: e.channel, timestamp: e.timestamp, value: e.value } : null);

/** One preset's result as plain JSON (NaN → null). */
export function resultJson(r: ScoreResult): unknown {
  return jsonSafe({
    preset: r.preset,
    full_score: r.fullScore,
    accuracy: r.accuracy,
    metrics: Object.fromEntries(Object.entries(r.metrics).map(([k, m]) => [k, { score: m.score, binary_pass: m.pass, details: m.details }])),
    aggregation: { weights: r.weights, contributions: r.contributions },
    decision: { passes: r.passes },
    alignment: r.rows.map((row, i) => ({ index: i + 1, gt: eventJson(row.gt), pred: eventJson(row.pred), match: row.match })),
    continuous: r.continuous.map((c) => ({ channel: c.channel, gt: c.gt.map(eventJson), pred: c.pred.map(eventJson) })),
    reference_error: r.referenceError,
    notes: r.notes,
  });
}

/** The `beamtwin score --json` document: the chosen preset in full, every preset's headline beside it. */
export function scoreJson(preset: PresetName, all: Record<PresetName, BestOf>, refNames: readonly string[]): unknown {
  const main = all[preset];
  return {
    preset,
    reference: { index: main.index, path: main.index >= 0 ? refNames[main.index] : null },
    ...(resultJson(main.best) as object),
    presets: jsonSafe(
      Object.fromEntries(
        Object.entries(all).map(([k, b]) => [k, { full_score: b.best.fullScore, accuracy: b.best.accuracy, reference_index: b.index, per_reference: b.all.map((x) => x.fullScore) }]),
      ),
    ),
  };
}
