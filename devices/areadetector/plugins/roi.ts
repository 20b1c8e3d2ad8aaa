// NDPluginROI (`ROI1:` …): a region of the input array, binned, optionally reversed and scaled. The
// region is clamped to the input as NDPluginROI does, and the clamped values show in the _RBV records.
import { deriveArray, type NDArray } from '../ndarray.js';
import { DATA_TYPES_AUTO } from '../params.js';
import { NDPlugin, type PluginContext, type PluginOptions } from './base.js';

const AXES = ['X', 'Y', 'Z'] as const;
const AUTOMATIC = DATA_TYPES_AUTO.length - 1;

/** One dimension of the region after clamping to an input of `n` elements. */
export interface RoiAxis {
  readonly min: number;
  readonly size: number;
  readonly bin: number;
  readonly reverse: boolean;
  /** Output elements. */
  readonly out: number;
}

export function clampAxis(n: number, enable: boolean, min: number, size: number, bin: number, reverse: boolean, autoSize: boolean): RoiAxis {
  if (!enable || n <= 0) return { min: 0, size: Math.max(n, 0), bin: 1, reverse: false, out: Math.max(n, 0) };
  const m = Math.min(Math.max(0, Math.trunc(min)), n - 1);
  const s = autoSize ? n - m : Math.min(Math.max(1, Math.trunc(size)), n - m);
  const b = Math.min(Math.max(1, Math.trunc(bin)), s);
  return { min: m, size: s, bin: b, reverse, out: Math.max(1, Math.floor(s / b)) };
}

export class RoiPlugin extends NDPlugin {
  constructor(ctx: PluginContext, prefix: string, opts: PluginOptions & { readonly maxSizeX: number; readonly maxSizeY: number }) {
    super(ctx, prefix, opts, 'NDPluginROI');
    // Its records (NDROI.template) come from the model; the region is read from them per array.
  }

  /** The region for an input of these dims, clamped; the _RBV records show it. */
  region(dims: readonly number[]): [RoiAxis, RoiAxis] {
    const p = this.params;
    const axis = (a: 'X' | 'Y', n: number) =>
      clampAxis(n, p.get(`Enable${a}`).num !== 0, p.get(`Min${a}`).num, p.get(`Size${a}`).num, p.get(`Bin${a}`).num, p.get(`Reverse${a}`).num !== 0, p.get(`AutoSize${a}`).num !== 0);
    return [axis('X', dims[0] ?? 0), axis('Y', dims[1] ?? 1)];
  }

  protected process(array: NDArray): NDArray {
    const p = this.params;
    const [w = 0, h = 1] = array.dims;
    const [rx, ry] = this.region(array.dims);
    p.get('MaxSizeX_RBV').update(w);
    p.get('MaxSizeY_RBV').update(h);
    for (const [a, r] of [['X', rx], ['Y', ry]] as const) {
      p.get(`Min${a}`).update(r.min);
      p.get(`Size${a}`).update(r.size);
      p.get(`Bin${a}`).update(r.bin);
    }
    const scale = p.get('EnableScale').num ? p.get('Scale').num || 1 : 1;
    const typeOut = p.get('DataTypeOut').num;
    const dataType = typeOut === AUTOMATIC ? array.dataType : typeOut;
    const float = dataType >= 8 || scale !== 1;
    return deriveArray(
      array,
      [rx.out, ry.out],
      () => {
        const src = array.data();
        const out = float ? new Float64Array(rx.out * ry.out) : new Int32Array(rx.out * ry.out);
        for (let oy = 0; oy < ry.out; oy++) {
          const by = ry.reverse ? ry.out - 1 - oy : oy;
          for (let ox = 0; ox < rx.out; ox++) {
            const bx = rx.reverse ? rx.out - 1 - ox : ox;
            let v = 0;
            for (let dy = 0; dy < ry.bin; dy++) {
              const row = (ry.min + by * ry.bin + dy) * w;
              for (let dx = 0; dx < rx.bin; dx++) v += src[row + rx.min + bx * rx.bin + dx]!;
            }
            out[oy * rx.out + ox] = v / scale;
          }
        }
        return out;
      },
      dataType,
    );
  }
}
