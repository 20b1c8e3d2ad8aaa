import { Flags, HEADER_SIZE, MAGIC } from './constants.js';

/** The 8-byte message header: magic, version, flags, command, payload size (in the flags' byte order). */
export interface PvaHeader {
  readonly version: number;
  readonly flags: number;
  readonly command: number;
  /** Payload bytes of an application message; a control message's value. */
  readonly size: number;
}

export const isControl = (h: PvaHeader): boolean => (h.flags & Flags.CONTROL) !== 0;
export const isBigEndian = (h: PvaHeader): boolean => (h.flags & Flags.BIG_ENDIAN) !== 0;
export const isFromServer = (h: PvaHeader): boolean => (h.flags & Flags.SERVER) !== 0;
export const segmentOf = (h: PvaHeader): number => h.flags & Flags.SEGMENT_MASK;

/** Root of protocol errors; `remote` says the peer broke the protocol (as opposed to us). */
export class PvaProtocolError extends Error {
  override name = 'PvaProtocolError';
  constructor(
    message: string,
    readonly remote = true,
  ) {
    super(message);
  }
}

/** Parse the header at `at` (caller ensures 8 bytes). Throws on a bad magic byte: the stream is lost. */
export function parseHeader(buf: Buffer, at = 0): PvaHeader {
  if (buf[at] !== MAGIC) throw new PvaProtocolError(`bad magic 0x${(buf[at] ?? 0).toString(16)} (not pvAccess)`);
  const flags = buf[at + 2]!;
  const be = (flags & Flags.BIG_ENDIAN) !== 0;
  return {
    version: buf[at + 1]!,
    flags,
    command: buf[at + 3]!,
    size: be ? buf.readUInt32BE(at + 4) : buf.readUInt32LE(at + 4),
  };
}

export { HEADER_SIZE };
