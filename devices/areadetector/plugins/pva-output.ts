// NDPluginPva's output: each array it receives published as an NTNDArray on the pvAccess PV its PvName_RBV
// names, served by every PVA server of the twin's database. Pixels are converted only when a client reads.
import type { PvDatabase } from '../../../ioc/db/database.js';
import { ntNdArrayDesc, ntNdArrayValue, type NdPixels } from '../../../ioc/pva/server/ntndarray.js';
import { SharedPv, sharedPvs } from '../../../ioc/pva/server/shared-pv.js';
import type { NDArray } from '../ndarray.js';
import { DataType } from '../params.js';

/** The pixels in the array's DataType (what NDPluginPva puts in the value union). */
export function pixelsOf(array: NDArray): NdPixels {
  const d = array.data();
  switch (array.dataType) {
    case DataType.Int8:
      return Int8Array.from(d);
    case DataType.UInt8:
      return Uint8Array.from(d);
    case DataType.Int16:
      return Int16Array.from(d);
    case DataType.UInt16:
      return Uint16Array.from(d);
    case DataType.UInt32:
      return Uint32Array.from(d);
    case DataType.Float32:
      return Float32Array.from(d);
    case DataType.Float64:
      return d instanceof Float64Array ? d : Float64Array.from(d);
    default:
      return d instanceof Int32Array ? d : Int32Array.from(d);
  }
}

export class PvaOutput {
  readonly pv: SharedPv;

  constructor(db: PvDatabase, name: string) {
    this.pv = new SharedPv(name, ntNdArrayDesc, ntNdArrayValue({ pixels: new Int32Array(0), dims: [0, 0], uniqueId: 0, secPastEpoch: 0, nsec: 0 }));
    sharedPvs(db).set(name, this.pv);
  }

  publish(array: NDArray): void {
    this.pv.postLazy(() =>
      ntNdArrayValue({
        pixels: pixelsOf(array),
        dims: array.dims,
        uniqueId: array.uniqueId,
        secPastEpoch: array.epicsTs.sec,
        nsec: array.epicsTs.nsec,
        attributes: { ColorMode: array.colorMode },
      }),
    );
  }
}
