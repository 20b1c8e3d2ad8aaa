import type { PvaReader } from './reader.js';
import type { PvaWriter } from './writer.js';

/** pvData scalar types, by the names pvData and pvxs use. */
export type ScalarType =
  | 'boolean'
  | 'byte'
  | 'short'
  | 'int'
  | 'long'
  | 'ubyte'
  | 'ushort'
  | 'uint'
  | 'ulong'
  | 'float'
  | 'double'
  | 'string';

/** The type code byte of each scalar type (pvData introspection encoding). */
export const scalarCode: Record<ScalarType, number> = {
  boolean: 0x00,
  byte: 0x20,
  short: 0x21,
  int: 0x22,
  long: 0x23,
  ubyte: 0x24,
  ushort: 0x25,
  uint: 0x26,
  ulong: 0x27,
  float: 0x42,
  double: 0x43,
  string: 0x60,
};
const scalarByCode = new Map<number, ScalarType>(Object.entries(scalarCode).map(([k, v]) => [v, k as ScalarType]));

export const TypeCode = {
  STRUCTURE: 0x80,
  UNION: 0x81,
  ANY: 0x82,
  BOUNDED_STRING: 0x83,
  /** Array kind bits, or'd onto the element code. */
  VARIABLE_ARRAY: 0x08,
  BOUNDED_ARRAY: 0x10,
  FIXED_ARRAY: 0x18,
  ARRAY_MASK: 0x18,
  NULL: 0xff,
  /** Introspection cache: a 16-bit id then the description (define), or the id alone (reuse). */
  FULL_WITH_ID: 0xfd,
  ONLY_ID: 0xfe,
} as const;

export interface Member {
  readonly name: string;
  readonly type: FieldDesc;
}
export interface StructureDesc {
  readonly kind: 'structure';
  readonly id: string;
  readonly fields: readonly Member[];
}
export interface UnionDesc {
  readonly kind: 'union';
  readonly id: string;
  readonly fields: readonly Member[];
}
export type FieldDesc =
  | { readonly kind: 'scalar'; readonly type: ScalarType }
  | { readonly kind: 'scalarArray'; readonly type: ScalarType }
  | StructureDesc
  | { readonly kind: 'structureArray'; readonly element: StructureDesc }
  | UnionDesc
  | { readonly kind: 'unionArray'; readonly element: UnionDesc }
  | { readonly kind: 'any' }
  | { readonly kind: 'anyArray' };

// Builders, so normative types read like their definitions.
export const scalar = (type: ScalarType): FieldDesc => ({ kind: 'scalar', type });
export const scalarArray = (type: ScalarType): FieldDesc => ({ kind: 'scalarArray', type });
export const struct = (id: string, fields: Record<string, FieldDesc>): StructureDesc => ({
  kind: 'structure',
  id,
  fields: Object.entries(fields).map(([name, type]) => ({ name, type })),
});
export const union = (id: string, fields: Record<string, FieldDesc>): UnionDesc => ({
  kind: 'union',
  id,
  fields: Object.entries(fields).map(([name, type]) => ({ name, type })),
});
export const structArray = (element: StructureDesc): FieldDesc => ({ kind: 'structureArray', element });
export const any: FieldDesc = { kind: 'any' };

/** Member of a structure by name. */
export function member(desc: StructureDesc | UnionDesc, name: string): FieldDesc | undefined {
  return desc.fields.find((m) => m.name === name)?.type;
}

/** Nesting and count limits: a peer cannot make us recurse or allocate without bound. */
export const MAX_DEPTH = 20;
export const MAX_FIELDS = 1024;

/** Write a type description (no cache: pvxs never defines cache entries when sending). */
export function writeFieldDesc(w: PvaWriter, desc: FieldDesc | null): void {
  if (!desc) {
    w.u8(TypeCode.NULL);
    return;
  }
  switch (desc.kind) {
    case 'scalar':
      w.u8(scalarCode[desc.type]);
      return;
    case 'scalarArray':
      w.u8(scalarCode[desc.type] | TypeCode.VARIABLE_ARRAY);
      return;
    case 'structure':
    case 'union':
      w.u8(desc.kind === 'structure' ? TypeCode.STRUCTURE : TypeCode.UNION);
      w.string(desc.id);
      w.size(desc.fields.length);
      for (const m of desc.fields) {
        w.string(m.name);
        writeFieldDesc(w, m.type);
      }
      return;
    case 'structureArray':
      w.u8(TypeCode.STRUCTURE | TypeCode.VARIABLE_ARRAY);
      writeFieldDesc(w, desc.element);
      return;
    case 'unionArray':
      w.u8(TypeCode.UNION | TypeCode.VARIABLE_ARRAY);
      writeFieldDesc(w, desc.element);
      return;
    case 'any':
      w.u8(TypeCode.ANY);
      return;
    case 'anyArray':
      w.u8(TypeCode.ANY | TypeCode.VARIABLE_ARRAY);
      return;
  }
}

/**
 * The introspection type cache of one direction of one circuit: ids a peer defined with FULL_WITH_ID
 * and later refers to with ONLY_ID (pvAccessCPP uses it; pvxs only reads it).
 */
export class TypeCache {
  private readonly entries = new Map<number, FieldDesc | null>();
  constructor(readonly maxEntries = 1024) {}
  get size(): number {
    return this.entries.size;
  }
  get(id: number): FieldDesc | null | undefined {
    return this.entries.get(id);
  }
  set(id: number, desc: FieldDesc | null): boolean {
    if (!this.entries.has(id) && this.entries.size >= this.maxEntries) return false;
    this.entries.set(id, desc);
    return true;
  }
}

/** Read a type description; null for the null type. Malformed input marks the reader and returns null. */
export function readFieldDesc(r: PvaReader, cache?: TypeCache, depth = 0): FieldDesc | null {
  if (depth > MAX_DEPTH) {
    r.fail('type nested too deeply');
    return null;
  }
  const code = r.u8();
  if (!r.ok) return null;
  if (code === TypeCode.NULL) return null;
  if (code === TypeCode.ONLY_ID || code === TypeCode.FULL_WITH_ID) {
    const id = r.u16();
    if (code === TypeCode.ONLY_ID) {
      const hit = cache?.get(id);
      if (hit === undefined) r.fail(`unknown type cache id ${id}`);
      return hit ?? null;
    }
    const desc = readFieldDesc(r, cache, depth + 1);
    if (r.ok && cache && !cache.set(id, desc)) r.fail('type cache full');
    return desc;
  }
  const arrayBits = code & TypeCode.ARRAY_MASK;
  const elem = code & ~TypeCode.ARRAY_MASK;
  if (arrayBits === TypeCode.BOUNDED_ARRAY || arrayBits === TypeCode.FIXED_ARRAY) {
    // A bound follows; we treat bounded and fixed arrays as variable ones (pvxs does the same).
    r.size();
  }
  const isArray = arrayBits !== 0;
  if (code === TypeCode.BOUNDED_STRING) {
    r.size();
    return { kind: 'scalar', type: 'string' };
  }
  const st = scalarByCode.get(elem);
  if (st) return isArray ? { kind: 'scalarArray', type: st } : { kind: 'scalar', type: st };
  if (elem === TypeCode.BOUNDED_STRING && isArray) {
    r.size();
    return { kind: 'scalarArray', type: 'string' };
  }
  if (elem === TypeCode.ANY) return isArray ? { kind: 'anyArray' } : { kind: 'any' };
  if (elem === TypeCode.STRUCTURE || elem === TypeCode.UNION) {
    if (isArray) {
      const inner = readFieldDesc(r, cache, depth + 1);
      if (!r.ok) return null;
      if (!inner || inner.kind !== (elem === TypeCode.STRUCTURE ? 'structure' : 'union')) {
        r.fail('array of structures without a structure type');
        return null;
      }
      return inner.kind === 'structure' ? { kind: 'structureArray', element: inner } : { kind: 'unionArray', element: inner as UnionDesc };
    }
    const id = r.string();
    const n = r.size(2);
    if (n > MAX_FIELDS) {
      r.fail(`${n} fields`);
      return null;
    }
    const fields: Member[] = [];
    for (let i = 0; i < n && r.ok; i++) {
      const name = r.string();
      const type = readFieldDesc(r, cache, depth + 1);
      if (!type) {
        if (r.ok) r.fail(`field ${name} has the null type`);
        return null;
      }
      fields.push({ name, type });
    }
    if (!r.ok) return null;
    return { kind: elem === TypeCode.STRUCTURE ? 'structure' : 'union', id, fields };
  }
  r.fail(`unknown type code 0x${code.toString(16)}`);
  return null;
}

/** Number of bits a field takes in a BitSet: itself plus, for a structure, all its descendants. */
export function bitCount(desc: FieldDesc): number {
  if (desc.kind !== 'structure') return 1;
  let n = 1;
  for (const m of desc.fields) n += bitCount(m.type);
  return n;
}

/** Bit offset of a dotted field path ("alarm.severity") inside a structure, or -1. */
export function bitOffset(desc: StructureDesc, path: string): number {
  if (path === '') return 0;
  let offset = 0;
  let cur: FieldDesc = desc;
  for (const part of path.split('.')) {
    if (cur.kind !== 'structure') return -1;
    offset += 1;
    let found = false;
    for (const m of cur.fields) {
      if (m.name === part) {
        cur = m.type;
        found = true;
        break;
      }
      offset += bitCount(m.type);
    }
    if (!found) return -1;
  }
  return offset;
}
