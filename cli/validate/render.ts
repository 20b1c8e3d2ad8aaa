import type { Move, ValidationReport } from '../../harness/validate/analyze.js';

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(4).replace(/0+$/, '').replace(/\.$/, ''));
const signed = (v: number) => (v > 0 ? `+${fmt(v)}` : fmt(v));
/** Moves (state changes) listed one by one per motor (shutter); the rest are counted. */
const MOVES_LISTED = 8;

/** One move in words: where from and to, net and travelled, how long, which targets. */
function moveText(m: Move): string {
  const sp = m.setpoints.length ? `, setpoint${m.setpoints.length > 1 ? 's' : ''} ${m.setpoints.map(fmt).join(' then ')}` : '';
  return `${fmt(m.from)} -> ${fmt(m.to)}: net ${signed(m.net)}, path ${fmt(m.path)}, ${m.seconds.toFixed(2)} s${sp}${m.done ? '' : ', still moving at the end'}`;
}

function renderMoves(moves: readonly Move[], out: string[]): void {
  const byMotor = new Map<string, Move[]>();
  for (const m of moves) {
    const key = `${m.motor} (${m.pv})`;
    let list = byMotor.get(key);
    if (!list) byMotor.set(key, (list = []));
    list.push(m);
  }
  for (const [motor, list] of byMotor) {
    if (list.length === 1) {
      out.push(`  ${motor}: ${moveText(list[0]!)}`);
      continue;
    }
    const first = list[0]!;
    const last = list[list.length - 1]!;
    const path = list.reduce((s, m) => s + m.path, 0);
    out.push(`  ${motor}: ${list.length} moves, ${fmt(first.from)} -> ${fmt(last.to)}, net ${signed(last.to - first.from)}, path ${fmt(path)}`);
    for (const m of list.slice(0, MOVES_LISTED)) out.push(`    at ${m.at.toFixed(2)} s: ${moveText(m)}`);
    if (list.length > MOVES_LISTED) out.push(`    … ${list.length - MOVES_LISTED} more moves`);
  }
}

/** The plain-language report. */
export function renderReport(r: ValidationReport): string {
  const out: string[] = [];
  out.push(`${r.ok ? 'PASS' : 'FAIL'}: ${r.command.join(' ')}`);
  out.push(`  exit ${r.timedOut ? '(killed at timeout)' : r.exitCode}, ${r.duration.toFixed(2)} s of twin time`);
  out.push('Motors moved:');
  if (!r.moves.length) out.push('  none');
  renderMoves(r.moves, out);
  out.push('Detector exposures:');
  if (!r.exposures.some((e) => e.count)) out.push('  none');
  for (const e of r.exposures) if (e.count) out.push(`  ${e.detector}: ${e.count} acquisitions, ${e.images} images, ${fmt(e.totalSeconds)} s total exposure`);
  out.push('Temperatures:');
  const temps = r.temperatures.filter((t) => t.from !== t.to || t.setpoints.length || t.min !== t.max);
  if (!temps.length) out.push('  unchanged');
  for (const t of temps) out.push(`  ${t.pv}: ${fmt(t.from)} -> ${fmt(t.to)} (range ${fmt(t.min)} .. ${fmt(t.max)}), setpoints [${t.setpoints.map(fmt).join(', ')}]`);
  const states = r.states.filter((s) => s.changes.length);
  if (states.length) {
    out.push('Shutters and other states:');
    for (const s of states) {
      const shown = s.changes.slice(0, MOVES_LISTED).map((c) => `${c.state} (at ${c.at.toFixed(2)} s)`);
      const more = s.changes.length > MOVES_LISTED ? ` -> … ${s.changes.length - MOVES_LISTED} more changes` : '';
      out.push(`  ${s.device} (${s.pv}): ${[s.from, ...shown].join(' -> ')}${more}`);
    }
  }
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
