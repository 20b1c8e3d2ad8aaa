/**
 * Bounds-checked big-endian reader that records its first overrun instead of throwing: reads past the end
 * return 0 / '' and `ok` turns false, so a decoder checks once per message (the pvxs Buffer::good() idea).
 */
export class ByteReader {
  private pos: number;
  private overrunAt = -1;

  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get ok(): boolean {
    return this.overrunAt < 0;
  }
  get offset(): number {
    return this.pos;
  }
  get remaining(): number {
    return this.end - this.pos;
  }

  private take(n: number): number {
    const at = this.pos;
    if (this.overrunAt >= 0 || at + n > this.end) {
      if (this.overrunAt < 0) this.overrunAt = at;
      this.pos = this.end;
      return -1;
    }
    this.pos = at + n;
    return at;
  }

  skip(n: number): void {
    this.take(n);
  }
  u8(): number {
    const at = this.take(1);
    return at < 0 ? 0 : this.buf[at]!;
  }
  u16(): number {
    const at = this.take(2);
    return at < 0 ? 0 : this.buf.readUInt16BE(at);
  }
  i16(): number {
    const at = this.take(2);
    return at < 0 ? 0 : this.buf.readInt16BE(at);
  }
  u32(): number {
    const at = this.take(4);
    return at < 0 ? 0 : this.buf.readUInt32BE(at);
  }
  i32(): number {
    const at = this.take(4);
    return at < 0 ? 0 : this.buf.readInt32BE(at);
  }
  f32(): number {
    const at = this.take(4);
    return at < 0 ? 0 : this.buf.readFloatBE(at);
  }
  f64(): number {
    const at = this.take(8);
    return at < 0 ? 0 : this.buf.readDoubleBE(at);
  }
  /**
   * Like fixedString, but a short tail is accepted: clients send a lone DBR_STRING as strlen+1 padded
   * to 8 rather than the full 40 bytes. Overruns only when nothing is left.
   */
  fixedStringLenient(size: number): string {
    if (this.ok && this.remaining > 0 && this.remaining < size) size = this.remaining;
    return this.fixedString(size);
  }
  /** A fixed-size, NUL-terminated field (EPICS strings are raw bytes; latin1 keeps them byte-exact). */
  fixedString(size: number): string {
    const at = this.take(size);
    if (at < 0) return '';
    return cString(this.buf, at, at + size);
  }
}

/** The bytes up to the first NUL (or `end`), as latin1. */
export function cString(buf: Buffer, start: number, end: number): string {
  let stop = buf.indexOf(0, start);
  if (stop < 0 || stop > end) stop = end;
  return buf.toString('latin1', start, stop);
}
