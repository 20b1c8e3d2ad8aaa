import { EXTENDED_HEADER_SIZE, EXTENDED_SIZE_MARK, HEADER_SIZE } from './constants.js';

/** A framed message: header fields plus a view of its (padded) payload. */
export interface RawMessage {
  readonly command: number;
  readonly payloadSize: number;
  readonly dataType: number;
  readonly dataCount: number;
  readonly p1: number;
  readonly p2: number;
  /** View into the receive buffer: valid only until the handler returns; copy to keep. */
  readonly payload: Buffer;
  /** The header bytes as received (ERROR replies quote them). */
  readonly headerBytes: Buffer;
}

export interface ParsedHeader {
  command: number;
  payloadSize: number;
  dataType: number;
  dataCount: number;
  p1: number;
  p2: number;
  headerSize: number;
}

/**
 * Parse a header at `at`, or return undefined when not all of it is there yet.
 * Extended form (CA >= 4.9): size 0xFFFF (count sent as 0), then u32 size, u32 count.
 */
export function parseHeader(buf: Buffer, at: number, end: number): ParsedHeader | undefined {
  if (end - at < HEADER_SIZE) return undefined;
  const command = buf.readUInt16BE(at);
  let payloadSize = buf.readUInt16BE(at + 2);
  const dataType = buf.readUInt16BE(at + 4);
  let dataCount = buf.readUInt16BE(at + 6);
  const p1 = buf.readUInt32BE(at + 8);
  const p2 = buf.readUInt32BE(at + 12);
  let headerSize = HEADER_SIZE;
  // RSRV camessage.c and libca switch on m_postsize == 0xffff alone (the count field is not checked).
  if (payloadSize === EXTENDED_SIZE_MARK) {
    if (end - at < EXTENDED_HEADER_SIZE) return undefined;
    payloadSize = buf.readUInt32BE(at + 16);
    dataCount = buf.readUInt32BE(at + 20);
    headerSize = EXTENDED_HEADER_SIZE;
  }
  return { command, payloadSize, dataType, dataCount, p1, p2, headerSize };
}
