// Bad input on circuits and search datagrams: a clear refusal, bounded memory, everyone else still served.
import { describe, expect, it } from 'vitest';
import { DbrBase } from '../../../../ioc/epics/field-type.js';
import { Cmd, Flags, PvaWriter, readOpResponse, readSearchResponse, PvaReader, PvaFramer, writeSearchRequest } from '../../../../ioc/pva/protocol/index.js';
import { answerSearchDatagram } from '../../../../ioc/pva/server/search.js';
import { newDb, TestPeer } from './harness.js';

/** Small seeded PRNG (mulberry32): the same cases every run. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function db() {
  const d = newDb();
  d.create('ok', { type: DbrBase.DOUBLE, value: 1 });
  return d;
}

/** A fresh client on the same database can still get a value. */
function stillServed(d: ReturnType<typeof newDb>): boolean {
  const p = new TestPeer(d);
  p.validate();
  const sid = p.channel('ok');
  p.init(Cmd.GET, sid, 1);
  p.send((w) => w.begin(Cmd.GET).u32(sid).u32(1).u8(0).finish());
  const f = p.take()[0];
  return !!f && readOpResponse(p.reader(f)).status.type === 0;
}

describe('malformed PVA circuits', () => {
  const cases: [string, (w: PvaWriter) => void][] = [
    ['bad magic', (w) => w.bytes(Buffer.from('deadbeefdeadbeef', 'hex'))],
    ['a payload size beyond the limit', (w) => w.bytes(Buffer.from('ca024000ffffff7f', 'hex'))],
    ['a create-channel whose name runs past the message', (w) => w.begin(Cmd.CREATE_CHANNEL).u16(1).u32(1).u8(200).finish()],
    ['a GET INIT with an unknown type code', (w) => w.begin(Cmd.GET).u32(1).u32(1).u8(8).u8(0x77).finish()],
    ['a type nested 1000 deep', (w) => {
      w.begin(Cmd.GET).u32(1).u32(1).u8(8);
      for (let i = 0; i < 1000; i++) w.u8(0x80).string('').size(1).string('a');
      w.u8(0x22).finish();
    }],
    ['a segment without a first segment', (w) => w.begin(Cmd.GET, Flags.SEGMENT_LAST).u32(1).finish()],
  ];

  it.each(cases)('%s: the circuit closes and others are still served', (_, bad) => {
    const d = db();
    const p = new TestPeer(d);
    p.validate();
    p.send(bad);
    expect(p.closed).toBe(true);
    expect(stillServed(d)).toBe(true);
  });

  it('a request on an unknown channel or request id is answered with an error, the circuit lives', () => {
    const d = db();
    const p = new TestPeer(d);
    p.validate();
    p.send((w) => w.begin(Cmd.GET).u32(99).u32(5).u8(0).finish());
    expect(readOpResponse(p.reader(p.take()[0]!)).status.type).toBe(2);
    expect(p.closed).toBe(false);
  });

  it('seeded fuzz: random messages after the handshake never throw; memory stays bounded', () => {
    const next = rng(1234);
    const d = db();
    for (let round = 0; round < 300; round++) {
      const p = new TestPeer(d);
      p.validate();
      const sid = p.channel('ok');
      const cmd = [Cmd.GET, Cmd.PUT, Cmd.MONITOR, Cmd.PUT_GET, Cmd.GET_FIELD, Cmd.CREATE_CHANNEL, Cmd.DESTROY_REQUEST, Cmd.SEARCH, Cmd.ECHO][Math.floor(next() * 9)]!;
      const w = new PvaWriter(next() < 0.5, 0);
      w.begin(cmd).u32(sid).u32(Math.floor(next() * 4)).u8([0, 8, 0x10, 0x40, 0x44, 0x80, 0x88][Math.floor(next() * 7)]!);
      const n = Math.floor(next() * 64);
      for (let i = 0; i < n; i++) w.u8(Math.floor(next() * 256));
      w.finish();
      expect(() => p.circuit.recv(w.take())).not.toThrow();
      expect(p.circuit.opCount).toBeLessThanOrEqual(4);
      p.circuit.dispose();
    }
    expect(d.get('ok')!.updates.observed).toBe(false);
    expect(stillServed(d)).toBe(true);
  });
});

describe('malformed search datagrams', () => {
  const guid = Buffer.alloc(12, 1);
  const stats = () => ({ datagrams: 0, searches: 0, hits: 0, malformed: 0 });

  it('a good search is answered in its own byte order; a search for unknown names only when a reply is required', () => {
    const d = db();
    for (const be of [false, true]) {
      const w = new PvaWriter(be, 0);
      writeSearchRequest(w, { seq: 9, flags: 0, replyAddr: '0.0.0.0', replyPort: 0, protocols: ['tcp'], channels: [{ id: 4, name: 'ok' }, { id: 5, name: 'no' }] });
      const a = answerSearchDatagram(w.take(), d, guid, 1234, stats())!;
      const f = new PvaFramer().push(a.reply)[0]!;
      expect(f.be).toBe(be);
      expect(readSearchResponse(new PvaReader(f.payload, f.be))).toMatchObject({ seq: 9, port: 1234, found: true, ids: [4] });
    }
    const w = new PvaWriter(false, 0);
    writeSearchRequest(w, { seq: 1, flags: 0, replyAddr: '0.0.0.0', replyPort: 0, protocols: ['tcp'], channels: [{ id: 5, name: 'no' }] });
    expect(answerSearchDatagram(w.take(), d, guid, 1, stats())).toBeUndefined();
  });

  it('seeded fuzz: truncations and random bytes never throw and are counted', () => {
    const next = rng(99);
    const d = db();
    const s = stats();
    const w = new PvaWriter(false, 0);
    writeSearchRequest(w, { seq: 1, flags: 1, replyAddr: '0.0.0.0', replyPort: 0, protocols: ['tcp'], channels: [{ id: 1, name: 'ok' }] });
    const good = w.take();
    for (let i = 0; i < 2000; i++) {
      const b = Buffer.from(good.subarray(0, Math.floor(next() * (good.length + 1))));
      for (let k = Math.floor(next() * 4); k > 0; k--) b[Math.floor(next() * b.length)] = Math.floor(next() * 256);
      expect(() => answerSearchDatagram(b, d, guid, 1, s)).not.toThrow();
    }
    expect(s.datagrams).toBe(2000);
    expect(s.malformed).toBeGreaterThan(0);
  });
});
