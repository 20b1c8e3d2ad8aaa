import { EXTENDED_HEADER_SIZE, EXTENDED_SIZE_MARK, HEADER_SIZE } from './constants.js';
import { parseHeader, u16, u32, type RawMessage } from './header.js';

export interface FramerSink {
  message(msg: RawMessage): void;
  /** A header announced a payload over the limit; its bytes are being discarded. */
  oversized(header: Buffer, payloadSize: number): void;
}

/**
 * Frames a TCP byte stream into CA messages. One growable buffer with read/write cursors: a chunk that
 * holds whole messages is parsed in place without copying; leftovers are compacted or the buffer grown.
 * A header whose payload exceeds `maxPayload` is refused before anything grows, and its payload skipped.
 */
export class Framer {
  private buf: Buffer = Buffer.alloc(0);
  private start = 0;
  private end = 0;
  private discard = 0;
  private owned = false;
  private _paused = false;

  constructor(
    private readonly sink: FramerSink,
    public maxPayload: number,
  ) {}

  /** Bytes held back waiting for the rest of a message (or, while paused, to be delivered). */
  get buffered(): number {
    return this.end - this.start;
  }

  get paused(): boolean {
    return this._paused;
  }

  /**
   * Deliver no more messages (the receiver is applying backpressure): the one being delivered finishes,
   * the rest stay buffered until resume(). Bytes pushed meanwhile are buffered too.
   */
  pause(): void {
    this._paused = true;
  }

  /** Deliver what was held back, then go on as before (until paused again). */
  resume(): void {
    if (!this._paused) return;
    this._paused = false;
    this.drain();
  }

  push(chunk: Buffer): void {
    if (this.discard > 0) {
      const n = Math.min(this.discard, chunk.length);
      this.discard -= n;
      if (n === chunk.length) return;
      chunk = chunk.subarray(n);
    }
    if (this.end === this.start) {
      // Nothing left over: parse the chunk in place.
      this.buf = chunk;
      this.start = 0;
      this.end = chunk.length;
      this.owned = false;
    } else {
      this.append(chunk);
    }
    if (!this._paused) this.drain();
  }

  private append(chunk: Buffer): void {
    if (this.end + chunk.length <= this.buf.length) {
      chunk.copy(this.buf, this.end);
      this.end += chunk.length;
      return;
    }
    const held = this.end - this.start;
    const next = Buffer.allocUnsafe(Math.max(held + chunk.length, this.buf.length * 2, 8192));
    this.buf.copy(next, 0, this.start, this.end);
    chunk.copy(next, held);
    this.buf = next;
    this.start = 0;
    this.end = held + chunk.length;
  }

  private drain(): void {
    const buf = this.buf;
    while (!this._paused) {
      // The header is read in place (the hot loop of every circuit: no header object per message).
      const at = this.start;
      const available = this.end - at;
      if (available < HEADER_SIZE) break;
      let payloadSize = u16(buf, at + 2);
      let headerSize = HEADER_SIZE;
      // RSRV camessage.c and libca switch on m_postsize == 0xffff alone (the count field is not checked).
      if (payloadSize === EXTENDED_SIZE_MARK) {
        if (available < EXTENDED_HEADER_SIZE) break;
        payloadSize = u32(buf, at + 16);
        headerSize = EXTENDED_HEADER_SIZE;
      }
      if (payloadSize > this.maxPayload) {
        const headerBytes = Buffer.from(buf.subarray(at, at + headerSize));
        const skip = Math.min(available - headerSize, payloadSize);
        this.start += headerSize + skip;
        this.discard = payloadSize - skip;
        this.sink.oversized(headerBytes, payloadSize);
        if (this.discard > 0) break;
        continue;
      }
      const total = headerSize + payloadSize;
      if (available < total) break;
      this.start += total;
      this.sink.message(new FramedMessage(buf, at, headerSize, payloadSize));
    }
    if (this.start === this.end) {
      // Drained: drop the reference so a big chunk is not kept alive.
      this.buf = Buffer.alloc(0);
      this.start = this.end = 0;
      this.owned = false;
    } else if (!this.owned || this.start > 0) {
      // Keep the partial message in a buffer of our own, at its start, with room to grow.
      const held = this.end - this.start;
      const next = Buffer.allocUnsafe(Math.max(8192, held * 2));
      this.buf.copy(next, 0, this.start, this.end);
      this.buf = next;
      this.start = 0;
      this.end = held;
      this.owned = true;
    }
  }
}

/**
 * A message framed in place: the header's fields, and views of its payload and header bytes made only
 * when asked for (most requests never need the header bytes, many have no payload): two Buffer views
 * less per message on the hot path. Valid, like the views, only until the sink returns.
 */
class FramedMessage implements RawMessage {
  readonly command: number;
  readonly dataType: number;
  readonly dataCount: number;
  readonly p1: number;
  readonly p2: number;
  readonly payloadOffset: number;
  private view: Buffer | undefined;

  constructor(
    readonly buffer: Buffer,
    private readonly at: number,
    headerSize: number,
    readonly payloadSize: number,
  ) {
    this.command = u16(buffer, at);
    this.dataType = u16(buffer, at + 4);
    this.dataCount = headerSize === HEADER_SIZE ? u16(buffer, at + 6) : u32(buffer, at + 20);
    this.p1 = u32(buffer, at + 8);
    this.p2 = u32(buffer, at + 12);
    this.payloadOffset = at + headerSize;
  }

  get payload(): Buffer {
    return (this.view ??= this.buffer.subarray(this.payloadOffset, this.payloadOffset + this.payloadSize));
  }

  get headerBytes(): Buffer {
    return this.buffer.subarray(this.at, this.payloadOffset);
  }
}

/** Frame every message of a complete datagram; stops at the first truncated one. */
export function frameDatagram(
  buf: Buffer,
  onMessage: (m: RawMessage) => void,
): { complete: boolean } {
  let at = 0;
  while (at < buf.length) {
    const h = parseHeader(buf, at, buf.length);
    if (!h || at + h.headerSize + h.payloadSize > buf.length) return { complete: false };
    const total = h.headerSize + h.payloadSize;
    onMessage({
      command: h.command,
      payloadSize: h.payloadSize,
      dataType: h.dataType,
      dataCount: h.dataCount,
      p1: h.p1,
      p2: h.p2,
      payload: buf.subarray(at + h.headerSize, at + total),
      headerBytes: buf.subarray(at, at + h.headerSize),
    });
    at += total;
  }
  return { complete: true };
}
