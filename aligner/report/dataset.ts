import type { GroupStats, TaskRow } from '../dataset.js';
import { fmtScore, jsonSafe } from './format.js';

const COLUMNS = ['id', 'complexity', 'reference', 'full_score', 'full_match', 'discrete_rate', 'discrete_exact', 'timing_score', 'timing_pass', 'continuous_score', 'continuous_pass', 'exact_code_match', 'error'] as const;

function cells(r: TaskRow): (string | number | boolean | null)[] {
  return [r.id, r.complexity, r.referenceIndex + 1, r.fullScore, r.fullMatch, r.discreteRate, r.discreteExact, r.timingScore, r.timingPass, r.continuousScore, r.continuousPass, r.exactCodeMatch, r.error ?? ''];
}

const csvCell = (v: string | number | boolean | null) => {
  const s = v === null ? '' : typeof v === 'number' ? (Number.isNaN(v) ? 'nan' : String(v)) : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Per-task rows, then a blank line and one summary row per group. */
export function datasetCsv(rows: readonly TaskRow[], summary: Record<string, GroupStats>): string {
  const lines = [COLUMNS.join(','), ...rows.map((r) => cells(r).map(csvCell).join(','))];
  const keys = Object.keys(summary.all!) as (keyof GroupStats)[];
  lines.push('', ['group', ...keys].join(','));
  for (const [g, s] of Object.entries(summary)) lines.push([g, ...keys.map((k) => csvCell(s[k]))].join(','));
  return lines.join('\n') + '\n';
}

export function datasetJson(preset: string, rows: readonly TaskRow[], summary: Record<string, GroupStats>): unknown {
  return jsonSafe({
    preset,
    tasks: rows.map((r) => Object.fromEntries(COLUMNS.map((c, i) => [c, cells(r)[i]]))),
    summary,
  });
}

const pctS = (x: number) => (Number.isNaN(x) ? 'nan' : `${x.toFixed(2)}%`);

/** The harness's printout per group, after a table of tasks. */
export function datasetText(preset: string, rows: readonly TaskRow[], summary: Record<string, GroupStats>): string {
  const idW = Math.min(40, Math.max(4, ...rows.map((r) => r.id.length)));
  const out = [`beamtwin score-dataset — preset ${preset}, ${rows.length} tasks`, ''];
  // "verdict" is the preset's overall PASS/FAIL (a full match); "timing ok" only says the timing score passed.
  const cols = ['kind   ', 'full  ', 'verdict', 'discrete', 'exact', 'timing', 'timing ok', 'cont.'];
  const row = (id: string, cells: string[]) => `  ${id.padEnd(idW)}  ${cells.map((c, i) => c.padEnd(cols[i]!.length)).join('  ')}`.trimEnd();
  out.push(row('task', cols));
  for (const r of rows) {
    const id = r.id.length > idW ? `${r.id.slice(0, idW - 1)}…` : r.id;
    const yes = (b: boolean) => (b ? 'yes' : 'no');
    const cells = [r.complexity, fmtScore(r.fullScore), r.fullMatch ? 'PASS' : 'FAIL', fmtScore(r.discreteRate), yes(r.discreteExact), fmtScore(r.timingScore), yes(r.timingPass), r.continuousScore === null ? '—' : fmtScore(r.continuousScore)];
    out.push(row(id, cells) + (r.error ? `  error: ${r.error}` : ''));
  }
  for (const [g, s] of Object.entries(summary)) {
    out.push('', `${g === 'all' ? 'All' : g[0]!.toUpperCase() + g.slice(1)} tasks (${s.count}):`);
    out.push(`  Accuracy (full match rate): ${pctS(s.accuracy)} (${s.full_matches}/${s.count})`);
    if (s.exact_code_matches) out.push(`  Exact code match rate: ${pctS(s.exact_code_match_rate)}`);
    out.push(`  Exact PV match rate: ${pctS(s.pv_exact_match_rate)}`);
    out.push(`  Average PV match rate: ${pctS(s.average_pv_match_rate)}  (mismatch ${pctS(s.average_pv_mismatch_rate)})`);
    out.push(`  Timing match rate: ${pctS(s.timing_match_rate)}   average timing score: ${fmtScore(s.average_timing_score)}`);
    if (s.temp_matched + s.temp_mismatched > 0) out.push(`  Continuous match rate: ${pctS(s.temp_match_rate)}   average continuous score: ${fmtScore(s.average_temp_score)}`);
    out.push(`  Average full score: ${fmtScore(s.average_full_score)}`);
  }
  return out.join('\n') + '\n';
}
