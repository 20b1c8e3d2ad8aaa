import type { BestOf, PresetName, ScoreResult } from '../result.js';
import { channelLegend, clip, displayValue, fmtDetail, fmtScore } from './format.js';

export interface TextOptions {
  /** ANSI colours (only when writing to a terminal). */
  readonly color?: boolean;
  /** Alignment rows shown (the rest are counted). */
  readonly maxRows?: number;
  /** The traces were read with their client puts (`--score-puts`): native scores them. */
  readonly scorePuts?: boolean;
}

const ANSI = { green: '\x1b[32m', red: '\x1b[31m', yellow: '\x1b[33m', dim: '\x1b[2m', bold: '\x1b[1m', reset: '\x1b[0m' };
type Paint = (style: keyof typeof ANSI, s: string) => string;

const DETAIL_KEYS: Record<string, string[]> = {
  discrete: ['value_matches', 'total_pairs', 'mismatch_rate', 'gt_event_count', 'pred_event_count'],
  timing: ['r2', 'slope', 'duration_ratio', 'mape', 'r2_score', 'slope_score', 'duration_score', 'mape_score', 'reason', 'error'],
  continuous: ['mae', 'final_diff', 'mae_score', 'final_score', 'reason'],
  structure: ['gaps', 'total_pairs', 'gap_rate'],
};

/**
 * What every preset scores, said in the report itself: the readers keep PV updates (and markers) and drop
 * client puts, put completions, connects, catch-all hits and line events before any preset sees them.
 */
export function scoredKinds(scorePuts = false): string {
  return scorePuts
    ? "Scored: the PV values each trace saw change (updates) and markers by every preset; client puts (channels 'put NAME') by native only — vision and envtrace never score puts; put completions, connects and line events by none."
    : 'Scored: the PV values each trace saw change (updates) and markers, in vision, envtrace and native alike; client puts, put completions, connects and line events are not scored by any preset (a put shows through the update it causes; --score-puts adds puts to native).';
}

function metricLines(r: ScoreResult, paint: Paint): string[] {
  const out: string[] = [];
  for (const [name, m] of Object.entries(r.metrics)) {
    const mark = m.pass ? paint('green', '✓ pass') : paint('red', '✗ fail');
    const w = r.weights[name];
    const weight = w === undefined ? paint('dim', 'weight 0') : `weight ${w} → ${fmtScore(r.contributions[name] ?? NaN)}`;
    out.push(`  ${name.padEnd(11)} ${fmtScore(m.score).padStart(7)}  ${mark}   ${weight}`);
    const parts = (DETAIL_KEYS[name] ?? []).filter((k) => k in m.details).map((k) => `${k}=${fmtDetail(m.details[k])}`);
    if (parts.length) out.push(`              ${paint('dim', parts.join('  '))}`);
    const per = m.details.per_channel as Record<string, { score: number; binary_pass: boolean; details: Record<string, unknown> }> | undefined;
    if (per) {
      for (const [ch, x] of Object.entries(per)) {
        const d = ['mae', 'final_diff', 'reason'].filter((k) => k in x.details).map((k) => `${k}=${fmtDetail(x.details[k])}`);
        out.push(`              ${ch}: ${fmtScore(x.score)} ${x.binary_pass ? paint('green', '✓') : paint('red', '✗')} ${paint('dim', d.join('  '))}`);
      }
    }
  }
  return out;
}

function alignmentTable(r: ScoreResult, paint: Paint, maxRows: number): string[] {
  const rows = r.rows;
  const t0g = rows.find((x) => x.gt)?.gt?.timestamp ?? 0;
  const t0p = rows.find((x) => x.pred)?.pred?.timestamp ?? 0;
  const { short, legend } = channelLegend(
    rows.flatMap((x) => [x.gt?.channel, x.pred?.channel].filter((c): c is string => c !== undefined)),
    36,
  );
  const chW = Math.max(10, ...rows.map((x) => Math.max(short(x.gt?.channel ?? '').length, short(x.pred?.channel ?? '').length)));
  const vW = 18;
  const side = (e: ScoreResult['rows'][number]['gt'], t0: number) =>
    e ? `${short(e.channel).padEnd(chW)} ${(e.timestamp - t0).toFixed(3).padStart(9)} ${clip(displayValue(e), vW).padEnd(vW)}` : `${'—'.padEnd(chW)} ${''.padStart(9)} ${''.padEnd(vW)}`;
  const head = `  ${'#'.padStart(4)}  ${'GT channel'.padEnd(chW)} ${'t (s)'.padStart(9)} ${'value'.padEnd(vW)} │ ${'pred channel'.padEnd(chW)} ${'t (s)'.padStart(9)} ${'value'.padEnd(vW)}  match`;
  const out = legend.length ? [paint('dim', `  channels: ${legend.join('  ')}`)] : [];
  out.push(paint('bold', head));
  rows.slice(0, maxRows).forEach((row, k) => {
    const mark = row.match === true ? paint('green', '✓') : row.match === false ? paint('red', '✗ mismatch') : paint('yellow', row.gt ? '· missing' : '· extra');
    out.push(`  ${String(k + 1).padStart(4)}  ${side(row.gt, t0g)} │ ${side(row.pred, t0p)}  ${mark}`);
  });
  if (rows.length > maxRows) out.push(paint('dim', `  … ${rows.length - maxRows} more rows (--max-rows)`));
  if (rows.length === 0) out.push(paint('dim', '  (no discrete events)'));
  return out;
}

/** The `beamtwin score` report: headline, metrics with components, every preset side by side, the alignment. */
export function formatScoreText(preset: PresetName, all: Record<PresetName, BestOf>, refNames: readonly string[], opts: TextOptions = {}): string {
  const paint: Paint = (style, s) => (opts.color ? `${ANSI[style]}${s}${ANSI.reset}` : s);
  const main = all[preset];
  const r = main.best;
  const ref = main.index >= 0 ? `reference ${main.index + 1} of ${refNames.length}: ${refNames[main.index]}` : 'no reference used';
  const out: string[] = [];
  out.push(paint('bold', `beamtwin score — preset ${preset}`) + paint('dim', `  (${ref})`));
  out.push('');
  out.push(`  full score  ${paint('bold', fmtScore(r.fullScore).padStart(7))}  accuracy ${r.accuracy ? paint('green', 'PASS') : paint('red', 'FAIL')}`);
  out.push(...metricLines(r, paint));
  if (r.referenceError) out.push(paint('red', `  reference error: ${r.referenceError}`));
  for (const n of r.notes) out.push(paint('dim', `  note: ${n}`));
  if (main.all.length > 1) out.push(`  per reference: ${main.all.map((x, i) => `#${i + 1} ${fmtScore(x.fullScore)}`).join('  ')}`);
  out.push('');
  out.push(`  ${scoredKinds(opts.scorePuts)}`);
  out.push('');
  out.push('  all presets:');
  for (const [name, b] of Object.entries(all)) {
    const tag = name === preset ? '*' : ' ';
    out.push(`   ${tag}${name.padEnd(9)} full ${fmtScore(b.best.fullScore)}  accuracy ${b.best.accuracy ? paint('green', 'PASS') : paint('red', 'FAIL')}  ${paint('dim', `(reference ${b.index + 1})`)}`);
  }
  out.push('');
  out.push(paint('bold', `Alignment (${r.rows.length} rows; times from each trace's first aligned event)`));
  out.push(...alignmentTable(r, paint, opts.maxRows ?? 200));
  return out.join('\n') + '\n';
}
