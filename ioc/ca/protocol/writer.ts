import {
  EXTENDED_COUNT_MARK,
  EXTENDED_SIZE_MARK,
  HEADER_SIZE,
} from './constants.js';

/** Round up to the next multiple of 8: every CA payload is padded so. */
export const pad8 = (n: number): number => (n + 7) & ~7;

/**
 * A growable big-endian writer for whole CA messages. `begin()` reserves a header, the caller writes the
 * payload, `finish()` pads it to 8 bytes and back-patches the header (switching to the 24-byte extended
 * header when payload or count need it, as CA >= 4.9 does).
 */
export class ByteWriter {
  buf: Buffer;
  pos = 0;
  private readonly initial: number;

  constructor(initial = 4096) {
    this.initial = initial;
    this.buf = Buffer.allocUnsafe(initial);
  }

  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Hand out what was written and start over (the returned Buffer is the caller's to keep). */
  take(): Buffer {
    if (this.buf.length > this.initial) {
      // Grown for something big: hand the buffer itself over (no copy) and start again small, so one
      // large reply neither costs a copy nor stays allocated for the writer's lifetime.
      const out = this.buf.subarray(0, this.pos);
      this.buf = Buffer.allocUnsafe(this.initial);
      this.pos = 0;
      return out;
    }
    const out = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return out;
  }
  /** View of what was written, valid until the next write; then reset. */
  drain(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.pos = 0;
    return out;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
  }
  u16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v & 0xffff, this.pos);
    this.pos += 2;
  }
  i16(v: number): void {
    this.ensure(2);
    this.buf.writeInt16BE(toInt16(v), this.pos);
    this.pos += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
  }
  i32(v: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(v | 0, this.pos);
    this.pos += 4;
  }
  f32(v: number): void {
    this.ensure(4);
    this.buf.writeFloatBE(v, this.pos);
    this.pos += 4;
  }
  f64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }
  zeros(n: number): void {
    this.ensure(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  /** Write `s` into a fixed field of `size` bytes, truncated to leave room for the NUL, zero-filled. */
  fixedString(s: string, size: number): void {
    this.ensure(size);
    const n = this.buf.write(s, this.pos, size - 1, 'latin1');
    this.buf.fill(0, this.pos + n, this.pos + size);
    this.pos += size;
  }
  /** A NUL-terminated string (payload of SEARCH, CREATE_CHAN, CLIENT_NAME ...); finish() pads it. */
  cString(s: string): void {
    const len = Buffer.byteLength(s, 'latin1');
    this.ensure(len + 1);
    this.buf.write(s, this.pos, len, 'latin1');
    this.pos += len;
    this.buf[this.pos++] = 0;
  }

  /** Reserve a standard header; returns the message start for finish(). */
  begin(): number {
    const start = this.pos;
    this.ensure(HEADER_SIZE);
    this.pos += HEADER_SIZE;
    return start;
  }

  /**
   * Pad the payload to 8 bytes and write the header: extended when the padded size or `count` reaches
   * 0xFFFF. `allowExtended` false (a client < 4.9) keeps the 16-byte form with the count capped at 0xFFFE.
   */
  finish(
    start: number,
    command: number,
    dataType: number,
    count: number,
    p1: number,
    p2: number,
    allowExtended = true,
  ): void {
    const rawSize = this.pos - start - HEADER_SIZE;
    const size = pad8(rawSize);
    if (size !== rawSize) this.zeros(size - rawSize);
    const extended = size >= EXTENDED_SIZE_MARK || count >= EXTENDED_COUNT_MARK;
    if (extended && allowExtended) {
      // Make room for the 8 extra header bytes by moving the payload up.
      this.ensure(8);
      const payloadStart = start + HEADER_SIZE;
      this.buf.copyWithin(payloadStart + 8, payloadStart, payloadStart + size);
      this.pos += 8;
      const b = this.buf;
      b.writeUInt16BE(command, start);
      b.writeUInt16BE(EXTENDED_SIZE_MARK, start + 2);
      b.writeUInt16BE(dataType, start + 4);
      b.writeUInt16BE(0, start + 6);
      b.writeUInt32BE(p1 >>> 0, start + 8);
      b.writeUInt32BE(p2 >>> 0, start + 12);
      b.writeUInt32BE(size, start + 16);
      b.writeUInt32BE(count >>> 0, start + 20);
      return;
    }
    // The standard header of every reply: plain byte stores (Buffer's checked writers cost more here).
    const b = this.buf;
    const sz = Math.min(size, 0xffff);
    const n = Math.min(count, 0xfffe);
    b[start] = command >>> 8;
    b[start + 1] = command;
    b[start + 2] = sz >>> 8;
    b[start + 3] = sz;
    b[start + 4] = dataType >>> 8;
    b[start + 5] = dataType;
    b[start + 6] = n >>> 8;
    b[start + 7] = n;
    b[start + 8] = p1 >>> 24;
    b[start + 9] = p1 >>> 16;
    b[start + 10] = p1 >>> 8;
    b[start + 11] = p1;
    b[start + 12] = p2 >>> 24;
    b[start + 13] = p2 >>> 16;
    b[start + 14] = p2 >>> 8;
    b[start + 15] = p2;
  }
}

export function toInt16(v: number): number {
  return (v << 16) >> 16;
}

