// A detector frame made small enough to stream: max-pooled to at most `maxSide` pixels a side (a peak of
// one pixel stays visible) and scaled to one byte per pixel between the frame's minimum and maximum; the
// statistics are of the full frame.
import type { WireImage } from './protocol.js';

export function shrinkFrame(
  data: ArrayLike<number>,
  sizeX: number,
  sizeY: number,
  maxSide = 256,
): Omit<WireImage, 'channel' | 't' | 'counter'> {
  // A waveform shorter than the reported size (a smaller ROI, a stale size): use the rows there are.
  const sx = Math.max(1, Math.floor(sizeX));
  const sy = Math.max(1, Math.min(Math.floor(sizeY), Math.floor(data.length / sx)));
  const n = data.length >= sx ? sx * sy : 0;
  let min = Infinity;
  let max = -Infinity;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = data[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    total += v;
  }
  if (n === 0) min = max = 0;
  const f = Math.max(1, Math.ceil(Math.max(sx, sy) / maxSide));
  const width = n ? Math.ceil(sx / f) : 0;
  const height = n ? Math.ceil(sy / f) : 0;
  const pooled = new Float64Array(width * height).fill(-Infinity);
  for (let y = 0; y < (n ? sy : 0); y++) {
    const row = Math.floor(y / f) * width;
    const base = y * sx;
    for (let x = 0; x < sx; x++) {
      const v = data[base + x]!;
      const k = row + Math.floor(x / f);
      if (v > pooled[k]!) pooled[k] = v;
    }
  }
  const bytes = new Uint8Array(width * height);
  const span = max - min;
  for (let i = 0; i < bytes.length; i++) bytes[i] = span > 0 ? Math.round(((pooled[i]! - min) / span) * 255) : 0;
  return {
    width,
    height,
    sizeX: sx,
    sizeY: n ? sy : 0,
    min,
    max,
    mean: n ? total / n : 0,
    total,
    pixels: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
  };
}
