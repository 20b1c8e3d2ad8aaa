// Verbatim C-server / libca byte sequences: the production encoders must produce them, the test byte
// builder must agree with them, and the decoders must read them back consuming every byte.
import { describe, expect, it } from 'vitest';
import {
  AlarmStatus,
  CA_MINOR_VERSION,
  Command,
  DbrBase,
  ECA,
  SEARCH_DONT_REPLY,
  Severity,
  decodeClientMessage,
  decodeServerMessage,
  decodeWriteValues,
  writeAccessRights,
  writeBeacon,
  writeCreateChanReply,
  writeCreateChanRequest,
  writeError,
  writeEventAddReply,
  writeEventAddRequest,
  writeReadNotifyReply,
  writeReadNotifyRequest,
  writeSearchReply,
  writeSearchRequest,
  writeVersion,
  writeWriteNotifyReply,
} from '../../../../ioc/ca/protocol/index.js';
import { cat, cstr, dbr, extMsg, f64, fixed, i16, msg, u16, u8, zeros, f32 } from './bytes.js';
import { bigArrayHeader, NSEC, SEC, V } from './golden.js';
import { encode, frameAll, frameOne, snapshot } from './fixtures.js';

const limits = {
  upperDisp: 100,
  lowerDisp: -100,
  upperAlarm: 90,
  upperWarning: 80,
  lowerWarning: -80,
  lowerAlarm: -90,
  upperCtrl: 95,
  lowerCtrl: -95,
};

describe('verbatim RSRV / libca messages', () => {
  it('VERSION after accept', () => {
    expect(encode((w) => writeVersion(w))).toEqual(V.tcpVersion);
    expect(msg({ cmd: 0, count: 13 })).toEqual(V.tcpVersion);
    expect(decodeServerMessage(frameOne(V.tcpVersion))).toEqual({ kind: 'VERSION', priority: 0, minor: 13, sequence: 0 });
  });

  it('libca search datagram (VERSION with sequence number + SEARCH)', () => {
    const built = cat(msg({ cmd: 0, dtype: 1, count: 13, p1: 7 }), msg({ cmd: 6, dtype: 5, count: 13, p1: 42, p2: 42 }, cstr('BL:MTR1')));
    expect(built).toEqual(V.libcaSearchDatagram);
    const encoded = encode((w) => {
      writeVersion(w, 1, CA_MINOR_VERSION, 7);
      writeSearchRequest(w, 'BL:MTR1', 42, SEARCH_DONT_REPLY);
    });
    expect(encoded).toEqual(V.libcaSearchDatagram);
    const msgs = frameAll(V.libcaSearchDatagram).map((m) => decodeClientMessage(m));
    expect(msgs).toEqual([
      { kind: 'VERSION', priority: 1, minor: 13, sequence: 7 },
      { kind: 'SEARCH', reply: 5, minor: 13, cid: 42, name: 'BL:MTR1' },
    ]);
  });

  it('RSRV UDP search reply carries the port in dtype, 0xFFFFFFFF in p1 and the 2-byte minor version', () => {
    const built = cat(msg({ cmd: 0, dtype: 1, count: 13, p1: 7 }), msg({ cmd: 6, dtype: 5064, p1: 0xffffffff, p2: 42 }, u16(13)));
    expect(built).toEqual(V.rsrvSearchReplyDatagram);
    const encoded = encode((w) => {
      writeVersion(w, 1, CA_MINOR_VERSION, 7);
      writeSearchReply(w, 5064, 42);
    });
    expect(encoded).toEqual(V.rsrvSearchReplyDatagram);
    const msgs = frameAll(V.rsrvSearchReplyDatagram).map((m) => decodeServerMessage(m));
    expect(msgs).toEqual([
      { kind: 'VERSION', priority: 1, minor: 13, sequence: 7 },
      { kind: 'SEARCH', port: 5064, serverAddr: 0xffffffff, cid: 42, minor: 13 },
    ]);
  });

  it('CREATE_CHAN request and the ACCESS_RIGHTS + CREATE_CHAN reply pair', () => {
    expect(msg({ cmd: 18, p1: 1, p2: 13 }, cstr('BL:MTR1:RBV'))).toEqual(V.libcaCreateChan);
    expect(encode((w) => writeCreateChanRequest(w, 'BL:MTR1:RBV', 1))).toEqual(V.libcaCreateChan);
    expect(decodeClientMessage(frameOne(V.libcaCreateChan))).toEqual({ kind: 'CREATE_CHAN', cid: 1, minor: 13, name: 'BL:MTR1:RBV' });

    const reply = encode((w) => {
      writeAccessRights(w, 1, 3);
      writeCreateChanReply(w, DbrBase.DOUBLE, 1, 1, 0x10);
    });
    expect(reply).toEqual(V.rsrvCreateChanReply);
    expect(cat(msg({ cmd: 22, p1: 1, p2: 3 }), msg({ cmd: 18, dtype: 6, count: 1, p1: 1, p2: 0x10 }))).toEqual(V.rsrvCreateChanReply);
    expect(frameAll(V.rsrvCreateChanReply).map((m) => decodeServerMessage(m))).toEqual([
      { kind: 'ACCESS_RIGHTS', cid: 1, rights: 3 },
      { kind: 'CREATE_CHAN', nativeType: 6, count: 1, cid: 1, sid: 0x10 },
    ]);
  });

  it('READ_NOTIFY request and DBR_TIME_DOUBLE reply (4-byte RISC pad)', () => {
    expect(encode((w) => writeReadNotifyRequest(w, 20, 1, 0x10, 5))).toEqual(V.libcaReadNotify);
    expect(decodeClientMessage(frameOne(V.libcaReadNotify))).toEqual({ kind: 'READ_NOTIFY', type: 20, count: 1, sid: 0x10, ioid: 5 });

    const snap = snapshot({ value: 3.25, secPastEpoch: SEC, nsec: NSEC });
    expect(encode((w) => writeReadNotifyReply(w, 20, 1, ECA.NORMAL, 5, snap))).toEqual(V.rsrvTimeDouble);
    expect(msg({ cmd: 15, dtype: 20, count: 1, p1: 1, p2: 5 }, cat(dbr.time(0, 0, SEC, NSEC), zeros(4), f64(3.25)))).toEqual(V.rsrvTimeDouble);
    const d = decodeServerMessage(frameOne(V.rsrvTimeDouble));
    expect(d).toEqual({
      kind: 'READ_NOTIFY',
      type: 20,
      count: 1,
      status: ECA.NORMAL,
      ioid: 5,
      dbr: { type: 20, base: DbrBase.DOUBLE, cls: 2, status: 0, severity: 0, secPastEpoch: SEC, nsec: NSEC, value: [3.25] },
    });
  });

  it('DBR_CTRL_DOUBLE with precision, units and all eight limits', () => {
    const snap = snapshot({ value: 8, precision: 3, units: 'mm', limits });
    expect(encode((w) => writeReadNotifyReply(w, 34, 1, ECA.NORMAL, 6, snap))).toEqual(V.rsrvCtrlDouble);
    const built = msg(
      { cmd: 15, dtype: 34, count: 1, p1: 1, p2: 6 },
      cat(dbr.sts(0, 0), i16(3), i16(0), fixed('mm', 8), ...[100, -100, 90, 80, -80, -90, 95, -95, 8].map(f64)),
    );
    expect(built).toEqual(V.rsrvCtrlDouble);
    const d = decodeServerMessage(frameOne(V.rsrvCtrlDouble));
    expect(d.kind === 'READ_NOTIFY' && d.dbr).toEqual({
      type: 34,
      base: DbrBase.DOUBLE,
      cls: 4,
      status: 0,
      severity: 0,
      precision: 3,
      units: 'mm',
      limits,
      value: [8],
    });
  });

  it('DBR_GR_ENUM with state strings', () => {
    const snap = snapshot({
      nativeType: DbrBase.ENUM,
      value: 1,
      enumStrings: ['Off', 'On'],
      status: AlarmStatus.STATE,
      severity: Severity.MINOR,
    });
    expect(encode((w) => writeReadNotifyReply(w, 24, 1, ECA.NORMAL, 7, snap))).toEqual(V.rsrvGrEnum);
    const strs = cat(fixed('Off', 26), fixed('On', 26), zeros(14 * 26));
    expect(msg({ cmd: 15, dtype: 24, count: 1, p1: 1, p2: 7 }, cat(dbr.sts(7, 1), i16(2), strs, u16(1)))).toEqual(V.rsrvGrEnum);
    const d = decodeServerMessage(frameOne(V.rsrvGrEnum));
    expect(d.kind === 'READ_NOTIFY' && d.dbr).toEqual({
      type: 24,
      base: DbrBase.ENUM,
      cls: 3,
      status: 7,
      severity: 1,
      enumStrings: ['Off', 'On'],
      value: [1],
    });
  });

  it('DBR_STS_CHAR: one RISC pad byte, payload padded from 6 to 8', () => {
    const snap = snapshot({ nativeType: DbrBase.CHAR, value: 0x41 });
    expect(encode((w) => writeReadNotifyReply(w, 11, 1, ECA.NORMAL, 8, snap))).toEqual(V.rsrvStsChar);
    expect(msg({ cmd: 15, dtype: 11, count: 1, p1: 1, p2: 8 }, cat(dbr.sts(0, 0), u8(0), u8(0x41)))).toEqual(V.rsrvStsChar);
    const d = decodeServerMessage(frameOne(V.rsrvStsChar));
    expect(d.kind === 'READ_NOTIFY' && d.dbr?.value).toEqual([0x41]);
  });

  it('DBR_TIME_SHORT (2-byte pad) and DBR_TIME_CHAR in a monitor update (3-byte pad)', () => {
    const short = snapshot({ nativeType: DbrBase.SHORT, value: -2, secPastEpoch: SEC, nsec: NSEC });
    expect(encode((w) => writeReadNotifyReply(w, 15, 1, ECA.NORMAL, 9, short))).toEqual(V.rsrvTimeShort);
    expect(msg({ cmd: 15, dtype: 15, count: 1, p1: 1, p2: 9 }, cat(dbr.time(0, 0, SEC, NSEC), zeros(2), i16(-2)))).toEqual(V.rsrvTimeShort);

    const char = snapshot({ nativeType: DbrBase.CHAR, value: 200, secPastEpoch: SEC, nsec: NSEC, status: 3, severity: 2 });
    expect(encode((w) => writeEventAddReply(w, 18, 1, ECA.NORMAL, 3, char))).toEqual(V.rsrvTimeCharEvent);
    expect(msg({ cmd: 1, dtype: 18, count: 1, p1: 1, p2: 3 }, cat(dbr.time(3, 2, SEC, NSEC), zeros(3), u8(200)))).toEqual(V.rsrvTimeCharEvent);
    const d = decodeServerMessage(frameOne(V.rsrvTimeCharEvent));
    expect(d).toMatchObject({ kind: 'EVENT_ADD', status: 1, subid: 3, dbr: { status: 3, severity: 2, secPastEpoch: SEC, nsec: NSEC, value: [200] } });
  });

  it('extended header: count >= 0xFFFF with no payload', () => {
    expect(encode((w) => writeCreateChanReply(w, DbrBase.DOUBLE, 100000, 2, 0x11))).toEqual(V.rsrvCreateChanBigCount);
    expect(extMsg({ cmd: 18, dtype: 6, count: 100000, p1: 2, p2: 0x11 })).toEqual(V.rsrvCreateChanBigCount);
    expect(decodeServerMessage(frameOne(V.rsrvCreateChanBigCount))).toEqual({ kind: 'CREATE_CHAN', nativeType: 6, count: 100000, cid: 2, sid: 0x11 });

    expect(encode((w) => writeWriteNotifyReply(w, DbrBase.DOUBLE, 100000, ECA.NORMAL, 10))).toEqual(V.rsrvWriteNotifyBigCount);
    expect(decodeServerMessage(frameOne(V.rsrvWriteNotifyBigCount))).toEqual({ kind: 'WRITE_NOTIFY', type: 6, count: 100000, status: 1, ioid: 10 });
  });

  it('extended header: a 100000-element DBR_DOUBLE array (800000 bytes)', () => {
    const values = Float64Array.from({ length: 100000 }, (_, i) => i * 0.5 - 7);
    const snap = snapshot({ value: values });
    const bytes = encode((w) => writeReadNotifyReply(w, DbrBase.DOUBLE, 100000, ECA.NORMAL, 9, snap));
    expect(bytes.length).toBe(24 + 800000);
    expect(bytes.subarray(0, 24)).toEqual(bigArrayHeader);
    // Spot-check elements at independent offsets (first, 12345th, last).
    expect(bytes.readDoubleBE(24)).toBe(-7);
    expect(bytes.readDoubleBE(24 + 12345 * 8)).toBe(12345 * 0.5 - 7);
    expect(bytes.readDoubleBE(24 + 99999 * 8)).toBe(99999 * 0.5 - 7);
    const built = extMsg({ cmd: 15, dtype: 6, count: 100000, p1: 1, p2: 9 }, Buffer.concat(Array.from(values, f64)));
    expect(bytes.equals(built)).toBe(true);

    const m = frameOne(bytes);
    expect(m.payloadSize).toBe(800000);
    expect(m.dataCount).toBe(100000);
    const d = decodeServerMessage(m);
    expect(d.kind === 'READ_NOTIFY' && d.dbr?.value.length).toBe(100000);
    expect(d.kind === 'READ_NOTIFY' && (d.dbr?.value as number[])[99999]).toBe(99999 * 0.5 - 7);
  });

  it('ERROR quotes the offending header and a NUL-terminated text, padded', () => {
    const offending = V.rsrvError.subarray(16, 32);
    expect(encode((w) => writeError(w, 0xffffffff, ECA.INTERNAL, offending, 'Bad Resource ID'))).toEqual(V.rsrvError);
    expect(msg({ cmd: 11, p1: 0xffffffff, p2: 142 }, cat(msg({ cmd: 15, dtype: 6, count: 1, p1: 0xdead, p2: 5 }), cstr('Bad Resource ID')))).toEqual(V.rsrvError);
    expect(decodeServerMessage(frameOne(V.rsrvError))).toEqual({
      kind: 'ERROR',
      cid: 0xffffffff,
      status: ECA.INTERNAL,
      command: Command.READ_NOTIFY,
      text: 'Bad Resource ID',
    });
  });

  it('beacon', () => {
    expect(encode((w) => writeBeacon(w, 5064, 42))).toEqual(V.rsrvBeacon);
    expect(decodeServerMessage(frameOne(V.rsrvBeacon))).toEqual({ kind: 'RSRV_IS_UP', minor: 13, port: 5064, beaconId: 42, serverAddr: 0 });
  });

  it('libca WRITE_NOTIFY of a DBR_STRING sent as strlen+1 padded to 8 decodes', () => {
    const m = decodeClientMessage(frameOne(V.libcaWriteNotifyShortString));
    expect(m).toMatchObject({ kind: 'WRITE_NOTIFY', type: 0, count: 1, sid: 0x10, ioid: 6 });
    expect(m?.kind === 'WRITE_NOTIFY' && decodeWriteValues(m.type, m.count, m.data)).toEqual(['abc']);
  });

  it('libca EVENT_ADD with count 0 and mask VALUE|ALARM', () => {
    expect(encode((w) => writeEventAddRequest(w, 20, 0, 0x10, 3, 5))).toEqual(V.libcaEventAdd);
    expect(msg({ cmd: 1, dtype: 20, count: 0, p1: 0x10, p2: 3 }, cat(f32(0), f32(0), f32(0), u16(5), u16(0)))).toEqual(V.libcaEventAdd);
    expect(decodeClientMessage(frameOne(V.libcaEventAdd))).toEqual({ kind: 'EVENT_ADD', type: 20, count: 0, sid: 0x10, subid: 3, mask: 5 });
  });
});
