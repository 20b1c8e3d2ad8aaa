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
  /** Where the payload starts in `buffer`, when the framer can say: read a value there without a view. */
  readonly buffer?: Buffer;
  readonly payloadOffset?: number;
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
  let payloadSize = u16(buf, at + 2);
  let dataCount = u16(buf, at + 6);
  let headerSize = HEADER_SIZE;
  // RSRV camessage.c and libca switch on m_postsize == 0xffff alone (the count field is not checked).
  if (payloadSize === EXTENDED_SIZE_MARK) {
    if (end - at < EXTENDED_HEADER_SIZE) return undefined;
    payloadSize = u32(buf, at + 16);
    dataCount = u32(buf, at + 20);
    headerSize = EXTENDED_HEADER_SIZE;
  }
  return { command: u16(buf, at), payloadSize, dataType: u16(buf, at + 4), dataCount, p1: u32(buf, at + 8), p2: u32(buf, at + 12), headerSize };
}

/** Big-endian reads for header fields the caller has checked are there (plain loads, no range checks). */
export const u16 = (b: Buffer, at: number): number => (b[at]! << 8) | b[at + 1]!;
export const u32 = (b: Buffer, at: number): number => b[at]! * 0x1000000 + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);
