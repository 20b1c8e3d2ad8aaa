// Deterministic synthetic frames after ADSimDetector's simulation modes (SimMode):
//   LinearRamp   Gain·(GainX·x + GainY·y), growing by Gain with every image since the last reset;
//   Peaks        a grid of 2-D Gaussian peaks (PeakStart, PeakWidth, PeakNum, PeakStep), heights varying by
//                ±PeakVariation/2 % per peak and image — scaled here by exposure (peakRate counts per second
//                at Gain 1), so that counts grow with AcquireTime as a real detector's do;
//   Sine         Gain·(X(x) + Y(y)), X the sum or product (XSineOperation) of two sines of amplitude,
//                frequency and phase XSine1…/XSine2… along a "time" GainX·(image·sizeX + x)/sizeX, Y alike;
//   Offset&Noise the background alone.
// Every mode sits on the background Offset + Noise·u, u uniform in [0, 1) per pixel. Noise and variation
// come from a hash of (seed, frame, pixel) — never Math.random — so the same inputs give the same image.
// The readout (MinX/MinY/SizeX/SizeY, binning, reversal) is applied while rendering; pixels are computed
// only when a consumer asks, into a small ring of reused buffers.
import { DataType } from './params.js';
import type { NDArray } from './ndarray.js';

export const SimMode = { LinearRamp: 0, Peaks: 1, Sine: 2, OffsetNoise: 3 } as const;

/** One axis of Sine mode (simDetector's XSine…/YSine… records). */
export interface SineAxis {
  readonly amplitude1: number;
  readonly frequency1: number;
  readonly phase1: number;
  readonly amplitude2: number;
  readonly frequency2: number;
  readonly phase2: number;
  /** 0 Add, 1 Multiply. */
  readonly operation: number;
}

/** Everything a frame's pixels depend on. */
export interface FrameSpec {
  readonly maxSizeX: number;
  readonly maxSizeY: number;
  readonly minX: number;
  readonly minY: number;
  /** Output size before binning (already clamped to the sensor). */
  readonly sizeX: number;
  readonly sizeY: number;
  readonly binX: number;
  readonly binY: number;
  readonly reverseX: boolean;
  readonly reverseY: boolean;
  readonly seed: number;
  /** Frame number (the NDArray uniqueId): varies noise and peak variation. */
  readonly frame: number;
  /** Exposure in seconds: intensities scale with it. */
  readonly exposure: number;
  readonly gain: number;
  readonly gainX: number;
  readonly gainY: number;
  /** Peak height in counts per second of exposure at gain 1. */
  readonly peakRate: number;
  /** Flat background in counts per second. */
  readonly backgroundRate: number;
  readonly offset: number;
  /** Noise amplitude (counts, uniform ±noise). */
  readonly noise: number;
  readonly peakStartX: number;
  readonly peakStartY: number;
  readonly peakWidthX: number;
  readonly peakWidthY: number;
  readonly peakNumX: number;
  readonly peakNumY: number;
  readonly peakStepX: number;
  readonly peakStepY: number;
  /** Peak height variation in percent (simDetector: heights × (1 + PeakVariation/100 · (u − ½))). */
  readonly peakVariation: number;
  /** SimMode: LinearRamp, Peaks (default), Sine, Offset&Noise. */
  readonly simMode?: number;
  /** Images since the last image reset (LinearRamp grows, Sine moves with it). */
  readonly sequence?: number;
  readonly sineX?: SineAxis;
  readonly sineY?: SineAxis;
}

export const DEFAULT_MAX_SIZE = 1024;

/** Output dimensions of a readout: the ROI clamped to the sensor, then binned. */
export function readoutDims(spec: Pick<FrameSpec, 'sizeX' | 'sizeY' | 'binX' | 'binY'>): [number, number] {
  return [Math.max(1, Math.floor(spec.sizeX / spec.binX)), Math.max(1, Math.floor(spec.sizeY / spec.binY))];
}

/** 32-bit integer hash (lowbias32), deterministic across platforms. */
export function hash32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** A deterministic number in [-1, 1) from the seed, frame and an index. */
function unit(seed: number, frame: number, index: number): number {
  const h = hash32((hash32((seed ^ Math.imul(frame, 0x9e3779b1)) >>> 0) + index) >>> 0);
  return h / 0x80000000 - 1;
}

interface PeakTable {
  /** Per peak: amplitude, gx row (length maxSizeX) index into xs, gy index into ys. */
  readonly amps: Float64Array;
  readonly xs: Float64Array[];
  readonly ys: Float64Array[];
}

function gaussian(n: number, center: number, width: number): Float64Array {
  const g = new Float64Array(n);
  const w = Math.max(width, 1e-9);
  const inv = 1 / (2 * w * w);
  // Only within ±8 widths: beyond that exp() is below 1e-13.
  const lo = Math.max(0, Math.floor(center - 8 * w));
  const hi = Math.min(n - 1, Math.ceil(center + 8 * w));
  for (let i = lo; i <= hi; i++) {
    const d = i - center;
    g[i] = Math.exp(-d * d * inv);
  }
  return g;
}

function peakTable(s: FrameSpec): PeakTable {
  const nx = Math.max(0, Math.floor(s.peakNumX));
  const ny = Math.max(0, Math.floor(s.peakNumY));
  const xs: Float64Array[] = [];
  const ys: Float64Array[] = [];
  for (let i = 0; i < nx; i++) xs.push(gaussian(s.maxSizeX, s.peakStartX + i * s.peakStepX, s.peakWidthX));
  for (let j = 0; j < ny; j++) ys.push(gaussian(s.maxSizeY, s.peakStartY + j * s.peakStepY, s.peakWidthY));
  const amps = new Float64Array(nx * ny);
  const base = s.peakRate * Math.max(0, s.exposure) * s.gain * s.gainX * s.gainY;
  for (let k = 0; k < amps.length; k++) {
    const v = s.peakVariation !== 0 ? 1 + (s.peakVariation / 100) * 0.5 * unit(s.seed, s.frame, 0x40000000 + k) : 1;
    amps[k] = base * Math.max(0, v);
  }
  return { amps, xs, ys };
}

/** The background of pixel (x, y): Offset + Noise·u (u in [0, 1)) and the twin's flat background rate. */
function background(s: FrameSpec, x: number, y: number): number {
  let v = s.offset + s.backgroundRate * Math.max(0, s.exposure) * s.gain;
  if (s.noise !== 0) v += s.noise * 0.5 * (unit(s.seed, s.frame, y * s.maxSizeX + x) + 1);
  return v;
}

/** One axis of Sine mode over `n` sensor pixels, for image `sequence` since the reset. */
function sineAxis(a: SineAxis, n: number, gain: number, sequence: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = ((sequence * n + i) * gain) / n;
    const s1 = a.amplitude1 * Math.sin((t * a.frequency1 + a.phase1 / 360) * 2 * Math.PI);
    const s2 = a.amplitude2 * Math.sin((t * a.frequency2 + a.phase2 / 360) * 2 * Math.PI);
    out[i] = a.operation === 1 ? s1 * s2 : s1 + s2;
  }
  return out;
}

const NO_SINE: SineAxis = { amplitude1: 0, frequency1: 0, phase1: 0, amplitude2: 0, frequency2: 0, phase2: 0, operation: 0 };

/** Separable modes: pixel = background + cols[x] + rows[y] over the sensor (undefined for Peaks). */
function separable(s: FrameSpec): { cols: Float64Array; rows: Float64Array } | undefined {
  const mode = s.simMode ?? SimMode.Peaks;
  const k = s.sequence ?? 0;
  if (mode === SimMode.LinearRamp) {
    const cols = Float64Array.from({ length: s.maxSizeX }, (_, x) => s.gain * s.gainX * x + s.gain * k);
    const rows = Float64Array.from({ length: s.maxSizeY }, (_, y) => s.gain * s.gainY * y);
    return { cols, rows };
  }
  if (mode === SimMode.Sine) {
    const cols = sineAxis(s.sineX ?? NO_SINE, s.maxSizeX, s.gainX, k).map((v) => s.gain * v);
    const rows = sineAxis(s.sineY ?? NO_SINE, s.maxSizeY, s.gainY, k).map((v) => s.gain * v);
    return { cols, rows };
  }
  if (mode === SimMode.OffsetNoise) return { cols: new Float64Array(s.maxSizeX), rows: new Float64Array(s.maxSizeY) };
  return undefined;
}

/** Value of sensor pixel (x, y) of the frame, before binning. */
export function sensorValue(s: FrameSpec, x: number, y: number, table: PeakTable = peakTable(s), sep = separable(s)): number {
  let v = background(s, x, y);
  if (sep) v += sep.cols[x]! + sep.rows[y]!;
  else {
    const nx = table.xs.length;
    for (let j = 0; j < table.ys.length; j++) {
      const gy = table.ys[j]![y]!;
      if (gy === 0) continue;
      for (let i = 0; i < nx; i++) v += table.amps[j * nx + i]! * table.xs[i]![x]! * gy;
    }
  }
  return Math.round(v);
}

/** Where a Gaussian of `g` is non-zero: [lo, hi] (empty when lo > hi). */
function support(g: Float64Array): [number, number] {
  let lo = 0;
  while (lo < g.length && g[lo] === 0) lo++;
  let hi = g.length - 1;
  while (hi >= lo && g[hi] === 0) hi--;
  return [lo, hi];
}

/** Render the frame's readout into `out` (allocated when absent or too small). */
export function renderFrame(s: FrameSpec, out?: Int32Array): Int32Array {
  const [w, h] = readoutDims(s);
  const n = w * h;
  const buf = out && out.length >= n ? out.subarray(0, n) : new Int32Array(n);
  const sep = separable(s);
  const table = sep ? { amps: new Float64Array(0), xs: [], ys: [] } : peakTable(s);
  if (s.binX !== 1 || s.binY !== 1) {
    for (let oy = 0; oy < h; oy++) {
      const by = s.reverseY ? h - 1 - oy : oy;
      for (let ox = 0; ox < w; ox++) {
        const bx = s.reverseX ? w - 1 - ox : ox;
        let v = 0;
        for (let dy = 0; dy < s.binY; dy++) {
          for (let dx = 0; dx < s.binX; dx++) v += sensorValue(s, s.minX + bx * s.binX + dx, s.minY + by * s.binY + dy, table, sep);
        }
        buf[oy * w + ox] = v;
      }
    }
    return buf;
  }
  const sx = (ox: number) => (s.reverseX ? s.minX + w - 1 - ox : s.minX + ox);
  const sy = (oy: number) => (s.reverseY ? s.minY + h - 1 - oy : s.minY + oy);
  // Peaks, separably: row y adds Σ_j gy_j(y) · profile_j, profile_j(x) = Σ_i amp_ij · gx_i(x), each over
  // the pixels its Gaussians reach.
  const nxp = table.xs.length;
  const xSupport = table.xs.map(support);
  const profiles = table.ys.map((_, j) => {
    const prof = new Float64Array(w);
    let lo = w;
    let hi = -1;
    for (let i = 0; i < nxp; i++) {
      const amp = table.amps[j * nxp + i]!;
      const [a, b] = xSupport[i]!;
      if (amp === 0 || a > b) continue;
      const gx = table.xs[i]!;
      // The output columns whose sensor column lies in [a, b].
      const from = Math.max(0, s.reverseX ? s.minX + w - 1 - b : a - s.minX);
      const to = Math.min(w - 1, s.reverseX ? s.minX + w - 1 - a : b - s.minX);
      for (let ox = from; ox <= to; ox++) prof[ox]! += amp * gx[sx(ox)]!;
      if (from <= to) {
        lo = Math.min(lo, from);
        hi = Math.max(hi, to);
      }
    }
    return { prof, lo, hi };
  });
  const flat = s.noise === 0 ? background(s, 0, 0) : undefined;
  const acc = new Float64Array(w);
  for (let oy = 0; oy < h; oy++) {
    const y = sy(oy);
    const row = oy * w;
    const rowTerm = sep ? sep.rows[y]! : 0;
    for (let ox = 0; ox < w; ox++) acc[ox] = (flat ?? background(s, sx(ox), y)) + rowTerm + (sep ? sep.cols[sx(ox)]! : 0);
    for (let j = 0; j < profiles.length; j++) {
      const gy = table.ys[j]![y]!;
      if (gy === 0) continue;
      const { prof, lo, hi } = profiles[j]!;
      for (let ox = lo; ox <= hi; ox++) acc[ox]! += gy * prof[ox]!;
    }
    for (let ox = 0; ox < w; ox++) buf[row + ox] = Math.round(acc[ox]!);
  }
  return buf;
}

/**
 * Hands out NDArrays for frames, rendering lazily into a ring of reused buffers. An array whose buffer
 * was taken by a later frame renders again (deterministically) into a fresh buffer when asked.
 */
export class FrameSource {
  private readonly ring: { buf: Int32Array | undefined; owner: number }[];
  private next = 0;
  private serial = 0;
  /** Frames actually rendered (for tests and benchmarks). */
  rendered = 0;

  constructor(ringSize = 2) {
    this.ring = Array.from({ length: Math.max(1, ringSize) }, () => ({ buf: undefined, owner: -1 }));
  }

  makeArray(spec: FrameSpec, meta: { uniqueId: number; timeStamp: number; epicsTs: { sec: number; nsec: number } }): NDArray {
    const dims = readoutDims(spec);
    const id = ++this.serial;
    let slot: (typeof this.ring)[number] | undefined;
    let pixels: Int32Array | undefined;
    const render = (): Int32Array => {
      if (pixels && slot && slot.owner === id) return pixels;
      if (pixels && !slot) return pixels;
      this.rendered++;
      if (!slot || slot.owner !== id) {
        if (slot) {
          // Our buffer went to a later frame: render privately.
          slot = undefined;
          pixels = renderFrame(spec);
          return pixels;
        }
        slot = this.ring[this.next]!;
        this.next = (this.next + 1) % this.ring.length;
        slot.owner = id;
      }
      const n = dims[0] * dims[1];
      if (!slot.buf || slot.buf.length < n) slot.buf = new Int32Array(Math.max(n, spec.maxSizeX * spec.maxSizeY));
      pixels = renderFrame(spec, slot.buf);
      return pixels;
    };
    return {
      uniqueId: meta.uniqueId,
      timeStamp: meta.timeStamp,
      epicsTs: meta.epicsTs,
      dims,
      dataType: DataType.Int32,
      colorMode: 0,
      data: render,
    };
  }
}

