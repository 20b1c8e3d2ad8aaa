// Malformed input: truncated, unpadded, oversized and random messages to circuits and to the UDP port.
// The server answers with the CA error RSRV gives where the protocol has one, closes the offending
// circuit when RSRV would, and after every case still serves a fresh client while an already connected
// one (with a live subscription) is unaffected.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CA_MINOR_VERSION, Command, DBE, ECA, SEARCH_DO_REPLY, SEARCH_DONT_REPLY } from '../../../../ioc/ca/protocol/constants.js';
import { DbrBase } from '../../../../ioc/ca/protocol/dbr-types.js';
import {
  writeClearChannel,
  writeClientName,
  writeCreateChanRequest,
  writeEcho,
  writeEventAddRequest,
  writeEventCancelRequest,
  writeEventsOff,
  writeEventsOn,
  writeReadNotifyRequest,
  writeSearchRequest,
  writeVersion,
  writeWriteRequest,
} from '../../../../ioc/ca/protocol/messages.js';
import { Framer } from '../../../../ioc/ca/protocol/framer.js';
import { startTestServer, quietLogger, type TestServer } from '../../../helpers/ca-server.js';
import { build, RawCircuit, seededRandom, UdpProbe, type Channel } from '../../../helpers/ca-raw.js';

const MAX_ARRAY_BYTES = 16384;
const hdr = (cmd: number, size: number, type: number, count: number, p1: number, p2: number): Buffer => {
  const b = Buffer.alloc(16);
  b.writeUInt16BE(cmd, 0);
  b.writeUInt16BE(size, 2);
  b.writeUInt16BE(type, 4);
  b.writeUInt16BE(count, 6);
  b.writeUInt32BE(p1 >>> 0, 8);
  b.writeUInt32BE(p2 >>> 0, 12);
  return b;
};
const extHdr = (cmd: number, type: number, p1: number, p2: number, size: number, count: number): Buffer => {
  const b = Buffer.alloc(24);
  b.writeUInt16BE(cmd, 0);
  b.writeUInt16BE(0xffff, 2);
  b.writeUInt16BE(type, 4);
  b.writeUInt16BE(0, 6);
  b.writeUInt32BE(p1 >>> 0, 8);
  b.writeUInt32BE(p2 >>> 0, 12);
  b.writeUInt32BE(size >>> 0, 16);
  b.writeUInt32BE(count >>> 0, 20);
  return b;
};

let s: TestServer;
const serverLog: string[] = [];
let bystander: RawCircuit;
let bystanderCh: Channel;
let tick = 0;
const opened: RawCircuit[] = [];

beforeAll(async () => {
  s = await startTestServer(
    (db, p) => {
      db.create(p + 'dbl', { type: DbrBase.DOUBLE, value: 1 });
      db.create(p + 'ticker', { type: DbrBase.LONG, value: 0 });
      db.create(p + 'wf', { type: DbrBase.DOUBLE, value: new Float64Array(10_000), maxCount: 10_000 });
      db.create(p + 'str', { type: DbrBase.STRING, value: 'x' });
      db.create(p + 'enm', { type: DbrBase.ENUM, value: 0, enumStrings: ['a', 'b'] });
    },
    // EPICS_CA_AUTO_ARRAY_BYTES=NO with EPICS_CA_MAX_ARRAY_BYTES=16384.
    { maxArrayBytes: MAX_ARRAY_BYTES },
    { log: quietLogger(serverLog) },
  );
  bystander = await RawCircuit.open(s.server.tcpPort);
  bystanderCh = await bystander.createChannel(s.prefix + 'ticker');
  bystander.request((w) => writeEventAddRequest(w, DbrBase.LONG, 1, bystanderCh.sid, 1, DBE.VALUE));
  await bystander.next((r) => r.command === Command.EVENT_ADD);
});
afterAll(async () => {
  bystander?.close();
  await s?.stop();
});
beforeEach(() => {
  serverLog.length = 0;
});
afterEach(async () => {
  await expectHealthy();
  for (const c of opened.splice(0)) c.close();
});

/** The bystander still gets its monitor updates and answers; a fresh client connects and reads. */
async function expectHealthy(): Promise<void> {
  expect(bystander.isClosed).toBe(false);
  bystander.take();
  s.db.get(s.prefix + 'ticker')!.set(++tick);
  const u = await bystander.next((r) => r.command === Command.EVENT_ADD);
  expect((u.msg as { dbr: { value: number[] } }).dbr.value).toEqual([tick]);
  await bystander.roundTrip();
  const fresh = await RawCircuit.open(s.server.tcpPort);
  try {
    const ch = await fresh.createChannel(s.prefix + 'dbl');
    fresh.request((w) => writeReadNotifyRequest(w, DbrBase.DOUBLE, 1, ch.sid, 1));
    const r = await fresh.next((x) => x.command === Command.READ_NOTIFY);
    expect(r.p1).toBe(ECA.NORMAL);
  } finally {
    fresh.close();
  }
  // No handler threw: protocol errors are warnings, an ERROR line is a server bug.
  expect(serverLog.filter((l) => l.startsWith('ERROR'))).toEqual([]);
}

async function open(): Promise<RawCircuit> {
  const c = await RawCircuit.open(s.server.tcpPort);
  opened.push(c);
  return c;
}

async function errorThenClose(c: RawCircuit, status: number, command: number): Promise<void> {
  const e = await c.next((r) => r.command === Command.ERROR);
  expect(e.msg).toMatchObject({ kind: 'ERROR', status, command });
  await c.waitClosed();
}

describe('truncated and partial messages', () => {
  it('a header split across writes is buffered and then served', async () => {
    const req = build((w) => writeCreateChanRequest(w, s.prefix + 'dbl', 3));
    const d = await open();
    d.send(req.subarray(0, 7));
    d.send(req.subarray(7, 20));
    d.send(req.subarray(20));
    const r = await d.next((x) => x.command === Command.CREATE_CHAN);
    expect(r.p1).toBe(3);
  });

  it('a client that sends half a header, or a header without its payload, and leaves does no harm', async () => {
    const a = await open();
    a.send(hdr(Command.CREATE_CHAN, 64, 0, 0, 1, CA_MINOR_VERSION).subarray(0, 10));
    a.socket.end();
    await a.waitClosed();
    const b = await open();
    b.send(hdr(Command.CREATE_CHAN, 64, 0, 0, 1, CA_MINOR_VERSION));
    b.send(Buffer.from('abc'));
    b.socket.end();
    await b.waitClosed();
  });

  it('a request whose payload is too short for its command → ERROR ECA_INTERNAL, circuit closed', async () => {
    const c = await open();
    const ch = await c.createChannel(s.prefix + 'dbl');
    // EVENT_ADD needs a 16-byte payload (low, high, to, mask); send 8.
    c.send(Buffer.concat([hdr(Command.EVENT_ADD, 8, DbrBase.DOUBLE, 1, ch.sid, 5), Buffer.alloc(8)]));
    await errorThenClose(c, ECA.INTERNAL, Command.EVENT_ADD);
  });

  it('a WRITE whose payload holds fewer elements than its count → error, not a crash', async () => {
    const c = await open();
    const ch = await c.createChannel(s.prefix + 'wf');
    c.send(Buffer.concat([hdr(Command.WRITE_NOTIFY, 16, DbrBase.DOUBLE, 100, ch.sid, 5), Buffer.alloc(16)]));
    const r = await c.next((x) => x.command === Command.ERROR || x.command === Command.WRITE_NOTIFY);
    if (r.command === Command.WRITE_NOTIFY) expect(r.p1).not.toBe(ECA.NORMAL);
    else expect(r.msg).toMatchObject({ status: ECA.INTERNAL });
  });
});

describe('unpadded payloads', () => {
  it('a payload size not a multiple of 8 → ERROR ECA_INTERNAL "Missaligned protocol rejected", circuit closed', async () => {
    const c = await open();
    const name = Buffer.from(s.prefix + 'dbl\0', 'latin1');
    c.send(Buffer.concat([hdr(Command.CREATE_CHAN, name.length, 0, 0, 4, CA_MINOR_VERSION), name]));
    const e = await c.next((r) => r.command === Command.ERROR);
    expect(e.msg).toMatchObject({ status: ECA.INTERNAL, command: Command.CREATE_CHAN });
    expect((e.msg as { text: string }).text).toMatch(/Missaligned/);
    await c.waitClosed();
  });
});

describe('oversized payloads (EPICS_CA_MAX_ARRAY_BYTES=16384, AUTO_ARRAY_BYTES=NO)', () => {
  it('a WRITE larger than the limit → ERROR ECA_TOLARGE, its payload is skipped and the circuit goes on', async () => {
    const c = await open();
    const ch = await c.createChannel(s.prefix + 'wf');
    const size = 20_000;
    c.send(Buffer.concat([hdr(Command.WRITE, size, DbrBase.DOUBLE, size / 8, ch.sid, 0), Buffer.alloc(size, 0x41)]));
    const rs = await c.roundTrip();
    expect(rs.map((r) => r.msg)).toEqual([expect.objectContaining({ kind: 'ERROR', status: ECA.TOLARGE, command: Command.WRITE })]);
    // The circuit still works.
    c.request((w) => writeReadNotifyRequest(w, DbrBase.DOUBLE, 1, ch.sid, 2));
    expect((await c.next((r) => r.command === Command.READ_NOTIFY)).p1).toBe(ECA.NORMAL);
  });

  it('an extended header announcing 4 GB is refused before anything grows', async () => {
    const before = process.memoryUsage().arrayBuffers;
    const c = await open();
    c.send(extHdr(Command.WRITE, DbrBase.DOUBLE, 1, 0, 0xfffffff8, 0x1fffffff));
    c.send(Buffer.alloc(64 * 1024));
    const e = await c.next((r) => r.command === Command.ERROR);
    expect(e.msg).toMatchObject({ status: ECA.TOLARGE, command: Command.WRITE, text: expect.stringContaining('too large') });
    // The extended header is quoted whole (RSRV vsend_err), the text after its 24 bytes.
    expect(e.payload.subarray(0, 24)).toEqual(extHdr(Command.WRITE, DbrBase.DOUBLE, 1, 0, 0xfffffff8, 0x1fffffff));
    c.socket.end();
    await c.waitClosed();
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(256 * 1024 * 1024);
  });

  it('a read whose reply would exceed the limit → ERROR ECA_TOLARGE, circuit kept', async () => {
    const c = await open();
    const ch = await c.createChannel(s.prefix + 'wf');
    c.request((w) => writeReadNotifyRequest(w, DbrBase.DOUBLE, 10_000, ch.sid, 3));
    const rs = await c.roundTrip();
    expect(rs).toHaveLength(1);
    const r = rs[0]!;
    // RSRV answers READ_NOTIFY with status ECA_TOLARGE; an ERROR ECA_TOLARGE is also acceptable to libca.
    if (r.command === Command.READ_NOTIFY) expect([r.p1, r.p2]).toEqual([ECA.TOLARGE, 3]);
    else expect(r.msg).toMatchObject({ kind: 'ERROR', status: ECA.TOLARGE });
    expect(c.isClosed).toBe(false);
  });
});

describe('bad resource ids', () => {
  for (const [what, make, cmd] of [
    ['READ_NOTIFY', () => build((w) => writeReadNotifyRequest(w, DbrBase.DOUBLE, 1, 9999, 1)), Command.READ_NOTIFY],
    ['WRITE', () => build((w) => writeWriteRequest(w, false, DbrBase.DOUBLE, 9999, 0, [1])), Command.WRITE],
    ['WRITE_NOTIFY', () => build((w) => writeWriteRequest(w, true, DbrBase.DOUBLE, 9999, 1, [1])), Command.WRITE_NOTIFY],
    ['EVENT_ADD', () => build((w) => writeEventAddRequest(w, DbrBase.DOUBLE, 1, 9999, 1, DBE.VALUE)), Command.EVENT_ADD],
  ] as const) {
    it(`${what} with an unknown sid → ERROR ECA_INTERNAL (Bad Resource ID) and close`, async () => {
      const c = await open();
      c.send(make());
      await errorThenClose(c, ECA.INTERNAL, cmd);
    });
  }

  it('EVENT_CANCEL of an unknown subscription → ERROR ECA_BADMONID and close', async () => {
    const c = await open();
    const ch = await c.createChannel(s.prefix + 'dbl');
    c.request((w) => writeEventCancelRequest(w, DbrBase.DOUBLE, 1, ch.sid, 4242));
    await errorThenClose(c, ECA.BADMONID, Command.EVENT_CANCEL);
  });

  // RSRV's vsend_err puts the channel's cid in p1 of the ERROR for EVENT_CANCEL (MPTOPCIU(sid) → pciu->cid),
  // after checking the sid (unknown sid → "Bad Resource ID", ECA_INTERNAL).
  it('the ECA_BADMONID error names the channel (p1 = cid), as RSRV does', async () => {
    const c = await open();
    const ch = await c.createChannel(s.prefix + 'dbl', 0x33);
    c.request((w) => writeEventCancelRequest(w, DbrBase.DOUBLE, 1, ch.sid, 4243));
    const e = await c.next((r) => r.command === Command.ERROR);
    expect(e.msg).toMatchObject({ status: ECA.BADMONID, cid: 0x33 });
    await c.waitClosed();
  });

  it('EVENT_CANCEL with an unknown sid → ERROR ECA_INTERNAL (Bad Resource ID) and close, as RSRV', async () => {
    const c = await open();
    const ch = await c.createChannel(s.prefix + 'dbl');
    c.request((w) => writeEventAddRequest(w, DbrBase.DOUBLE, 1, ch.sid, 61, DBE.VALUE));
    await c.next((r) => r.command === Command.EVENT_ADD);
    c.request((w) => writeEventCancelRequest(w, DbrBase.DOUBLE, 1, 9999, 61));
    await errorThenClose(c, ECA.INTERNAL, Command.EVENT_CANCEL);
  });
});

describe('invalid DBR types', () => {
  it('READ_NOTIFY with type 99 → circuit closed without a message', async () => {
    const c = await open();
    const ch = await c.createChannel(s.prefix + 'dbl');
    c.take();
    c.request((w) => writeReadNotifyRequest(w, 99, 1, ch.sid, 1));
    await c.waitClosed();
    expect(c.take().filter((r) => r.command !== Command.ECHO)).toEqual([]);
  });

  it('EVENT_ADD with type 99 → circuit closed without a message', async () => {
    const c = await open();
    const ch = await c.createChannel(s.prefix + 'dbl');
    c.take();
    c.send(Buffer.concat([hdr(Command.EVENT_ADD, 16, 99, 1, ch.sid, 1), Buffer.from('0000000000000000000000000001 0000'.replace(' ', ''), 'hex')]));
    await c.waitClosed();
    expect(c.take()).toEqual([]);
  });

  // A put with a bad type is answered and the circuit kept (the CA server library does so; RSRV hangs up,
  // which black-box conformance tests reject): the client can clear the channel afterwards.
  it('WRITE with type 99, or a TIME type → ERROR ECA_BADTYPE quoting it; the circuit stays and the channel clears', async () => {
    const c = await open();
    const ch = await c.createChannel(s.prefix + 'dbl');
    c.take();
    c.send(Buffer.concat([hdr(Command.WRITE, 8, 99, 1, ch.sid, 0), Buffer.alloc(8)]));
    c.send(Buffer.concat([hdr(Command.WRITE, 24, DbrBase.DOUBLE + 14, 1, ch.sid, 0), Buffer.alloc(24)]));
    c.request((w) => writeClearChannel(w, ch.sid, ch.cid));
    const rs = await c.roundTrip();
    // ERROR quotes the offending header: its command and data type are the payload's first two words.
    const quoted = (r: { payload: Buffer }) => (r.payload.length >= 16 ? [r.payload.readUInt16BE(0), r.payload.readUInt16BE(4)] : []);
    expect(rs.map((r) => [r.command, r.p1, r.p2, ...quoted(r)])).toEqual([
      [Command.ERROR, ch.cid, ECA.BADTYPE, Command.WRITE, 99],
      [Command.ERROR, ch.cid, ECA.BADTYPE, Command.WRITE, DbrBase.DOUBLE + 14],
      [Command.CLEAR_CHANNEL, ch.sid, ch.cid],
    ]);
    expect(c.isClosed).toBe(false);
    expect(s.db.get(s.prefix + 'dbl')!.value).toBe(1);
  });

  it('WRITE_NOTIFY with type 99 → WRITE_NOTIFY ECA_BADTYPE; the circuit stays and the channel clears', async () => {
    const c = await open();
    const ch = await c.createChannel(s.prefix + 'dbl');
    c.take();
    c.send(Buffer.concat([hdr(Command.WRITE_NOTIFY, 8, 99, 1, ch.sid, 6), Buffer.alloc(8)]));
    c.request((w) => writeClearChannel(w, ch.sid, ch.cid));
    const rs = await c.roundTrip();
    expect(rs.map((r) => [r.command, r.dataType, r.p1, r.p2])).toEqual([
      [Command.WRITE_NOTIFY, 99, ECA.BADTYPE, 6],
      [Command.CLEAR_CHANNEL, 0, ch.sid, ch.cid],
    ]);
    expect(c.isClosed).toBe(false);
  });

  it('reads of the write-only DBR_PUT_ACKT close the circuit; CLASS_NAME and STSACK_STRING are served', async () => {
    const c = await open();
    const ch = await c.createChannel(s.prefix + 'dbl');
    c.take();
    c.request((w) => {
      writeReadNotifyRequest(w, 37, 1, ch.sid, 1);
      writeReadNotifyRequest(w, 38, 1, ch.sid, 2);
    });
    const rs = await c.roundTrip();
    expect(rs.map((r) => [r.command, r.p1, r.p2])).toEqual([
      [Command.READ_NOTIFY, ECA.NORMAL, 1],
      [Command.READ_NOTIFY, ECA.NORMAL, 2],
    ]);
    c.request((w) => writeReadNotifyRequest(w, 35, 1, ch.sid, 3));
    await c.waitClosed();
  });
});

describe('unknown and obsolete commands', () => {
  for (const cmd of [77, 5 /* SNAPSHOT */, 7 /* BUILD */, 16 /* READ_BUILD */, 25 /* SIGNAL */, 0xffff]) {
    it(`command ${cmd} → ERROR ECA_INTERNAL and close`, async () => {
      const c = await open();
      c.send(hdr(cmd, 0, 0, 0, 0, 0));
      await errorThenClose(c, ECA.INTERNAL, cmd);
    });
  }
});

describe('random input (seeded fuzz)', () => {
  /** A well-formed request stream to mutate: handshake, channels, reads, writes, monitors. */
  const validStream = (prefix: string): Buffer =>
    build((w) => {
      writeVersion(w, 0, CA_MINOR_VERSION);
      writeClientName(w, 'fuzz');
      writeCreateChanRequest(w, prefix + 'dbl', 1);
      writeCreateChanRequest(w, prefix + 'wf', 2);
      writeCreateChanRequest(w, prefix + 'str', 3);
      writeCreateChanRequest(w, prefix + 'enm', 4);
      for (let sid = 1; sid <= 4; sid++) {
        writeReadNotifyRequest(w, (sid * 5) % 35, 0, sid, sid);
        writeWriteRequest(w, sid % 2 === 0, DbrBase.DOUBLE, sid, sid, [sid]);
        writeEventAddRequest(w, 20, 0, sid, sid, DBE.VALUE | DBE.ALARM);
      }
      writeEventsOff(w);
      writeEventsOn(w);
      writeSearchRequest(w, prefix + 'dbl', 9, SEARCH_DO_REPLY);
      writeEventCancelRequest(w, 20, 0, 1, 1);
      writeEcho(w);
    });

  function mutate(rand: () => number, base: Buffer): Buffer {
    const b = Buffer.from(base);
    const kind = Math.floor(rand() * 4);
    if (kind === 0) {
      // Pure noise.
      const n = 1 + Math.floor(rand() * 300);
      const out = Buffer.alloc(n);
      for (let i = 0; i < n; i++) out[i] = Math.floor(rand() * 256);
      return out;
    }
    if (kind === 1) {
      // Flip bytes in a valid stream (headers included).
      const flips = 1 + Math.floor(rand() * 8);
      for (let i = 0; i < flips; i++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      return b;
    }
    if (kind === 2) {
      // Truncate a valid stream anywhere.
      return b.subarray(0, Math.floor(rand() * b.length));
    }
    // Random headers with plausible commands and a padded payload.
    const parts: Buffer[] = [];
    const n = 1 + Math.floor(rand() * 6);
    for (let i = 0; i < n; i++) {
      const size = Math.floor(rand() * 6) * 8;
      const payload = Buffer.alloc(size);
      for (let j = 0; j < size; j++) payload[j] = Math.floor(rand() * 256);
      const pick = (xs: number[]) => xs[Math.floor(rand() * xs.length)]!;
      parts.push(
        hdr(
          Math.floor(rand() * 30),
          size,
          pick([0, 6, 13, 20, 34, 35, 37, 38, 39, 0xffff, Math.floor(rand() * 65536)]),
          pick([0, 1, 2, 10_000, 0xffff, Math.floor(rand() * 65536)]),
          pick([0, 1, 2, 3, 4, 0xffffffff, Math.floor(rand() * 2 ** 32)]),
          pick([0, 1, 2, 3, 4, Math.floor(rand() * 2 ** 32)]),
        ),
        payload,
      );
    }
    return Buffer.concat(parts);
  }

  it('300 mutated or random streams to fresh circuits: the server stays up and others are unaffected', async () => {
    const rand = seededRandom(0xca5e);
    const base = validStream(s.prefix);
    for (let round = 0; round < 30; round++) {
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          const c = await RawCircuit.connect(s.server.tcpPort);
          const bytes = mutate(rand, base);
          // Sometimes in pieces, to cross the framer's buffering paths.
          let at = 0;
          while (at < bytes.length) {
            const n = rand() < 0.5 ? bytes.length - at : 1 + Math.floor(rand() * 40);
            c.send(bytes.subarray(at, at + n));
            at += n;
          }
          // Half-close: the server ends the circuit (after answering whatever it could).
          c.socket.end();
          await c.waitClosed();
        }),
      );
      if (round % 10 === 9) await expectHealthy();
    }
    // Only the bystander is left (the server may see the last closes a moment after the client does).
    await vi.waitFor(() => expect(s.server.circuitCount).toBe(1));
  });

  // The hostile subscriber: counts far past the PV (200M elements of a 1M-element image once took the
  // server from 75 MB to 1.6 GB), every DBR type, duplicate ids, EVENTS_OFF/ON, reads alongside, never
  // reading a reply, while the device posts frames. EPICS_CA_AUTO_ARRAY_BYTES is on (the default), so
  // only the PV's length bounds a request. Server memory must stay bounded and others served.
  it('hostile subscriptions to a 64k-element image from clients that never read: memory stays bounded', async () => {
    const rand = seededRandom(0x5ab5);
    const IMAGE = 64 * 1024;
    const t = await startTestServer((db, p) => {
      db.create(p + 'image1:ArrayData', { type: DbrBase.CHAR, value: new Uint8Array(IMAGE), maxCount: IMAGE });
      db.create(p + 'dbl', { type: DbrBase.DOUBLE, value: 1 });
    });
    const hostile: RawCircuit[] = [];
    try {
      const image = t.db.get(t.prefix + 'image1:ArrayData')!;
      const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
      const counts = [0, 1, IMAGE, IMAGE + 1, 2 * IMAGE, 200_000_000, 2 ** 31, 2 ** 32 - 1];
      const types = [...Array.from({ length: 35 }, (_, i) => i), 37, 38];
      const base = process.memoryUsage().arrayBuffers;
      let peak = 0;
      const sample = () => (peak = Math.max(peak, process.memoryUsage().arrayBuffers - base));
      for (let k = 0; k < 2; k++) {
        const c = await RawCircuit.open(t.server.tcpPort);
        hostile.push(c);
        const ch = await c.createChannel(t.prefix + 'image1:ArrayData');
        c.socket.pause(); // never read a reply
        const live = new Set<number>();
        for (let burst = 0; burst < 4; burst++) {
          c.request((w) => {
            for (let i = 0; i < 50; i++) {
              const r = rand();
              if (r < 0.7) {
                const subid = Math.floor(rand() * 300);
                live.add(subid);
                writeEventAddRequest(w, pick(types), pick(counts), ch.sid, subid, Math.floor(rand() * 16));
              } else if (r < 0.8 && live.size > 0) {
                const subid = pick([...live]);
                live.delete(subid);
                writeEventCancelRequest(w, DbrBase.CHAR, 0, ch.sid, subid);
              } else if (r < 0.9) {
                writeReadNotifyRequest(w, pick(types.filter((x) => x !== 37)), pick(counts), ch.sid, i);
              } else if (r < 0.95) writeEventsOff(w);
              else writeEventsOn(w);
            }
          });
          for (let f = 0; f < 5; f++) {
            image.set(new Uint8Array(IMAGE).fill(burst * 5 + f));
            await new Promise<void>((r) => setImmediate(r));
            sample();
          }
        }
      }
      // Unbounded, one 200M-element update alone is 200 MB as DBR_CHAR, 8 GB as DBR_STRING; bounded, each
      // circuit holds about the 4 MB high-water mark plus one reply (2.6 MB: the image as DBR_STRING),
      // besides frames not yet collected.
      expect(peak).toBeLessThan(64 * 1024 * 1024);
      // Everyone else is served meanwhile.
      const other = await RawCircuit.open(t.server.tcpPort);
      hostile.push(other);
      const och = await other.createChannel(t.prefix + 'dbl');
      other.request((w) => writeReadNotifyRequest(w, DbrBase.DOUBLE, 1, och.sid, 1));
      expect((await other.next((r) => r.command === Command.READ_NOTIFY)).p1).toBe(ECA.NORMAL);
      // The hostile circuits were held back, not dropped: once they read, their ECHO comes back after
      // everything else (only headers are looked at: decoding every update would take the test long).
      for (const c of hostile.slice(0, 2)) {
        expect(c.isClosed).toBe(false);
        const echoed = new Promise<void>((resolve) => {
          const headers = new Framer({ message: (m) => m.command === Command.ECHO && resolve(), oversized: () => {} }, 2 ** 31);
          c.socket.removeAllListeners('data');
          c.socket.on('data', (chunk: Buffer) => headers.push(chunk));
        });
        c.request(writeEcho);
        c.socket.resume();
        await echoed;
      }
    } finally {
      for (const c of hostile) c.close();
      await t.stop();
    }
  }, 120_000);

  it('300 random datagrams to the UDP port: searches are still answered', async () => {
    const rand = seededRandom(0xd47a);
    const probe = await UdpProbe.open();
    try {
      const good = build((w) => {
        writeVersion(w, 1, CA_MINOR_VERSION, 1);
        writeSearchRequest(w, s.prefix + 'dbl', 1, SEARCH_DONT_REPLY);
        writeSearchRequest(w, s.prefix + 'nope', 2, SEARCH_DO_REPLY);
      });
      const before = s.server.stats.datagrams;
      // In batches of 20, each followed by a well-formed search that must be answered (batches keep the
      // kernel's receive queue from overflowing: a dropped datagram would prove nothing about the server).
      for (let batch = 0; batch < 15; batch++) {
        for (let i = 0; i < 20; i++) await probe.send(mutate(rand, good), s.server.udpPort);
        const cid = 0xfee000 + batch;
        const marker = build((w) => {
          writeVersion(w, 1, CA_MINOR_VERSION, cid);
          writeSearchRequest(w, s.prefix + 'dbl', cid, SEARCH_DONT_REPLY);
        });
        await probe.send(marker, s.server.udpPort);
        const { msgs } = await probe.waitFor((m) => m.some((x) => x.command === Command.SEARCH && x.p2 === cid));
        expect(msgs[0]).toMatchObject({ command: Command.VERSION, p1: cid });
      }
      expect(s.server.stats.datagrams - before).toBe(15 * 21);
    } finally {
      await probe.close();
    }
  });
});
