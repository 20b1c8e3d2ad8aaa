import {
  CA_MINOR_VERSION,
  Command,
  EXTENDED_HEADER_SIZE,
  EXTENDED_SIZE_MARK,
  HEADER_SIZE,
  INADDR_NONE,
  SEARCH_DO_REPLY,
} from './constants.js';
import { decodeDbr, writeDbr, type DecodedDbr } from './dbr.js';
import { DbrBase, dbrInfo } from './dbr-types.js';
import type { RawMessage } from './header.js';
import { ByteReader, cString } from './reader.js';
import type { DbrSnapshot } from './snapshot.js';
import type { ByteWriter } from './writer.js';

// ---------------------------------------------------------------------------------------------
// Encoders. Each appends one whole message (header + padded payload) to the writer.
// ---------------------------------------------------------------------------------------------

const empty = (w: ByteWriter, cmd: number, dataType: number, count: number, p1: number, p2: number): void => {
  w.finish(w.begin(), cmd, dataType, count, p1, p2);
};

/** VERSION. TCP: dataType = priority, count = minor. UDP: dataType = 1 "sequence valid", p1 = sequence. */
export function writeVersion(w: ByteWriter, priority = 0, minor = CA_MINOR_VERSION, sequence = 0): void {
  empty(w, Command.VERSION, priority, minor, sequence, 0);
}

export function writeSearchRequest(w: ByteWriter, name: string, cid: number, reply = SEARCH_DO_REPLY, minor = CA_MINOR_VERSION): void {
  const s = w.begin();
  w.cString(name);
  w.finish(s, Command.SEARCH, reply, minor, cid, cid);
}

/**
 * Search reply: dataType = server TCP port, p1 = server address (INADDR_NONE: use the datagram source),
 * p2 = cid, payload = server minor version. RSRV omits the payload over TCP (`withVersion` false).
 */
export function writeSearchReply(w: ByteWriter, port: number, cid: number, serverAddr = INADDR_NONE, withVersion = true): void {
  const s = w.begin();
  if (withVersion) w.u16(CA_MINOR_VERSION);
  w.finish(s, Command.SEARCH, port, 0, serverAddr, cid);
}

/** NOT_FOUND echoes the search request's header with the command changed. */
export function writeNotFound(w: ByteWriter, reply: number, minor: number, cid: number): void {
  empty(w, Command.NOT_FOUND, reply, minor, cid, cid);
}

export function writeClientName(w: ByteWriter, user: string): void {
  const s = w.begin();
  w.cString(user);
  w.finish(s, Command.CLIENT_NAME, 0, 0, 0, 0);
}

export function writeHostName(w: ByteWriter, host: string): void {
  const s = w.begin();
  w.cString(host);
  w.finish(s, Command.HOST_NAME, 0, 0, 0, 0);
}

export function writeCreateChanRequest(w: ByteWriter, name: string, cid: number, minor = CA_MINOR_VERSION): void {
  const s = w.begin();
  w.cString(name);
  w.finish(s, Command.CREATE_CHAN, 0, 0, cid, minor);
}

export function writeCreateChanReply(w: ByteWriter, nativeType: number, count: number, cid: number, sid: number): void {
  // The native count can exceed 0xFFFF; only the count field then needs the extended header.
  empty(w, Command.CREATE_CHAN, nativeType, count, cid, sid);
}

export function writeCreateChFail(w: ByteWriter, cid: number): void {
  empty(w, Command.CREATE_CH_FAIL, 0, 0, cid, 0);
}

export function writeAccessRights(w: ByteWriter, cid: number, rights: number): void {
  empty(w, Command.ACCESS_RIGHTS, 0, 0, cid, rights);
}

export function writeReadNotifyRequest(w: ByteWriter, type: number, count: number, sid: number, ioid: number): void {
  empty(w, Command.READ_NOTIFY, type, count, sid, ioid);
}

/** READ_NOTIFY reply (p1 = ECA status). A failed read carries a zeroed payload of the requested size. */
export function writeReadNotifyReply(
  w: ByteWriter,
  type: number,
  count: number,
  status: number,
  ioid: number,
  snap: DbrSnapshot | undefined,
): void {
  writeDbrMessage(w, Command.READ_NOTIFY, type, count, status, ioid, snap);
}

/** EVENT_ADD reply: one monitor update (p1 = ECA status, p2 = subscription id). */
export function writeEventAddReply(
  w: ByteWriter,
  type: number,
  count: number,
  status: number,
  subid: number,
  snap: DbrSnapshot | undefined,
): void {
  writeDbrMessage(w, Command.EVENT_ADD, type, count, status, subid, snap);
}

function writeDbrMessage(
  w: ByteWriter,
  cmd: number,
  type: number,
  count: number,
  p1: number,
  p2: number,
  snap: DbrSnapshot | undefined,
): void {
  const s = w.begin();
  if (snap) {
    try {
      writeDbr(w, type, count, snap);
    } catch (e) {
      // Drop the whole message, reserved header included, so the writer holds only complete messages.
      rewind(w, s);
      throw e;
    }
  } else {
    const info = dbrInfo(type);
    w.zeros(info ? info.valueOffset + Math.max(count, 1) * info.valueSize : 0);
  }
  w.finish(s, cmd, type, count, p1, p2);
}

/** Abandon a message begun with begin() (used when encoding its payload failed). */
export function rewind(w: ByteWriter, start: number): void {
  w.pos = start;
}

/** EVENT_ADD request: payload = low, high, to (float32, unused) + mask u16 + pad. */
export function writeEventAddRequest(w: ByteWriter, type: number, count: number, sid: number, subid: number, mask: number): void {
  const s = w.begin();
  w.f32(0);
  w.f32(0);
  w.f32(0);
  w.u16(mask);
  w.u16(0);
  w.finish(s, Command.EVENT_ADD, type, count, sid, subid);
}

export function writeEventCancelRequest(w: ByteWriter, type: number, count: number, sid: number, subid: number): void {
  empty(w, Command.EVENT_CANCEL, type, count, sid, subid);
}

/** EVENT_CANCEL is confirmed with an empty EVENT_ADD carrying the same fields. */
export function writeEventCancelReply(w: ByteWriter, type: number, count: number, sid: number, subid: number): void {
  empty(w, Command.EVENT_ADD, type, count, sid, subid);
}

/** WRITE / WRITE_NOTIFY request carrying plain values of `type` (a plain DBR type 0–6, or PUT_ACKT/ACKS). */
export function writeWriteRequest(
  w: ByteWriter,
  notify: boolean,
  type: number,
  sid: number,
  ioid: number,
  values: ArrayLike<number> | readonly string[],
): void {
  const s = w.begin();
  writePlainValues(w, type, values);
  w.finish(s, notify ? Command.WRITE_NOTIFY : Command.WRITE, type, values.length, sid, ioid);
}

function writePlainValues(w: ByteWriter, type: number, values: ArrayLike<number> | readonly string[]): void {
  const info = dbrInfo(type);
  if (!info) throw new RangeError(`invalid DBR type ${type}`);
  const snap: DbrSnapshot = {
    nativeType: info.base === DbrBase.STRING ? DbrBase.STRING : DbrBase.DOUBLE,
    value: values,
    status: 0,
    severity: 0,
    secPastEpoch: 0,
    nsec: 0,
    units: '',
    precision: 17,
    limits: { upperDisp: 0, lowerDisp: 0, upperAlarm: 0, upperWarning: 0, lowerWarning: 0, lowerAlarm: 0, upperCtrl: 0, lowerCtrl: 0 },
    enumStrings: [],
  };
  writeDbr(w, info.cls === 0 ? info.base : type, values.length, snap);
}

export function writeWriteNotifyReply(w: ByteWriter, type: number, count: number, status: number, ioid: number): void {
  empty(w, Command.WRITE_NOTIFY, type, count, status, ioid);
}

export function writeClearChannel(w: ByteWriter, sid: number, cid: number): void {
  empty(w, Command.CLEAR_CHANNEL, 0, 0, sid, cid);
}

export function writeEcho(w: ByteWriter): void {
  empty(w, Command.ECHO, 0, 0, 0, 0);
}

export function writeEventsOff(w: ByteWriter): void {
  empty(w, Command.EVENTS_OFF, 0, 0, 0, 0);
}

export function writeEventsOn(w: ByteWriter): void {
  empty(w, Command.EVENTS_ON, 0, 0, 0, 0);
}

export function writeReadSync(w: ByteWriter): void {
  empty(w, Command.READ_SYNC, 0, 0, 0, 0);
}

export function writeServerDisconn(w: ByteWriter, cid: number): void {
  empty(w, Command.SERVER_DISCONN, 0, 0, cid, 0);
}

/**
 * ERROR: p1 = cid (0xFFFFFFFF if none), p2 = ECA status, payload = the offending header + message.
 * An extended (24-byte) header is quoted whole, as RSRV's vsend_err does; libca's exceptionRespAction
 * reads the two extra words when the quoted size field is 0xFFFF and finds the text after them.
 */
export function writeError(w: ByteWriter, cid: number, status: number, offendingHeader: Buffer, text: string): void {
  const s = w.begin();
  const extended = offendingHeader.length >= EXTENDED_HEADER_SIZE && offendingHeader.readUInt16BE(2) === EXTENDED_SIZE_MARK;
  w.bytes(offendingHeader.subarray(0, extended ? EXTENDED_HEADER_SIZE : HEADER_SIZE));
  w.cString(text);
  w.finish(s, Command.ERROR, 0, 0, cid, status);
}

/** Beacon (RSRV_IS_UP): dataType = minor version, count = TCP port, p1 = beacon id, p2 = server address. */
export function writeBeacon(w: ByteWriter, port: number, beaconId: number, serverAddr = 0): void {
  empty(w, Command.RSRV_IS_UP, CA_MINOR_VERSION, port, beaconId, serverAddr);
}

export function writeRepeaterRegister(w: ByteWriter, clientAddr: number): void {
  empty(w, Command.REPEATER_REGISTER, 0, 0, 0, clientAddr);
}

export function writeRepeaterConfirm(w: ByteWriter, repeaterAddr: number): void {
  empty(w, Command.REPEATER_CONFIRM, 0, 0, 0, repeaterAddr);
}

// ---------------------------------------------------------------------------------------------
// Decoders: frame bytes into typed messages. They do not judge; the server/client apply them.
// ---------------------------------------------------------------------------------------------

/** Requests a server receives (over TCP, or UDP for VERSION/SEARCH/ECHO). */
export type ClientMessage =
  | { readonly kind: 'VERSION'; readonly priority: number; readonly minor: number; readonly sequence: number }
  | { readonly kind: 'SEARCH'; readonly reply: number; readonly minor: number; readonly cid: number; readonly name: string }
  | { readonly kind: 'CLIENT_NAME'; readonly name: string }
  | { readonly kind: 'HOST_NAME'; readonly name: string }
  | { readonly kind: 'CREATE_CHAN'; readonly cid: number; readonly minor: number; readonly name: string }
  | { readonly kind: 'READ_NOTIFY' | 'READ'; readonly type: number; readonly count: number; readonly sid: number; readonly ioid: number }
  | {
      readonly kind: 'WRITE' | 'WRITE_NOTIFY';
      readonly type: number;
      readonly count: number;
      readonly sid: number;
      readonly ioid: number;
      readonly data: Buffer;
    }
  | { readonly kind: 'EVENT_ADD'; readonly type: number; readonly count: number; readonly sid: number; readonly subid: number; readonly mask: number }
  | { readonly kind: 'EVENT_CANCEL'; readonly type: number; readonly count: number; readonly sid: number; readonly subid: number }
  | { readonly kind: 'CLEAR_CHANNEL'; readonly sid: number; readonly cid: number }
  | { readonly kind: 'EVENTS_OFF' | 'EVENTS_ON' | 'READ_SYNC' | 'ECHO' }
  | { readonly kind: 'REPEATER_REGISTER'; readonly clientAddr: number }
  | { readonly kind: 'UNKNOWN'; readonly command: number };

/** Decode a request; `undefined` when its payload is too short for what the command needs. */
export function decodeClientMessage(m: RawMessage): ClientMessage | undefined {
  switch (m.command) {
    case Command.VERSION:
      return { kind: 'VERSION', priority: m.dataType, minor: m.dataCount, sequence: m.p1 };
    case Command.SEARCH:
      return { kind: 'SEARCH', reply: m.dataType, minor: m.dataCount, cid: m.p1, name: payloadString(m) };
    case Command.CLIENT_NAME:
      return { kind: 'CLIENT_NAME', name: payloadString(m) };
    case Command.HOST_NAME:
      return { kind: 'HOST_NAME', name: payloadString(m) };
    case Command.CREATE_CHAN:
      return { kind: 'CREATE_CHAN', cid: m.p1, minor: m.p2, name: payloadString(m) };
    case Command.READ_NOTIFY:
    case Command.READ:
      return {
        kind: m.command === Command.READ ? 'READ' : 'READ_NOTIFY',
        type: m.dataType,
        count: m.dataCount,
        sid: m.p1,
        ioid: m.p2,
      };
    case Command.WRITE:
    case Command.WRITE_NOTIFY:
      return {
        kind: m.command === Command.WRITE ? 'WRITE' : 'WRITE_NOTIFY',
        type: m.dataType,
        count: m.dataCount,
        sid: m.p1,
        ioid: m.p2,
        data: m.payload,
      };
    case Command.EVENT_ADD: {
      if (m.payload.length < 16) return undefined;
      return { kind: 'EVENT_ADD', type: m.dataType, count: m.dataCount, sid: m.p1, subid: m.p2, mask: m.payload.readUInt16BE(12) };
    }
    case Command.EVENT_CANCEL:
      return { kind: 'EVENT_CANCEL', type: m.dataType, count: m.dataCount, sid: m.p1, subid: m.p2 };
    case Command.CLEAR_CHANNEL:
      return { kind: 'CLEAR_CHANNEL', sid: m.p1, cid: m.p2 };
    case Command.EVENTS_OFF:
      return { kind: 'EVENTS_OFF' };
    case Command.EVENTS_ON:
      return { kind: 'EVENTS_ON' };
    case Command.READ_SYNC:
      return { kind: 'READ_SYNC' };
    case Command.ECHO:
      return { kind: 'ECHO' };
    case Command.REPEATER_REGISTER:
      return { kind: 'REPEATER_REGISTER', clientAddr: m.p2 };
    default:
      return { kind: 'UNKNOWN', command: m.command };
  }
}

/** Replies a client receives. */
export type ServerMessage =
  | { readonly kind: 'VERSION'; readonly priority: number; readonly minor: number; readonly sequence: number }
  | { readonly kind: 'SEARCH'; readonly port: number; readonly serverAddr: number; readonly cid: number; readonly minor: number }
  | { readonly kind: 'NOT_FOUND'; readonly cid: number }
  | { readonly kind: 'ACCESS_RIGHTS'; readonly cid: number; readonly rights: number }
  | { readonly kind: 'CREATE_CHAN'; readonly nativeType: number; readonly count: number; readonly cid: number; readonly sid: number }
  | { readonly kind: 'CREATE_CH_FAIL'; readonly cid: number }
  | { readonly kind: 'READ_NOTIFY'; readonly type: number; readonly count: number; readonly status: number; readonly ioid: number; readonly dbr: DecodedDbr | undefined }
  | {
      readonly kind: 'EVENT_ADD';
      readonly type: number;
      readonly count: number;
      readonly status: number;
      readonly subid: number;
      /** undefined with an empty payload: the confirmation of EVENT_CANCEL. */
      readonly dbr: DecodedDbr | undefined;
    }
  | { readonly kind: 'WRITE_NOTIFY'; readonly type: number; readonly count: number; readonly status: number; readonly ioid: number }
  | { readonly kind: 'CLEAR_CHANNEL'; readonly sid: number; readonly cid: number }
  | { readonly kind: 'ERROR'; readonly cid: number; readonly status: number; readonly command: number; readonly text: string }
  | { readonly kind: 'SERVER_DISCONN'; readonly cid: number }
  | { readonly kind: 'ECHO' }
  | { readonly kind: 'RSRV_IS_UP'; readonly minor: number; readonly port: number; readonly beaconId: number; readonly serverAddr: number }
  | { readonly kind: 'REPEATER_CONFIRM'; readonly repeaterAddr: number }
  | { readonly kind: 'UNKNOWN'; readonly command: number };

export function decodeServerMessage(m: RawMessage): ServerMessage {
  switch (m.command) {
    case Command.VERSION:
      return { kind: 'VERSION', priority: m.dataType, minor: m.dataCount, sequence: m.p1 };
    case Command.SEARCH:
      return {
        kind: 'SEARCH',
        port: m.dataType,
        serverAddr: m.p1,
        cid: m.p2,
        minor: m.payload.length >= 2 ? m.payload.readUInt16BE(0) : 0,
      };
    case Command.NOT_FOUND:
      return { kind: 'NOT_FOUND', cid: m.p1 };
    case Command.ACCESS_RIGHTS:
      return { kind: 'ACCESS_RIGHTS', cid: m.p1, rights: m.p2 };
    case Command.CREATE_CHAN:
      return { kind: 'CREATE_CHAN', nativeType: m.dataType, count: m.dataCount, cid: m.p1, sid: m.p2 };
    case Command.CREATE_CH_FAIL:
      return { kind: 'CREATE_CH_FAIL', cid: m.p1 };
    case Command.READ_NOTIFY:
      return {
        kind: 'READ_NOTIFY',
        type: m.dataType,
        count: m.dataCount,
        status: m.p1,
        ioid: m.p2,
        dbr: decodeDbr(m.dataType, m.dataCount, m.payload),
      };
    case Command.EVENT_ADD:
      return {
        kind: 'EVENT_ADD',
        type: m.dataType,
        count: m.dataCount,
        status: m.p1,
        subid: m.p2,
        dbr: m.payloadSize === 0 ? undefined : decodeDbr(m.dataType, m.dataCount, m.payload),
      };
    case Command.WRITE_NOTIFY:
      return { kind: 'WRITE_NOTIFY', type: m.dataType, count: m.dataCount, status: m.p1, ioid: m.p2 };
    case Command.CLEAR_CHANNEL:
      return { kind: 'CLEAR_CHANNEL', sid: m.p1, cid: m.p2 };
    case Command.ERROR: {
      const r = new ByteReader(m.payload);
      const command = r.u16();
      // The quoted request header is 24 bytes when its size field is 0xFFFF (libca exceptionRespAction).
      const quoted = r.u16() === EXTENDED_SIZE_MARK ? EXTENDED_HEADER_SIZE : HEADER_SIZE;
      return {
        kind: 'ERROR',
        cid: m.p1,
        status: m.p2,
        command,
        text: m.payload.length > quoted ? cString(m.payload, quoted, m.payload.length) : '',
      };
    }
    case Command.SERVER_DISCONN:
      return { kind: 'SERVER_DISCONN', cid: m.p1 };
    case Command.ECHO:
      return { kind: 'ECHO' };
    case Command.RSRV_IS_UP:
      return { kind: 'RSRV_IS_UP', minor: m.dataType, port: m.dataCount, beaconId: m.p1, serverAddr: m.p2 };
    case Command.REPEATER_CONFIRM:
      return { kind: 'REPEATER_CONFIRM', repeaterAddr: m.p2 };
    default:
      return { kind: 'UNKNOWN', command: m.command };
  }
}

function payloadString(m: RawMessage): string {
  return cString(m.payload, 0, m.payload.length);
}

/** Values of a WRITE payload as plain numbers or strings; undefined when the payload is too short. */
export function decodeWriteValues(type: number, count: number, data: Buffer): number[] | string[] | undefined {
  return decodeDbr(type, count, data)?.value;
}
