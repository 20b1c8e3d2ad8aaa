// Golden bytes: what pvxs (bundled in p4p 4.3.0) actually sent, captured once through a logging proxy
// (test/interop/pva-capture.py). Each capture is decoded with our readers and, where we send the same
// message, re-encoded byte for byte.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BitSet,
  Cmd,
  Ctrl,
  Flags,
  PvaFramer,
  PvaReader,
  PvaWriter,
  Sub,
  OK,
  buildPvRequest,
  readClientValidation,
  readCreateChannelRequest,
  readCreateChannelResponse,
  readFieldDesc,
  readOpInit,
  readOpRequest,
  readOpResponse,
  readBitsAndValue,
  readPvRequest,
  readSearchRequest,
  readSearchResponse,
  readServerValidation,
  writeBitsAndValue,
  writeClientValidation,
  writeConnectionValidated,
  writeCreateChannelRequest,
  writeCreateChannelResponse,
  writeDataResponse,
  writeFieldDesc,
  writeInitResponse,
  writeMonitorUpdate,
  writeOpInit,
  writeRequestControl,
  writeSearchRequest,
  writeSearchResponse,
  writeServerHello,
  writeStatusResponse,
  type PvaFrame,
  type StructureDesc,
} from '../../../../ioc/pva/protocol/index.js';

const capture = JSON.parse(readFileSync(path.join(__dirname, 'pvxs-capture.json'), 'utf8')) as { messages: { dir: string; hex: string }[] };
const raw = (i: number): Buffer => Buffer.from(capture.messages[i]!.hex, 'hex');
/** The frames of captured chunk i (pvxs often sends two messages in one write). */
const frames = (i: number): PvaFrame[] => new PvaFramer().push(raw(i)).map((f) => ({ ...f, payload: Buffer.from(f.payload) }));
const one = (i: number): PvaFrame => {
  const f = frames(i);
  expect(f).toHaveLength(1);
  return f[0]!;
};
const reader = (f: PvaFrame) => new PvaReader(f.payload, f.be);
const server = () => new PvaWriter(false, Flags.SERVER);
const client = () => new PvaWriter(false, 0);

/** Decode with `read`, insist every byte was consumed. */
function decodeAll<T>(f: PvaFrame, read: (r: PvaReader) => T): T {
  const r = reader(f);
  const out = read(r);
  expect(r.fault).toBe('');
  expect(r.remaining).toBe(0);
  return out;
}

describe('pvxs golden bytes', () => {
  it('server hello: SET_BYTE_ORDER control message, then CONNECTION_VALIDATION offering anonymous and ca', () => {
    const [ctrl, val] = frames(0);
    expect(ctrl!.header).toEqual({ version: 2, flags: Flags.CONTROL | Flags.SERVER, command: Ctrl.SET_BYTE_ORDER, size: 0 });
    expect(decodeAll(val!, readServerValidation)).toEqual({ bufferSize: 0x10000, registrySize: 0x7fff, methods: ['anonymous', 'ca'] });
    const w = server();
    writeServerHello(w, ['anonymous', 'ca']);
    expect(w.take().toString('hex')).toBe(raw(0).toString('hex'));
  });

  it('client validation with ca authentication carries user and host as a structure', () => {
    const v = decodeAll(one(1), (r) => readClientValidation(r));
    expect(v).toEqual({ bufferSize: 0x10000, registrySize: 0x7fff, qos: 0, method: 'ca', user: 'root', host: 'vm' });
    const w = client();
    writeClientValidation(w, { method: 'ca', user: 'root', host: 'vm' });
    expect(w.take().toString('hex')).toBe(raw(1).toString('hex'));
  });

  it('CONNECTION_VALIDATED with a bare OK status', () => {
    const w = server();
    writeConnectionValidated(w, OK);
    expect(w.take().toString('hex')).toBe(raw(2).toString('hex'));
  });

  it('search over TCP is big-endian from pvxs; the response comes back little-endian', () => {
    const f = one(3);
    expect(f.be).toBe(true);
    const s = decodeAll(f, readSearchRequest);
    expect(s).toEqual({ seq: 0x66696e64, flags: 0x80, replyAddr: '0.0.0.0', replyPort: 0, protocols: ['tcp'], channels: [{ id: 0x12345678, name: 'cap:d' }] });
    const w = new PvaWriter(true, 0);
    writeSearchRequest(w, s);
    expect(w.take().toString('hex')).toBe(raw(3).toString('hex'));

    const resp = decodeAll(one(4), readSearchResponse);
    expect(resp).toMatchObject({ seq: 0x66696e64, addr: '0.0.0.0', protocol: 'tcp', found: true, ids: [0x12345678] });
    const w2 = server();
    writeSearchResponse(w2, resp);
    expect(w2.take().toString('hex')).toBe(raw(4).toString('hex'));
  });

  it('UDP search and its big-endian reply (pvxs answers in the byte order it was asked)', () => {
    const req = decodeAll(one(54), readSearchRequest);
    expect(req.replyPort).toBe(raw(54).readUInt16BE(32));
    const f = one(55);
    expect(f.be).toBe(true);
    expect(f.header.flags).toBe(Flags.SERVER | Flags.BIG_ENDIAN);
    const resp = decodeAll(f, readSearchResponse);
    expect(resp).toMatchObject({ seq: req.seq, found: true, ids: [0x12345678] });
    const w = new PvaWriter(true, Flags.SERVER);
    writeSearchResponse(w, resp);
    expect(w.take().toString('hex')).toBe(raw(55).toString('hex'));
  });

  it('CREATE_CHANNEL request and response', () => {
    expect(decodeAll(one(5), readCreateChannelRequest)).toEqual([{ cid: 0x12345678, name: 'cap:d' }]);
    const w = client();
    writeCreateChannelRequest(w, 0x12345678, 'cap:d');
    expect(w.take().toString('hex')).toBe(raw(5).toString('hex'));
    const resp = decodeAll(one(6), readCreateChannelResponse);
    expect(resp).toEqual({ cid: 0x12345678, sid: 0x07050301, status: OK });
    const w2 = server();
    writeCreateChannelResponse(w2, resp.cid, resp.sid, OK);
    expect(w2.take().toString('hex')).toBe(raw(6).toString('hex'));
  });

  it('GET INIT with an empty pvRequest: struct { field {} }', () => {
    const f = one(7);
    const { op, init } = decodeAll(f, (r) => {
      const op = readOpRequest(r);
      return { op, init: readOpInit(r, op.sub, f.header.command) };
    });
    expect(op).toEqual({ sid: 0x07050301, ioid: 0x10002000, sub: Sub.INIT });
    expect(readPvRequest(init.requestDesc, init.request)).toEqual({ fields: null, options: {} });
    const w = client();
    writeOpInit(w, Cmd.GET, op.sid, op.ioid, buildPvRequest(''));
    expect(w.take().toString('hex')).toBe(raw(7).toString('hex'));
  });

  const ntScalarType = (): StructureDesc => {
    const r = reader(one(8));
    readOpResponse(r);
    return readFieldDesc(r) as StructureDesc;
  };

  it("NTScalar type as p4p's NTScalar('d', display, control, valueAlarm) declares it, re-encoded byte for byte", () => {
    const t = ntScalarType();
    expect(t.id).toBe('epics:nt/NTScalar:1.0');
    expect(t.fields.map((m) => m.name)).toEqual(['value', 'alarm', 'timeStamp', 'display', 'control', 'valueAlarm']);
    const w = server();
    writeInitResponse(w, Cmd.GET, 0x10002000, Sub.INIT, OK, t);
    expect(w.take().toString('hex')).toBe(raw(8).toString('hex'));
  });

  it('GET reply: status, changed bits (value only) and the value', () => {
    const t = ntScalarType();
    const data = decodeAll(one(10), (r) => ({ resp: readOpResponse(r), ...readBitsAndValue(r, t) }));
    expect(data.resp).toEqual({ ioid: 0x10002000, sub: 0, status: OK });
    expect(data.bits.toArray()).toEqual([1]);
    expect(data.value).toEqual({ value: 1.5 });
    const w = server();
    writeDataResponse(w, Cmd.GET, 0x10002000, 0, OK, { desc: t, value: { value: 1.5 }, bits: BitSet.of(1) });
    expect(w.take().toString('hex')).toBe(raw(10).toString('hex'));
  });

  it('DESTROY_REQUEST batched with the next PUT INIT in one write; PUT fetch (0x40), PUT exec and its reply', () => {
    const [destroy, init] = frames(12);
    expect(destroy!.header.command).toBe(Cmd.DESTROY_REQUEST);
    const w = client();
    writeRequestControl(w, Cmd.DESTROY_REQUEST, 0x07050301, 0x10002000);
    expect(w.take().toString('hex')).toBe(raw(12).subarray(0, 16).toString('hex'));
    expect(init!.header.command).toBe(Cmd.PUT);
    expect(decodeAll(one(14), readOpRequest)).toEqual({ sid: 0x07050301, ioid: 0x10002001, sub: Sub.GET });

    const t = ntScalarType();
    const put = decodeAll(one(16), (r) => ({ op: readOpRequest(r), ...readBitsAndValue(r, t) }));
    expect(put.op.sub).toBe(0);
    expect(put.value).toEqual({ value: 2.25 });
    const wp = client();
    wp.begin(Cmd.PUT).u32(0x07050301).u32(0x10002001).u8(0);
    writeBitsAndValue(wp, t, { value: 2.25 }, BitSet.of(1));
    wp.finish();
    expect(wp.take().toString('hex')).toBe(raw(16).toString('hex'));
    const ws = server();
    writeStatusResponse(ws, Cmd.PUT, 0x10002001, 0, OK);
    expect(ws.take().toString('hex')).toBe(raw(17).toString('hex'));
  });

  it('pvRequest field(value,alarm) as pvxs builds it', () => {
    const [, init] = frames(19);
    const r = reader(init!);
    const op = readOpRequest(r);
    const i = readOpInit(r, op.sub, Cmd.GET);
    expect(r.remaining).toBe(0);
    expect(readPvRequest(i.requestDesc, i.request)).toEqual({ fields: { value: {}, alarm: {} }, options: {} });
    const w = client();
    writeOpInit(w, Cmd.GET, op.sid, op.ioid, buildPvRequest('field(value,alarm)'));
    expect(w.take().toString('hex')).toBe(init!.header && raw(19).subarray(16).toString('hex'));
  });

  it('NTEnum: value is enum_t { index, choices }; a GET marks index and choices', () => {
    const r = reader(one(30));
    readOpResponse(r);
    const t = readFieldDesc(r) as StructureDesc;
    expect(r.remaining).toBe(0);
    expect(t.id).toBe('epics:nt/NTEnum:1.0');
    const data = decodeAll(one(32), (rr) => ({ resp: readOpResponse(rr), ...readBitsAndValue(rr, t) }));
    expect(data.bits.toArray()).toEqual([2, 3]);
    expect(data.value).toEqual({ value: { index: 1, choices: ['Off', 'On'] } });
    const w = server();
    writeDataResponse(w, Cmd.GET, data.resp.ioid, 0, OK, { desc: t, value: data.value, bits: data.bits });
    expect(w.take().toString('hex')).toBe(raw(32).toString('hex'));
  });

  it('NTScalarArray of int: the value as an Int32Array', () => {
    const r = reader(one(40));
    readOpResponse(r);
    const t = readFieldDesc(r) as StructureDesc;
    expect(t.id).toBe('epics:nt/NTScalarArray:1.0');
    const data = decodeAll(one(42), (rr) => ({ resp: readOpResponse(rr), ...readBitsAndValue(rr, t) }));
    expect(Array.from(data.value['value'] as Int32Array)).toEqual([1, 2, 3]);
    expect(data.value['value']).toBeInstanceOf(Int32Array);
    const w = server();
    writeDataResponse(w, Cmd.GET, data.resp.ioid, 0, OK, { desc: t, value: { value: new Int32Array([1, 2, 3]) }, bits: data.bits });
    expect(w.take().toString('hex')).toBe(raw(42).toString('hex'));
  });

  it('MONITOR: pipelined INIT with record options and queue size, start (0x44), updates with overrun bits, ack (0x80)', () => {
    const f = one(45);
    const { op, init } = decodeAll(f, (r) => {
      const op = readOpRequest(r);
      return { op, init: readOpInit(r, op.sub, f.header.command) };
    });
    expect(op.sub).toBe(Sub.INIT | Sub.PIPELINE);
    expect(init.queueSize).toBe(4);
    expect(readPvRequest(init.requestDesc, init.request)).toEqual({ fields: { value: {} }, options: { pipeline: 'true', queueSize: '4' } });
    expect(decodeAll(one(47), readOpRequest).sub).toBe(0x44);

    const t = ntScalarType();
    const w = server();
    writeMonitorUpdate(w, op.ioid, t, { value: 2.25 }, BitSet.of(1), new BitSet());
    expect(w.take().toString('hex')).toBe(raw(48).toString('hex'));
    const ack = decodeAll(one(50), (r) => ({ op: readOpRequest(r), n: r.u32() }));
    expect(ack).toEqual({ op: { sid: op.sid, ioid: op.ioid, sub: Sub.PIPELINE }, n: 2 });
  });

  it('re-encoding the captured types gives the same bytes', () => {
    for (const i of [8, 13, 20, 30, 40, 46]) {
      const r = reader(one(i));
      readOpResponse(r);
      const start = r.offset;
      const t = readFieldDesc(r);
      const w = new PvaWriter(false);
      writeFieldDesc(w, t);
      expect(w.take().toString('hex')).toBe(one(i).payload.subarray(start, r.offset).toString('hex'));
    }
  });
});

describe('framing the captured server stream', () => {
  const stream = Buffer.concat(capture.messages.filter((m) => m.dir === 'S').map((m) => Buffer.from(m.hex, 'hex')));
  const whole = new PvaFramer().push(stream).map((f) => [f.header.command, f.payload.toString('hex')]);

  it('yields every message', () => {
    expect(whole.length).toBe(capture.messages.filter((m) => m.dir === 'S').length + 1); // + SET_BYTE_ORDER
  });

  it('gives the same messages split at every byte offset', () => {
    for (let cut = 1; cut < stream.length; cut += 7) {
      const f = new PvaFramer();
      const got = [...f.push(stream.subarray(0, cut)), ...f.push(stream.subarray(cut))].map((x) => [x.header.command, x.payload.toString('hex')]);
      expect(got).toEqual(whole);
    }
  });
});
