import { StatusType } from './constants.js';
import type { PvaReader } from './reader.js';
import type { PvaWriter } from './writer.js';

/** pvData Status: OK, or a type with a message and call tree. */
export interface Status {
  readonly type: StatusType;
  readonly message: string;
  readonly callTree: string;
}

export const OK: Status = Object.freeze({ type: StatusType.OK, message: '', callTree: '' });
export const errorStatus = (message: string, type: StatusType = StatusType.ERROR): Status => ({ type, message, callTree: '' });
export const isOk = (s: Status): boolean => s.type === StatusType.OK || s.type === StatusType.WARNING;

export function writeStatus(w: PvaWriter, s: Status): void {
  // A plain OK is the single byte 0xFF (what pvxs and pvAccessCPP send).
  if (s.type === StatusType.OK && !s.message && !s.callTree) {
    w.u8(0xff);
    return;
  }
  w.u8(s.type).string(s.message).string(s.callTree);
}

export function readStatus(r: PvaReader): Status {
  const t = r.u8();
  if (t === 0xff) return OK;
  if (t > StatusType.FATAL) {
    r.fail(`status type ${t}`);
    return OK;
  }
  return { type: t as StatusType, message: r.string(), callTree: r.string() };
}
