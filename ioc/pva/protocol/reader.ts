/**
 * Bounds-checked reader in either byte order (each PVA message says its own in the header flags). Like
 * pvxs' Buffer::good(): the first overrun or malformed item is remembered, later reads return 0 / '',
 * and a decoder checks `ok` once per message instead of after every field.
 */
export class PvaReader {
  private pos: number;
  private faultAt = -1;
  private faultWhy = '';

  constructor(
    readonly buf: Buffer,
    readonly be: boolean,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get ok(): boolean {
    return this.faultAt < 0;
  }
  /** Why decoding stopped, for the error reply. */
  get fault(): string {
    return this.faultAt < 0 ? '' : `${this.faultWhy} at byte ${this.faultAt}`;
  }
  get offset(): number {
    return this.pos;
  }
  get remaining(): number {
    return this.end - this.pos;
  }

  /** Mark the message malformed (a bad type code, a size beyond the limit …). */
  fail(why: string): void {
    if (this.faultAt >= 0) return;
    this.faultAt = this.pos;
    this.faultWhy = why;
    this.pos = this.end;
  }

  private take(n: number): number {
    const at = this.pos;
    if (this.faultAt >= 0) return -1;
    if (at + n > this.end) {
      this.fail('message too short');
      return -1;
    }
    this.pos = at + n;
    return at;
  }

  skip(n: number): void {
    this.take(n);
  }
  bytes(n: number): Buffer {
    const at = this.take(n);
    return at < 0 ? Buffer.alloc(0) : this.buf.subarray(at, at + n);
  }
  u8(): number {
    const at = this.take(1);
    return at < 0 ? 0 : this.buf[at]!;
  }
  i8(): number {
    const at = this.take(1);
    return at < 0 ? 0 : this.buf.readInt8(at);
  }
  u16(): number {
    const at = this.take(2);
    return at < 0 ? 0 : this.be ? this.buf.readUInt16BE(at) : this.buf.readUInt16LE(at);
  }
  i16(): number {
    const at = this.take(2);
    return at < 0 ? 0 : this.be ? this.buf.readInt16BE(at) : this.buf.readInt16LE(at);
  }
  u32(): number {
    const at = this.take(4);
    return at < 0 ? 0 : this.be ? this.buf.readUInt32BE(at) : this.buf.readUInt32LE(at);
  }
  i32(): number {
    const at = this.take(4);
    return at < 0 ? 0 : this.be ? this.buf.readInt32BE(at) : this.buf.readInt32LE(at);
  }
  /** 64-bit integers come back as numbers: exact up to 2^53, which covers time stamps and counters. */
  i64(): number {
    const at = this.take(8);
    return at < 0 ? 0 : Number(this.be ? this.buf.readBigInt64BE(at) : this.buf.readBigInt64LE(at));
  }
  u64(): number {
    const at = this.take(8);
    return at < 0 ? 0 : Number(this.be ? this.buf.readBigUInt64BE(at) : this.buf.readBigUInt64LE(at));
  }
  f32(): number {
    const at = this.take(4);
    return at < 0 ? 0 : this.be ? this.buf.readFloatBE(at) : this.buf.readFloatLE(at);
  }
  f64(): number {
    const at = this.take(8);
    return at < 0 ? 0 : this.be ? this.buf.readDoubleBE(at) : this.buf.readDoubleLE(at);
  }

  /**
   * pvData Size: one byte below 254; 254 then a 32-bit count; 255 is null (-1). Counts that cannot fit
   * in what is left of the message (each element takes at least `minElement` bytes) are refused here,
   * before anyone allocates for them.
   */
  size(minElement = 0): number {
    const b = this.u8();
    let n: number;
    if (b === 0xff) return -1;
    if (b === 0xfe) {
      n = this.u32();
      if (n > 0x7fffffff) {
        this.fail(`size ${n} too large`);
        return 0;
      }
    } else n = b;
    if (minElement > 0 && n * minElement > this.remaining) {
      this.fail(`size ${n} exceeds the message`);
      return 0;
    }
    return n;
  }

  /** pvData string: Size then UTF-8 bytes (null reads as ''). */
  string(): string {
    const n = this.size(1);
    if (n <= 0) return '';
    const at = this.take(n);
    return at < 0 ? '' : this.buf.toString('utf8', at, at + n);
  }
}
