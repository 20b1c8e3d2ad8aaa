import { Flags, HEADER_SIZE } from './constants.js';
import { isControl, parseHeader, PvaProtocolError, segmentOf, type PvaHeader } from './header.js';

/** One whole message off the wire (segments already joined). */
export interface PvaFrame {
  readonly header: PvaHeader;
  /** Payload (empty for control messages). Valid until the next push: copy what you keep. */
  readonly payload: Buffer;
  readonly be: boolean;
}

/**
 * Frames a TCP byte stream into messages: cursors over one growable buffer (pg-protocol's mergeBuffer),
 * segmented messages (first/middle/last) joined into one, payloads beyond `maxMessage` refused from the
 * header alone before anything grows.
 */
export class PvaFramer {
  private buf: Buffer = Buffer.alloc(0);
  private start = 0;
  private end = 0;
  private segments: Buffer[] | null = null;
  private segmentHeader: PvaHeader | null = null;
  private segmentBytes = 0;
  private ownsBuffer = false;
  /** Bytes from `start` the message being received needs in all (0: not known yet). */
  private want = 0;

  constructor(readonly maxMessage = 64 * 1024 * 1024 + 4096) {}

  /** Feed bytes; returns the complete messages. Throws PvaProtocolError when the stream is broken. */
  push(chunk: Buffer): PvaFrame[] {
    this.append(chunk);
    const out: PvaFrame[] = [];
    while (this.end - this.start >= HEADER_SIZE) {
      const header = parseHeader(this.buf, this.start);
      if (isControl(header)) {
        out.push({ header, payload: EMPTY, be: (header.flags & Flags.BIG_ENDIAN) !== 0 });
        this.start += HEADER_SIZE;
        continue;
      }
      if (header.size > this.maxMessage) throw new PvaProtocolError(`message of ${header.size} bytes exceeds the limit of ${this.maxMessage}`);
      if (this.end - this.start < HEADER_SIZE + header.size) {
        this.want = HEADER_SIZE + header.size;
        break;
      }
      this.want = 0;
      const payload = this.buf.subarray(this.start + HEADER_SIZE, this.start + HEADER_SIZE + header.size);
      this.start += HEADER_SIZE + header.size;
      const frame = this.joinSegments(header, payload);
      if (frame) out.push(frame);
    }
    if (this.start === this.end) this.start = this.end = 0;
    return out;
  }

  private joinSegments(header: PvaHeader, payload: Buffer): PvaFrame | null {
    const seg = segmentOf(header);
    const be = (header.flags & Flags.BIG_ENDIAN) !== 0;
    if (seg === 0) {
      if (this.segments) throw new PvaProtocolError('unsegmented message inside a segmented one');
      return { header, payload, be };
    }
    if (seg === Flags.SEGMENT_FIRST) {
      if (this.segments) throw new PvaProtocolError('first segment while another message is open');
      this.segments = [];
      this.segmentHeader = header;
      this.segmentBytes = 0;
    } else if (!this.segments || this.segmentHeader!.command !== header.command) {
      throw new PvaProtocolError('segment without a first segment');
    }
    this.segmentBytes += payload.length;
    if (this.segmentBytes > this.maxMessage) throw new PvaProtocolError(`segmented message exceeds the limit of ${this.maxMessage}`);
    this.segments.push(Buffer.from(payload));
    if (seg !== Flags.SEGMENT_LAST) return null;
    const first = this.segmentHeader!;
    const joined = Buffer.concat(this.segments);
    this.segments = null;
    this.segmentHeader = null;
    return { header: { ...first, flags: first.flags & ~Flags.SEGMENT_MASK, size: joined.length }, payload: joined, be };
  }

  private append(chunk: Buffer): void {
    if (this.start === this.end) {
      // Nothing left over: frame straight out of the chunk, no copy.
      this.buf = chunk;
      this.ownsBuffer = false;
      this.start = 0;
      this.end = chunk.length;
      return;
    }
    if (this.ownsBuffer && this.buf.length - this.end >= chunk.length) {
      chunk.copy(this.buf, this.end);
      this.end += chunk.length;
      return;
    }
    const need = this.end - this.start + chunk.length;
    // A large message whose size the header told: room for all of it at once (one copy of each byte,
    // not one per doubling).
    const next = Buffer.allocUnsafe(this.want > need ? this.want : Math.max(need, 4096, this.ownsBuffer ? this.buf.length * 2 : 0));
    this.buf.copy(next, 0, this.start, this.end);
    chunk.copy(next, this.end - this.start);
    this.buf = next;
    this.ownsBuffer = true;
    this.start = 0;
    this.end = need;
  }
}

const EMPTY = Buffer.alloc(0);
