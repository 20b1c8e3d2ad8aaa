// Requests the server does not serve (RPC, ARRAY, PROCESS) get an error status for their request id, as
// pvxs answers an RPC to a PV without an RPC handler; unknown commands are skipped. The circuit goes on.
import { describe, expect, it } from 'vitest';
import { DbrBase } from '../../../../ioc/epics/field-type.js';
import { buildPvRequest, Cmd, readOpResponse, Sub, writeOpInit, writeFieldDesc, writeValue } from '../../../../ioc/pva/protocol/index.js';
import { newDb, TestPeer } from './harness.js';

function peer(be = false) {
  const db = newDb();
  db.create('x', { type: DbrBase.DOUBLE, value: 2.5 });
  const p = new TestPeer(db, be);
  p.validate();
  return { p, sid: p.channel('x') };
}

/** The circuit still serves: a GET on the same circuit answers with the value. */
function stillServes(p: TestPeer, sid: number): boolean {
  p.init(Cmd.GET, sid, 99);
  p.send((w) => w.begin(Cmd.GET).u32(sid).u32(99).u8(Sub.DESTROY).finish());
  const [f] = p.take();
  return !p.closed && !!f && f.header.command === Cmd.GET && readOpResponse(p.reader(f)).status.type === 0;
}

const text = (s: string) => Buffer.concat([Buffer.from([s.length]), Buffer.from(s)]);

describe('unsupported requests', () => {
  it.each([false, true])('RPC INIT from a %s peer: an ERROR status for its ioid, byte for byte; the circuit goes on', (be) => {
    const { p, sid } = peer(be);
    p.raw.length = 0;
    p.send((w) => writeOpInit(w, Cmd.RPC, sid, 7, buildPvRequest('')));
    const message = 'x: RPC is not supported by this server (it serves GET, PUT, PUT_GET, MONITOR and GET_FIELD)';
    const payload = Buffer.concat([Buffer.from('07000000', 'hex'), Buffer.from([Sub.INIT, 2]), text(message), text('')]);
    const size = Buffer.alloc(4);
    size.writeUInt32LE(payload.length);
    // The server answers in its own byte order (little-endian), flagged as from a server, never segmented.
    expect(Buffer.concat(p.raw).toString('hex')).toBe(Buffer.concat([Buffer.from([0xca, 2, 0x40, Cmd.RPC]), size, payload]).toString('hex'));
    p.take();
    expect(stillServes(p, sid)).toBe(true);
  });

  it('RPC EXEC with an argument (type and value, as pvxs sends it) gets the same error', () => {
    const { p, sid } = peer();
    const arg = buildPvRequest('field(value)'); // any structure will do as the argument
    p.send((w) => {
      w.begin(Cmd.RPC).u32(sid).u32(8).u8(0);
      writeFieldDesc(w, arg.desc);
      writeValue(w, arg.desc, arg.value);
      w.finish();
    });
    const [f] = p.take();
    expect(readOpResponse(p.reader(f!))).toMatchObject({ ioid: 8, sub: 0, status: { type: 2, message: expect.stringMatching(/^x: RPC is not supported/) } });
    expect(stillServes(p, sid)).toBe(true);
  });

  it.each([
    ['ARRAY', Cmd.ARRAY],
    ['PROCESS', Cmd.PROCESS],
  ])('%s INIT is refused by name', (name, cmd) => {
    const { p, sid } = peer();
    p.send((w) => writeOpInit(w, cmd, sid, 3, buildPvRequest('')));
    const [f] = p.take();
    expect(f!.header.command).toBe(cmd);
    expect(readOpResponse(p.reader(f!))).toMatchObject({ ioid: 3, sub: Sub.INIT, status: { type: 2, message: `x: ${name} is not supported by this server (it serves GET, PUT, PUT_GET, MONITOR and GET_FIELD)` } });
    expect(stillServes(p, sid)).toBe(true);
  });

  it('on an unknown channel the error names no channel; a request too short to carry an ioid gets no answer', () => {
    const { p, sid } = peer();
    p.send((w) => writeOpInit(w, Cmd.RPC, 4242, 5, buildPvRequest('')));
    expect(readOpResponse(p.reader(p.take()[0]!)).status.message).toBe('RPC is not supported by this server (it serves GET, PUT, PUT_GET, MONITOR and GET_FIELD)');
    p.send((w) => w.begin(Cmd.RPC).u8(1).u8(2).finish());
    expect(p.take()).toEqual([]);
    expect(stillServes(p, sid)).toBe(true);
  });

  it('commands a client has no business sending (MULTIPLE_DATA, AUTHNZ, unknown codes) are skipped whole', () => {
    const { p, sid } = peer();
    for (const cmd of [Cmd.MULTIPLE_DATA, Cmd.AUTHNZ, Cmd.ORIGIN_TAG, 0x30, 0xfe]) p.send((w) => w.begin(cmd).u32(1).u32(2).u8(3).finish());
    expect(p.take()).toEqual([]);
    expect(stillServes(p, sid)).toBe(true);
  });
});
