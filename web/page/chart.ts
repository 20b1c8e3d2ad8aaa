// The Linkam chart: temperature and setpoint against time, last samples first to go.
import { fitCanvas } from './dom.js';

export function drawChart(canvas: HTMLCanvasElement, samples: readonly { t: number; temp: number; sp: number }[], now: number): void {
  const { ctx, w, h } = fitCanvas(canvas);
  ctx.clearRect(0, 0, w, h);
  const pad = { l: 40, r: 8, t: 8, b: 18 };
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = '#6b7280';
  if (samples.length === 0) {
    ctx.fillText('no samples yet', pad.l, h / 2);
    return;
  }
  const t1 = Math.max(now, samples[samples.length - 1]!.t);
  const t0 = Math.min(samples[0]!.t, t1 - 60);
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of samples) {
    lo = Math.min(lo, s.temp, s.sp);
    hi = Math.max(hi, s.temp, s.sp);
  }
  if (hi - lo < 1) {
    lo -= 0.5;
    hi += 0.5;
  }
  const x = (t: number) => pad.l + ((t - t0) / (t1 - t0 || 1)) * (w - pad.l - pad.r);
  const y = (v: number) => pad.t + (1 - (v - lo) / (hi - lo)) * (h - pad.t - pad.b);
  ctx.strokeStyle = '#dde1e7';
  ctx.beginPath();
  ctx.moveTo(pad.l, pad.t);
  ctx.lineTo(pad.l, h - pad.b);
  ctx.lineTo(w - pad.r, h - pad.b);
  ctx.stroke();
  ctx.fillText(hi.toFixed(1), 2, pad.t + 8);
  ctx.fillText(lo.toFixed(1), 2, h - pad.b);
  ctx.fillText(`${Math.round(t1 - t0)} s`, w - pad.r - 30, h - 4);
  const line = (key: 'temp' | 'sp', colour: string, dash: number[]) => {
    ctx.strokeStyle = colour;
    ctx.setLineDash(dash);
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    samples.forEach((s, i) => (i ? ctx.lineTo(x(s.t), y(s[key])) : ctx.moveTo(x(s.t), y(s[key]))));
    // Hold the last value to the right edge: the chart's time is the twin's now.
    ctx.lineTo(x(t1), y(samples[samples.length - 1]![key]));
    ctx.stroke();
  };
  line('sp', '#b26b00', [4, 3]);
  line('temp', '#c62828', []);
  ctx.setLineDash([]);
  ctx.fillStyle = '#c62828';
  ctx.fillText('TEMP', w - 90, pad.t + 10);
  ctx.fillStyle = '#b26b00';
  ctx.fillText('setpoint', w - 55, pad.t + 10);
}
