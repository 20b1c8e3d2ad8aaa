import type { ValidationReport } from '../../harness/validate/analyze.js';

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(4).replace(/0+$/, '').replace(/\.$/, ''));

/** The plain-language report. */
export function renderReport(r: ValidationReport): string {
  const out: string[] = [];
  out.push(`${r.ok ? 'PASS' : 'FAIL'}: ${r.command.join(' ')}`);
  out.push(`  exit ${r.timedOut ? '(killed at timeout)' : r.exitCode}, ${r.duration.toFixed(2)} s of twin time`);
  out.push('Motors moved:');
  if (!r.moves.length) out.push('  none');
  for (const m of r.moves) {
    out.push(`  ${m.motor} (${m.pv}): ${fmt(m.from)} -> ${fmt(m.to)}, distance ${fmt(m.distance)}, ${m.seconds.toFixed(2)} s, setpoints [${m.setpoints.map(fmt).join(', ')}]`);
  }
  out.push('Detector exposures:');
  if (!r.exposures.some((e) => e.count)) out.push('  none');
  for (const e of r.exposures) if (e.count) out.push(`  ${e.detector}: ${e.count} acquisitions, ${e.images} images, ${fmt(e.totalSeconds)} s total exposure`);
  out.push('Temperatures:');
  const temps = r.temperatures.filter((t) => t.from !== t.to || t.setpoints.length || t.min !== t.max);
  if (!temps.length) out.push('  unchanged');
  for (const t of temps) out.push(`  ${t.pv}: ${fmt(t.from)} -> ${fmt(t.to)} (range ${fmt(t.min)} .. ${fmt(t.max)}), setpoints [${t.setpoints.map(fmt).join(', ')}]`);
  out.push('Findings:');
  if (!r.findings.length) out.push('  none');
  for (const f of r.findings) out.push(`  ${f.breaks ? 'ERROR' : 'note '} [${f.kind}] ${f.message}${f.at ? ` (at ${f.at.toFixed(2)} s)` : ''}`);
  const changed = Object.entries(r.changed);
  out.push('Final state vs initial:');
  if (!changed.length) out.push('  unchanged');
  for (const [pv, c] of changed) out.push(`  ${pv}: ${JSON.stringify(c.before)} -> ${JSON.stringify(c.after)}`);
  if (r.score) out.push(`Score vs reference (${r.score.preset}): ${r.score.full.toFixed(3)}, ${r.score.accurate ? 'accurate' : 'not accurate'}`);
  return out.join('\n') + '\n';
}
