// NDPluginColorConvert (`CC1:`): its records (ColorModeOut, FalseColor). The twin's frames are Mono and
// pass through unchanged: no conversion to RGB or Bayer, no false colour.
import type { NDArray } from '../ndarray.js';
import { NDPlugin, type PluginContext, type PluginOptions } from './base.js';

export class ColorConvertPlugin extends NDPlugin {
  constructor(ctx: PluginContext, prefix: string, opts: PluginOptions) {
    super(ctx, prefix, opts, 'NDPluginColorConvert');
  }

  protected process(array: NDArray): NDArray {
    return array;
  }
}
