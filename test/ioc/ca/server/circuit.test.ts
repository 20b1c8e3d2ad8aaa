// ServerCircuit without sockets: what a value the encoder cannot handle does to reads and monitors.
import { config as rxConfig } from 'rxjs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Command, DBE, ECA } from '../../../../ioc/ca/protocol/constants.js';
import { DbrBase } from '../../../../ioc/ca/protocol/dbr-types.js';
import { Framer } from '../../../../ioc/ca/protocol/framer.js';
import { decodeServerMessage, writeCreateChanRequest, writeEventAddRequest, writeReadNotifyRequest, writeVersion, type ServerMessage } from '../../../../ioc/ca/protocol/messages.js';
import { ByteWriter } from '../../../../ioc/ca/protocol/writer.js';
import { ServerCircuit } from '../../../../ioc/ca/server/circuit.js';
import type { DbrValue } from '../../../../ioc/ca/protocol/snapshot.js';
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
  const db = new PvDatabase();
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
