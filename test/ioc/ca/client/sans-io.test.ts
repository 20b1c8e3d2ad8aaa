// The client's protocol pieces without sockets: search schedule, beacon anomalies, the client circuit
// (fed split at every byte offset), and client circuit ↔ server circuit in memory (style items 9, 10).
import { describe, expect, it } from 'vitest';
import { ClientCircuit, type CircuitMessage } from '../../../../ioc/ca/client/circuit.js';
import { BeaconTracker, SearchSchedule } from '../../../../ioc/ca/client/search.js';
import { Command, ECA, SEARCH_DONT_REPLY } from '../../../../ioc/ca/protocol/constants.js';
import { DbrBase } from '../../../../ioc/ca/protocol/dbr-types.js';
import { frameDatagram } from '../../../../ioc/ca/protocol/framer.js';
import { parseHeader } from '../../../../ioc/ca/protocol/header.js';
import {
  writeAccessRights,
  writeCreateChanReply,
  writeError,
  writeEventAddReply,
  writeReadNotifyReply,
  writeVersion,
  writeWriteNotifyReply,
} from '../../../../ioc/ca/protocol/messages.js';
import { ByteWriter } from '../../../../ioc/ca/protocol/writer.js';
import { ServerCircuit } from '../../../../ioc/ca/server/circuit.js';
import { RealClock } from '../../../../ioc/clock.js';
import { PvDatabase } from '../../../../ioc/db/database.js';
import { silentLogger } from './harness.js';

const opts = { priority: 0, user: 'alice', host: 'bench', maxPayload: 1 << 20 };

function commandsOf(buf: Buffer): { command: number; dataType: number; count: number; p1: number; p2: number; name: string }[] {
  const out: { command: number; dataType: number; count: number; p1: number; p2: number; name: string }[] = [];
  frameDatagram(buf, (m) =>
    out.push({ command: m.command, dataType: m.dataType, count: m.dataCount, p1: m.p1, p2: m.p2, name: m.payload.toString('latin1').replace(/\0+$/, '') }),
  );
  return out;
}

describe('SearchSchedule', () => {
  it('batches many names per datagram after one VERSION with a sequence number', () => {
    const s = new SearchSchedule({ maxIntervalMs: 60_000, datagramBytes: 1024 });
    for (let i = 0; i < 100; i++) s.add(i + 1, `BL:MOTOR${i}.RBV`, 0);
    const { datagrams, nextDue } = s.poll(0);
    expect(datagrams.length).toBeGreaterThan(1);
    expect(datagrams.length).toBeLessThan(10);
    const all = datagrams.flatMap(commandsOf);
    for (const d of datagrams) {
      expect(d.length).toBeLessThanOrEqual(1024);
      const msgs = commandsOf(d);
      expect(msgs[0]!.command).toBe(Command.VERSION);
      expect(msgs[0]!.dataType).toBe(1); // sequence number valid
      expect(msgs.slice(1).every((m) => m.command === Command.SEARCH && m.dataType === SEARCH_DONT_REPLY && m.count === 13)).toBe(true);
    }
    const searches = all.filter((m) => m.command === Command.SEARCH);
    expect(searches.map((m) => m.p1)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(searches[7]!.name).toBe('BL:MOTOR7.RBV');
    expect(searches.every((m) => m.p1 === m.p2)).toBe(true);
    expect(nextDue).toBe(32);
  });

  it('backs off by doubling up to the maximum, and a reset asks again at once', () => {
    const s = new SearchSchedule({ maxIntervalMs: 200, initialIntervalMs: 10 });
    s.add(1, 'A', 0);
    const dues: number[] = [];
    let t = 0;
    for (let i = 0; i < 7; i++) {
      const { datagrams, nextDue } = s.poll(t);
      expect(datagrams.length).toBe(1);
      expect(s.poll(t).datagrams.length).toBe(0); // nothing due twice
      dues.push(nextDue! - t);
      t = nextDue!;
    }
    expect(dues).toEqual([10, 20, 40, 80, 160, 200, 200]);
    s.reset(t + 1);
    expect(s.poll(t + 1).datagrams.length).toBe(1);
    expect(s.remove(1)).toBe(true);
    expect(s.poll(1e9)).toEqual({ datagrams: [], nextDue: undefined });
  });

  it('limits the datagrams per poll and says more are due now', () => {
    const s = new SearchSchedule({ maxIntervalMs: 1000, datagramBytes: 256, burst: 2 });
    for (let i = 0; i < 200; i++) s.add(i + 1, `NAME:${i}`, 5);
    const first = s.poll(5);
    expect(first.datagrams.length).toBe(2);
    expect(first.nextDue).toBe(5);
    let total = first.datagrams.flatMap(commandsOf).filter((m) => m.command === Command.SEARCH).length;
    for (let i = 0; i < 100 && total < 200; i++) total += s.poll(5).datagrams.flatMap(commandsOf).filter((m) => m.command === Command.SEARCH).length;
    expect(total).toBe(200);
  });
});

describe('BeaconTracker', () => {
  it('flags a new server and a restarted beacon sequence, not a steady one', () => {
    const b = new BeaconTracker();
    expect(b.observe('10.0.0.1:5064', 7, 0)).toBe(true);
    expect(b.observe('10.0.0.1:5064', 8, 15_000)).toBe(false);
    expect(b.observe('10.0.0.1:5064', 8, 15_001)).toBe(false); // the same beacon by two routes
    expect(b.observe('10.0.0.1:5064', 9, 30_000)).toBe(false);
    expect(b.observe('10.0.0.1:5064', 0, 31_000)).toBe(true); // restarted: counts from 0
    expect(b.observe('10.0.0.2:5064', 100, 31_000)).toBe(true);
    b.expire(1_000_000, 60_000);
    expect(b.observe('10.0.0.1:5064', 1, 1_000_000)).toBe(true);
  });
});

describe('ClientCircuit', () => {
  it('queues VERSION, CLIENT_NAME and HOST_NAME before anything else', () => {
    const c = new ClientCircuit(() => {}, { ...opts, priority: 5 });
    c.createChannel('PV:A', 9);
    const msgs = commandsOf(c.takeOutput()!);
    expect(msgs.map((m) => m.command)).toEqual([Command.VERSION, Command.CLIENT_NAME, Command.HOST_NAME, Command.CREATE_CHAN]);
    expect(msgs[0]).toMatchObject({ dataType: 5, count: 13 });
    expect(msgs[1]!.name).toBe('alice');
    expect(msgs[2]!.name).toBe('bench');
    expect(msgs[3]).toMatchObject({ p1: 9, p2: 13, name: 'PV:A' });
    expect(c.takeOutput()).toBeUndefined();
  });

  it('decodes the same messages however the stream is split', () => {
    const w = new ByteWriter();
    writeVersion(w, 0, 13);
    writeAccessRights(w, 1, 3);
    writeCreateChanReply(w, DbrBase.DOUBLE, 100_000, 1, 42);
    const snap = {
      nativeType: DbrBase.DOUBLE,
      value: [1.5, 2.5, 3.5],
      status: 3,
      severity: 2,
      secPastEpoch: 1_000_000_000,
      nsec: 5,
      units: 'mm',
      precision: 2,
      limits: { upperDisp: 1, lowerDisp: 0, upperAlarm: 0, upperWarning: 0, lowerWarning: 0, lowerAlarm: 0, upperCtrl: 0, lowerCtrl: 0 },
      enumStrings: [],
    };
    writeReadNotifyReply(w, 20, 3, ECA.NORMAL, 77, snap);
    writeEventAddReply(w, 34, 3, ECA.NORMAL, 5, snap);
    writeWriteNotifyReply(w, 6, 1, ECA.PUTFAIL, 78);
    const offending = new ByteWriter();
    offending.finish(offending.begin(), Command.READ_NOTIFY, 6, 1, 42, 79);
    writeError(w, 1, ECA.BADTYPE, offending.take(), 'bad type');
    const stream = w.take();
    const whole: CircuitMessage[] = [];
    new ClientCircuit((m) => whole.push(m), opts).recv(stream);
    expect(whole.map((m) => m.kind)).toEqual(['VERSION', 'ACCESS_RIGHTS', 'CREATE_CHAN', 'READ_NOTIFY', 'EVENT_ADD', 'WRITE_NOTIFY', 'ERROR']);
    expect(whole[2]).toMatchObject({ nativeType: DbrBase.DOUBLE, count: 100_000, sid: 42 });
    expect(whole[3]).toMatchObject({ ioid: 77, status: ECA.NORMAL, dbr: { value: [1.5, 2.5, 3.5], status: 3, severity: 2, secPastEpoch: 1_000_000_000, nsec: 5 } });
    expect(whole[4]).toMatchObject({ subid: 5, dbr: { units: 'mm', precision: 2, limits: { upperDisp: 1 } } });
    expect(whole[5]).toMatchObject({ ioid: 78, status: ECA.PUTFAIL });
    expect(whole[6]).toMatchObject({ status: ECA.BADTYPE, text: 'bad type', request: { command: Command.READ_NOTIFY, p1: 42, p2: 79 } });
    for (let cut = 1; cut < stream.length; cut++) {
      const got: CircuitMessage[] = [];
      const c = new ClientCircuit((m) => got.push(m), opts);
      c.recv(Buffer.from(stream.subarray(0, cut)));
      c.recv(Buffer.from(stream.subarray(cut)));
      expect(got).toEqual(whole);
    }
  });

  it('reports a reply larger than allowed as TOO_LARGE with the request it answers', () => {
    const got: CircuitMessage[] = [];
    const c = new ClientCircuit((m) => got.push(m), { ...opts, maxPayload: 1024 });
    const w = new ByteWriter();
    const big = { nativeType: DbrBase.DOUBLE, value: new Float64Array(1000), status: 0, severity: 0, secPastEpoch: 0, nsec: 0, units: '', precision: 0, limits: { upperDisp: 0, lowerDisp: 0, upperAlarm: 0, upperWarning: 0, lowerWarning: 0, lowerAlarm: 0, upperCtrl: 0, lowerCtrl: 0 }, enumStrings: [] };
    writeReadNotifyReply(w, 6, 1000, ECA.NORMAL, 12, big);
    writeWriteNotifyReply(w, 6, 1, ECA.NORMAL, 13);
    c.recv(w.take());
    expect(got).toEqual([
      { kind: 'TOO_LARGE', request: { command: Command.READ_NOTIFY, dataType: 6, count: 1000, p1: ECA.NORMAL, p2: 12 } },
      expect.objectContaining({ kind: 'WRITE_NOTIFY', ioid: 13 }),
    ]);
  });
});

describe('client circuit ↔ server circuit in memory', () => {
  it('creates a channel, reads, writes with notify and monitors', async () => {
    const db = new PvDatabase(new RealClock());
    const pv = db.create('MEM:X', { type: DbrBase.DOUBLE, value: 1.25 });
    const got: CircuitMessage[] = [];
    const toServer: Buffer[] = [];
    const client = new ClientCircuit((m) => got.push(m), opts);
    const server = new ServerCircuit(
      { write: (b) => client.recv(b), backlog: 0, close: () => {} },
      { source: db, log: silentLogger(), maxArrayBytes: 1 << 20, tcpPort: 5064, peer: 'mem', defer: (fn) => fn() },
    );
    const pump = () => {
      const out = client.takeOutput();
      if (out) {
        toServer.push(out);
        server.recv(out);
      }
    };
    client.createChannel('MEM:X', 1);
    pump();
    const created = got.find((m) => m.kind === 'CREATE_CHAN');
    expect(created).toMatchObject({ cid: 1, nativeType: DbrBase.DOUBLE, count: 1 });
    expect(got.findIndex((m) => m.kind === 'ACCESS_RIGHTS')).toBeLessThan(got.indexOf(created!));
    const sid = (created as { sid: number }).sid;
    client.readNotify(sid, 20, 1, 100);
    client.write(sid, DbrBase.DOUBLE, [7.5], true, 101);
    client.eventAdd(sid, DbrBase.DOUBLE, 1, 200, 1);
    pump();
    await Promise.resolve();
    await new Promise((r) => setImmediate(r));
    expect(got.find((m) => m.kind === 'READ_NOTIFY')).toMatchObject({ ioid: 100, dbr: { value: [1.25] } });
    expect(got.find((m) => m.kind === 'WRITE_NOTIFY')).toMatchObject({ ioid: 101, status: ECA.NORMAL });
    expect(pv.value).toBe(7.5);
    const events = got.filter((m) => m.kind === 'EVENT_ADD');
    expect(events.at(-1)).toMatchObject({ subid: 200, dbr: { value: [7.5] } });
    client.eventCancel(sid, DbrBase.DOUBLE, 1, 200);
    client.clearChannel(sid, 1);
    pump();
    expect(server.subscriptionCount).toBe(0);
    expect(server.channelCount).toBe(0);
    // every request we sent was whole and 8-byte aligned
    for (const b of toServer) frameDatagram(b, (m) => expect(m.payloadSize % 8).toBe(0));
    expect(parseHeader(toServer[0]!, 0, toServer[0]!.length)!.command).toBe(Command.VERSION);
  });
});
