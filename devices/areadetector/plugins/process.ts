// NDPluginProcess (`Proc1:`): the full record set; offset/scale and clipping act on the pixels, the
// background/flat-field/recursive-filter records are served but pass the array through unchanged.
import { deriveArray, type NDArray } from '../ndarray.js';
import { DATA_TYPES_AUTO } from '../params.js';
import { NDPlugin, type PluginContext, type PluginOptions } from './base.js';

const AUTOMATIC = DATA_TYPES_AUTO.length - 1;

export class ProcessPlugin extends NDPlugin {
  constructor(ctx: PluginContext, prefix: string, opts: PluginOptions) {
    super(ctx, prefix, opts, 'NDPluginProcess');
    // Its records (NDProcess.template) come from the model; offset/scale and clipping read them per array.
  }

  protected process(array: NDArray): NDArray {
    const p = this.params;
    const offsetScale = p.get('EnableOffsetScale').num !== 0;
    const offset = p.get('Offset').num;
    const scale = p.get('Scale').num;
    const low = p.get('EnableLowClip').num ? p.get('LowClip').num : undefined;
    const high = p.get('EnableHighClip').num ? p.get('HighClip').num : undefined;
    const typeOut = p.get('DataTypeOut').num;
    const dataType = typeOut === AUTOMATIC ? array.dataType : typeOut;
    if (!offsetScale && low === undefined && high === undefined && dataType === array.dataType) return array;
    const float = dataType >= 8;
    return deriveArray(
      array,
      array.dims,
      () => {
        const src = array.data();
        const out = float ? new Float64Array(src.length) : new Int32Array(src.length);
        for (let i = 0; i < src.length; i++) {
          let v = src[i]!;
          if (offsetScale) v = (v + offset) * scale;
          if (low !== undefined && v < low) v = low; // clipped to the threshold (ADCore 3.12's LowClip)
          if (high !== undefined && v > high) v = high;
          out[i] = float ? v : Math.round(v);
        }
        return out;
      },
      dataType,
    );
  }
}
