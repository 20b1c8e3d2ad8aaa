// Test-only byte builder for CA messages. Deliberately independent of the production ByteWriter: it
// builds every field with plain Buffer primitives so golden bytes are pinned by a second implementation
// (pg-protocol's src/testing/test-buffers.ts idea). Nothing here imports ioc/ca/protocol.

/** Bytes from a hex string; spaces, newlines, '|' and '_' are ignored ("0006 0008 | 13c8 ..."). */
export function hex(s: string): Buffer {
  const clean = s.replace(/[\s|_]/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new Error(`bad hex literal: ${s}`);
  return Buffer.from(clean, 'hex');
}

export const u8 = (v: number): Buffer => Buffer.from([v & 0xff]);
export function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
}
export function i16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(v);
  return b;
}
export function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return b;
}
export function i32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
}
export function f32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeFloatBE(v);
  return b;
}
export function f64(v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(v);
  return b;
}
export const zeros = (n: number): Buffer => Buffer.alloc(n);

/** A fixed-size C char array: the text, then NULs up to `size`. */
export function fixed(s: string, size: number): Buffer {
  const b = Buffer.alloc(size);
  const src = Buffer.from(s, 'latin1');
  if (src.length >= size) throw new Error(`"${s}" does not fit char[${size}]`);
  src.copy(b);
  return b;
}

/** A NUL-terminated string, unpadded. */
export const cstr = (s: string): Buffer => Buffer.concat([Buffer.from(s, 'latin1'), Buffer.alloc(1)]);

export const cat = (...parts: Buffer[]): Buffer => Buffer.concat(parts);

/** Zero-pad to a multiple of 8. */
export function pad8(b: Buffer): Buffer {
  const rem = b.length % 8;
  return rem === 0 ? b : Buffer.concat([b, Buffer.alloc(8 - rem)]);
}

export interface Fields {
  cmd: number;
  dtype?: number;
  count?: number;
  p1?: number;
  p2?: number;
}

/** A 16-byte header with an explicit size field. */
export function header(f: Fields & { size: number }): Buffer {
  return cat(u16(f.cmd), u16(f.size), u16(f.dtype ?? 0), u16(f.count ?? 0), u32(f.p1 ?? 0), u32(f.p2 ?? 0));
}

/** A 24-byte extended header: size field 0xFFFF, count field 0, then u32 size and u32 count. */
export function extHeader(f: Fields & { size: number }): Buffer {
  return cat(u16(f.cmd), u16(0xffff), u16(f.dtype ?? 0), u16(0), u32(f.p1 ?? 0), u32(f.p2 ?? 0), u32(f.size), u32(f.count ?? 0));
}

/** A whole message with a standard header; the payload is padded to 8 here. */
export function msg(f: Fields, payload: Buffer = Buffer.alloc(0)): Buffer {
  const body = pad8(payload);
  if (body.length >= 0xffff) throw new Error('use extMsg for large payloads');
  return cat(header({ ...f, size: body.length }), body);
}

/** A whole message with the extended header. */
export function extMsg(f: Fields, payload: Buffer = Buffer.alloc(0)): Buffer {
  const body = pad8(payload);
  return cat(extHeader({ ...f, size: body.length }), body);
}

/** Metadata blocks of DBR structures (db_access.h), built field by field. */
export const dbr = {
  sts: (status: number, severity: number): Buffer => cat(i16(status), i16(severity)),
  time: (status: number, severity: number, sec: number, nsec: number): Buffer =>
    cat(i16(status), i16(severity), u32(sec), u32(nsec)),
};
