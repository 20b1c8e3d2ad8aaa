import { aggregate, WEIGHTS_NO_CONTINUOUS, WEIGHTS_WITH_CONTINUOUS } from '../aggregate.js';
import { DEFAULT_CONTINUOUS, type ContinuousParams } from '../metrics/continuous.js';
import { discreteResult } from '../metrics/discrete.js';
import { nativeContinuousMetric, type Series } from '../metrics/continuous-native.js';
import type { MetricResult } from '../metrics/result.js';
import { structureMetric } from '../metrics/structure.js';
import { nativeTimingMetric } from '../metrics/timing-native.js';
import { DEFAULT_TIMING, type TimingThresholds } from '../metrics/timing.js';
import { pyFloat } from '../py/float.js';
import type { AlignedRow, BestOf, ContinuousSeries, ScoreResult } from '../result.js';
import { nativeMatch } from '../tolerance.js';
import { canonicalize, sortByTime, type Event, type Trace } from '../trace.js';
import { valueAlign } from '../value-align.js';
import { VISION_TEMP } from './vision.js';

/**
 * Preset `native`: beamtwin's own scoring, reported beside the reference presets, never instead. It keeps
 * their metric shapes and weights and fixes the weaknesses the references carry (../../shared design
 * note "Known weaknesses"): value-aware alignment, time-based continuous scoring, timing zeroed at each
 * trace's start, tolerances from record metadata, and no NaN.
 */
export interface NativeOptions {
  /** Removed from alignment and every metric. */
  readonly ignore?: Iterable<string>;
  readonly aliases?: Readonly<Record<string, string>>;
  /** Scored as series; besides these, the Linkam temperature and any event of kind `continuous`. */
  readonly continuousChannels?: ReadonlyMap<string, Partial<ContinuousParams>>;
  readonly timing?: TimingThresholds;
}

function isContinuous(e: Event, configured: ReadonlyMap<string, unknown>): boolean {
  return e.channel === VISION_TEMP || e.kind === 'continuous' || configured.has(e.channel);
}

function series(events: readonly Event[], t0: number): Series {
  const t: number[] = [];
  const v: number[] = [];
  for (const e of events) {
    const x = pyFloat(e.value);
    if (x === undefined || !Number.isFinite(x)) continue;
    t.push(e.timestamp - t0);
    v.push(x);
  }
  return { t, v };
}

export function scoreNative(gtIn: Trace, predIn: Trace, opts: NativeOptions = {}): ScoreResult {
  const ignore = new Set(opts.ignore ?? []);
  const aliases = opts.aliases ?? {};
  const configured = opts.continuousChannels ?? new Map();
  const prep = (t: Trace) => sortByTime(Object.keys(aliases).length ? canonicalize(t, aliases) : t).filter((e) => !ignore.has(e.channel));
  const gt = prep(gtIn);
  const pred = prep(predIn);
  const contChannels = new Set([...gt, ...pred].filter((e) => isContinuous(e, configured)).map((e) => e.channel));
  for (const ch of configured.keys()) if (!ignore.has(ch)) contChannels.add(ch);
  const gtD = gt.filter((e) => !contChannels.has(e.channel));
  const prD = pred.filter((e) => !contChannels.has(e.channel));

  const rowsN = valueAlign({
    n: gtD.length,
    m: prD.length,
    valueEq: (i, j) => nativeMatch.compare(gtD[i]!, prD[j]!),
    sameChannel: (i, j) => gtD[i]!.channel === prD[j]!.channel,
  });
  const rows: AlignedRow[] = rowsN.map((r) => ({
    gt: r.i >= 0 ? gtD[r.i]! : null,
    pred: r.j >= 0 ? prD[r.j]! : null,
    match: r.i >= 0 && r.j >= 0 ? r.match : null,
  }));

  let valueMatches = 0;
  for (const r of rowsN) if (r.match) valueMatches++;
  const discrete = discreteResult(valueMatches, rows.length, gtD.length, prD.length);

  // Each trace's clock starts at its own first event (any channel), not at the first matched pair.
  const t0g = gt[0]?.timestamp ?? 0;
  const t0p = pred[0]?.timestamp ?? 0;
  const gtRel: number[] = [];
  const prRel: number[] = [];
  for (const r of rowsN) {
    if (r.match) {
      gtRel.push(gtD[r.i]!.timestamp - t0g);
      prRel.push(prD[r.j]!.timestamp - t0p);
    }
  }
  const span = (t: readonly Event[]) => (t.length ? t[t.length - 1]!.timestamp - t[0]!.timestamp : 0);
  const timing = nativeTimingMetric(gtRel, prRel, span(gt), span(pred), gtD.length === 0 && prD.length === 0, opts.timing ?? DEFAULT_TIMING);

  const metrics: Record<string, MetricResult> = { discrete, timing };
  const cont: ContinuousSeries[] = [];
  const perChannel: Record<string, unknown> = {};
  let contScore = 0;
  let contPass = true;
  let involved = 0;
  for (const ch of [...contChannels].sort()) {
    const g = gt.filter((e) => e.channel === ch);
    const p = pred.filter((e) => e.channel === ch);
    if (g.length === 0 && p.length === 0) continue;
    cont.push({ channel: ch, gt: g, pred: p });
    const params = { ...DEFAULT_CONTINUOUS, ...(configured.get(ch) ?? {}) };
    const res = nativeContinuousMetric(series(g, t0g), series(p, t0p), params);
    perChannel[ch] = { score: res.score, binary_pass: res.pass, details: res.details };
    contScore += res.score;
    contPass &&= res.pass;
    involved++;
  }
  if (involved) metrics.continuous = { name: 'continuous', score: contScore / involved, pass: contPass, details: { per_channel: perChannel } };
  metrics.structure = structureMetric(rows.map((r) => [r.gt, r.pred] as const));

  const weights = involved ? WEIGHTS_WITH_CONTINUOUS : WEIGHTS_NO_CONTINUOUS;
  const { total: fullScore, contributions } = aggregate(metrics, weights);
  const passes: Record<string, boolean> = { discrete: discrete.pass, timing: timing.pass };
  if (involved) passes.continuous = contPass;
  return {
    preset: 'native',
    fullScore,
    accuracy: Object.values(passes).every(Boolean),
    metrics,
    weights,
    contributions,
    passes,
    rows,
    continuous: cont,
    notes: [],
  };
}

/** Best of several references: the highest full score, the first on ties. */
export function scoreNativeBestOf(refs: readonly Trace[], pred: Trace, opts: NativeOptions = {}): BestOf {
  const all = refs.map((r) => scoreNative(r, pred, opts));
  if (all.length === 0) return { best: scoreNative([], pred, opts), index: -1, all };
  let index = 0;
  for (let i = 1; i < all.length; i++) if (all[i]!.fullScore > all[index]!.fullScore) index = i;
  return { best: all[index]!, index, all };
}
