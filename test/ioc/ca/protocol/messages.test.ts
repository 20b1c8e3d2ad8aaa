// Every encoder in messages.ts against bytes built by the independent test builder, and every command
// through decodeClientMessage / decodeServerMessage.
import { describe, expect, it } from 'vitest';
import {
  ByteWriter,
  Command,
  ConversionError,
  DBR_PUT_ACKT,
  DbrBase,
  ECA,
  INADDR_NONE,
  SEARCH_DO_REPLY,
  decodeClientMessage,
  decodeServerMessage,
  decodeWriteValues,
  rewind,
  writeAccessRights,
  writeBeacon,
  writeClearChannel,
  writeClientName,
  writeCreateChFail,
  writeCreateChanReply,
  writeCreateChanRequest,
  writeEcho,
  writeError,
  writeEventAddReply,
  writeEventAddRequest,
  writeEventCancelReply,
  writeEventCancelRequest,
  writeEventsOff,
  writeEventsOn,
  writeHostName,
  writeNotFound,
  writeReadNotifyReply,
  writeReadNotifyRequest,
  writeReadSync,
  writeRepeaterConfirm,
  writeRepeaterRegister,
  writeSearchReply,
  writeSearchRequest,
  writeServerDisconn,
  writeVersion,
  writeWriteNotifyReply,
  writeWriteRequest,
} from '../../../../ioc/ca/protocol/index.js';
import { cat, cstr, extHeader, f32, f64, fixed, hex, i16, i32, msg, u16, u8, zeros } from './bytes.js';
import { encode, frameAll, frameOne, snapshot } from './fixtures.js';

/** Each row: an encoder call, the bytes it must produce (from the test builder), and what decodes. */
interface Row {
  name: string;
  write: (w: ByteWriter) => void;
  bytes: Buffer;
  client?: unknown;
  server?: unknown;
}

const rows: Row[] = [
  {
    name: 'VERSION (TCP, priority 99)',
    write: (w) => writeVersion(w, 99, 13),
    bytes: msg({ cmd: 0, dtype: 99, count: 13 }),
    client: { kind: 'VERSION', priority: 99, minor: 13, sequence: 0 },
    server: { kind: 'VERSION', priority: 99, minor: 13, sequence: 0 },
  },
  {
    name: 'SEARCH request, DO_REPLY, 8-char name needs a second 8-byte block for the NUL',
    write: (w) => writeSearchRequest(w, 'ABCDEFGH', 77, SEARCH_DO_REPLY, 11),
    bytes: msg({ cmd: 6, dtype: 10, count: 11, p1: 77, p2: 77 }, cstr('ABCDEFGH')),
    client: { kind: 'SEARCH', reply: 10, minor: 11, cid: 77, name: 'ABCDEFGH' },
  },
  {
    name: 'SEARCH reply over TCP (no version payload, explicit address)',
    write: (w) => writeSearchReply(w, 5070, 9, 0x7f000001, false),
    bytes: msg({ cmd: 6, dtype: 5070, p1: 0x7f000001, p2: 9 }),
    server: { kind: 'SEARCH', port: 5070, serverAddr: 0x7f000001, cid: 9, minor: 0 },
  },
  {
    name: 'NOT_FOUND echoes the search header',
    write: (w) => writeNotFound(w, SEARCH_DO_REPLY, 13, 0x1234),
    bytes: msg({ cmd: 14, dtype: 10, count: 13, p1: 0x1234, p2: 0x1234 }),
    server: { kind: 'NOT_FOUND', cid: 0x1234 },
  },
  {
    name: 'CLIENT_NAME',
    write: (w) => writeClientName(w, 'alice'),
    bytes: msg({ cmd: 20 }, cstr('alice')),
    client: { kind: 'CLIENT_NAME', name: 'alice' },
  },
  {
    name: 'HOST_NAME',
    write: (w) => writeHostName(w, 'beamline-ws1'),
    bytes: msg({ cmd: 21 }, cstr('beamline-ws1')),
    client: { kind: 'HOST_NAME', name: 'beamline-ws1' },
  },
  {
    name: 'CREATE_CHAN request (empty name still sends the NUL)',
    write: (w) => writeCreateChanRequest(w, '', 5, 12),
    bytes: msg({ cmd: 18, p1: 5, p2: 12 }, cstr('')),
    client: { kind: 'CREATE_CHAN', cid: 5, minor: 12, name: '' },
  },
  {
    name: 'CREATE_CHAN reply',
    write: (w) => writeCreateChanReply(w, DbrBase.ENUM, 1, 5, 0xabcdef01),
    bytes: msg({ cmd: 18, dtype: 3, count: 1, p1: 5, p2: 0xabcdef01 }),
    server: { kind: 'CREATE_CHAN', nativeType: 3, count: 1, cid: 5, sid: 0xabcdef01 },
  },
  {
    name: 'CREATE_CH_FAIL',
    write: (w) => writeCreateChFail(w, 6),
    bytes: msg({ cmd: 26, p1: 6 }),
    server: { kind: 'CREATE_CH_FAIL', cid: 6 },
  },
  {
    name: 'ACCESS_RIGHTS read-only',
    write: (w) => writeAccessRights(w, 7, 1),
    bytes: msg({ cmd: 22, p1: 7, p2: 1 }),
    server: { kind: 'ACCESS_RIGHTS', cid: 7, rights: 1 },
  },
  {
    name: 'READ_NOTIFY request',
    write: (w) => writeReadNotifyRequest(w, 34, 0, 3, 4),
    bytes: msg({ cmd: 15, dtype: 34, count: 0, p1: 3, p2: 4 }),
    client: { kind: 'READ_NOTIFY', type: 34, count: 0, sid: 3, ioid: 4 },
  },
  {
    name: 'READ_NOTIFY reply DBR_LONG array of 3 (12 bytes padded to 16)',
    write: (w) => writeReadNotifyReply(w, DbrBase.LONG, 3, ECA.NORMAL, 4, snapshot({ nativeType: DbrBase.LONG, value: [1, -2, 3] })),
    bytes: msg({ cmd: 15, dtype: 5, count: 3, p1: 1, p2: 4 }, cat(i32(1), i32(-2), i32(3))),
    server: {
      kind: 'READ_NOTIFY',
      type: 5,
      count: 3,
      status: 1,
      ioid: 4,
      dbr: { type: 5, base: DbrBase.LONG, cls: 0, value: [1, -2, 3] },
    },
  },
  {
    name: 'READ_NOTIFY failure: ECA_NORDACCESS with a zeroed payload of the requested size',
    write: (w) => writeReadNotifyReply(w, 20, 1, ECA.NORDACCESS, 4, undefined),
    bytes: msg({ cmd: 15, dtype: 20, count: 1, p1: 368, p2: 4 }, zeros(24)),
    server: {
      kind: 'READ_NOTIFY',
      type: 20,
      count: 1,
      status: 368,
      ioid: 4,
      dbr: { type: 20, base: DbrBase.DOUBLE, cls: 2, status: 0, severity: 0, secPastEpoch: 0, nsec: 0, value: [0] },
    },
  },
  {
    name: 'EVENT_ADD request',
    write: (w) => writeEventAddRequest(w, 6, 1, 8, 9, 0x0f),
    bytes: msg({ cmd: 1, dtype: 6, count: 1, p1: 8, p2: 9 }, cat(f32(0), f32(0), f32(0), u16(15), u16(0))),
    client: { kind: 'EVENT_ADD', type: 6, count: 1, sid: 8, subid: 9, mask: 15 },
  },
  {
    name: 'EVENT_ADD update DBR_STS_SHORT',
    write: (w) => writeEventAddReply(w, 8, 1, ECA.NORMAL, 9, snapshot({ nativeType: DbrBase.SHORT, value: -300, status: 6, severity: 1 })),
    bytes: msg({ cmd: 1, dtype: 8, count: 1, p1: 1, p2: 9 }, cat(i16(6), i16(1), i16(-300))),
    server: { kind: 'EVENT_ADD', type: 8, count: 1, status: 1, subid: 9, dbr: { type: 8, base: 1, cls: 1, status: 6, severity: 1, value: [-300] } },
  },
  {
    name: 'EVENT_CANCEL request',
    write: (w) => writeEventCancelRequest(w, 6, 1, 8, 9),
    bytes: msg({ cmd: 2, dtype: 6, count: 1, p1: 8, p2: 9 }),
    client: { kind: 'EVENT_CANCEL', type: 6, count: 1, sid: 8, subid: 9 },
  },
  {
    name: 'EVENT_CANCEL confirmation is an empty EVENT_ADD',
    write: (w) => writeEventCancelReply(w, 6, 1, 8, 9),
    bytes: msg({ cmd: 1, dtype: 6, count: 1, p1: 8, p2: 9 }),
    server: { kind: 'EVENT_ADD', type: 6, count: 1, status: 8, subid: 9, dbr: undefined },
  },
  {
    name: 'WRITE DBR_DOUBLE array',
    write: (w) => writeWriteRequest(w, false, DbrBase.DOUBLE, 0x10, 0, [1.5, -0.5]),
    bytes: msg({ cmd: 4, dtype: 6, count: 2, p1: 0x10 }, cat(f64(1.5), f64(-0.5))),
    client: { kind: 'WRITE', type: 6, count: 2, sid: 0x10, ioid: 0, data: cat(f64(1.5), f64(-0.5)) },
  },
  {
    name: 'WRITE_NOTIFY DBR_STRING (full 40-byte element)',
    write: (w) => writeWriteRequest(w, true, DbrBase.STRING, 0x10, 77, ['hello']),
    bytes: msg({ cmd: 19, dtype: 0, count: 1, p1: 0x10, p2: 77 }, fixed('hello', 40)),
    client: { kind: 'WRITE_NOTIFY', type: 0, count: 1, sid: 0x10, ioid: 77, data: fixed('hello', 40) },
  },
  {
    name: 'WRITE_NOTIFY DBR_CHAR (3 bytes padded to 8)',
    write: (w) => writeWriteRequest(w, true, DbrBase.CHAR, 1, 2, [1, 2, 255]),
    bytes: msg({ cmd: 19, dtype: 4, count: 3, p1: 1, p2: 2 }, cat(u8(1), u8(2), u8(255))),
    client: { kind: 'WRITE_NOTIFY', type: 4, count: 3, sid: 1, ioid: 2, data: hex('0102ff0000000000') },
  },
  {
    name: 'WRITE DBR_PUT_ACKT (u16)',
    write: (w) => writeWriteRequest(w, false, DBR_PUT_ACKT, 1, 0, [1]),
    bytes: msg({ cmd: 4, dtype: 35, count: 1, p1: 1 }, u16(1)),
    client: { kind: 'WRITE', type: 35, count: 1, sid: 1, ioid: 0, data: hex('0001000000000000') },
  },
  {
    name: 'WRITE_NOTIFY reply ECA_PUTFAIL',
    write: (w) => writeWriteNotifyReply(w, 6, 1, ECA.PUTFAIL, 77),
    bytes: msg({ cmd: 19, dtype: 6, count: 1, p1: 160, p2: 77 }),
    server: { kind: 'WRITE_NOTIFY', type: 6, count: 1, status: 160, ioid: 77 },
  },
  {
    name: 'CLEAR_CHANNEL (request and echoed reply share the layout)',
    write: (w) => writeClearChannel(w, 0x10, 1),
    bytes: msg({ cmd: 12, p1: 0x10, p2: 1 }),
    client: { kind: 'CLEAR_CHANNEL', sid: 0x10, cid: 1 },
    server: { kind: 'CLEAR_CHANNEL', sid: 0x10, cid: 1 },
  },
  { name: 'ECHO', write: writeEcho, bytes: msg({ cmd: 23 }), client: { kind: 'ECHO' }, server: { kind: 'ECHO' } },
  { name: 'EVENTS_OFF', write: writeEventsOff, bytes: msg({ cmd: 8 }), client: { kind: 'EVENTS_OFF' } },
  { name: 'EVENTS_ON', write: writeEventsOn, bytes: msg({ cmd: 9 }), client: { kind: 'EVENTS_ON' } },
  { name: 'READ_SYNC', write: writeReadSync, bytes: msg({ cmd: 10 }), client: { kind: 'READ_SYNC' } },
  {
    name: 'SERVER_DISCONN',
    write: (w) => writeServerDisconn(w, 3),
    bytes: msg({ cmd: 27, p1: 3 }),
    server: { kind: 'SERVER_DISCONN', cid: 3 },
  },
  {
    name: 'ERROR with an empty text still carries the NUL',
    write: (w) => writeError(w, 4, ECA.BADMONID, msg({ cmd: 2, dtype: 6, count: 1, p1: 8, p2: 99 }), ''),
    bytes: msg({ cmd: 11, p1: 4, p2: 242 }, cat(msg({ cmd: 2, dtype: 6, count: 1, p1: 8, p2: 99 }), u8(0))),
    server: { kind: 'ERROR', cid: 4, status: 242, command: Command.EVENT_CANCEL, text: '' },
  },
  {
    name: 'RSRV_IS_UP beacon with a server address',
    write: (w) => writeBeacon(w, 5064, 0xffffffff, 0x0a000001),
    bytes: msg({ cmd: 13, dtype: 13, count: 5064, p1: 0xffffffff, p2: 0x0a000001 }),
    server: { kind: 'RSRV_IS_UP', minor: 13, port: 5064, beaconId: 0xffffffff, serverAddr: 0x0a000001 },
  },
  {
    name: 'REPEATER_REGISTER',
    write: (w) => writeRepeaterRegister(w, 0x7f000001),
    bytes: msg({ cmd: 24, p2: 0x7f000001 }),
    client: { kind: 'REPEATER_REGISTER', clientAddr: 0x7f000001 },
  },
  {
    name: 'REPEATER_CONFIRM',
    write: (w) => writeRepeaterConfirm(w, 0x7f000001),
    bytes: msg({ cmd: 17, p2: 0x7f000001 }),
    server: { kind: 'REPEATER_CONFIRM', repeaterAddr: 0x7f000001 },
  },
];

describe('encoders produce the builder bytes; decoders read them back', () => {
  for (const row of rows) {
    it(row.name, () => {
      const bytes = encode(row.write);
      expect(bytes).toEqual(row.bytes);
      expect(bytes.length % 8).toBe(0);
      const m = frameOne(bytes);
      if (row.client !== undefined) expect(decodeClientMessage(m)).toEqual(row.client);
      if (row.server !== undefined) expect(decodeServerMessage(m)).toEqual(row.server);
    });
  }

  it('every command code is exercised by some encoder (except the obsolete and unknown ones)', () => {
    const seen = new Set(rows.map((r) => r.bytes.readUInt16BE(0)));
    const obsolete = [Command.SNAPSHOT, Command.BUILD, Command.READ_BUILD, Command.SIGNAL, Command.READ];
    for (const code of Object.values(Command)) {
      if (!obsolete.includes(code as never)) expect(seen.has(code), `command ${code}`).toBe(true);
    }
  });

  it('messages appended to one writer frame back in order', () => {
    const w = new ByteWriter(8); // tiny on purpose: forces growth
    for (const row of rows) row.write(w);
    const all = frameAll(w.take());
    expect(all.map((m) => m.command)).toEqual(rows.map((r) => r.bytes.readUInt16BE(0)));
  });
});

describe('decodeClientMessage specifics', () => {
  it('READ (deprecated) decodes like READ_NOTIFY with its own kind', () => {
    expect(decodeClientMessage(frameOne(msg({ cmd: 3, dtype: 0, count: 1, p1: 2, p2: 3 })))).toEqual({
      kind: 'READ',
      type: 0,
      count: 1,
      sid: 2,
      ioid: 3,
    });
  });

  it('EVENT_ADD with a payload shorter than 16 bytes is malformed', () => {
    expect(decodeClientMessage(frameOne(msg({ cmd: 1, dtype: 6, count: 1, p1: 1, p2: 2 }, zeros(8))))).toBeUndefined();
    expect(decodeClientMessage(frameOne(msg({ cmd: 1, dtype: 6, count: 1, p1: 1, p2: 2 })))).toBeUndefined();
  });

  it('obsolete and unknown commands decode as UNKNOWN (the server decides what to do)', () => {
    for (const cmd of [5, 7, 16, 25, 11, 28, 0xffff]) {
      expect(decodeClientMessage(frameOne(msg({ cmd })))).toEqual({ kind: 'UNKNOWN', command: cmd });
    }
  });

  it('a name payload without a NUL is taken up to the end of the payload', () => {
    expect(decodeClientMessage(frameOne(msg({ cmd: 20 }, Buffer.from('ABCDEFGH'))))).toEqual({ kind: 'CLIENT_NAME', name: 'ABCDEFGH' });
  });

  it('names are latin1, byte for byte', () => {
    const name = 'caf\u00e9:\u00b5m';
    const m = decodeClientMessage(frameOne(encode((w) => writeSearchRequest(w, name, 1))));
    expect(m).toMatchObject({ kind: 'SEARCH', name });
  });
});

describe('decodeServerMessage specifics', () => {
  it('search reply without the minor payload reports minor 0', () => {
    expect(decodeServerMessage(frameOne(msg({ cmd: 6, dtype: 5064, p1: INADDR_NONE, p2: 1 })))).toMatchObject({ minor: 0 });
  });

  it('READ_NOTIFY reply with a truncated payload keeps the header and reports dbr undefined', () => {
    const m = decodeServerMessage(frameOne(msg({ cmd: 15, dtype: 6, count: 2, p1: 1, p2: 1 }, f64(1))));
    expect(m).toEqual({ kind: 'READ_NOTIFY', type: 6, count: 2, status: 1, ioid: 1, dbr: undefined });
  });

  it('ERROR with only the quoted header has empty text', () => {
    const m = decodeServerMessage(frameOne(msg({ cmd: 11, p1: 1, p2: 114 }, msg({ cmd: 4, dtype: 99 }))));
    expect(m).toEqual({ kind: 'ERROR', cid: 1, status: 114, command: 4, text: '' });
  });

  // RSRV vsend_err quotes a request that needed the extended header with all 24 bytes; libca's
  // exceptionRespAction then skips the two extra words before the text.
  it('ERROR quoting an extended request header keeps all 24 bytes, and the text follows them', () => {
    const quoted = extHeader({ cmd: Command.WRITE, dtype: 6, p1: 1, p2: 2, size: 0xfffffff8, count: 0x1fffffff });
    const bytes = encode((w) => writeError(w, 0xffffffff, ECA.TOLARGE, quoted, 'too large'));
    expect(bytes).toEqual(msg({ cmd: 11, p1: 0xffffffff, p2: ECA.TOLARGE }, cat(quoted, cstr('too large'))));
    expect(decodeServerMessage(frameOne(bytes))).toEqual({
      kind: 'ERROR',
      cid: 0xffffffff,
      status: ECA.TOLARGE,
      command: Command.WRITE,
      text: 'too large',
    });
  });

  it('unknown server commands decode as UNKNOWN', () => {
    for (const cmd of [2, 4, 5, 8, 20, 24, 28]) {
      expect(decodeServerMessage(frameOne(msg({ cmd })))).toEqual({ kind: 'UNKNOWN', command: cmd });
    }
  });
});

describe('decodeWriteValues', () => {
  it('reads plain values of each base type', () => {
    expect(decodeWriteValues(0, 2, cat(fixed('a', 40), fixed('bc', 40)))).toEqual(['a', 'bc']);
    expect(decodeWriteValues(1, 2, cat(i16(-1), i16(7)))).toEqual([-1, 7]);
    expect(decodeWriteValues(2, 1, f32(0.25))).toEqual([0.25]);
    expect(decodeWriteValues(3, 1, u16(65535))).toEqual([65535]);
    expect(decodeWriteValues(4, 2, cat(u8(0), u8(255)))).toEqual([0, 255]);
    expect(decodeWriteValues(5, 1, i32(-5))).toEqual([-5]);
    expect(decodeWriteValues(6, 1, f64(Math.E))).toEqual([Math.E]);
    expect(decodeWriteValues(36, 1, u16(2))).toEqual([2]);
  });

  it('a short DBR_STRING (strlen+1 padded to 8) decodes, including a 7-char string filling the block', () => {
    expect(decodeWriteValues(0, 1, Buffer.from('abcdefg\0'))).toEqual(['abcdefg']);
    expect(decodeWriteValues(0, 1, hex('3132330000000000'))).toEqual(['123']);
  });

  it('too short a numeric payload is undefined', () => {
    expect(decodeWriteValues(6, 2, f64(1))).toBeUndefined();
    expect(decodeWriteValues(5, 1, Buffer.alloc(2))).toBeUndefined();
    expect(decodeWriteValues(0, 1, Buffer.alloc(0))).toBeUndefined();
  });

  it('an invalid type is undefined', () => {
    expect(decodeWriteValues(39, 1, zeros(8))).toBeUndefined();
  });
});

describe('failed encodes leave the writer clean', () => {
  it('a conversion failure in a READ_NOTIFY reply drops the whole message, header included', () => {
    const w = new ByteWriter(16);
    writeEcho(w);
    const bad = snapshot({ nativeType: DbrBase.STRING, value: 'not a number' });
    expect(() => writeReadNotifyReply(w, DbrBase.DOUBLE, 1, ECA.NORMAL, 1, bad)).toThrow(ConversionError);
    expect(() => writeEventAddReply(w, 20, 1, ECA.NORMAL, 1, bad)).toThrow(ConversionError);
    writeEventsOn(w);
    expect(w.take()).toEqual(cat(msg({ cmd: 23 }), msg({ cmd: 9 })));
  });

  it('rewind() abandons a begun message', () => {
    const w = new ByteWriter();
    writeEcho(w);
    const s = w.begin();
    w.u32(0xdeadbeef);
    rewind(w, s);
    expect(w.take()).toEqual(msg({ cmd: 23 }));
  });

  it('a write-only DBR type cannot be read', () => {
    expect(() => encode((w) => writeReadNotifyReply(w, DBR_PUT_ACKT, 1, 1, 1, snapshot()))).toThrow(RangeError);
  });
});
