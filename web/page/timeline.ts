// The trace as it grows: one lane per channel (update bursts as ticks, puts as dots coloured by their
// client's protocol, failed completions as crosses), markers as vertical lines, and the latest events
// as a table.
import { clockText, el, fitCanvas } from './dom.js';
import type { LanePoint, ViewState } from './state.js';

const MAX_LANES = 18;
const LANE_H = 13;
const LABEL_W = 230;
const ORIGIN_COLOURS: Record<string, string> = { ca: '#1f6feb', web: '#e8590c', pva: '#7048e8', internal: '#868e96', link: '#868e96' };

export function drawTimeline(canvas: HTMLCanvasElement, state: ViewState, t0: number, t1: number, cursor?: number): void {
  const lanes = [...state.lanes].filter(([, pts]) => pts.some((p) => p.t >= t0 && p.t <= t1));
  // Channels someone wrote first, then the busiest.
  const score = (pts: LanePoint[]) => (pts.some((p) => p.kind === 'put') ? 1e9 : 0) + pts.length;
  lanes.sort((a, b) => score(b[1]) - score(a[1]) || a[0].localeCompare(b[0]));
  const shown = lanes.slice(0, MAX_LANES);
  const height = 34 + Math.max(1, shown.length) * LANE_H;
  canvas.style.height = `${height}px`;
  const { ctx, w, h } = fitCanvas(canvas);
  ctx.clearRect(0, 0, w, h);
  ctx.font = '11px system-ui, sans-serif';
  const x = (t: number) => LABEL_W + ((t - t0) / (t1 - t0 || 1)) * (w - LABEL_W - 8);
  ctx.fillStyle = '#6b7280';
  ctx.fillText(`${clockText(t0)}`, LABEL_W, h - 4);
  ctx.fillText(`${clockText(t1)}`, w - 90, h - 4);
  if (!shown.length) ctx.fillText('no activity in this window', LABEL_W, 14);
  shown.forEach(([channel, pts], i) => {
    const y = 4 + i * LANE_H;
    ctx.fillStyle = i % 2 ? '#fafbfc' : '#f1f3f5';
    ctx.fillRect(0, y, w, LANE_H);
    ctx.fillStyle = '#1d2330';
    ctx.fillText(channel.length > 38 ? `…${channel.slice(-37)}` : channel, 2, y + 10);
    for (const p of pts) {
      if (p.t < t0 || p.t > t1) continue;
      const px = x(p.t);
      if (p.kind === 'update') {
        ctx.fillStyle = '#adb5bd';
        ctx.fillRect(px - 0.5, y + 3, 1.5, LANE_H - 6);
      } else if (p.kind === 'put') {
        ctx.fillStyle = ORIGIN_COLOURS[(p.client ?? 'internal').split(' ')[0]!] ?? '#1d2330';
        ctx.beginPath();
        ctx.arc(px, y + LANE_H / 2, 3.5, 0, 2 * Math.PI);
        ctx.fill();
      } else if (p.kind === 'put-complete') {
        ctx.strokeStyle = '#c62828';
        ctx.beginPath();
        ctx.moveTo(px - 3, y + 3);
        ctx.lineTo(px + 3, y + LANE_H - 3);
        ctx.moveTo(px + 3, y + 3);
        ctx.lineTo(px - 3, y + LANE_H - 3);
        ctx.stroke();
      } else {
        ctx.strokeStyle = '#7048e8';
        ctx.strokeRect(px - 3, y + 3, 6, LANE_H - 6);
      }
    }
  });
  const bottom = 4 + Math.max(1, shown.length) * LANE_H;
  ctx.strokeStyle = '#2b8a3e';
  ctx.fillStyle = '#2b8a3e';
  for (const m of state.markers) {
    if (m.t < t0 || m.t > t1) continue;
    const px = x(m.t);
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    ctx.moveTo(px, 0);
    ctx.lineTo(px, bottom);
    ctx.stroke();
    ctx.setLineDash([]);
    // Right of the line, or left of it near the right edge.
    const tw = ctx.measureText(m.name).width;
    ctx.fillText(m.name, px + 3 + tw > w ? px - 3 - tw : px + 3, bottom + 12);
  }
  if (cursor !== undefined) {
    ctx.strokeStyle = '#1f6feb';
    ctx.beginPath();
    ctx.moveTo(x(cursor), 0);
    ctx.lineTo(x(cursor), bottom);
    ctx.stroke();
  }
  canvas.setAttribute('data-lanes', String(shown.length));
}

/** The newest events first: puts with their client, markers, failures, catch-all hits. */
export function drawEvents(body: HTMLTableSectionElement, state: ViewState, rows = 40): void {
  const recent = state.events.slice(-rows).reverse();
  body.replaceChildren(
    ...recent.map((e) =>
      el(
        'tr',
        { class: `ev-${e.kind}` },
        el('td', {}, clockText(e.t)),
        el('td', {}, e.kind),
        el('td', { title: e.channel }, e.channel),
        el('td', {}, e.kind === 'put-complete' ? `failed: ${e.message ?? `status ${e.eca}`}` : e.value === undefined ? '' : JSON.stringify(e.value)),
        el('td', {}, e.client ?? ''),
      ),
    ),
  );
}
