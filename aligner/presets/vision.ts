import { aggregate, WEIGHTS_NO_CONTINUOUS, WEIGHTS_WITH_CONTINUOUS } from '../aggregate.js';
import { absoluteTolerance, alwaysTrue, type Comparator } from '../comparators.js';
import { difflibOpcodes } from '../difflib.js';
import { continuousMetric } from '../metrics/continuous.js';
import { discreteMetric } from '../metrics/discrete.js';
import type { MetricResult } from '../metrics/result.js';
import { timingMetric } from '../metrics/timing.js';
import { pairsFromOpcodes, type Pair } from '../pairs.js';
import { pyFloat } from '../py/float.js';
import type { BestOf, ScoreResult } from '../result.js';
import type { Event, Trace } from '../trace.js';

/**
 * Preset `vision`: the harness that produced the EnvTrace paper's numbers (VISION
 * `backend/tests/test_op_cog.py`, `_evaluate_ground_truth_variant` and the best-of loop in `test_entry`).
 * Events stay in arrival order; the Linkam temperature is always the continuous channel.
 */
export const VISION_TEMP = 'XF:11BM-ES:{LINKAM}:TEMP';

/** Logged function calls whose parameters the harness does not compare (`compare_params: False`). */
export const VISION_MARKERS: ReadonlySet<string> = new Set(['sam.setOrigin', 'wsam', 'sam.pos']);

export interface VisionOptions {
  /** The task's `ignore_pvs`: dropped from the discrete alignment only. */
  readonly ignore?: Iterable<string>;
}

const valueMatch = absoluteTolerance(1e-3);

/** `_log_entries_match`: same PV, then markers match any value, else |float(g) − float(p)| < 1e-3 or str equality. */
export const visionMatch: Comparator = {
  name: 'vision',
  compare: (g, p) => g.channel === p.channel && (VISION_MARKERS.has(g.channel) ? alwaysTrue : valueMatch).compare(g, p),
};

function temperatures(trace: Trace): Event[] {
  return trace.filter((e) => e.channel === VISION_TEMP);
}

function toNumber(e: Event): number {
  const v = pyFloat(e.value);
  if (v === undefined) throw new Error(`${e.channel} at ${e.timestamp}: value ${JSON.stringify(e.value)} is not a number`);
  return v;
}

/** Score one reference (one ground-truth variant) as the harness does. */
export function scoreVision(gt: Trace, pred: Trace, opts: VisionOptions = {}): ScoreResult {
  const ignore = new Set(opts.ignore ?? []);
  const keep = (e: Event) => !ignore.has(e.channel) && e.channel !== VISION_TEMP;
  const gtF = gt.filter(keep);
  const prF = pred.filter(keep);
  const notes: string[] = [];

  let rows: Pair<Event>[] = [];
  let discrete: MetricResult;
  if (gtF.length === 0) {
    // `_compute_pv_match_metrics` with n == 0: "the codes can't be correct if no PVs changes were tracked".
    discrete = {
      name: 'discrete',
      score: 0,
      pass: false,
      details: { mismatch_rate: 1, exact: false, value_matches: 0, total_pairs: 0, gt_event_count: 0, pred_event_count: prF.length },
    };
    notes.push('reference has no discrete events after filtering: rate 0, not exact (harness rule)');
  } else {
    const ops = difflibOpcodes(gtF.map((e) => e.channel), prF.map((e) => e.channel));
    rows = pairsFromOpcodes(gtF, prF, ops);
    discrete = discreteMetric(rows, visionMatch);
  }

  const gtTs: number[] = [];
  const prTs: number[] = [];
  for (const [g, p] of rows) {
    if (g && p && visionMatch.compare(g, p)) {
      gtTs.push(g.timestamp);
      prTs.push(p.timestamp);
    }
  }
  const timing = timingMetric(gtTs, prTs, 'linregress');
  if (Number.isNaN(timing.score)) notes.push('timing is NaN: scipy linregress slope is 0/0 when all matched GT timestamps are equal (kept as published)');

  const gtTemp = temperatures(gt);
  const prTemp = temperatures(pred);
  const involved = gtTemp.length > 0 || prTemp.length > 0;
  const metrics: Record<string, MetricResult> = { discrete, timing };
  if (involved) metrics.continuous = continuousMetric(gtTemp.map(toNumber), prTemp.map(toNumber));

  const weights = involved ? WEIGHTS_WITH_CONTINUOUS : WEIGHTS_NO_CONTINUOUS;
  const { total, contributions } = aggregate(metrics, weights);
  const passes: Record<string, boolean> = { discrete: discrete.pass, timing: timing.pass };
  if (involved) passes.continuous = metrics.continuous!.pass;
  return {
    preset: 'vision',
    fullScore: total,
    accuracy: Object.values(passes).every(Boolean),
    metrics,
    weights,
    contributions,
    passes,
    rows: rows.map(([g, p]) => ({ gt: g, pred: p, match: g && p ? visionMatch.compare(g, p) : null })),
    continuous: involved ? [{ channel: VISION_TEMP, gt: gtTemp, pred: prTemp }] : [],
    notes,
  };
}

/** The harness's result when no reference has a discrete event: everything 0 and failed, prediction not run. */
function noReferenceChanges(): ScoreResult {
  const zero = (name: string, reason: string): MetricResult => ({ name, score: 0, pass: false, details: { reason } });
  const metrics = {
    discrete: zero('discrete', 'no PV changes in any reference'),
    timing: zero('timing', 'no PV changes in any reference'),
  };
  return {
    preset: 'vision',
    fullScore: 0,
    accuracy: false,
    metrics,
    weights: WEIGHTS_NO_CONTINUOUS,
    contributions: { discrete: 0, timing: 0 },
    passes: { discrete: false, timing: false },
    rows: [],
    continuous: [],
    notes: ['no reference has a discrete event after filtering: the harness scores 0 without comparing (temperature score 0 too)'],
  };
}

/**
 * Several references: the first is taken, a later one replaces it only with a strictly higher full
 * score, and the loop stops at a score ≥ 1 — so a NaN first score sticks, as in the harness.
 */
export function scoreVisionBestOf(refs: readonly Trace[], pred: Trace, opts: VisionOptions = {}): BestOf {
  const ignore = new Set(opts.ignore ?? []);
  const anyChanges = refs.some((r) => r.some((e) => !ignore.has(e.channel) && e.channel !== VISION_TEMP));
  if (!anyChanges) return { best: noReferenceChanges(), index: -1, all: [] };
  const all: ScoreResult[] = [];
  let best: ScoreResult | undefined;
  let index = -1;
  for (const [i, ref] of refs.entries()) {
    const r = scoreVision(ref, pred, opts);
    all.push(r);
    if (best === undefined || r.fullScore > best.fullScore) {
      best = r;
      index = i;
      if (best.fullScore >= 1) break;
    }
  }
  return { best: best!, index, all };
}
