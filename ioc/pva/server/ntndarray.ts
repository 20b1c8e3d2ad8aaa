import { EPICS_EPOCH_OFFSET } from '../../epics/time.js';
import { any, scalar, scalarArray, struct, structArray, union, type ScalarType, type StructureDesc } from '../protocol/field-desc.js';
import type { PvStruct } from '../protocol/value.js';
import { alarmT, timeT } from './nt.js';

// NTNDArray as areaDetector's PVA plugin (NDPluginPva) serves it: the pixels as a union of typed arrays,
// codec, sizes, dimensions, unique id, time stamps and attributes.

/** The `value` union's members, by element type (their names: `${type}Value`). */
const valueTypes: ScalarType[] = ['boolean', 'byte', 'short', 'int', 'long', 'ubyte', 'ushort', 'uint', 'ulong', 'float', 'double'];
const valueUnion = union('', Object.fromEntries(valueTypes.map((t) => [`${t}Value`, scalarArray(t)])));
const dimensionT = struct('dimension_t', { size: scalar('int'), offset: scalar('int'), fullSize: scalar('int'), binning: scalar('int'), reverse: scalar('boolean') });
const attributeT = struct('epics:nt/NTAttribute:1.0', {
  name: scalar('string'),
  value: any,
  tags: scalarArray('string'),
  descriptor: scalar('string'),
  alarm: alarmT,
  timeStamp: timeT,
  sourceType: scalar('int'),
  source: scalar('string'),
});
const displayT = struct('display_t', { limitLow: scalar('double'), limitHigh: scalar('double'), description: scalar('string'), units: scalar('string') });

export const ntNdArrayDesc: StructureDesc = struct('epics:nt/NTNDArray:1.0', {
  value: valueUnion,
  codec: struct('codec_t', { name: scalar('string'), parameters: any }),
  compressedSize: scalar('long'),
  uncompressedSize: scalar('long'),
  dimension: structArray(dimensionT),
  uniqueId: scalar('int'),
  dataTimeStamp: timeT,
  attribute: structArray(attributeT),
  descriptor: scalar('string'),
  alarm: alarmT,
  timeStamp: timeT,
  display: displayT,
});

/** Typed arrays NTNDArray carries, and the union member each goes in. */
export type NdPixels = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;
function memberOf(p: NdPixels): string {
  if (p instanceof Int8Array) return 'byteValue';
  if (p instanceof Uint8Array) return 'ubyteValue';
  if (p instanceof Int16Array) return 'shortValue';
  if (p instanceof Uint16Array) return 'ushortValue';
  if (p instanceof Int32Array) return 'intValue';
  if (p instanceof Uint32Array) return 'uintValue';
  if (p instanceof Float32Array) return 'floatValue';
  return 'doubleValue';
}

export interface NdFrame {
  readonly pixels: NdPixels;
  /** Sizes, fastest first ([x, y]). */
  readonly dims: readonly number[];
  readonly uniqueId: number;
  /** EPICS time (seconds since 1990) of the frame. */
  readonly secPastEpoch: number;
  readonly nsec: number;
  /** NDAttributes: name → number or string. */
  readonly attributes?: Readonly<Record<string, number | string>>;
}

/** The NTNDArray value of a frame (pixels shared, not copied). */
export function ntNdArrayValue(f: NdFrame): PvStruct {
  const ts = { secondsPastEpoch: f.secPastEpoch + EPICS_EPOCH_OFFSET, nanoseconds: f.nsec, userTag: 0 };
  const noAlarm = { severity: 0, status: 0, message: '' };
  const bytes = f.pixels.byteLength;
  return {
    value: { select: memberOf(f.pixels), value: f.pixels },
    codec: { name: '', parameters: { type: null } },
    compressedSize: bytes,
    uncompressedSize: bytes,
    dimension: f.dims.map((size) => ({ size, offset: 0, fullSize: size, binning: 1, reverse: false })),
    uniqueId: f.uniqueId,
    dataTimeStamp: ts,
    attribute: Object.entries(f.attributes ?? {}).map(([name, v]) => ({
      name,
      value: typeof v === 'number' ? { type: scalar(Number.isInteger(v) ? 'int' : 'double'), value: v } : { type: scalar('string'), value: v },
      tags: [],
      descriptor: '',
      alarm: noAlarm,
      timeStamp: ts,
      sourceType: 0,
      source: '',
    })),
    descriptor: '',
    alarm: noAlarm,
    timeStamp: ts,
    display: { limitLow: 0, limitHigh: 0, description: '', units: '' },
  };
}
