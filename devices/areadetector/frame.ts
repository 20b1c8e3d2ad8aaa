// Deterministic synthetic frames, in the spirit of ADSimDetector's "Peaks" mode: a grid of 2-D Gaussian
// peaks (PeakStart, PeakWidth, PeakNum, PeakStep) on a flat background, scaled by exposure and gain, with
// optional per-peak intensity variation and per-pixel noise drawn from a hash of (seed, frame, pixel) —
// never Math.random — so the same inputs always give the same image. The readout (MinX/MinY/SizeX/SizeY,
// binning, reversal) is applied while rendering; pixels are computed only when a consumer asks, into a
// small ring of reused buffers.
import { DataType } from './params.js';
import type { NDArray } from './ndarray.js';

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
  /** Relative peak height variation between peaks and frames (0 … 1). */
  readonly peakVariation: number;
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
    const v = s.peakVariation > 0 ? 1 + s.peakVariation * unit(s.seed, s.frame, 0x40000000 + k) : 1;
    amps[k] = base * Math.max(0, v);
  }
  return { amps, xs, ys };
}

/** Value of sensor pixel (x, y) of the frame, before binning. */
export function sensorValue(s: FrameSpec, x: number, y: number, table: PeakTable = peakTable(s)): number {
  let v = s.offset + s.backgroundRate * Math.max(0, s.exposure) * s.gain;
  const nx = table.xs.length;
  for (let j = 0; j < table.ys.length; j++) {
    const gy = table.ys[j]![y]!;
    if (gy === 0) continue;
    for (let i = 0; i < nx; i++) v += table.amps[j * nx + i]! * table.xs[i]![x]! * gy;
  }
  if (s.noise > 0) v += s.noise * unit(s.seed, s.frame, y * s.maxSizeX + x);
  return Math.round(v);
}

/** Render the frame's readout into `out` (allocated when absent or too small). */
export function renderFrame(s: FrameSpec, out?: Int32Array): Int32Array {
  const [w, h] = readoutDims(s);
  const n = w * h;
  const buf = out && out.length >= n ? out.subarray(0, n) : new Int32Array(n);
  const table = peakTable(s);
  const simple = s.binX === 1 && s.binY === 1;
  if (simple) {
    // Separable fast path: row y is base + Σ_j gy_j(y) · Σ_i amp_ij · gx_i(x).
    const base = s.offset + s.backgroundRate * Math.max(0, s.exposure) * s.gain;
    const nxp = table.xs.length;
    const rowProfiles = table.ys.map((_, j) => {
      const prof = new Float64Array(w);
      for (let ox = 0; ox < w; ox++) {
        const x = s.reverseX ? s.minX + w - 1 - ox : s.minX + ox;
        let acc = 0;
        for (let i = 0; i < nxp; i++) acc += table.amps[j * nxp + i]! * table.xs[i]![x]!;
        prof[ox] = acc;
      }
      return prof;
    });
    for (let oy = 0; oy < h; oy++) {
      const y = s.reverseY ? s.minY + h - 1 - oy : s.minY + oy;
      const row = oy * w;
      let any = false;
      for (let j = 0; j < rowProfiles.length; j++) if (table.ys[j]![y]! !== 0) any = true;
      if (!any && s.noise <= 0) {
        buf.fill(Math.round(base), row, row + w);
        continue;
      }
      // Only the peaks rows whose Gaussian reaches this row contribute.
      const near: number[] = [];
      for (let j = 0; j < rowProfiles.length; j++) if (table.ys[j]![y]! !== 0) near.push(j);
      for (let ox = 0; ox < w; ox++) {
        let v = base;
        for (const j of near) v += table.ys[j]![y]! * rowProfiles[j]![ox]!;
        if (s.noise > 0) {
          const x = s.reverseX ? s.minX + w - 1 - ox : s.minX + ox;
          v += s.noise * unit(s.seed, s.frame, y * s.maxSizeX + x);
        }
        buf[row + ox] = Math.round(v);
      }
    }
    return buf;
  }
  for (let oy = 0; oy < h; oy++) {
    const by = s.reverseY ? h - 1 - oy : oy;
    for (let ox = 0; ox < w; ox++) {
      const bx = s.reverseX ? w - 1 - ox : ox;
      let v = 0;
      for (let dy = 0; dy < s.binY; dy++) {
        for (let dx = 0; dx < s.binX; dx++) v += sensorValue(s, s.minX + bx * s.binX + dx, s.minY + by * s.binY + dy, table);
      }
      buf[oy * w + ox] = v;
    }
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

