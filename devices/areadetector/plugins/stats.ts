// NDPluginStats (`Stats1:` …): basic statistics, centroid and moments, profiles and histogram computed
// from the array's pixels, as NDPluginStats.cpp defines them. Several Stats plugins fed the same array
// with the same settings share one computation.
import { DbrBase } from '../../../ioc/ca/protocol/dbr-types.js';
import type { NDArray, Pixels } from '../ndarray.js';
import { portKey } from '../ndarray.js';
import type { Param } from '../params.js';
import { NDPlugin, type PluginContext, type PluginOptions } from './base.js';

export interface BasicStats {
  readonly min: number;
  readonly minX: number;
  readonly minY: number;
  readonly max: number;
  readonly maxX: number;
  readonly maxY: number;
  readonly total: number;
  readonly net: number;
  readonly mean: number;
  readonly sigma: number;
}

export interface CentroidStats {
  readonly centroidTotal: number;
  readonly centroidX: number;
  readonly centroidY: number;
  readonly sigmaX: number;
  readonly sigmaY: number;
  readonly sigmaXY: number;
  readonly skewX: number;
  readonly skewY: number;
  readonly kurtosisX: number;
  readonly kurtosisY: number;
  readonly eccentricity: number;
  readonly orientation: number;
}

/** Min/max (first occurrence), total, mean, population sigma; net = total − mean border × pixels. */
export function basicStats(data: Pixels, w: number, h: number, bgdWidth = 0): BasicStats {
  const n = w * h;
  let min = Infinity;
  let max = -Infinity;
  let minI = 0;
  let maxI = 0;
  let total = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const v = data[i]!;
    total += v;
    sumSq += v * v;
    if (v < min) {
      min = v;
      minI = i;
    }
    if (v > max) {
      max = v;
      maxI = i;
    }
  }
  if (n === 0) {
    min = 0;
    max = 0;
  }
  const mean = n ? total / n : 0;
  const sigma = n ? Math.sqrt(Math.max(0, sumSq / n - mean * mean)) : 0;
  let net = total;
  if (bgdWidth > 0 && n > 0) {
    // Background: the average of the pixels within bgdWidth of the edges.
    const b = Math.min(bgdWidth, Math.floor(Math.min(w, h) / 2));
    let bsum = 0;
    let bcount = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (x < b || y < b || x >= w - b || y >= h - b) {
          bsum += data[y * w + x]!;
          bcount++;
        }
      }
    }
    if (bcount) net = total - (bsum / bcount) * n;
  }
  return { min, minX: minI % w, minY: Math.floor(minI / w), max, maxX: maxI % w, maxY: Math.floor(maxI / w), total, net, mean, sigma };
}

/** Centroid and moments of the pixels at or above `threshold` (NDPluginStats doComputeCentroidT). */
export function centroidStats(data: Pixels, w: number, h: number, threshold: number): CentroidStats {
  let m00 = 0;
  let m10 = 0;
  let m01 = 0;
  let m11 = 0;
  let m20 = 0;
  let m02 = 0;
  let m30 = 0;
  let m03 = 0;
  let m40 = 0;
  let m04 = 0;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let rs = 0;
    let rx = 0;
    let rxx = 0;
    let rx3 = 0;
    let rx4 = 0;
    for (let x = 0; x < w; x++) {
      const v = data[row + x]!;
      if (v < threshold) continue;
      rs += v;
      const vx = v * x;
      rx += vx;
      rxx += vx * x;
      rx3 += vx * x * x;
      rx4 += vx * x * x * x;
    }
    if (rs === 0 && rx === 0) continue;
    m00 += rs;
    m10 += rx;
    m20 += rxx;
    m30 += rx3;
    m40 += rx4;
    m01 += rs * y;
    m11 += rx * y;
    m02 += rs * y * y;
    m03 += rs * y * y * y;
    m04 += rs * y * y * y * y;
  }
  if (m00 === 0) {
    return { centroidTotal: 0, centroidX: 0, centroidY: 0, sigmaX: 0, sigmaY: 0, sigmaXY: 0, skewX: 0, skewY: 0, kurtosisX: 0, kurtosisY: 0, eccentricity: 0, orientation: 0 };
  }
  const cx = m10 / m00;
  const cy = m01 / m00;
  const mu20 = m20 / m00 - cx * cx;
  const mu02 = m02 / m00 - cy * cy;
  const mu11 = m11 / m00 - cx * cy;
  const sx = Math.sqrt(Math.max(0, mu20));
  const sy = Math.sqrt(Math.max(0, mu02));
  const mu30 = m30 / m00 - 3 * cx * (m20 / m00) + 2 * cx * cx * cx;
  const mu03 = m03 / m00 - 3 * cy * (m02 / m00) + 2 * cy * cy * cy;
  const mu40 = m40 / m00 - 4 * cx * (m30 / m00) + 6 * cx * cx * (m20 / m00) - 3 * cx ** 4;
  const mu04 = m04 / m00 - 4 * cy * (m03 / m00) + 6 * cy * cy * (m02 / m00) - 3 * cy ** 4;
  const sum2 = mu20 + mu02;
  return {
    centroidTotal: m00,
    centroidX: cx,
    centroidY: cy,
    sigmaX: sx,
    sigmaY: sy,
    sigmaXY: sx > 0 && sy > 0 ? mu11 / (sx * sy) : 0,
    skewX: sx > 0 ? mu30 / sx ** 3 : 0,
    skewY: sy > 0 ? mu03 / sy ** 3 : 0,
    kurtosisX: sx > 0 ? mu40 / sx ** 4 - 3 : 0,
    kurtosisY: sy > 0 ? mu04 / sy ** 4 - 3 : 0,
    eccentricity: sum2 > 0 ? ((mu20 - mu02) ** 2 - 4 * mu11 * mu11) / (sum2 * sum2) : 0,
    orientation: (0.5 * Math.atan2(2 * mu11, mu20 - mu02) * 180) / Math.PI,
  };
}

// One computation per (array, settings), shared by every Stats plugin that sees the same array.
const basicMemo = new WeakMap<NDArray, Map<number, BasicStats>>();
const centroidMemo = new WeakMap<NDArray, Map<number, CentroidStats>>();

function memo<T>(table: WeakMap<NDArray, Map<number, T>>, a: NDArray, key: number, make: () => T): T {
  let m = table.get(a);
  if (!m) table.set(a, (m = new Map()));
  let v = m.get(key);
  if (v === undefined) m.set(key, (v = make()));
  return v;
}

/** The Stats1:TS… waveforms, in the order of NDPluginStats' time-series array (the last is the time stamp). */
export const TS_SIGNALS = [
  'TSMinValue', 'TSMinX', 'TSMinY', 'TSMaxValue', 'TSMaxX', 'TSMaxY', 'TSMeanValue', 'TSSigma', 'TSTotal', 'TSNet',
  'TSCentroidTotal', 'TSCentroidX', 'TSCentroidY', 'TSSigmaX', 'TSSigmaY', 'TSSigmaXY', 'TSSkewX', 'TSSkewY',
  'TSKurtosisX', 'TSKurtosisY', 'TSEccentricity', 'TSOrientation', 'TSTimestamp',
] as const;

export class StatsPlugin extends NDPlugin {
  readonly computeStatistics: Param;
  readonly computeCentroid: Param;
  readonly computeProfiles: Param;
  readonly computeHistogram: Param;

  constructor(ctx: PluginContext, prefix: string, opts: PluginOptions & { readonly maxSizeX: number; readonly maxSizeY: number }) {
    super(ctx, prefix, opts, 'NDPluginStats');
    const p = this.params;
    this.computeStatistics = p.get('ComputeStatistics');
    this.computeCentroid = p.get('ComputeCentroid');
    this.computeProfiles = p.get('ComputeProfiles');
    this.computeHistogram = p.get('ComputeHistogram');
    p.get('HistSize').behave({ coerce: (v) => Math.max(1, Math.trunc(v as number)) });
    for (const n of ['HistSize', 'HistMin', 'HistMax']) {
      const param = p.get(n);
      const coerce = param.opts.coerce;
      param.behave({ write: (v) => (param.update(coerce ? coerce(v, param) : v), this.histogramAxis()) });
    }
    this.histogramAxis();
  }

  /** HistogramX_RBV: the bins' lower edges, HistMin + i·(HistMax − HistMin)/HistSize (NDPluginStats). */
  private histogramAxis(): void {
    const p = this.params;
    const size = Math.max(1, Math.trunc(p.get('HistSize').num));
    const lo = p.get('HistMin').num;
    const step = (p.get('HistMax').num - lo) / size;
    const x = p.get('HistogramX_RBV');
    const n = Math.min(size, x.rbv!.maxCount);
    x.update(Float64Array.from({ length: n }, (_, i) => lo + i * step));
  }

  /** One time-series point for the NDTimeSeries plugin (address 1): the statistics in TS_SIGNALS order. */
  private publishPoint(array: NDArray): void {
    const key = portKey(this.portName, 1);
    if (!this.ctx.ports.hasListeners(key)) return;
    const p = this.params;
    const values = Float64Array.from(TS_SIGNALS, (n) => (n === 'TSTimestamp' ? array.timeStamp : p.get(`${n.slice(2)}_RBV`).num));
    this.ctx.ports.publish(key, { ...array, dims: [values.length], dataType: 9, data: () => values });
  }

  protected process(array: NDArray): NDArray {
    const [w = 0, h = 1] = array.dims;
    const p = this.params;
    if (this.computeStatistics.num) {
      const bgd = Math.max(0, Math.trunc(p.get('BgdWidth').num));
      const s = memo(basicMemo, array, bgd, () => basicStats(array.data(), w, h, bgd));
      p.get('MinValue_RBV').update(s.min);
      p.get('MinX_RBV').update(s.minX);
      p.get('MinY_RBV').update(s.minY);
      p.get('MaxValue_RBV').update(s.max);
      p.get('MaxX_RBV').update(s.maxX);
      p.get('MaxY_RBV').update(s.maxY);
      p.get('MeanValue_RBV').update(s.mean);
      p.get('Sigma_RBV').update(s.sigma);
      p.get('Total_RBV').update(s.total);
      p.get('Net_RBV').update(s.net);
    }
    if (this.computeCentroid.num) {
      const threshold = p.get('CentroidThreshold').num;
      const c = memo(centroidMemo, array, threshold, () => centroidStats(array.data(), w, h, threshold));
      p.get('CentroidTotal_RBV').update(c.centroidTotal);
      p.get('CentroidX_RBV').update(c.centroidX);
      p.get('CentroidY_RBV').update(c.centroidY);
      p.get('SigmaX_RBV').update(c.sigmaX);
      p.get('SigmaY_RBV').update(c.sigmaY);
      p.get('SigmaXY_RBV').update(c.sigmaXY);
      p.get('SkewX_RBV').update(c.skewX);
      p.get('SkewY_RBV').update(c.skewY);
      p.get('KurtosisX_RBV').update(c.kurtosisX);
      p.get('KurtosisY_RBV').update(c.kurtosisY);
      p.get('Eccentricity_RBV').update(c.eccentricity);
      p.get('Orientation_RBV').update(c.orientation);
    }
    if (this.computeProfiles.num) this.profiles(array.data(), w, h);
    if (this.computeHistogram.num) this.histogram(array.data(), w * h);
    this.publishPoint(array);
    return array;
  }

  private profiles(d: Pixels, w: number, h: number): void {
    const p = this.params;
    const avgX = new Float64Array(w);
    const avgY = new Float64Array(h);
    for (let y = 0; y < h; y++) {
      let rs = 0;
      for (let x = 0; x < w; x++) {
        const v = d[y * w + x]!;
        rs += v;
        avgX[x]! += v;
      }
      avgY[y] = w ? rs / w : 0;
    }
    for (let x = 0; x < w; x++) avgX[x]! /= h || 1;
    const cx = Math.min(Math.max(0, Math.trunc(p.get('CursorX').num)), w - 1);
    const cy = Math.min(Math.max(0, Math.trunc(p.get('CursorY').num)), h - 1);
    const curX = Float64Array.from({ length: w }, (_, x) => d[cy * w + x]!);
    const curY = Float64Array.from({ length: h }, (_, y) => d[y * w + cx]!);
    p.get('ProfileSizeX_RBV').update(w);
    p.get('ProfileSizeY_RBV').update(h);
    p.get('ProfileAverageX_RBV').update(avgX);
    p.get('ProfileAverageY_RBV').update(avgY);
    p.get('ProfileCursorX_RBV').update(curX);
    p.get('ProfileCursorY_RBV').update(curY);
    p.get('CursorVal').update(d[cy * w + cx] ?? 0);
  }

  private histogram(d: Pixels, n: number): void {
    const p = this.params;
    const size = Math.max(1, Math.trunc(p.get('HistSize').num));
    const lo = p.get('HistMin').num;
    const hi = p.get('HistMax').num;
    const hist = new Float64Array(size);
    let below = 0;
    let above = 0;
    const scale = hi > lo ? (size - 1) / (hi - lo) : 0;
    for (let i = 0; i < n; i++) {
      const v = d[i]!;
      if (v < lo) below++;
      else if (v > hi) above++;
      else hist[Math.round((v - lo) * scale)]!++;
    }
    let entropy = 0;
    for (const c of hist) if (c > 0) entropy -= (c / n) * Math.log(c / n);
    // The waveform (NELM HIST_SIZE) shows the first bins when HistSize is larger.
    p.get('Histogram_RBV').update(hist.subarray(0, p.get('Histogram_RBV').rbv!.maxCount));
    p.get('HistBelow_RBV').update(below);
    p.get('HistAbove_RBV').update(above);
    p.get('HistEntropy_RBV').update(entropy);
  }
}
