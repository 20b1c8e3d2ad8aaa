import { aggregate, decide, DEFAULT_DECISION, WEIGHTS_NO_CONTINUOUS, WEIGHTS_WITH_CONTINUOUS, type Decision, type Formula, type Weights } from '../aggregate.js';
import { byChannel, relativeTolerance, type Comparator } from '../comparators.js';
import { difflibOpcodes } from '../difflib.js';
import { continuousMetric, DEFAULT_CONTINUOUS, type ContinuousParams } from '../metrics/continuous.js';
import { discreteMetric } from '../metrics/discrete.js';
import type { MetricResult } from '../metrics/result.js';
import { structureMetric } from '../metrics/structure.js';
import { DEFAULT_TIMING, timingMetric, type TimingThresholds } from '../metrics/timing.js';
import { pairsFromOpcodes } from '../pairs.js';
import { pyFloat } from '../py/float.js';
import type { BestOf, ContinuousSeries, ScoreResult } from '../result.js';
import { canonicalize, sortByTime, type Event, type Trace } from '../trace.js';

/**
 * Preset `envtrace`: the EnvTrace package (`envtrace/core/evaluator.py` and its helpers) with its
 * defaults or a configuration file (`envtrace/io/config_loader.py` schema, see ../config.ts).
 */
export interface ContinuousChannel extends ContinuousParams {
  readonly weight: number;
}

export interface EnvtraceConfig {
  readonly aliases: Readonly<Record<string, string>>;
  readonly ignoreChannels: ReadonlySet<string>;
  readonly comparator: Comparator;
  readonly comparatorsByChannel: ReadonlyMap<string, Comparator>;
  readonly timing: TimingThresholds;
  /** Channels scored as series, in configuration order; empty means no continuous metric. */
  readonly continuousChannels: ReadonlyMap<string, ContinuousChannel>;
  readonly includeStructure: boolean;
  /** `aggregation.weights`; null (or empty) picks 0.8/0.2 or 0.6/0.2/0.2. */
  readonly weights: Weights | null;
  readonly formula?: Formula;
  readonly decision: Decision;
}

/** `Evaluator.default()` with `EvaluateRequest(gt, pred)`: what `envtrace align` runs. */
export const ENVTRACE_DEFAULTS: EnvtraceConfig = {
  aliases: {},
  ignoreChannels: new Set(),
  comparator: relativeTolerance(1e-3),
  comparatorsByChannel: new Map(),
  timing: DEFAULT_TIMING,
  continuousChannels: new Map(),
  includeStructure: true,
  weights: null,
  decision: DEFAULT_DECISION,
};

export const DEFAULT_CONTINUOUS_CHANNEL: ContinuousChannel = { ...DEFAULT_CONTINUOUS, weight: 1 };

function seriesValues(events: readonly Event[]): number[] {
  return events.map((e) => {
    const v = pyFloat(e.value);
    if (v === undefined) throw new Error(`${e.channel} at ${e.timestamp}: float(${JSON.stringify(e.value)}) fails`);
    return v;
  });
}

/** `Evaluator._evaluate_continuous`: weight-averaged score (1.0 when the weights sum to 0), pass if all pass. */
function continuousAcross(gt: readonly Event[], pred: readonly Event[], channels: ReadonlyMap<string, ContinuousChannel>): { metric: MetricResult; series: ContinuousSeries[] } {
  const perChannel: Record<string, unknown> = {};
  const series: ContinuousSeries[] = [];
  let totalWeight = 0.0;
  let totalScore = 0.0;
  let all = true;
  for (const [ch, cfg] of channels) {
    const g = gt.filter((e) => e.channel === ch);
    const p = pred.filter((e) => e.channel === ch);
    series.push({ channel: ch, gt: g, pred: p });
    const res = continuousMetric(seriesValues(g), seriesValues(p), cfg);
    perChannel[ch] = { score: res.score, binary_pass: res.pass, details: res.details, weight: cfg.weight };
    totalWeight += cfg.weight;
    totalScore += cfg.weight * res.score;
    all = all && res.pass;
  }
  const score = totalWeight > 0 ? totalScore / totalWeight : 1.0;
  return { metric: { name: 'continuous', score, pass: all, details: { per_channel: perChannel, weights_sum: totalWeight } }, series };
}

/** `Evaluator.evaluate` for one reference. */
export function scoreEnvtrace(gtIn: Trace, predIn: Trace, cfg: EnvtraceConfig = ENVTRACE_DEFAULTS): ScoreResult {
  const hasAliases = Object.keys(cfg.aliases).length > 0;
  const gt = sortByTime(hasAliases ? canonicalize(gtIn, cfg.aliases) : gtIn);
  const pred = sortByTime(hasAliases ? canonicalize(predIn, cfg.aliases) : predIn);
  const excluded = (e: Event) => cfg.ignoreChannels.has(e.channel) || cfg.continuousChannels.has(e.channel);
  const gtA = gt.filter((e) => !excluded(e));
  const prA = pred.filter((e) => !excluded(e));

  const rowsP = pairsFromOpcodes(gtA, prA, difflibOpcodes(gtA.map((e) => e.channel), prA.map((e) => e.channel)));
  // EnvTrace compares values of paired rows without checking that the channels agree (a `replace`
  // block can pair two different channels and count a value match); kept for parity.
  const cmp = byChannel(cfg.comparator, cfg.comparatorsByChannel);
  const discrete = discreteMetric(rowsP, cmp, 1.0);
  const gtTs: number[] = [];
  const prTs: number[] = [];
  for (const [g, p] of rowsP) {
    if (g && p && cmp.compare(g, p)) {
      gtTs.push(g.timestamp);
      prTs.push(p.timestamp);
    }
  }
  const timing = timingMetric(gtTs, prTs, 'polyfit', cfg.timing);
  const metrics: Record<string, MetricResult> = { discrete, timing };
  if (cfg.includeStructure) metrics.structure = structureMetric(rowsP);
  let series: ContinuousSeries[] = [];
  const useContinuous = cfg.continuousChannels.size > 0;
  if (useContinuous) {
    const c = continuousAcross(gt, pred, cfg.continuousChannels);
    metrics.continuous = c.metric;
    series = c.series;
  }

  const weights = cfg.weights && Object.keys(cfg.weights).length > 0 ? cfg.weights : useContinuous ? WEIGHTS_WITH_CONTINUOUS : WEIGHTS_NO_CONTINUOUS;
  const agg = aggregate(metrics, weights);
  const fullScore = cfg.formula ? cfg.formula(metrics) : agg.total;
  const { accuracy, passes } = decide(metrics, cfg.decision);
  const err = timing.details.error as string | undefined;
  return {
    preset: 'envtrace',
    fullScore,
    accuracy,
    metrics,
    weights,
    contributions: cfg.formula ? {} : agg.contributions,
    passes,
    // Display rows flag a match only for same-channel pairs, as EnvTrace's `build_alignment_rows` does.
    rows: rowsP.map(([g, p]) => ({ gt: g, pred: p, match: g && p ? g.channel === p.channel && cmp.compare(g, p) : null })),
    continuous: series,
    ...(err ? { referenceError: err } : {}),
    notes: err ? ['the EnvTrace package raises here (numpy polyfit on constant GT timestamps); scores are NaN'] : [],
  };
}

/**
 * `Evaluator.evaluate_best_of`: strictly higher full score wins (so NaN never does), starting from −1;
 * with no winner (no references, or all NaN) the prediction is scored against an empty trace, index −1.
 * Unlike the package (whose best-of forgets continuous channels and structure), each reference is
 * scored with the whole configuration.
 */
export function scoreEnvtraceBestOf(refs: readonly Trace[], pred: Trace, cfg: EnvtraceConfig = ENVTRACE_DEFAULTS): BestOf {
  const all: ScoreResult[] = [];
  let best: ScoreResult | undefined;
  let index = -1;
  let bestScore = -1.0;
  for (const [i, ref] of refs.entries()) {
    const r = scoreEnvtrace(ref, pred, cfg);
    all.push(r);
    if (r.fullScore > bestScore) {
      best = r;
      index = i;
      bestScore = r.fullScore;
    }
  }
  if (!best) return { best: scoreEnvtrace([], pred, cfg), index: -1, all };
  return { best, index, all };
}
