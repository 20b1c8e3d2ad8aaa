// Segmentation: the server never splits its own messages (pvxs sends each message whole, whatever its
// size), and joins segmented messages from peers (first, middle…, last; control messages may come between).
import { describe, expect, it } from 'vitest';
import { DbrBase } from '../../../../ioc/epics/field-type.js';
import { BitSet, bitOffset, Cmd, Ctrl, Flags, HEADER_SIZE, readBitsAndValue, readFieldDesc, readOpResponse, Sub, writePartial, PvaWriter, type StructureDesc } from '../../../../ioc/pva/protocol/index.js';
import { ntNdArrayDesc, ntNdArrayValue } from '../../../../ioc/pva/server/ntndarray.js';
import { SharedPv, sharedPvs } from '../../../../ioc/pva/server/shared-pv.js';
import { newDb, TestPeer } from './harness.js';

/** Walk a byte stream message by message: [flags, command, payload size] of each. */
function messages(stream: Buffer): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let at = 0; at < stream.length; ) {
    expect(stream[at]).toBe(0xca);
    const flags = stream[at + 2]!;
    const size = flags & Flags.BIG_ENDIAN ? stream.readUInt32BE(at + 4) : stream.readUInt32LE(at + 4);
    out.push([flags, stream[at + 3]!, size]);
    at += HEADER_SIZE + (flags & Flags.CONTROL ? 0 : size);
  }
  return out;
}

describe('the server never segments', () => {
  it('a 1024×1024 NTNDArray monitor update goes out as one unsegmented message with the pixels intact', () => {
    const db = newDb();
    const pixels = new Uint16Array(1024 * 1024);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7919) & 0xffff;
    const frame = (uniqueId: number) => ntNdArrayValue({ pixels, dims: [1024, 1024], uniqueId, secPastEpoch: 1, nsec: 2 });
    const image = new SharedPv('img', ntNdArrayDesc, frame(1));
    sharedPvs(db).set('img', image);
    const p = new TestPeer(db);
    p.validate();
    const sid = p.channel('img');
    const r = p.reader(p.init(Cmd.MONITOR, sid, 4));
    readOpResponse(r);
    const desc = readFieldDesc(r) as StructureDesc;
    p.send((w) => w.begin(Cmd.MONITOR).u32(sid).u32(4).u8(0x44).finish());
    p.raw.length = 0;
    image.post(frame(2));
    const sent = messages(Buffer.concat(p.raw));
    expect(sent).toHaveLength(1);
    const [flags, cmd, size] = sent[0]!;
    expect([flags & Flags.SEGMENT_MASK, cmd]).toEqual([0, Cmd.MONITOR]);
    expect(size).toBeGreaterThan(pixels.byteLength);
    const updates = p.take().slice(-1);
    const rr = p.reader(updates[0]!);
    rr.u32();
    rr.u8();
    const { value } = readBitsAndValue(rr, desc);
    expect(value['uniqueId']).toBe(2);
    const got = (value['value'] as { select: string; value: Uint16Array }).value;
    expect((value['value'] as { select: string }).select).toBe('ushortValue');
    expect(Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(Buffer.from(pixels.buffer))).toBe(true);
  });
});

describe('segmented messages from a peer', () => {
  /** Split one whole message into `n` segments (first, middle…, last) with an ECHO_REQUEST between each. */
  function segmented(whole: Buffer, be: boolean, n: number): Buffer {
    const payload = whole.subarray(HEADER_SIZE);
    const cmd = whole[3]!;
    const parts: Buffer[] = [];
    const step = Math.ceil(payload.length / n);
    for (let i = 0; i < n; i++) {
      const seg = i === 0 ? Flags.SEGMENT_FIRST : i === n - 1 ? Flags.SEGMENT_LAST : Flags.SEGMENT_MIDDLE;
      const w = new PvaWriter(be, 0);
      w.begin(cmd, seg).bytes(payload.subarray(i * step, (i + 1) * step)).finish();
      if (i < n - 1) w.control(Ctrl.ECHO_REQUEST, 0);
      parts.push(w.take());
    }
    return Buffer.concat(parts);
  }

  it.each([
    ['little-endian', false],
    ['big-endian', true],
  ])('a PUT of a 100 000-element array in 5 segments from a %s peer, fed in 4 KiB chunks, is applied', async (_, be) => {
    const db = newDb();
    const wf = db.create('wf', { type: DbrBase.DOUBLE, value: [0], maxCount: 100_000 });
    const p = new TestPeer(db, be);
    p.validate();
    const sid = p.channel('wf');
    const r = p.reader(p.init(Cmd.PUT, sid, 9, 'field(value)'));
    readOpResponse(r);
    const desc = readFieldDesc(r) as StructureDesc;
    const values = Float64Array.from({ length: 100_000 }, (_, i) => i / 4);
    const w = new PvaWriter(be, 0);
    const bits = BitSet.of(bitOffset(desc, 'value'));
    w.begin(Cmd.PUT).u32(sid).u32(9).u8(Sub.DESTROY);
    bits.write(w);
    writePartial(w, desc, { value: values }, bits);
    w.finish();
    const stream = segmented(w.take(), be, 5);
    for (let i = 0; i < stream.length; i += 4096) p.circuit.recv(stream.subarray(i, i + 4096));
    expect(p.closed).toBe(false);
    // An ECHO_RESPONSE for each echo request between the segments …
    expect(p.frames.filter((f) => f.header.flags & Flags.CONTROL).map((f) => f.header.command)).toEqual(Array(4).fill(Ctrl.ECHO_RESPONSE));
    // … and the put's OK once the write completes.
    const replies: ReturnType<typeof readOpResponse>[] = [];
    await expect.poll(() => (replies.push(...p.take().map((f) => readOpResponse(p.reader(f)))), replies)).toMatchObject([{ ioid: 9, status: { type: 0 } }]);
    expect(Array.from(wf.value as Float64Array)).toEqual(Array.from(values));
  });
});
