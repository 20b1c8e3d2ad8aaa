// ServerCircuit without sockets: what a value the encoder cannot handle does to reads and monitors, and
// backpressure on pipelined put-callbacks.
import { config as rxConfig } from 'rxjs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Command, DBE, ECA } from '../../../../ioc/ca/protocol/constants.js';
import { DbrBase } from '../../../../ioc/ca/protocol/dbr-types.js';
import { Framer } from '../../../../ioc/ca/protocol/framer.js';
import { decodeServerMessage, writeCreateChanRequest, writeEventAddRequest, writeReadNotifyRequest, writeVersion, writeWriteRequest, type ServerMessage } from '../../../../ioc/ca/protocol/messages.js';
import { ByteWriter } from '../../../../ioc/ca/protocol/writer.js';
import { ServerCircuit } from '../../../../ioc/ca/server/circuit.js';
import type { DbrValue } from '../../../../ioc/ca/protocol/snapshot.js';
import { RealClock } from '../../../../ioc/clock.js';
import { PvDatabase } from '../../../../ioc/db/database.js';
import { quietLogger } from '../../../helpers/ca-server.js';

let unhandled: unknown[];
let prevHandler: typeof rxConfig.onUnhandledError;
beforeEach(() => {
  unhandled = [];
  prevHandler = rxConfig.onUnhandledError;
  // rxjs rethrows an error from a subscriber in a setTimeout: in a server that is an uncaught exception.
  rxConfig.onUnhandledError = (e) => unhandled.push(e);
});
afterEach(() => {
  rxConfig.onUnhandledError = prevHandler;
});

function setup() {
  const db = new PvDatabase(new RealClock());
  const pv = db.create('X', { type: DbrBase.DOUBLE, value: 1 });
  const replies: ServerMessage[] = [];
  const framer = new Framer({ message: (m) => replies.push(decodeServerMessage(m)), oversized: () => {} }, 1 << 20);
  let closed = false;
  const log: string[] = [];
  const circuit = new ServerCircuit(
    {
      write: (b) => framer.push(b),
      backlog: 0,
      close: () => {
        closed = true;
      },
    },
    { source: db, log: quietLogger(log), maxArrayBytes: 16384, tcpPort: 5064, peer: 'test', defer: (fn) => fn() },
  );
  const send = (fn: (w: ByteWriter) => void) => {
    const w = new ByteWriter(64);
    fn(w);
    circuit.recv(w.take());
  };
  send((w) => {
    writeVersion(w, 0, 13);
    writeCreateChanRequest(w, 'X', 7);
  });
  const created = replies.find((r) => r.kind === 'CREATE_CHAN') as { sid: number };
  replies.length = 0;
  return { pv, replies, send, sid: created.sid, log, isClosed: () => closed };
}

it('a monitor update the encoder cannot encode answers ECA_GETFAIL; nothing escapes into rxjs, the circuit stays', async () => {
  const { pv, replies, send, sid, log, isClosed } = setup();
  send((w) => writeEventAddRequest(w, DbrBase.DOUBLE, 1, sid, 1, DBE.VALUE));
  expect(replies).toMatchObject([{ kind: 'EVENT_ADD', status: ECA.NORMAL, subid: 1, dbr: { value: [1] } }]);
  replies.length = 0;

  pv.set(null as unknown as DbrValue); // a device model bug: not a value of any DBR type
  await expect.poll(() => replies.length, { timeout: 5000, interval: 1 }).toBeGreaterThan(0);
  expect(unhandled).toEqual([]);
  expect(replies).toMatchObject([{ kind: 'EVENT_ADD', status: ECA.GETFAIL, subid: 1 }]);
  expect(log.some((l) => l.startsWith('ERROR') && l.includes('X'))).toBe(true);
  expect(isClosed()).toBe(false);

  replies.length = 0;
  pv.set(2);
  expect(replies).toMatchObject([{ kind: 'EVENT_ADD', status: ECA.NORMAL, subid: 1, dbr: { value: [2] } }]);
});

it('a read of such a value answers ECA_GETFAIL (RSRV read_reply) instead of dropping the whole circuit', () => {
  const { pv, replies, send, sid, isClosed } = setup();
  pv.set(null as unknown as DbrValue);
  send((w) => writeReadNotifyRequest(w, DbrBase.DOUBLE, 1, sid, 9));
  expect(replies).toMatchObject([{ kind: 'READ_NOTIFY', status: ECA.GETFAIL, ioid: 9 }]);
  expect(isClosed()).toBe(false);
  expect(replies.some((r) => r.kind === 'ERROR' || (r as { command?: number }).command === Command.ERROR)).toBe(false);
});

// libca sync groups send 1000+ WRITE_NOTIFYs back to back on one channel. RSRV runs one put-callback per
// channel and blocks its receive thread behind it; so do we, by not reading past a bounded queue.
it('5000 pipelined WRITE_NOTIFYs on one channel all complete, in order, with at most 1024 ever queued', async () => {
  const db = new PvDatabase(new RealClock());
  const gates: (() => void)[] = [];
  const started: number[] = [];
  db.create('B', {
    type: DbrBase.DOUBLE,
    value: 0,
    put: async (pv, v) => {
      started.push(v as number);
      await new Promise<void>((r) => gates.push(r));
      pv.set(v);
    },
  });
  const replies: ServerMessage[] = [];
  const framer = new Framer({ message: (m) => replies.push(decodeServerMessage(m)), oversized: () => {} }, 1 << 20);
  const reading: boolean[] = [];
  const circuit = new ServerCircuit(
    { write: (b) => framer.push(b), backlog: 0, close: () => {}, pause: () => reading.push(false), resume: () => reading.push(true) },
    { source: db, log: quietLogger(), maxArrayBytes: 16384, tcpPort: 5064, peer: 'test', defer: (fn) => fn() },
  );
  const w = new ByteWriter(256 * 1024);
  writeVersion(w, 0, 13);
  writeCreateChanRequest(w, 'B', 7);
  circuit.recv(w.take());
  const sid = (replies.find((r) => r.kind === 'CREATE_CHAN') as { sid: number }).sid;
  const N = 5000;
  for (let i = 1; i <= N; i++) writeWriteRequest(w, true, DbrBase.DOUBLE, sid, i, [i]);
  circuit.recv(w.take()); // one chunk, as a sync group's burst arrives

  let maxQueued = circuit.queuedPutCallbacks;
  expect(maxQueued).toBe(1024); // the rest of the chunk is held back, unread
  expect(reading).toEqual([false]);
  while (gates.length > 0) {
    gates.shift()!();
    await new Promise<void>((r) => setImmediate(r));
    maxQueued = Math.max(maxQueued, circuit.queuedPutCallbacks);
  }
  expect(maxQueued).toBeLessThanOrEqual(1024);
  const notifies = replies.filter((r) => r.kind === 'WRITE_NOTIFY') as { status: number; ioid: number }[];
  expect(notifies.map((r) => r.ioid)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
  expect(notifies.every((r) => r.status === ECA.NORMAL)).toBe(true);
  expect(started).toEqual(Array.from({ length: N }, (_, i) => i + 1));
  expect(db.get('B')!.value).toBe(N);
  // The transport stopped reading while requests were held back, and reads again now they are all applied.
  expect(reading).toEqual([false, true]);
});

it('puts that complete at once are answered in request order, between the replies around them', () => {
  const { pv, replies, send, sid } = setup();
  send((w) => {
    writeWriteRequest(w, true, DbrBase.DOUBLE, sid, 1, [5]);
    writeReadNotifyRequest(w, DbrBase.DOUBLE, 1, sid, 2);
    writeWriteRequest(w, false, DbrBase.DOUBLE, sid, 0, [6]);
    writeWriteRequest(w, true, DbrBase.LONG, sid, 3, [7]);
    writeReadNotifyRequest(w, DbrBase.DOUBLE, 1, sid, 4);
  });
  // No turn of the event loop in between: the put-callbacks were answered as their requests were applied.
  expect(replies).toMatchObject([
    { kind: 'WRITE_NOTIFY', status: ECA.NORMAL, ioid: 1 },
    { kind: 'READ_NOTIFY', ioid: 2, dbr: { value: [5] } },
    { kind: 'WRITE_NOTIFY', status: ECA.NORMAL, ioid: 3 },
    { kind: 'READ_NOTIFY', ioid: 4, dbr: { value: [7] } },
  ]);
  expect(pv.value).toBe(7);
});

it('a scalar put of each numeric wire type converts like the array path (LONG native: truncated, SHORT wire sign-extended)', () => {
  const db = new PvDatabase(new RealClock());
  const long = db.create('L', { type: DbrBase.LONG, value: 0 });
  const text = db.create('S', { type: DbrBase.STRING, value: '' });
  const replies: ServerMessage[] = [];
  const framer = new Framer({ message: (m) => replies.push(decodeServerMessage(m)), oversized: () => {} }, 1 << 20);
  const circuit = new ServerCircuit(
    { write: (b) => framer.push(b), backlog: 0, close: () => {} },
    { source: db, log: quietLogger(), maxArrayBytes: 16384, tcpPort: 5064, peer: 'test', defer: (fn) => fn() },
  );
  const w = new ByteWriter(1024);
  writeVersion(w, 0, 13);
  writeCreateChanRequest(w, 'L', 1);
  writeCreateChanRequest(w, 'S', 2);
  circuit.recv(w.take());
  const sids = replies.filter((r) => r.kind === 'CREATE_CHAN').map((r) => (r as { sid: number }).sid);
  const put = (sid: number, type: number, v: number) => {
    writeWriteRequest(w, true, type, sid, 9, [v]);
    circuit.recv(w.take());
  };
  put(sids[0]!, DbrBase.DOUBLE, -2.75);
  expect(long.value).toBe(-2);
  put(sids[0]!, DbrBase.SHORT, -3);
  expect(long.value).toBe(-3);
  put(sids[0]!, DbrBase.CHAR, 200);
  expect(long.value).toBe(200);
  put(sids[0]!, DbrBase.FLOAT, 1.5);
  expect(long.value).toBe(1);
  put(sids[1]!, DbrBase.DOUBLE, 0.125);
  expect(text.value).toBe('0.125000');
  expect(replies.filter((r) => r.kind === 'WRITE_NOTIFY').every((r) => (r as { status: number }).status === ECA.NORMAL)).toBe(true);
});
