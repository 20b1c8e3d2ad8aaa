// The detector image: bytes (0..255 between the frame's min and max) through a viridis-like colour
// scale, and the matching colour bar.
import type { WireImage } from '../protocol.js';

const STOPS: [number, number, number][] = [
  [68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142], [31, 158, 137], [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37],
];

/** 256 RGB entries interpolated between the stops. */
export const LUT: Uint8ClampedArray = (() => {
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const x = (i / 255) * (STOPS.length - 1);
    const k = Math.min(Math.floor(x), STOPS.length - 2);
    const f = x - k;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = STOPS[k]![c]! * (1 - f) + STOPS[k + 1]![c]! * f;
  }
  return lut;
})();

export function drawImage(canvas: HTMLCanvasElement, img: WireImage): void {
  const bin = atob(img.pixels);
  if (!img.width || !img.height || bin.length !== img.width * img.height) return;
  canvas.width = img.width;
  canvas.height = img.height;
  const ctx = canvas.getContext('2d')!;
  const data = ctx.createImageData(img.width, img.height);
  const px = data.data;
  for (let i = 0; i < bin.length; i++) {
    const v = bin.charCodeAt(i) * 3;
    px[i * 4] = LUT[v]!;
    px[i * 4 + 1] = LUT[v + 1]!;
    px[i * 4 + 2] = LUT[v + 2]!;
    px[i * 4 + 3] = 255;
  }
  ctx.putImageData(data, 0, 0);
}

export function drawColorbar(canvas: HTMLCanvasElement): void {
  canvas.width = 1;
  canvas.height = 256;
  const ctx = canvas.getContext('2d')!;
  const data = ctx.createImageData(1, 256);
  for (let y = 0; y < 256; y++) {
    const v = (255 - y) * 3;
    data.data.set([LUT[v]!, LUT[v + 1]!, LUT[v + 2]!, 255], y * 4);
  }
  ctx.putImageData(data, 0, 0);
}
