// NDPluginTransform (`Trans1:`): rotations by 90° steps and mirroring of 2-D arrays.
import { deriveArray, type NDArray } from '../ndarray.js';
import { NDPlugin, type PluginContext, type PluginOptions } from './base.js';

/** Where output pixel (ox, oy) of a `w`×`h` input transformed by `type` comes from. */
export function transformSource(type: number, w: number, h: number, ox: number, oy: number): [number, number] {
  // Mirror first (x → w-1-x), then rotate clockwise by 90° × k, as NDPluginTransform's table does.
  const k = type % 4;
  const mirror = type >= 4;
  let x: number;
  let y: number;
  switch (k) {
    case 1: // rot90 cw: output is h×w; out(ox, oy) = in(oy, h-1-ox)
      x = oy;
      y = h - 1 - ox;
      break;
    case 2:
      x = w - 1 - ox;
      y = h - 1 - oy;
      break;
    case 3:
      x = w - 1 - oy;
      y = ox;
      break;
    default:
      x = ox;
      y = oy;
  }
  if (mirror) x = w - 1 - x;
  return [x, y];
}

export class TransformPlugin extends NDPlugin {
  constructor(ctx: PluginContext, prefix: string, opts: PluginOptions) {
    super(ctx, prefix, opts, 'NDPluginTransform');
  }

  protected process(array: NDArray): NDArray {
    const type = Math.trunc(this.params.get('Type').num);
    if (type === 0) return array;
    const [w = 0, h = 1] = array.dims;
    const swap = type % 2 === 1;
    const ow = swap ? h : w;
    const oh = swap ? w : h;
    return deriveArray(array, [ow, oh], () => {
      const src = array.data();
      const out = src instanceof Float64Array ? new Float64Array(ow * oh) : new Int32Array(ow * oh);
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          const [x, y] = transformSource(type, w, h, ox, oy);
          out[oy * ow + ox] = src[y * w + x]!;
        }
      }
      return out;
    });
  }
}
