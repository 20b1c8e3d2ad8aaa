// NDPluginOverlay (`Over1:`, its overlays `Over1:1:` … as records of their own): MaxSizeX/Y_RBV follow the
// input arrays, as the overlays' position limits do in ADCore. The overlays are not drawn: arrays pass
// through unchanged.
import type { NDArray } from '../ndarray.js';
import { NDPlugin, type PluginContext, type PluginOptions } from './base.js';

export class OverlayPlugin extends NDPlugin {
  constructor(ctx: PluginContext, prefix: string, opts: PluginOptions) {
    super(ctx, prefix, opts, 'NDPluginOverlay');
  }

  protected process(array: NDArray): NDArray {
    this.params.get('MaxSizeX_RBV').update(array.dims[0] ?? 0);
    this.params.get('MaxSizeY_RBV').update(array.dims[1] ?? 0);
    return array;
  }
}
