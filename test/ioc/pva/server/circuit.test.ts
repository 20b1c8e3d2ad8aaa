import { describe, expect, it } from 'vitest';
import { PutError } from '../../../../ioc/db/errors.js';
import { DbrBase } from '../../../../ioc/epics/field-type.js';
import { ECA } from '../../../../ioc/epics/status.js';
import {
  BitSet,
  Cmd,
  Sub,
  readFieldDesc,
  readOpResponse,
  readBitsAndValue,
  writeBitsAndValue,
  writeGetFieldRequest,
  readServerValidation,
  readStatus,
  type StructureDesc,
} from '../../../../ioc/pva/protocol/index.js';
import { ntShape } from '../../../../ioc/pva/server/nt.js';
import { newDb, TestPeer } from './harness.js';

describe('PVA server circuit (sans I/O)', () => {
  it('speaks first: SET_BYTE_ORDER and CONNECTION_VALIDATION; answers validation with CONNECTION_VALIDATED', () => {
    const p = new TestPeer(newDb());
    expect(p.frames[0]!.header).toMatchObject({ command: 2, flags: 0x41 });
    const [v] = p.take();
    expect(readServerValidation(p.reader(v!)).methods).toEqual(['anonymous', 'ca']);
    p.validate();
    expect(p.circuit['user']).toBe('alice');
  });

  it('refuses channels before validation by closing the circuit', () => {
    const p = new TestPeer(newDb());
    p.take();
    p.send((w) => w.begin(Cmd.CREATE_CHANNEL).u16(1).u32(1).string('x').finish());
    expect(p.closed).toBe(true);
    expect(p.take()).toEqual([]);
  });

  it.each([false, true])('GET from a %s peer decodes its request and answers with the NT value', (be) => {
    const db = newDb();
    db.create('a', { type: DbrBase.DOUBLE, value: 4.5, units: 'mm' });
    const p = new TestPeer(db, be);
    p.validate();
    const sid = p.channel('a');
    const init = p.init(Cmd.GET, sid, 11, 'field(value,display)');
    const r = p.reader(init);
    expect(readOpResponse(r)).toMatchObject({ ioid: 11, sub: Sub.INIT, status: { type: 0 } });
    const desc = readFieldDesc(r) as StructureDesc;
    expect(desc.fields.map((m) => m.name)).toEqual(['value', 'display']);
    p.send((w) => w.begin(Cmd.GET).u32(sid).u32(11).u8(Sub.DESTROY).finish());
    const [f] = p.take();
    const rr = p.reader(f!);
    readOpResponse(rr);
    const { value } = readBitsAndValue(rr, desc);
    expect(value['value']).toBe(4.5);
    expect((value['display'] as { units: string }).units).toBe('mm');
    expect(p.circuit.opCount).toBe(0);
  });

  it('an unknown channel name gets an error status', () => {
    const p = new TestPeer(newDb());
    p.validate();
    p.send((w) => w.begin(Cmd.CREATE_CHANNEL).u16(1).u32(5).string('nope').finish());
    const r = p.reader(p.take()[0]!);
    expect([r.u32(), r.u32()]).toEqual([5, 0]);
    expect(readStatus(r)).toMatchObject({ type: 2, message: 'no such channel nope' });
  });

  it('PUT replies only when the put handler completes; a PutError becomes the error status', async () => {
    const db = newDb();
    let finish!: () => void;
    db.create('m', {
      type: DbrBase.DOUBLE,
      put: (pv, v) => {
        if (v === 13) throw new PutError('unlucky', ECA.PUTFAIL);
        return new Promise<void>((res) => (finish = () => (pv.set(v), res())));
      },
    });
    const p = new TestPeer(db);
    p.validate();
    const sid = p.channel('m');
    const init = p.reader(p.init(Cmd.PUT, sid, 3, 'field(value)'));
    readOpResponse(init);
    const desc = readFieldDesc(init) as StructureDesc;
    const put = (v: number) =>
      p.send((w) => {
        w.begin(Cmd.PUT).u32(sid).u32(3).u8(0);
        writeBitsAndValue(w, desc, { value: v }, BitSet.of(1));
        w.finish();
      });
    put(2);
    await Promise.resolve();
    expect(p.take()).toEqual([]);
    finish();
    await new Promise((r) => setImmediate(r));
    expect(readOpResponse(p.reader(p.take()[0]!)).status.type).toBe(0);
    expect(db.get('m')!.value).toBe(2);
    put(13);
    await new Promise((r) => setImmediate(r));
    expect(readOpResponse(p.reader(p.take()[0]!)).status).toMatchObject({ type: 2, message: 'unlucky' });
  });

  it('read-only PVs refuse PUT INIT', () => {
    const db = newDb();
    db.create('ro', { type: DbrBase.LONG, writable: false });
    const p = new TestPeer(db);
    p.validate();
    const sid = p.channel('ro');
    expect(readOpResponse(p.reader(p.init(Cmd.PUT, sid, 1))).status).toMatchObject({ type: 2, message: expect.stringMatching(/write access denied/) });
  });

  it('GET_FIELD answers the type or a sub-field type', () => {
    const db = newDb();
    db.create('e', { type: DbrBase.ENUM, enumStrings: ['a', 'b'] });
    const p = new TestPeer(db);
    p.validate();
    const sid = p.channel('e');
    p.send((w) => writeGetFieldRequest(w, sid, 9, ''));
    p.send((w) => writeGetFieldRequest(w, sid, 10, 'value.choices'));
    p.send((w) => writeGetFieldRequest(w, sid, 11, 'bogus'));
    const [a, b, c] = p.take().map((f) => {
      const r = p.reader(f);
      return { ioid: r.u32(), status: readStatus(r), desc: readFieldDesc(r) };
    });
    expect(a!.desc).toEqual(ntShape(DbrBase.ENUM, 1).desc);
    expect(b!.desc).toEqual({ kind: 'scalarArray', type: 'string' });
    expect(c!.status.type).toBe(2);
  });
});

describe('monitor queues', () => {
  function monitored(opts: { pipelineQueue?: number; request?: string }) {
    const db = newDb();
    const pv = db.create('n', { type: DbrBase.LONG, value: 0 });
    const p = new TestPeer(db, false, { highWater: 1000 });
    p.validate();
    const sid = p.channel('n');
    const r = p.reader(p.init(Cmd.MONITOR, sid, 7, opts.request ?? '', opts.pipelineQueue));
    readOpResponse(r);
    const desc = readFieldDesc(r) as StructureDesc;
    p.send((w) => w.begin(Cmd.MONITOR).u32(sid).u32(7).u8(0x44).finish());
    const updates = () =>
      p.take().map((f) => {
        const rr = p.reader(f);
        rr.u32(); // ioid
        rr.u8(); // subcommand; updates carry no status
        const { value } = readBitsAndValue(rr, desc);
        return { value: value['value'], overrun: BitSet.read(rr).toArray() };
      });
    return { pv, p, sid, desc, updates };
  }

  it('a slow client: updates coalesce into a bounded queue, the newest value kept, overrun marked', () => {
    const { pv, p, updates } = monitored({ request: 'record[queueSize=3]' });
    expect(updates().map((u) => u.value)).toEqual([0]);
    p.backlog = 10_000; // the socket is full
    for (let i = 1; i <= 100; i++) pv.set(i);
    expect(updates()).toEqual([]);
    p.backlog = 0;
    p.circuit.drained();
    const got = updates();
    expect(got.map((u) => u.value)).toEqual([1, 2, 100]);
    expect(got[2]!.overrun).toContain(1);
    expect(got[0]!.overrun).toEqual([]);
  });

  it('pipelining: no more updates than the client acknowledged', () => {
    const { pv, p, sid, updates } = monitored({ pipelineQueue: 2, request: 'record[pipeline=true,queueSize=2]' });
    for (let i = 1; i <= 5; i++) pv.set(i);
    expect(updates().map((u) => u.value)).toEqual([0, 1]);
    p.send((w) => w.begin(Cmd.MONITOR).u32(sid).u32(7).u8(Sub.PIPELINE).u32(2).finish());
    expect(updates().map((u) => u.value)).toEqual([2, 5]);
  });

  it('stop (0x04) stops updates; destroy forgets the monitor and unsubscribes', () => {
    const { pv, p, sid, updates } = monitored({});
    updates();
    p.send((w) => w.begin(Cmd.MONITOR).u32(sid).u32(7).u8(0x04).finish());
    pv.set(5);
    expect(updates()).toEqual([]);
    p.send((w) => w.begin(Cmd.DESTROY_REQUEST).u32(sid).u32(7).finish());
    expect(p.circuit.opCount).toBe(0);
    expect(pv.updates.observed).toBe(false);
  });
});
