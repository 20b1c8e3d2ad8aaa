import { HEADER_SIZE, MAGIC, PVA_VERSION, Flags } from './constants.js';

/** Batches beyond this are handed over, not copied, by take(). */
const LARGE = 256 * 1024;

/** Byte runs from view() at least this long are referenced, not copied (a detector frame's pixels). */
export const VIEW_MIN = 64 * 1024;

/**
 * Growable writer in one byte order. A message is `begin(command)` … fields … `finish()`: the 8-byte
 * header is reserved and its payload size back-patched (PVA has no padding, unlike CA).
 *
 * Large byte runs written with view() are not copied: the output becomes a list of chunks (views of the
 * writer's buffer and the caller's bytes), which takeChunks() hands over for a vectored socket write.
 */
export class PvaWriter {
  private buf: Buffer;
  private pos = 0;
  /** Chunks cut off before `partStart` (views; the buffer is never reused while they exist). */
  private parts: Buffer[] = [];
  private partStart = 0;
  private partBytes = 0;
  /** The open message: its start as a logical offset, and where its header's size field lives. */
  private msgStart = -1;
  private msgHeaderBuf: Buffer | undefined;
  private msgHeaderAt = 0;

  constructor(
    readonly be = false,
    /** Flags every header carries besides byte order (Flags.SERVER for a server). */
    readonly baseFlags = 0,
    private readonly initial = 1024,
  ) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  /** Bytes written so far (views included). */
  get length(): number {
    return this.partBytes + this.pos - this.partStart;
  }

  private room(n: number): number {
    const at = this.pos;
    if (at + n > this.buf.length) {
      // Grow to fit a large item at once (a frame) rather than doubling towards it. Only the uncut tail
      // moves: cut chunks keep viewing the old buffer.
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, at - this.partStart + n + (n > LARGE ? 4096 : 0)));
      this.buf.copy(next, 0, this.partStart, at);
      if (this.msgHeaderBuf === this.buf && this.msgHeaderAt >= this.partStart) {
        this.msgHeaderBuf = next;
        this.msgHeaderAt -= this.partStart;
      }
      this.buf = next;
      this.pos = at - this.partStart;
      this.partStart = 0;
      this.pos += n;
      return this.pos - n;
    }
    this.pos = at + n;
    return at;
  }

  /** Start an application message. */
  begin(command: number, extraFlags = 0): this {
    if (this.msgStart >= 0) throw new Error('PvaWriter: message already open');
    this.msgStart = this.length;
    const at = this.room(HEADER_SIZE);
    this.msgHeaderBuf = this.buf;
    this.msgHeaderAt = at;
    this.buf[at] = MAGIC;
    this.buf[at + 1] = PVA_VERSION;
    this.buf[at + 2] = this.baseFlags | extraFlags | (this.be ? Flags.BIG_ENDIAN : 0);
    this.buf[at + 3] = command;
    return this;
  }

  /** Close the open message: patch its payload size. */
  finish(): this {
    if (this.msgStart < 0) throw new Error('PvaWriter: no message open');
    const size = this.length - this.msgStart - HEADER_SIZE;
    const hb = this.msgHeaderBuf!;
    if (this.be) hb.writeUInt32BE(size, this.msgHeaderAt + 4);
    else hb.writeUInt32LE(size, this.msgHeaderAt + 4);
    this.msgStart = -1;
    this.msgHeaderBuf = undefined;
    return this;
  }

  /** A control message: no payload, the 32-bit field carries its value. */
  control(command: number, value: number): this {
    const at = this.room(HEADER_SIZE);
    this.buf[at] = MAGIC;
    this.buf[at + 1] = PVA_VERSION;
    this.buf[at + 2] = this.baseFlags | Flags.CONTROL | (this.be ? Flags.BIG_ENDIAN : 0);
    this.buf[at + 3] = command;
    if (this.be) this.buf.writeUInt32BE(value >>> 0, at + 4);
    else this.buf.writeUInt32LE(value >>> 0, at + 4);
    return this;
  }

  /** Everything written so far as one Buffer, and reset. The returned Buffer is the caller's. */
  take(): Buffer {
    const chunks = this.takeChunks();
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  }

  /**
   * Everything written so far as chunks to write in order (one, unless view() referenced large runs), and
   * reset. The chunks are the caller's; viewed bytes must stay unchanged until they are sent.
   */
  takeChunks(): Buffer[] {
    if (this.msgStart >= 0) throw new Error('PvaWriter: message still open');
    let out: Buffer[];
    if (this.parts.length) {
      out = this.parts;
      if (this.pos > this.partStart) out.push(this.buf.subarray(this.partStart, this.pos));
      this.buf = Buffer.allocUnsafe(this.initial); // the chunks view the old one
    } else if (this.pos > LARGE) {
      // A big batch: hand the buffer over rather than copy megabytes.
      out = [this.buf.subarray(0, this.pos)];
      this.buf = Buffer.allocUnsafe(this.initial);
    } else out = [Buffer.from(this.buf.subarray(0, this.pos))];
    this.parts = [];
    this.partStart = 0;
    this.partBytes = 0;
    this.pos = 0;
    return out;
  }

  /** Append `b`, referencing rather than copying it when it is large: it must not change until sent. */
  view(b: Uint8Array): this {
    if (b.length < VIEW_MIN) return this.bytes(b);
    if (this.pos > this.partStart) this.parts.push(this.buf.subarray(this.partStart, this.pos));
    this.parts.push(Buffer.from(b.buffer, b.byteOffset, b.length));
    this.partBytes += this.pos - this.partStart + b.length;
    this.partStart = this.pos;
    return this;
  }

  bytes(b: Uint8Array): this {
    const at = this.room(b.length);
    this.buf.set(b, at);
    return this;
  }
  u8(v: number): this {
    this.buf[this.room(1)] = v & 0xff;
    return this;
  }
  i8(v: number): this {
    this.buf.writeInt8(v, this.room(1));
    return this;
  }
  u16(v: number): this {
    const at = this.room(2);
    if (this.be) this.buf.writeUInt16BE(v & 0xffff, at);
    else this.buf.writeUInt16LE(v & 0xffff, at);
    return this;
  }
  i16(v: number): this {
    const at = this.room(2);
    if (this.be) this.buf.writeInt16BE(v, at);
    else this.buf.writeInt16LE(v, at);
    return this;
  }
  u32(v: number): this {
    const at = this.room(4);
    if (this.be) this.buf.writeUInt32BE(v >>> 0, at);
    else this.buf.writeUInt32LE(v >>> 0, at);
    return this;
  }
  i32(v: number): this {
    const at = this.room(4);
    if (this.be) this.buf.writeInt32BE(v | 0, at);
    else this.buf.writeInt32LE(v | 0, at);
    return this;
  }
  i64(v: number): this {
    const at = this.room(8);
    const b = BigInt(Math.trunc(v));
    if (this.be) this.buf.writeBigInt64BE(b, at);
    else this.buf.writeBigInt64LE(b, at);
    return this;
  }
  u64(v: number): this {
    const at = this.room(8);
    const b = BigInt(Math.max(0, Math.trunc(v)));
    if (this.be) this.buf.writeBigUInt64BE(b, at);
    else this.buf.writeBigUInt64LE(b, at);
    return this;
  }
  f32(v: number): this {
    const at = this.room(4);
    if (this.be) this.buf.writeFloatBE(v, at);
    else this.buf.writeFloatLE(v, at);
    return this;
  }
  f64(v: number): this {
    const at = this.room(8);
    if (this.be) this.buf.writeDoubleBE(v, at);
    else this.buf.writeDoubleLE(v, at);
    return this;
  }
  /** pvData Size (-1 is null). */
  size(n: number): this {
    if (n < 0) return this.u8(0xff);
    if (n < 254) return this.u8(n);
    return this.u8(0xfe).u32(n);
  }
  string(s: string): this {
    const n = Buffer.byteLength(s, 'utf8');
    this.size(n);
    const at = this.room(n);
    this.buf.write(s, at, n, 'utf8');
    return this;
  }
}
