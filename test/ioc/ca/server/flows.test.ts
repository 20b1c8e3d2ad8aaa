// Golden request/response flows over a raw TCP circuit: what RSRV says, byte for byte where it matters.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AlarmStatus, Command, DBE, ECA, Severity, EPICS_EPOCH_OFFSET } from '../../../../ioc/ca/protocol/constants.js';
import { DbrBase } from '../../../../ioc/ca/protocol/dbr-types.js';
import {
  writeClientName,
  writeClearChannel,
  writeCreateChanRequest,
  writeEcho,
  writeEventAddRequest,
  writeEventCancelRequest,
  writeReadNotifyRequest,
  writeReadSync,
  writeSearchRequest,
  writeWriteRequest,
} from '../../../../ioc/ca/protocol/messages.js';
import { SEARCH_DO_REPLY, SEARCH_DONT_REPLY } from '../../../../ioc/ca/protocol/constants.js';
import { PutError } from '../../../../ioc/db/errors.js';
import type { ServerCircuit } from '../../../../ioc/ca/server/circuit.js';
import { startTestServer, type TestServer } from '../../../helpers/ca-server.js';
import { build, RawCircuit, type Reply } from '../../../helpers/ca-raw.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/[\s|]/g, ''), 'hex');
const f64 = (v: number): string => {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(v);
  return b.toString('hex');
};

let s: TestServer;
let releaseSlow: (() => void) | undefined;
const busyCalls: number[] = [];
const busyRelease: (() => void)[] = [];
const circuits: RawCircuit[] = [];
const seqPuts: number[] = [];
let seqMaxQueued = 0;

beforeAll(async () => {
  s = await startTestServer((db, p) => {
    db.create(p + 'dbl', { type: DbrBase.DOUBLE, value: 1.5, units: 'mm', precision: 3 });
    db.create(p + 'str', { type: DbrBase.STRING, value: 'abc' });
    db.create(p + 'ro', { type: DbrBase.DOUBLE, value: 2, writable: false });
    db.create(p + 'hidden', { type: DbrBase.DOUBLE, value: 3, readable: false });
    db.create(p + 'dyn', { type: DbrBase.LONG, value: [1, 2, 3], maxCount: 10 });
    db.create(p + 'lo', { type: DbrBase.LONG, value: 5 });
    db.create(p + 'wf', { type: DbrBase.DOUBLE, value: new Float64Array(100_000).fill(0.25) });
    db.create(p + 'busy', {
      type: DbrBase.DOUBLE,
      value: 0,
      put: async (pv, v) => {
        busyCalls.push(v as number);
        await new Promise<void>((r) => busyRelease.push(r));
        pv.set(v);
      },
    });
    db.create(p + 'gone', { type: DbrBase.DOUBLE, value: 1 });
    db.create(p + 'seq', {
      type: DbrBase.DOUBLE,
      value: 0,
      put: async (pv, v) => {
        seqPuts.push(v as number);
        // White box: how many put-callbacks the circuits hold back (CaServer keeps them in a private set).
        for (const c of (s.server as unknown as { circuits: Set<ServerCircuit> }).circuits) seqMaxQueued = Math.max(seqMaxQueued, c.queuedPutCallbacks);
        await new Promise<void>((r) => setImmediate(r));
        pv.set(v);
      },
    });
    db.create(p + 'late_fail', {
      type: DbrBase.DOUBLE,
      put: async () => {
        for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
        throw new PutError('hardware said no');
      },
    });
    db.create(p + 'slow', {
      type: DbrBase.DOUBLE,
      value: 0,
      put: async (pv, v) => {
        await new Promise<void>((r) => (releaseSlow = r));
        pv.set(v);
      },
    });
  });
});
afterEach(async () => {
  for (const c of circuits.splice(0)) c.close();
  // Leak check: the server forgets closed circuits and drops their subscriptions.
  await vi.waitFor(() => expect(s.server.circuitCount).toBe(0));
  for (const pv of s.db.values()) expect(pv.updates.observed, pv.name).toBe(false);
});
afterAll(() => s?.stop());

const open = async () => {
  const c = await RawCircuit.open(s.server.tcpPort);
  circuits.push(c);
  return c;
};
const name = (sfx: string) => s.prefix + sfx;

describe('handshake', () => {
  it('sends VERSION {priority 0, minor 13} right after accept, before any request', async () => {
    const c = await RawCircuit.connect(s.server.tcpPort);
    circuits.push(c);
    const v = await c.next();
    expect(v.header).toEqual(hex('0000 0000 0000 000d 00000000 00000000'));
    expect(c.replies).toHaveLength(1);
  });

  it('CREATE_CHAN: ACCESS_RIGHTS first, then CREATE_CHAN {native type, count, cid, sid}', async () => {
    const c = await open();
    c.take();
    c.request((w) => writeCreateChanRequest(w, name('dbl'), 7));
    const replies = await c.roundTrip();
    expect(replies.map((r) => r.header)).toEqual([
      hex('0016 0000 0000 0000 00000007 00000003'),
      hex('0012 0000 0006 0001 00000007 00000001'),
    ]);
  });

  it('access rights: read-only → 1, unreadable → 2', async () => {
    const c = await open();
    expect((await c.createChannel(name('ro'))).rights).toBe(1);
    expect((await c.createChannel(name('hidden'))).rights).toBe(2);
  });

  it('an unknown name → CREATE_CH_FAIL {cid}, circuit stays', async () => {
    const c = await open();
    c.take();
    c.request((w) => writeCreateChanRequest(w, name('nope'), 9));
    const replies = await c.roundTrip();
    expect(replies.map((r) => r.header)).toEqual([hex('001a 0000 0000 0000 00000009 00000000')]);
    expect(c.isClosed).toBe(false);
  });

  it('a 100 000-element channel announces its count in an extended header', async () => {
    const c = await open();
    const ch = await c.createChannel(name('wf'));
    expect(ch.count).toBe(100_000);
    const r = c.replies.find((x) => x.command === Command.CREATE_CHAN)!;
    expect(r.header.length).toBe(24);
  });
});

describe('reads', () => {
  it('READ_NOTIFY DBR_DOUBLE: {cmd 15, size 8, type, count, p1 ECA_NORMAL, p2 ioid} + value', async () => {
    const c = await open();
    const ch = await c.createChannel(name('dbl'));
    c.take();
    c.request((w) => writeReadNotifyRequest(w, DbrBase.DOUBLE, 1, ch.sid, 0x55));
    const [r] = await c.roundTrip();
    expect(Buffer.concat([r!.header, r!.payload])).toEqual(hex(`000f 0008 0006 0001 00000001 00000055 ${f64(1.5)}`));
  });

  it('READ_NOTIFY DBR_TIME_DOUBLE carries the PV timestamp in the EPICS epoch', async () => {
    const c = await open();
    const ch = await c.createChannel(name('dbl'));
    c.take();
    c.request((w) => writeReadNotifyRequest(w, 20, 1, ch.sid, 1));
    const [r] = await c.roundTrip();
    const pv = s.db.get(name('dbl'))!;
    expect(r!.payloadSize).toBe(24);
    expect(r!.msg).toMatchObject({ kind: 'READ_NOTIFY', status: ECA.NORMAL, dbr: { value: [1.5], secPastEpoch: pv.secPastEpoch, nsec: pv.nsec } });
    expect(Math.abs(pv.secPastEpoch + EPICS_EPOCH_OFFSET - Date.now() / 1000)).toBeLessThan(60);
  });

  it('DOUBLE read as DBR_STRING uses PREC; STRING read as DOUBLE fails with ECA_GETFAIL and a zeroed payload', async () => {
    const c = await open();
    const d = await c.createChannel(name('dbl'));
    const t = await c.createChannel(name('str'));
    c.take();
    c.request((w) => {
      writeReadNotifyRequest(w, DbrBase.STRING, 1, d.sid, 1);
      writeReadNotifyRequest(w, DbrBase.DOUBLE, 1, t.sid, 2);
    });
    const [a, b] = await c.roundTrip();
    expect(a!.msg).toMatchObject({ status: ECA.NORMAL, dbr: { value: ['1.500'] } });
    expect(b!.p1).toBe(ECA.GETFAIL);
    expect(b!.p2).toBe(2);
    expect(b!.payload.equals(Buffer.alloc(b!.payload.length))).toBe(true);
    expect(c.isClosed).toBe(false);
  });

  it('an unreadable PV answers READ_NOTIFY with ECA_NORDACCESS and keeps the circuit', async () => {
    const c = await open();
    const ch = await c.createChannel(name('hidden'));
    c.take();
    c.request((w) => writeReadNotifyRequest(w, DbrBase.DOUBLE, 1, ch.sid, 3));
    const [r] = await c.roundTrip();
    expect([r!.command, r!.p1, r!.p2]).toEqual([Command.READ_NOTIFY, ECA.NORDACCESS, 3]);
  });

  it('count 0 gives the current length; a larger count is zero-padded; a smaller one truncated', async () => {
    const c = await open();
    const ch = await c.createChannel(name('dyn'));
    expect(ch.count).toBe(10);
    c.take();
    c.request((w) => {
      writeReadNotifyRequest(w, DbrBase.LONG, 0, ch.sid, 1);
      writeReadNotifyRequest(w, DbrBase.LONG, 5, ch.sid, 2);
      writeReadNotifyRequest(w, DbrBase.LONG, 2, ch.sid, 3);
    });
    const rs = await c.roundTrip();
    expect(rs.map((r) => [r.dataCount, (r.msg as { dbr: { value: number[] } }).dbr.value])).toEqual([
      [3, [1, 2, 3]],
      [5, [1, 2, 3, 0, 0]],
      [2, [1, 2]],
    ]);
  });

  it('reads 100 000 doubles in one reply with an extended header', async () => {
    const c = await open();
    const ch = await c.createChannel(name('wf'));
    c.take();
    c.request((w) => writeReadNotifyRequest(w, DbrBase.DOUBLE, 0, ch.sid, 1));
    const [r] = await c.roundTrip();
    expect(r!.header.length).toBe(24);
    expect(r!.header.readUInt16BE(2)).toBe(0xffff);
    expect(r!.header.readUInt16BE(6)).toBe(0);
    expect([r!.payloadSize, r!.dataCount]).toEqual([800_000, 100_000]);
    const v = (r!.msg as { dbr: { value: number[] } }).dbr.value;
    expect(v.length).toBe(100_000);
    expect(v.every((x) => x === 0.25)).toBe(true);
  });

  it('ECHO and READ_SYNC are answered in order', async () => {
    const c = await open();
    c.take();
    c.request((w) => {
      writeReadSync(w);
      writeEcho(w);
    });
    await c.next((r) => r.command === Command.ECHO);
    expect(c.replies.slice(-2).map((r) => r.command)).toEqual([Command.READ_SYNC, Command.ECHO]);
  });

  it('pipelined requests are answered in order, also when fed one byte at a time', async () => {
    const c = await open();
    const ch = await c.createChannel(name('dyn'));
    const stream = build((w) => {
      for (let i = 0; i < 20; i++) writeReadNotifyRequest(w, DbrBase.LONG, 0, ch.sid, 100 + i);
      writeEcho(w);
    });
    c.take();
    for (let i = 0; i < stream.length; i++) c.send(stream.subarray(i, i + 1));
    await c.next((r) => r.command === Command.ECHO);
    const rs = c.replies.filter((r) => r.command === Command.READ_NOTIFY);
    expect(rs.map((r) => r.p2)).toEqual(Array.from({ length: 20 }, (_, i) => 100 + i));
  });
});

describe('writes', () => {
  it('WRITE is silent and takes effect; WRITE_NOTIFY answers {cmd 19, size 0, type, count, ECA_NORMAL, ioid}', async () => {
    const c = await open();
    const ch = await c.createChannel(name('dbl'));
    c.take();
    c.request((w) => writeWriteRequest(w, false, DbrBase.DOUBLE, ch.sid, 0, [4.5]));
    expect(await c.roundTrip()).toEqual([]);
    expect(s.db.get(name('dbl'))!.value).toBe(4.5);
    c.request((w) => writeWriteRequest(w, true, DbrBase.DOUBLE, ch.sid, 0x77, [5.5]));
    // Completion is reported when the put settles, which may be after later requests are answered.
    const r = await c.next((x) => x.command === Command.WRITE_NOTIFY);
    expect(r.header).toEqual(hex('0013 0000 0006 0001 00000001 00000077'));
    expect(s.db.get(name('dbl'))!.value).toBe(5.5);
  });

  it('a DBR_STRING write of strlen+1 bytes (padded to 8) is accepted', async () => {
    const c = await open();
    const ch = await c.createChannel(name('dbl'));
    c.take();
    // "7.25\0" padded to 8 bytes, not a 40-byte string (what libca sends for count 1).
    c.send(Buffer.concat([hex('0013 0008 0000 0001'), hex(`${ch.sid.toString(16).padStart(8, '0')} 00000009`), Buffer.from('7.25\0\0\0\0', 'latin1')]));
    const r = await c.next((x) => x.command === Command.WRITE_NOTIFY);
    expect([r.command, r.p1, r.p2]).toEqual([Command.WRITE_NOTIFY, ECA.NORMAL, 9]);
    expect(s.db.get(name('dbl'))!.value).toBe(7.25);
  });

  it('read-only: WRITE → ERROR ECA_NOWTACCESS quoting the request; WRITE_NOTIFY → status ECA_NOWTACCESS; circuit stays', async () => {
    const c = await open();
    const ch = await c.createChannel(name('ro'));
    c.take();
    const req = build((w) => writeWriteRequest(w, false, DbrBase.DOUBLE, ch.sid, 0, [9]));
    c.send(req);
    c.request((w) => writeWriteRequest(w, true, DbrBase.DOUBLE, ch.sid, 4, [9]));
    const e = await c.next((x) => x.command === Command.ERROR);
    const n = await c.next((x) => x.command === Command.WRITE_NOTIFY);
    expect(e.msg).toMatchObject({ kind: 'ERROR', cid: ch.cid, status: ECA.NOWTACCESS, command: Command.WRITE });
    expect(e.payload.subarray(0, 16)).toEqual(req.subarray(0, 16));
    expect([n.command, n.p1, n.p2]).toEqual([Command.WRITE_NOTIFY, ECA.NOWTACCESS, 4]);
    expect(s.db.get(name('ro'))!.value).toBe(2);
    expect(c.isClosed).toBe(false);
  });

  // softIoc (pythonSoftIOC's RSRV) answers `caput P:lo abc` on a longout with ERROR ECA_PUTFAIL to WRITE and
  // status ECA_PUTFAIL to WRITE_NOTIFY; EPICS' caput aborts on the ECA_BADTYPE answered here before.
  it('a value that cannot be converted → ECA_PUTFAIL to WRITE and WRITE_NOTIFY; the value is kept, the circuit stays', async () => {
    const c = await open();
    const ch = await c.createChannel(name('lo'));
    c.take();
    const req = build((w) => writeWriteRequest(w, false, DbrBase.STRING, ch.sid, 0, ['abc']));
    c.send(req);
    c.request((w) => writeWriteRequest(w, true, DbrBase.STRING, ch.sid, 8, ['abc']));
    const rs = await c.roundTrip();
    expect(rs.map((r) => [r.command, r.p1, r.p2])).toEqual([
      [Command.ERROR, ch.cid, ECA.PUTFAIL],
      [Command.WRITE_NOTIFY, ECA.PUTFAIL, 8],
    ]);
    expect(rs[0]!.payload.subarray(0, 16)).toEqual(req.subarray(0, 16));
    expect(s.db.get(name('lo'))!.value).toBe(5);
    c.request((w) => writeWriteRequest(w, true, DbrBase.STRING, ch.sid, 9, ['12']));
    const ok = await c.next((x) => x.command === Command.WRITE_NOTIFY);
    expect([ok.p1, ok.p2]).toEqual([ECA.NORMAL, 9]);
    expect(s.db.get(name('lo'))!.value).toBe(12);
  });

  it('a count above the native count → ECA_BADCOUNT', async () => {
    const c = await open();
    const ch = await c.createChannel(name('dbl'));
    c.take();
    c.request((w) => writeWriteRequest(w, true, DbrBase.DOUBLE, ch.sid, 5, [1, 2]));
    const r = await c.next((x) => x.command === Command.WRITE_NOTIFY);
    expect([r.command, r.p1, r.p2]).toEqual([Command.WRITE_NOTIFY, ECA.BADCOUNT, 5]);
  });

  it('WRITE_NOTIFY is answered only when the put handler settles', async () => {
    const c = await open();
    const ch = await c.createChannel(name('slow'));
    c.take();
    c.request((w) => writeWriteRequest(w, true, DbrBase.DOUBLE, ch.sid, 6, [3]));
    // The request was processed (the handler holds it) but no reply yet.
    expect(await c.roundTrip()).toEqual([]);
    expect(releaseSlow).toBeDefined();
    releaseSlow!();
    const r = await c.next((x) => x.command === Command.WRITE_NOTIFY);
    expect([r.p1, r.p2]).toEqual([ECA.NORMAL, 6]);
    expect(s.db.get(name('slow'))!.value).toBe(3);
  });
});

describe('subscriptions', () => {
  const upd = (r: Reply) => (r.msg as { dbr: { value: number[]; status?: number; severity?: number } }).dbr;

  it('EVENT_ADD: the current value at once, then each change; EVENT_CANCEL confirmed by an empty EVENT_ADD', async () => {
    const c = await open();
    const ch = await c.createChannel(name('dbl'));
    const pv = s.db.get(name('dbl'))!;
    pv.set(10);
    c.take();
    c.request((w) => writeEventAddRequest(w, 20, 1, ch.sid, 0x42, DBE.VALUE | DBE.ALARM));
    const first = await c.next();
    expect([first.command, first.p1, first.p2, upd(first).value]).toEqual([Command.EVENT_ADD, ECA.NORMAL, 0x42, [10]]);
    pv.set(11);
    pv.set(12, { status: AlarmStatus.HIGH, severity: Severity.MINOR });
    const [u1, u2] = await Promise.all([c.next(), c.next()]);
    expect([upd(u1).value, upd(u2).value, upd(u2).status, upd(u2).severity]).toEqual([[11], [12], AlarmStatus.HIGH, Severity.MINOR]);
    pv.setAlarm(0, 0);
    c.request((w) => writeEventCancelRequest(w, 20, 1, ch.sid, 0x42));
    const rs = await c.roundTrip();
    expect(rs.map((r) => [r.command, r.payloadSize, r.dataType, r.dataCount, r.p1, r.p2])).toEqual([
      [Command.EVENT_ADD, 24, 20, 1, ECA.NORMAL, 0x42],
      [Command.EVENT_ADD, 0, 20, 1, ch.sid, 0x42],
    ]);
    pv.set(13);
    expect(await c.roundTrip()).toEqual([]);
  });

  // EPICS_CA_AUTO_ARRAY_BYTES is on here (the default): the PV's length is what bounds a subscription.
  it('EVENT_ADD counts past the PV (200M, 2^31, 2^32-1 elements) → ERROR ECA_TOLARGE, nothing sent, cancel confirmed', async () => {
    const c = await open();
    const ch = await c.createChannel(name('wf'));
    const pv = s.db.get(name('wf'))!;
    c.take();
    const huge = [200_000_000, 2 ** 31, 2 ** 32 - 1, 100_001];
    const before = process.memoryUsage().arrayBuffers;
    huge.forEach((n, i) => c.send(build((w) => writeEventAddRequest(w, DbrBase.DOUBLE, n, ch.sid, 0x70 + i, DBE.VALUE))));
    const rs = await c.roundTrip();
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
    expect(rs.map((r) => [r.command, r.p1, r.p2, r.payload.readUInt16BE(0), r.payload.readUInt32BE(12), r.payload.readUInt32BE(20)])).toEqual(
      huge.map((n, i) => [Command.ERROR, ch.cid, ECA.TOLARGE, Command.EVENT_ADD, 0x70 + i, n]),
    );
    pv.set(new Float64Array(100_000).fill(0.5));
    expect(await c.roundTrip()).toEqual([]);
    c.request((w) => huge.forEach((n, i) => writeEventCancelRequest(w, DbrBase.DOUBLE, n, ch.sid, 0x70 + i)));
    const cancels = await c.roundTrip();
    expect(cancels.map((r) => [r.command, r.payloadSize, r.p2])).toEqual(huge.map((_, i) => [Command.EVENT_ADD, 0, 0x70 + i]));
    expect(c.isClosed).toBe(false);
  });

  it('a count past the PV within 16 kB is zero-padded, in reads and updates alike (as RSRV)', async () => {
    const c = await open();
    const ch = await c.createChannel(name('dyn'));
    c.take();
    c.request((w) => {
      writeReadNotifyRequest(w, DbrBase.LONG, 100, ch.sid, 1);
      writeEventAddRequest(w, DbrBase.LONG, 100, ch.sid, 2, DBE.VALUE);
      writeReadNotifyRequest(w, DbrBase.LONG, 5000, ch.sid, 3);
    });
    const rs = await c.roundTrip();
    const padded = [1, 2, 3, ...new Array<number>(97).fill(0)];
    expect(rs.map((r) => [r.command, r.dataCount, r.msg.kind === 'ERROR' ? r.p2 : upd(r).value])).toEqual([
      [Command.READ_NOTIFY, 100, padded],
      [Command.EVENT_ADD, 100, padded],
      [Command.ERROR, 0, ECA.TOLARGE],
    ]);
  });

  it('honours the mask: DBE_ALARM only ignores value changes; DBE_PROPERTY sees metadata changes', async () => {
    const c = await open();
    const ch = await c.createChannel(name('dbl'));
    const pv = s.db.get(name('dbl'))!;
    c.take();
    c.request((w) => {
      writeEventAddRequest(w, 13, 1, ch.sid, 1, DBE.ALARM);
      writeEventAddRequest(w, 34, 1, ch.sid, 2, DBE.PROPERTY);
    });
    expect((await c.roundTrip()).map((r) => r.p2)).toEqual([1, 2]);
    pv.set(pv.value === 20 ? 21 : 20);
    expect(await c.roundTrip()).toEqual([]);
    pv.setAlarm(AlarmStatus.LOW, Severity.MINOR);
    pv.setMeta({ units: 'um' });
    const rs = await c.roundTrip();
    expect(rs.map((r) => r.p2)).toEqual([1, 2]);
    expect(upd(rs[0]!).severity).toBe(Severity.MINOR);
    expect((rs[1]!.msg as { dbr: { units: string } }).dbr.units).toBe('um');
    pv.setAlarm(0, 0);
    pv.setMeta({ units: 'mm' });
  });

  it('count-0 subscriptions follow the current length', async () => {
    const c = await open();
    const ch = await c.createChannel(name('dyn'));
    const pv = s.db.get(name('dyn'))!;
    c.take();
    c.request((w) => writeEventAddRequest(w, DbrBase.LONG, 0, ch.sid, 5, DBE.VALUE));
    await c.next();
    pv.set([9, 8, 7, 6, 5, 4]);
    pv.set([1]);
    const rs = [...(await c.roundTrip())];
    expect(rs.map((r) => [r.dataCount, upd(r).value])).toEqual([
      [6, [9, 8, 7, 6, 5, 4]],
      [1, [1]],
    ]);
    pv.set([1, 2, 3]);
  });

  it('CLEAR_CHANNEL cancels its subscriptions and is echoed {sid, cid}; the sid is then unknown', async () => {
    const c = await open();
    const ch = await c.createChannel(name('dbl'));
    c.request((w) => writeEventAddRequest(w, DbrBase.DOUBLE, 1, ch.sid, 9, DBE.VALUE));
    await c.next((r) => r.command === Command.EVENT_ADD);
    c.take();
    c.request((w) => writeClearChannel(w, ch.sid, ch.cid));
    const [r] = await c.roundTrip();
    expect([r!.command, r!.p1, r!.p2]).toEqual([Command.CLEAR_CHANNEL, ch.sid, ch.cid]);
    s.db.get(name('dbl'))!.set(99);
    expect(await c.roundTrip()).toEqual([]);
  });
});

describe('search over TCP', () => {
  it('found → SEARCH reply {dtype = TCP port, p2 = cid}; not found with DO_REPLY → NOT_FOUND; DONT_REPLY → nothing', async () => {
    const c = await open();
    c.take();
    c.request((w) => {
      writeSearchRequest(w, name('dbl'), 11, SEARCH_DONT_REPLY);
      writeSearchRequest(w, name('nope'), 12, SEARCH_DO_REPLY);
      writeSearchRequest(w, name('nope'), 13, SEARCH_DONT_REPLY);
    });
    const rs = await c.roundTrip();
    expect(rs.map((r) => [r.command, r.dataType, r.p2 === 11 ? 11 : r.p1])).toEqual([
      [Command.SEARCH, s.server.tcpPort, 11],
      [Command.NOT_FOUND, SEARCH_DO_REPLY, 12],
    ]);
  });
});

describe('more RSRV behaviour', () => {
  it('the deprecated READ (cmd 3) is answered with cmd 3 and p1 = cid', async () => {
    const c = await open();
    const ch = await c.createChannel(name('dyn'));
    c.take();
    c.send(hex(`0003 0000 0005 0000 ${ch.sid.toString(16).padStart(8, '0')} 00000031`));
    const [r] = await c.roundTrip();
    expect([r!.command, r!.dataType, r!.p1, r!.p2]).toEqual([Command.READ, DbrBase.LONG, ch.cid, 0x31]);
  });

  it('a PV taken away → SERVER_DISCONN {p1 = cid}; its old sid is then unknown', async () => {
    const c = await open();
    const ch = await c.createChannel(name('gone'));
    c.take();
    s.server.disconnectPv(s.db.get(name('gone'))!);
    const r = await c.next();
    expect([r.command, r.p1]).toEqual([Command.SERVER_DISCONN, ch.cid]);
    c.request((w) => writeReadNotifyRequest(w, DbrBase.DOUBLE, 1, ch.sid, 1));
    const e = await c.next((x) => x.command === Command.ERROR);
    expect(e.msg).toMatchObject({ status: ECA.INTERNAL, command: Command.READ_NOTIFY });
    await c.waitClosed();
  });

  it('a PV taken away: the next channel gets a new sid, so a late request for the old one finds nothing', async () => {
    s.db.create(name('gone2'), { type: DbrBase.DOUBLE, value: 1 });
    s.db.create(name('next2'), { type: DbrBase.DOUBLE, value: 1 });
    const c = await open();
    const ch = await c.createChannel(name('gone2'));
    c.take();
    s.server.disconnectPv(s.db.get(name('gone2'))!);
    expect((await c.next()).command).toBe(Command.SERVER_DISCONN);
    const other = await c.createChannel(name('next2'));
    expect(other.sid).not.toBe(ch.sid);
    c.request((w) => writeWriteRequest(w, false, DbrBase.DOUBLE, ch.sid, 9, [99]));
    const e = await c.next((x) => x.command === Command.ERROR);
    expect(e.msg).toMatchObject({ command: Command.WRITE });
    expect(s.db.get(name('next2'))!.value).toBe(1);
  });

  it('a put-callback whose channel was cleared is never answered', async () => {
    const c = await open();
    const ch = await c.createChannel(name('slow'));
    releaseSlow = undefined;
    c.request((w) => writeWriteRequest(w, true, DbrBase.DOUBLE, ch.sid, 8, [4]));
    await c.roundTrip();
    expect(releaseSlow).toBeDefined();
    c.request((w) => writeClearChannel(w, ch.sid, ch.cid));
    expect((await c.roundTrip()).map((r) => r.command)).toEqual([Command.CLEAR_CHANNEL]);
    releaseSlow!();
    await new Promise<void>((r) => setImmediate(r));
    expect((await c.roundTrip()).map((r) => r.command)).toEqual([]);
  });

  // RSRV runs one put-callback per channel at a time; a second WRITE_NOTIFY on a busy channel waits until
  // the first completes (camessage.c write_notify_action / rsrv_put_notify).
  it('a second WRITE_NOTIFY on a busy channel waits for the first to complete', async () => {
    const c = await open();
    const ch = await c.createChannel(name('busy'));
    busyCalls.length = 0;
    c.request((w) => {
      writeWriteRequest(w, true, DbrBase.DOUBLE, ch.sid, 1, [10]);
      writeWriteRequest(w, true, DbrBase.DOUBLE, ch.sid, 2, [20]);
    });
    try {
      await c.roundTrip();
      expect(busyCalls).toEqual([10]);
      busyRelease.shift()!();
      const first = await c.next((r) => r.command === Command.WRITE_NOTIFY);
      expect([first.p1, first.p2]).toEqual([ECA.NORMAL, 1]);
      await vi.waitFor(() => expect(busyCalls).toEqual([10, 20]));
      busyRelease.shift()!();
      const second = await c.next((r) => r.command === Command.WRITE_NOTIFY);
      expect([second.p1, second.p2]).toEqual([ECA.NORMAL, 2]);
      expect(s.db.get(name('busy'))!.value).toBe(20);
    } finally {
      for (const r of busyRelease.splice(0)) r();
    }
  });

  // libca sync groups send 1000+ WRITE_NOTIFYs back to back; the 1025th used to be refused and libca aborted.
  it('5000 WRITE_NOTIFYs sent at once on one channel all complete, in order; the server reads them as the queue allows', async () => {
    const c = await open();
    const ch = await c.createChannel(name('seq'));
    c.take();
    const N = 5000;
    c.request((w) => {
      for (let i = 1; i <= N; i++) writeWriteRequest(w, true, DbrBase.DOUBLE, ch.sid, i, [i]);
    });
    await c.next((r) => r.command === Command.WRITE_NOTIFY && r.p2 === N);
    const done = c.replies.filter((r) => r.command === Command.WRITE_NOTIFY);
    expect(done.map((r) => r.p2)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    expect(done.every((r) => r.p1 === ECA.NORMAL)).toBe(true);
    expect(seqPuts).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    expect(seqMaxQueued).toBeLessThanOrEqual(1024);
    expect(s.db.get(name('seq'))!.value).toBe(N);
    expect(await c.roundTrip()).toEqual([]);
  });

  it('an asynchronous put failure quotes the WRITE request it belongs to, even after more requests', async () => {
    const c = await open();
    const ch = await c.createChannel(name('late_fail'));
    const d = await c.createChannel(name('dbl'));
    c.take();
    const write = build((w) => writeWriteRequest(w, false, DbrBase.DOUBLE, ch.sid, 0, [1]));
    c.send(write);
    // More requests arrive (and reuse the server's receive buffer) before the put fails.
    for (let i = 0; i < 5; i++) c.request((w) => writeReadNotifyRequest(w, DbrBase.DOUBLE, 1, d.sid, 50 + i));
    const e = await c.next((r) => r.command === Command.ERROR);
    expect(e.msg).toMatchObject({ kind: 'ERROR', cid: ch.cid, status: ECA.PUTFAIL, command: Command.WRITE });
    expect(e.payload.subarray(0, 16)).toEqual(write.subarray(0, 16));
  });

  // RSRV behaviours found by reading camessage.c:
  // - tcp_version_action: a VERSION whose priority (dataType) exceeds CA_PROTO_PRIORITY_MAX (99) →
  //   RSRV_ERROR, the circuit is closed.
  it('VERSION with a priority above 99 closes the circuit (RSRV tcp_version_action)', async () => {
    const c = await open();
    c.send(hex('0000 0000 0064 000d 00000000 00000000')); // priority 100
    // An ECHO after it is answered only if the circuit survived.
    const outcome = await c.roundTrip().then(
      () => 'still open',
      () => 'closed',
    );
    expect(outcome).toBe('closed');
  });

  // - client_name_action / host_name_action: CLIENT_NAME or HOST_NAME after the first channel →
  //   ERROR ECA_INTERNAL "attempts to use protocol to set user name after creating first channel ignored
  //   by server", the name is kept and the circuit stays.
  it('CLIENT_NAME after the first channel is refused with ERROR ECA_INTERNAL and ignored (RSRV)', async () => {
    const c = await open();
    await c.createChannel(name('dbl'));
    c.take();
    c.request((w) => writeClientName(w, 'intruder'));
    const rs = await c.roundTrip();
    expect(rs.map((r) => r.msg)).toEqual([expect.objectContaining({ kind: 'ERROR', status: ECA.INTERNAL, command: Command.CLIENT_NAME })]);
    expect(c.isClosed).toBe(false);
  });

  // - read_action (deprecated READ): a DBR_STRING count-1 reply is cut to strlen + 1 (then padded to 8):
  //   "force string message size to be the true size".
  it('the deprecated READ of DBR_STRING count 1 trims the string to strlen+1, padded (RSRV read_action)', async () => {
    const c = await open();
    const ch = await c.createChannel(name('str'));
    c.take();
    c.send(hex(`0003 0000 0000 0001 ${ch.sid.toString(16).padStart(8, '0')} 00000032`));
    const [r] = await c.roundTrip();
    expect([r!.command, r!.payloadSize]).toEqual([Command.READ, 8]); // "abc\0" padded to 8
    expect(r!.payload.subarray(0, 4).toString('latin1')).toBe('abc\0');
  });

  it('a client announcing minor version 8 (< 4.9) never gets an extended header', async () => {
    const c = await RawCircuit.open(s.server.tcpPort, { minor: 8 });
    circuits.push(c);
    c.take();
    c.request((w) => writeCreateChanRequest(w, name('wf'), 3, 8));
    const rs = await c.roundTrip();
    const r = rs.find((x) => x.command === Command.CREATE_CHAN)!;
    expect(r.header.length).toBe(16);
    expect(r.dataCount).toBe(0xfffe);
  });

  // RSRV's read_reply takes count 0 as "all current elements" whatever the client's version (checked on
  // pythonSoftIOC's RSRV with minor 11: a 10-element waveform holding 3 answers count 3, ECA_NORMAL).
  it('count 0 from a client older than CA 4.13 gets the current length with ECA_NORMAL, as RSRV', async () => {
    const c = await RawCircuit.open(s.server.tcpPort, { minor: 11 });
    circuits.push(c);
    const ch = await c.createChannel(name('dyn'));
    c.take();
    c.request((w) => {
      writeReadNotifyRequest(w, DbrBase.LONG, 0, ch.sid, 1);
      writeEventAddRequest(w, DbrBase.LONG, 0, ch.sid, 2, DBE.VALUE);
    });
    const rs = await c.roundTrip();
    expect(rs.map((r) => [r.command, r.p1, r.dataCount, (r.msg as { dbr: { value: number[] } }).dbr.value])).toEqual([
      [Command.READ_NOTIFY, ECA.NORMAL, 3, [1, 2, 3]],
      [Command.EVENT_ADD, ECA.NORMAL, 3, [1, 2, 3]],
    ]);
  });

  it('a client older than CA 4.4 gets ECA_DEFUNCT instead of a channel', async () => {
    const c = await RawCircuit.open(s.server.tcpPort, { minor: 2 });
    circuits.push(c);
    c.take();
    c.request((w) => writeCreateChanRequest(w, name('dbl'), 3, 2));
    const rs = await c.roundTrip();
    expect(rs.map((r) => r.msg)).toEqual([expect.objectContaining({ kind: 'ERROR', status: ECA.DEFUNCT })]);
  });
});
