import { parseHeader, type ParsedHeader, type RawMessage } from './header.js';

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
    while (this.start < this.end && !this._paused) {
      const h = parseHeader(buf, this.start, this.end);
      if (!h) break;
      if (h.payloadSize > this.maxPayload) {
        const headerBytes = Buffer.from(buf.subarray(this.start, this.start + h.headerSize));
        const available = this.end - this.start - h.headerSize;
        const skip = Math.min(available, h.payloadSize);
        this.start += h.headerSize + skip;
        this.discard = h.payloadSize - skip;
        this.sink.oversized(headerBytes, h.payloadSize);
        if (this.discard > 0) break;
        continue;
      }
      const total = h.headerSize + h.payloadSize;
      if (this.end - this.start < total) break;
      const at = this.start;
      this.start += total;
      this.sink.message(new FramedMessage(h, buf, at));
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
  readonly payloadSize: number;
  readonly dataType: number;
  readonly dataCount: number;
  readonly p1: number;
  readonly p2: number;
  private readonly headerSize: number;
  private view: Buffer | undefined;

  constructor(
    h: ParsedHeader,
    private readonly buf: Buffer,
    private readonly at: number,
  ) {
    this.command = h.command;
    this.payloadSize = h.payloadSize;
    this.dataType = h.dataType;
    this.dataCount = h.dataCount;
    this.p1 = h.p1;
    this.p2 = h.p2;
    this.headerSize = h.headerSize;
  }

  get payload(): Buffer {
    const start = this.at + this.headerSize;
    return (this.view ??= this.buf.subarray(start, start + this.payloadSize));
  }

  get headerBytes(): Buffer {
    return this.buf.subarray(this.at, this.at + this.headerSize);
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
