// A minimal baseline TIFF encoder: one uncompressed strip, one grey sample per pixel, 32-bit signed
// integers or 64-bit floats (SampleFormat), little-endian — what NDFileTIFF writes for Int32 data.
import type { Pixels } from '../ndarray.js';

export function encodeTiff(data: Pixels, width: number, height: number, description = ''): Buffer {
  const float = data instanceof Float64Array;
  const bps = float ? 64 : 32;
  const bytes = width * height * (bps / 8);
  const desc = Buffer.from(description + '\0', 'latin1');
  const entries: [tag: number, type: number, count: number, value: number][] = [];
  const n = 12; // IFD entries below
  const ifdOffset = 8;
  const ifdSize = 2 + n * 12 + 4;
  const descOffset = ifdOffset + ifdSize;
  const dataOffset = descOffset + desc.length + ((descOffset + desc.length) % 2);
  const SHORT = 3;
  const LONG = 4;
  const ASCII = 2;
  entries.push([256, LONG, 1, width]);
  entries.push([257, LONG, 1, height]);
  entries.push([258, SHORT, 1, bps]);
  entries.push([259, SHORT, 1, 1]); // no compression
  entries.push([262, SHORT, 1, 1]); // BlackIsZero
  entries.push([270, ASCII, desc.length, descOffset]);
  entries.push([273, LONG, 1, dataOffset]);
  entries.push([277, SHORT, 1, 1]);
  entries.push([278, LONG, 1, height]);
  entries.push([279, LONG, 1, bytes]);
  entries.push([284, SHORT, 1, 1]); // chunky
  entries.push([339, SHORT, 1, float ? 3 : 2]); // IEEE float / signed int
  const buf = Buffer.alloc(dataOffset + bytes);
  buf.write('II', 0, 'latin1');
  buf.writeUInt16LE(42, 2);
  buf.writeUInt32LE(ifdOffset, 4);
  buf.writeUInt16LE(n, ifdOffset);
  entries.forEach(([tag, type, count, value], i) => {
    const o = ifdOffset + 2 + i * 12;
    buf.writeUInt16LE(tag, o);
    buf.writeUInt16LE(type, o + 2);
    buf.writeUInt32LE(count, o + 4);
    if (type === SHORT && count === 1) buf.writeUInt16LE(value, o + 8);
    else buf.writeUInt32LE(value, o + 8);
  });
  buf.writeUInt32LE(0, ifdOffset + 2 + n * 12); // no next IFD
  desc.copy(buf, descOffset);
  const px = width * height;
  if (float) for (let i = 0; i < px; i++) buf.writeDoubleLE(data[i] ?? 0, dataOffset + i * 8);
  else for (let i = 0; i < px; i++) buf.writeInt32LE(data[i] ?? 0, dataOffset + i * 4);
  return buf;
}

/** Width, height and the pixels of a TIFF written by encodeTiff (for tests). */
export function decodeTiff(buf: Buffer): { width: number; height: number; data: number[] } {
  const ifd = buf.readUInt32LE(4);
  const n = buf.readUInt16LE(ifd);
  const tags = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const o = ifd + 2 + i * 12;
    const type = buf.readUInt16LE(o + 2);
    tags.set(buf.readUInt16LE(o), type === 3 ? buf.readUInt16LE(o + 8) : buf.readUInt32LE(o + 8));
  }
  const width = tags.get(256)!;
  const height = tags.get(257)!;
  const off = tags.get(273)!;
  const float = tags.get(339) === 3;
  const data: number[] = [];
  for (let i = 0; i < width * height; i++) data.push(float ? buf.readDoubleLE(off + i * 8) : buf.readInt32LE(off + i * 4));
  return { width, height, data };
}
