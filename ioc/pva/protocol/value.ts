import { BitSet } from './bitset.js';
import { bitCount, readFieldDesc, writeFieldDesc, type FieldDesc, type ScalarType, type StructureDesc, type TypeCache } from './field-desc.js';
import type { PvaReader } from './reader.js';
import type { PvaWriter } from './writer.js';

/**
 * pvData values as plain data: scalars as number/boolean/string (64-bit integers as numbers), arrays as
 * typed arrays or lists, structures as objects, a union as { select, value }, a variant ("any") as
 * { type, value }, structure arrays as lists whose elements may be null.
 */
export type PvData = unknown;
export interface PvStruct {
  [field: string]: PvData;
}
export interface PvUnion {
  /** The chosen member's name (a union) or null. */
  readonly select: string | null;
  readonly value?: PvData;
}
export interface PvAny {
  readonly type: FieldDesc | null;
  readonly value?: PvData;
}

const elementBytes: Record<ScalarType, number> = {
  boolean: 1,
  byte: 1,
  ubyte: 1,
  short: 2,
  ushort: 2,
  int: 4,
  uint: 4,
  long: 8,
  ulong: 8,
  float: 4,
  double: 8,
  string: 1,
};

type TypedCtor = { new (n: number): ArrayLike<number> & { buffer: ArrayBufferLike }; BYTES_PER_ELEMENT: number };
const typedArrayOf: Partial<Record<ScalarType, TypedCtor>> = {
  byte: Int8Array,
  ubyte: Uint8Array,
  short: Int16Array,
  ushort: Uint16Array,
  int: Int32Array,
  uint: Uint32Array,
  float: Float32Array,
  double: Float64Array,
};
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function defaultOf(desc: FieldDesc): PvData {
  switch (desc.kind) {
    case 'scalar':
      return desc.type === 'string' ? '' : desc.type === 'boolean' ? false : 0;
    case 'scalarArray':
    case 'structureArray':
    case 'unionArray':
    case 'anyArray':
      return [];
    case 'structure': {
      const o: PvStruct = {};
      for (const m of desc.fields) o[m.name] = defaultOf(m.type);
      return o;
    }
    case 'union':
      return { select: null } satisfies PvUnion;
    case 'any':
      return { type: null } satisfies PvAny;
  }
}

function writeScalar(w: PvaWriter, type: ScalarType, v: PvData): void {
  switch (type) {
    case 'boolean':
      w.u8(v ? 1 : 0);
      return;
    case 'string':
      w.string(v === undefined || v === null ? '' : String(v));
      return;
  }
  const n = typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : typeof v === 'bigint' ? Number(v) : Number(v ?? 0) || 0;
  switch (type) {
    case 'byte':
      w.i8(toInt(n, -0x80, 0x7f));
      return;
    case 'ubyte':
      w.u8(toInt(n, 0, 0xff));
      return;
    case 'short':
      w.i16(toInt(n, -0x8000, 0x7fff));
      return;
    case 'ushort':
      w.u16(toInt(n, 0, 0xffff));
      return;
    case 'int':
      w.i32(toInt(n, -0x80000000, 0x7fffffff));
      return;
    case 'uint':
      w.u32(toInt(n, 0, 0xffffffff));
      return;
    case 'long':
      w.i64(Number.isFinite(n) ? n : 0);
      return;
    case 'ulong':
      w.u64(Number.isFinite(n) ? n : 0);
      return;
    case 'float':
      w.f32(n);
      return;
    case 'double':
      w.f64(n);
      return;
  }
}

/** Integers as C would store them after a checked conversion: NaN is 0, out of range is clamped. */
function toInt(n: number, lo: number, hi: number): number {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 0 : n > 0 ? hi : lo;
  return Math.min(hi, Math.max(lo, Math.trunc(n)));
}

function readScalar(r: PvaReader, type: ScalarType): PvData {
  switch (type) {
    case 'boolean':
      return r.u8() !== 0;
    case 'byte':
      return r.i8();
    case 'ubyte':
      return r.u8();
    case 'short':
      return r.i16();
    case 'ushort':
      return r.u16();
    case 'int':
      return r.i32();
    case 'uint':
      return r.u32();
    case 'long':
      return r.i64();
    case 'ulong':
      return r.u64();
    case 'float':
      return r.f32();
    case 'double':
      return r.f64();
    case 'string':
      return r.string();
  }
}

function writeScalarArray(w: PvaWriter, type: ScalarType, v: PvData): void {
  const arr = (v ?? []) as ArrayLike<unknown>;
  const n = typeof arr.length === 'number' ? arr.length : 0;
  w.size(n);
  const ctor = typedArrayOf[type];
  // Fast path: a typed array of the wire type, in the wire's byte order, goes out as its raw bytes, and a
  // large one (a 1024×1024 detector frame) by reference: values posted are never modified afterwards.
  if (ctor && arr instanceof ctor && w.be !== LITTLE_ENDIAN_HOST) {
    const t = arr as unknown as ArrayBufferView;
    w.view(new Uint8Array(t.buffer, t.byteOffset, t.byteLength));
    return;
  }
  for (let i = 0; i < n; i++) writeScalar(w, type, arr[i]);
}

/** Most elements we accept in one array from a peer (bounded memory). */
export const MAX_ARRAY_ELEMENTS = 64 * 1024 * 1024;

function readScalarArray(r: PvaReader, type: ScalarType): PvData {
  const n = r.size(elementBytes[type]);
  if (n < 0) return [];
  if (n > MAX_ARRAY_ELEMENTS) {
    r.fail(`array of ${n} elements`);
    return [];
  }
  const ctor = typedArrayOf[type];
  if (ctor) {
    const out = new ctor(n);
    if (r.be !== LITTLE_ENDIAN_HOST) {
      const raw = r.bytes(n * ctor.BYTES_PER_ELEMENT);
      new Uint8Array(out.buffer).set(raw);
    } else {
      const o = out as unknown as number[];
      for (let i = 0; i < n; i++) o[i] = readScalar(r, type) as number;
    }
    return out;
  }
  const out: PvData[] = [];
  for (let i = 0; i < n && r.ok; i++) out.push(readScalar(r, type));
  return out;
}

/** Serialize a whole value of type `desc`. Missing fields go out as their type's default. */
export function writeValue(w: PvaWriter, desc: FieldDesc, v: PvData): void {
  switch (desc.kind) {
    case 'scalar':
      writeScalar(w, desc.type, v);
      return;
    case 'scalarArray':
      writeScalarArray(w, desc.type, v);
      return;
    case 'structure': {
      const o = (v ?? {}) as PvStruct;
      for (const m of desc.fields) {
        const fv = o[m.name];
        writeValue(w, m.type, fv === undefined ? defaultOf(m.type) : fv);
      }
      return;
    }
    case 'structureArray':
    case 'unionArray': {
      const list = (v ?? []) as readonly PvData[];
      w.size(list.length);
      for (const e of list) {
        if (e === null || e === undefined) w.u8(0);
        else {
          w.u8(1);
          writeValue(w, desc.element, e);
        }
      }
      return;
    }
    case 'union': {
      const u = (v ?? { select: null }) as PvUnion;
      const idx = u.select === null ? -1 : desc.fields.findIndex((m) => m.name === u.select);
      w.size(idx);
      if (idx >= 0) writeValue(w, desc.fields[idx]!.type, u.value);
      return;
    }
    case 'any': {
      const a = (v ?? { type: null }) as PvAny;
      writeFieldDesc(w, a.type);
      if (a.type) writeValue(w, a.type, a.value);
      return;
    }
    case 'anyArray': {
      const list = (v ?? []) as readonly PvAny[];
      w.size(list.length);
      for (const e of list) writeValue(w, { kind: 'any' }, e);
      return;
    }
  }
}

export function readValue(r: PvaReader, desc: FieldDesc, cache?: TypeCache, depth = 0): PvData {
  if (depth > 40) {
    r.fail('value nested too deeply');
    return undefined;
  }
  switch (desc.kind) {
    case 'scalar':
      return readScalar(r, desc.type);
    case 'scalarArray':
      return readScalarArray(r, desc.type);
    case 'structure': {
      const o: PvStruct = {};
      for (const m of desc.fields) {
        if (!r.ok) break;
        o[m.name] = readValue(r, m.type, cache, depth + 1);
      }
      return o;
    }
    case 'structureArray':
    case 'unionArray': {
      const n = r.size(1);
      const out: PvData[] = [];
      for (let i = 0; i < n && r.ok; i++) out.push(r.u8() ? readValue(r, desc.element, cache, depth + 1) : null);
      return out;
    }
    case 'union': {
      const idx = r.size();
      if (idx < 0) return { select: null } satisfies PvUnion;
      const m = desc.fields[idx];
      if (!m) {
        r.fail(`union selector ${idx} out of range`);
        return { select: null };
      }
      return { select: m.name, value: readValue(r, m.type, cache, depth + 1) } satisfies PvUnion;
    }
    case 'any': {
      const type = readFieldDesc(r, cache);
      if (!type) return { type: null } satisfies PvAny;
      return { type, value: readValue(r, type, cache, depth + 1) } satisfies PvAny;
    }
    case 'anyArray': {
      const n = r.size(1);
      const out: PvData[] = [];
      for (let i = 0; i < n && r.ok; i++) out.push(readValue(r, { kind: 'any' }, cache, depth + 1));
      return out;
    }
  }
}

/**
 * Serialize the fields of a structure that `bits` marks (pvData's partial serialization): a set bit
 * sends that field whole; a structure whose own bit is clear is walked for set bits inside it.
 */
export function writePartial(w: PvaWriter, desc: StructureDesc, v: PvData, bits: BitSet, offset = 0): void {
  if (bits.get(offset)) {
    writeValue(w, desc, v);
    return;
  }
  const o = (v ?? {}) as PvStruct;
  let at = offset + 1;
  for (const m of desc.fields) {
    const n = bitCount(m.type);
    if (bits.get(at)) writeValue(w, m.type, o[m.name] === undefined ? defaultOf(m.type) : o[m.name]);
    else if (m.type.kind === 'structure' && bits.any(at + 1, at + n)) writePartial(w, m.type, o[m.name], bits, at);
    at += n;
  }
}

/** Read what writePartial wrote: an object holding only the marked fields. */
export function readPartial(r: PvaReader, desc: StructureDesc, bits: BitSet, cache?: TypeCache, offset = 0): PvStruct {
  if (bits.get(offset)) return readValue(r, desc, cache) as PvStruct;
  const out: PvStruct = {};
  let at = offset + 1;
  for (const m of desc.fields) {
    if (!r.ok) break;
    const n = bitCount(m.type);
    if (bits.get(at)) out[m.name] = readValue(r, m.type, cache);
    else if (m.type.kind === 'structure' && bits.any(at + 1, at + n)) out[m.name] = readPartial(r, m.type, bits, cache, at);
    at += n;
  }
  return out;
}

/** Lay `part` (as readPartial returns) over `base`, structure by structure. */
export function mergeStruct(base: PvStruct, part: PvStruct): PvStruct {
  const out: PvStruct = { ...base };
  for (const [k, v] of Object.entries(part)) {
    const b = base[k];
    out[k] = isPlainStruct(v) && isPlainStruct(b) ? mergeStruct(b, v) : v;
  }
  return out;
}

const isPlainStruct = (v: PvData): v is PvStruct =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && !('select' in v) && !('type' in v && 'value' in v);

/** Bits of every field the value carries (all of them: the whole structure). */
export const allBits = (): BitSet => BitSet.of(0);
