import type { AlignedRow, BestOf, PresetName, ScoreResult } from '../result.js';
import { pyFloat } from '../py/float.js';
import type { Event } from '../trace.js';
import { displayValue, fmtDetail, fmtScore } from './format.js';

/**
 * The HTML report: one self-contained file (inline CSS and SVG, no script, no network) with the scores,
 * a timeline of both traces — one lane per channel, GT above and prediction below, matched pairs
 * linked, mismatches and gaps marked, continuous channels as curves — and the alignment table.
 */
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const MAX_DRAWN_ROWS = 5000;

/** min/max without spreading (a spread of 100k arguments overflows the stack). */
function extent(xs: Iterable<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of xs) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return [lo, hi];
}
const MAX_TABLE_ROWS = 2000;
const W = 1100;
const LEFT = 190;
const RIGHT = 20;
const LANE = 46;

function timeline(r: ScoreResult): string {
  const rows = r.rows.slice(0, MAX_DRAWN_ROWS);
  const gtEvents: Event[] = [];
  const prEvents: Event[] = [];
  for (const row of rows) {
    if (row.gt) gtEvents.push(row.gt);
    if (row.pred) prEvents.push(row.pred);
  }
  for (const c of r.continuous) {
    gtEvents.push(...c.gt);
    prEvents.push(...c.pred);
  }
  const t0g = extent(gtEvents.map((e) => e.timestamp))[0];
  const t0p = extent(prEvents.map((e) => e.timestamp))[0];
  const relMax = Math.max(1e-9, extent([...gtEvents.map((e) => e.timestamp - t0g), ...prEvents.map((e) => e.timestamp - t0p)])[1]);
  const x = (e: Event, t0: number) => LEFT + ((e.timestamp - t0) / relMax) * (W - LEFT - RIGHT);
  const lanes = new Map<string, number>();
  for (const row of rows) for (const e of [row.gt, row.pred]) if (e && !lanes.has(e.channel)) lanes.set(e.channel, lanes.size);
  const top = 28;
  const yOf = (e: Event, side: 'gt' | 'pred') => top + lanes.get(e.channel)! * LANE + (side === 'gt' ? 14 : 34);
  const height = top + lanes.size * LANE + 24;
  const parts: string[] = [];
  parts.push(`<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" role="img" aria-label="timeline of both traces">`);
  parts.push(`<text x="${LEFT}" y="16" class="axis">0 s</text><text x="${W - RIGHT}" y="16" class="axis" text-anchor="end">${esc(relMax.toPrecision(4))} s (from each trace's start)</text>`);
  for (const [ch, k] of lanes) {
    const y = top + k * LANE;
    parts.push(
      `<g class="lane" data-channel="${esc(ch)}"><rect x="0" y="${y}" width="${W}" height="${LANE}" class="${k % 2 ? 'odd' : 'even'}"/>` +
        // PV names differ at their ends (…Ax:X}Mtr vs …Ax:Y}Mtr), so a long one keeps its tail.
        `<text x="8" y="${y + 18}" class="lane-label"><title>${esc(ch)}</title>${esc(ch.length > 21 ? `…${ch.slice(-20)}` : ch)}</text>` +
        `<text x="${LEFT - 8}" y="${y + 18}" class="side" text-anchor="end">GT</text><text x="${LEFT - 8}" y="${y + 38}" class="side" text-anchor="end">pred</text>` +
        `<line x1="${LEFT}" x2="${W - RIGHT}" y1="${y + 14}" y2="${y + 14}" class="rail"/><line x1="${LEFT}" x2="${W - RIGHT}" y1="${y + 34}" y2="${y + 34}" class="rail"/></g>`,
    );
  }
  rows.forEach((row, k) => {
    const tip = (e: Event) => `${e.channel} = ${displayValue(e)} @ ${e.timestamp}`;
    if (row.gt && row.pred) {
      const cls = row.match ? 'link match' : 'link mismatch';
      parts.push(`<line class="${cls}" data-row="${k + 1}" x1="${x(row.gt, t0g).toFixed(1)}" y1="${yOf(row.gt, 'gt')}" x2="${x(row.pred, t0p).toFixed(1)}" y2="${yOf(row.pred, 'pred')}"><title>row ${k + 1}: ${esc(tip(row.gt))} ↔ ${esc(tip(row.pred))}</title></line>`);
    }
    for (const [e, side, t0] of [[row.gt, 'gt', t0g], [row.pred, 'pred', t0p]] as const) {
      if (!e) continue;
      const gap = !(row.gt && row.pred);
      const cls = `event ${side}${gap ? ' gap' : row.match ? '' : ' mismatch'}`;
      parts.push(`<circle class="${cls}" data-row="${k + 1}" cx="${x(e, t0).toFixed(1)}" cy="${yOf(e, side)}" r="${gap ? 5 : 4}"><title>${esc(`${side === 'gt' ? 'GT' : 'pred'} row ${k + 1}${gap ? ' (gap)' : ''}: ${tip(e)}`)}</title></circle>`);
    }
  });
  parts.push('</svg>');
  if (r.rows.length > MAX_DRAWN_ROWS) parts.push(`<p class="note">Timeline shows the first ${MAX_DRAWN_ROWS} of ${r.rows.length} rows.</p>`);
  for (const c of r.continuous) parts.push(curves(c.channel, c.gt, c.pred, t0g, t0p, relMax));
  return parts.join('\n');
}

function curves(channel: string, gt: readonly Event[], pred: readonly Event[], t0g: number, t0p: number, relMax: number): string {
  const H = 180;
  const pts = (es: readonly Event[], t0: number) => es.map((e) => [e.timestamp - t0, pyFloat(e.value) ?? NaN] as const).filter(([, v]) => Number.isFinite(v));
  const g = pts(gt, t0g);
  const p = pts(pred, t0p);
  const vals = [...g, ...p].map(([, v]) => v);
  const [lo, hi] = extent(vals);
  const span = hi > lo ? hi - lo : 1;
  const X = (t: number) => LEFT + (t / relMax) * (W - LEFT - RIGHT);
  const Y = (v: number) => 10 + (1 - (v - lo) / span) * (H - 30);
  const poly = (s: readonly (readonly [number, number])[], cls: string) =>
    s.length ? `<polyline class="curve ${cls}" points="${s.map(([t, v]) => `${X(t).toFixed(1)},${Y(v).toFixed(1)}`).join(' ')}"/>` : '';
  return (
    `<svg class="continuous" data-channel="${esc(channel)}" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">` +
    `<text x="8" y="20" class="lane-label">${esc(channel)}</text>` +
    `<text x="8" y="40" class="side">${Number.isFinite(hi) ? esc(`${lo.toPrecision(4)} … ${hi.toPrecision(4)}`) : 'no samples'}</text>` +
    `<text x="8" y="60" class="legend-gt">— GT</text><text x="8" y="78" class="legend-pred">- - pred</text>` +
    poly(g, 'gt') +
    poly(p, 'pred') +
    '</svg>'
  );
}

function scoresTable(r: ScoreResult): string {
  const rows = Object.entries(r.metrics).map(([name, m]) => {
    const details = Object.entries(m.details)
      .filter(([, v]) => typeof v !== 'object' || v === null)
      .map(([k, v]) => `${esc(k)}=${esc(fmtDetail(v))}`)
      .join(' · ');
    return `<tr><th>${esc(name)}</th><td class="num">${fmtScore(m.score)}</td><td class="${m.pass ? 'ok' : 'bad'}">${m.pass ? 'pass' : 'fail'}</td><td class="num">${r.weights[name] ?? 0}</td><td class="small">${details}</td></tr>`;
  });
  return `<table class="scores"><thead><tr><th>metric</th><th>score</th><th></th><th>weight</th><th>components</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function alignmentTable(rows: readonly AlignedRow[]): string {
  const cell = (e: Event | null) => (e ? `<td>${esc(e.channel)}</td><td class="num">${e.timestamp}</td><td>${esc(displayValue(e))}</td>` : '<td class="gapcell">—</td><td></td><td></td>');
  const body = rows.slice(0, MAX_TABLE_ROWS).map((r, k) => {
    const m = r.match === true ? '<td class="ok">✓</td>' : r.match === false ? '<td class="bad">✗</td>' : `<td class="warn">${r.gt ? 'missing' : 'extra'}</td>`;
    return `<tr data-row="${k + 1}"><td class="num">${k + 1}</td>${cell(r.gt)}${cell(r.pred)}${m}</tr>`;
  });
  const more = rows.length > MAX_TABLE_ROWS ? `<p class="note">${rows.length - MAX_TABLE_ROWS} more rows not shown.</p>` : '';
  return `<table class="alignment"><thead><tr><th>#</th><th>GT channel</th><th>t</th><th>value</th><th>pred channel</th><th>t</th><th>value</th><th>match</th></tr></thead><tbody>${body.join('')}</tbody></table>${more}`;
}

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1b1f24;background:#fff}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:24px 0 8px}
.headline{font-size:18px} .ok{color:#1a7f37} .bad{color:#cf222e} .warn{color:#9a6700}
table{border-collapse:collapse;margin:8px 0} th,td{padding:3px 8px;border-bottom:1px solid #d0d7de;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums} .small{font-size:12px;color:#57606a}
.note{color:#57606a} .gapcell{color:#9a6700}
svg text{font:12px system-ui,sans-serif;fill:#1b1f24} .axis,.side{fill:#57606a}
.lane rect.even{fill:#f6f8fa} .lane rect.odd{fill:#ffffff} .rail{stroke:#d0d7de}
.link.match{stroke:#1a7f37;stroke-width:1.2;opacity:.7} .link.mismatch{stroke:#cf222e;stroke-width:1.5;stroke-dasharray:4 3}
.event.gt{fill:#0969da} .event.pred{fill:#8250df} .event.mismatch{stroke:#cf222e;stroke-width:2}
.event.gap{fill:#fff;stroke:#bc4c00;stroke-width:2.5}
.curve{fill:none;stroke-width:1.8} .curve.gt{stroke:#0969da} .curve.pred{stroke:#8250df;stroke-dasharray:6 4}
.legend-gt{fill:#0969da} .legend-pred{fill:#8250df} svg.continuous{display:block;margin-top:8px;border-top:1px solid #d0d7de}
`;

/** Render the report for the chosen preset, with every preset's headline beside it. */
export function renderHtmlReport(preset: PresetName, all: Record<PresetName, BestOf>, refNames: readonly string[], predName: string): string {
  const main = all[preset];
  const r = main.best;
  const presetsRows = Object.entries(all)
    .map(([k, b]) => `<tr${k === preset ? ' class="chosen"' : ''}><th>${k}</th><td class="num">${fmtScore(b.best.fullScore)}</td><td class="${b.best.accuracy ? 'ok' : 'bad'}">${b.best.accuracy ? 'PASS' : 'FAIL'}</td><td>reference ${b.index + 1}</td></tr>`)
    .join('');
  const notes = [...(r.referenceError ? [`reference error: ${r.referenceError}`] : []), ...r.notes].map((n) => `<p class="note">${esc(n)}</p>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>beamtwin score — ${esc(preset)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${CSS}</style></head>
<body>
<h1>beamtwin score — preset ${esc(preset)}</h1>
<p class="small">prediction ${esc(predName)} · ${main.index >= 0 ? `reference ${esc(refNames[main.index] ?? '')}` : 'no reference used'}</p>
<p class="headline">full score <b id="full-score">${fmtScore(r.fullScore)}</b> · accuracy <b class="${r.accuracy ? 'ok' : 'bad'}">${r.accuracy ? 'PASS' : 'FAIL'}</b></p>
${notes}
${scoresTable(r)}
<h2>All presets</h2><table class="presets">${presetsRows}</table>
<h2>Timeline</h2>
<p class="small">One lane per channel, GT above, prediction below; green lines link value matches, red dashed lines link mismatched values, hollow orange rings are gaps.</p>
${timeline(r)}
<h2>Alignment</h2>
${alignmentTable(r.rows)}
</body></html>
`;
}
