// NDPluginProcess (`Proc1:`): the full record set; offset/scale and clipping act on the pixels, the
// background/flat-field/recursive-filter records are served but pass the array through unchanged.
import { DbrBase } from '../../../ioc/epics/field-type.js';
import { deriveArray, type NDArray } from '../ndarray.js';
import { DATA_TYPES_AUTO, DISABLE_ENABLE, NO_YES } from '../params.js';
import { NDPlugin, type PluginContext, type PluginOptions } from './base.js';

const AUTOMATIC = DATA_TYPES_AUTO.length - 1;
export const FILTER_TYPES = ['RecursiveAve', 'Average', 'Sum', 'Difference', 'RecursiveAveDiff', 'CopyToFilter'] as const;

export class ProcessPlugin extends NDPlugin {
  constructor(ctx: PluginContext, prefix: string, opts: PluginOptions) {
    super(ctx, prefix, opts, 'NDPluginProcess');
    const p = this.params;
    p.menu('DataTypeOut', DATA_TYPES_AUTO, AUTOMATIC);
    p.menu('EnableBackground', DISABLE_ENABLE, 0);
    p.menu('SaveBackground', ['Done', 'Save'], 0);
    p.roMenu('ValidBackground_RBV', ['Invalid', 'Valid'], 0);
    p.menu('EnableFlatField', DISABLE_ENABLE, 0);
    p.menu('SaveFlatField', ['Done', 'Save'], 0);
    p.roMenu('ValidFlatField_RBV', ['Invalid', 'Valid'], 0);
    p.double('ScaleFlatField', 255, 3);
    p.menu('EnableOffsetScale', DISABLE_ENABLE, 0);
    p.wo('AutoOffsetScale', { type: DbrBase.ENUM, enumStrings: ['Done', 'Calculate'], value: 0 });
    p.double('Offset', 0, 3);
    p.double('Scale', 1, 3);
    p.menu('EnableLowClip', DISABLE_ENABLE, 0);
    p.double('LowClip', 0, 3);
    p.double('LowClipValue', 0, 3);
    p.menu('EnableHighClip', DISABLE_ENABLE, 0);
    p.double('HighClip', 100, 3);
    p.double('HighClipValue', 100, 3);
    p.menu('EnableFilter', DISABLE_ENABLE, 0);
    p.wo('FilterType', { type: DbrBase.ENUM, enumStrings: FILTER_TYPES, value: 0 });
    p.long('NumFilter', 1);
    p.wo('NumFilterRecip', { type: DbrBase.DOUBLE, value: 1 });
    p.roLong('NumFiltered_RBV', 0);
    p.menu('ResetFilter', ['Done', 'Reset'], 0);
    p.menu('AutoResetFilter', NO_YES, 0);
    p.menu('FilterCallbacks', ['Every array', 'Array N only'], 0);
    for (let i = 1; i <= 4; i++) {
      p.double(`OC${i}`, i === 2 ? 1 : 0, 3);
      p.double(`FC${i}`, i === 1 ? 1 : 0, 3);
    }
    p.double('RC1', 0, 3);
    p.double('RC2', 0, 3);
    p.double('ROffset', 0, 3);
    p.double('FOffset', 0, 3);
    p.double('FScale', 1, 3);
    p.double('OOffset', 0, 3);
    p.double('OScale', 1, 3);
    for (const seq of ['FilterTypeSeq', 'AverageSeq', 'SumSeq', 'DifferenceSeq', 'RecursiveAveSeq', 'RecursiveAveDiffSeq', 'CopyToFilterSeq']) {
      p.wo(seq, { type: DbrBase.LONG, value: 0 });
    }
    p.wo('PortBackup', { type: DbrBase.STRING, value: '' });
    p.wo('ReadBackgroundTIFFSeq', { type: DbrBase.LONG, value: 0 });
    p.wo('ReadFlatFieldTIFFSeq', { type: DbrBase.LONG, value: 0 });
  }

  protected process(array: NDArray): NDArray {
    const p = this.params;
    const offsetScale = p.get('EnableOffsetScale').num !== 0;
    const offset = p.get('Offset').num;
    const scale = p.get('Scale').num;
    const low = p.get('EnableLowClip').num ? p.get('LowClip').num : undefined;
    const lowValue = p.get('LowClipValue').num;
    const high = p.get('EnableHighClip').num ? p.get('HighClip').num : undefined;
    const highValue = p.get('HighClipValue').num;
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
          if (low !== undefined && v < low) v = lowValue;
          if (high !== undefined && v > high) v = highValue;
          out[i] = float ? v : Math.round(v);
        }
        return out;
      },
      dataType,
    );
  }
}
