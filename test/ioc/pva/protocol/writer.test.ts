// PvaWriter.view(): large byte runs are referenced, not copied; the chunks say exactly what copying would.
import { describe, expect, it } from 'vitest';
import { Cmd, PvaFramer, PvaReader, PvaWriter, VIEW_MIN, writeValue, readValue, scalarArray } from '../../../../ioc/pva/protocol/index.js';

/** The same writes through a writer that copies everything (bytes) and one that views (view). */
function both(build: (w: PvaWriter, put: (b: Uint8Array) => void) => void, be = false): { copied: Buffer; chunks: Buffer[] } {
  const a = new PvaWriter(be, 0x40, 16);
  build(a, (b) => a.bytes(b));
  const b = new PvaWriter(be, 0x40, 16);
  build(b, (x) => b.view(x));
  return { copied: a.take(), chunks: b.takeChunks() };
}

describe('PvaWriter views', () => {
  it.each([false, true])('a large run inside a message (be=%s): chunks join to the copied bytes, the size patched, the run not copied', (be) => {
    const big = new Uint8Array(VIEW_MIN + 5).map((_, i) => i * 31);
    const { copied, chunks } = both((w, put) => {
      w.begin(Cmd.ECHO).u32(7).string('before');
      put(big);
      w.u16(0xbeef);
      // Outgrow the 16-byte initial buffer after the view, with the header of the open message cut off already.
      w.string('x'.repeat(3000)).finish();
      w.begin(Cmd.ECHO).u8(1).finish();
    }, be);
    expect(Buffer.concat(chunks).equals(copied)).toBe(true);
    expect(chunks.some((c) => c.buffer === big.buffer && c.byteOffset === big.byteOffset && c.length === big.length)).toBe(true);
    const frames = new PvaFramer().push(Buffer.concat(chunks));
    expect(frames.map((f) => [f.header.command, f.header.size])).toEqual([
      [Cmd.ECHO, 4 + 7 + big.length + 2 + 5 + 3000],
      [Cmd.ECHO, 1],
    ]);
  });

  it('small runs are copied: one chunk, and the writer reuses its buffer', () => {
    const w = new PvaWriter(false, 0, 64);
    const small = new Uint8Array(VIEW_MIN - 1).fill(9);
    w.begin(Cmd.ECHO).view(small).finish();
    const chunks = w.takeChunks();
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.buffer).not.toBe(small.buffer);
    expect(w.length).toBe(0);
  });

  it('several views in one batch, and take() joins them into one Buffer', () => {
    const x = new Uint8Array(VIEW_MIN).fill(1);
    const y = new Uint8Array(VIEW_MIN * 2).fill(2);
    const { copied, chunks } = both((w, put) => {
      w.begin(Cmd.ECHO);
      put(x);
      put(y);
      w.finish();
    });
    expect(chunks.map((c) => c.length)).toEqual([8, x.length, y.length]);
    expect(Buffer.concat(chunks).equals(copied)).toBe(true);
    const w = new PvaWriter();
    w.begin(Cmd.ECHO).view(x).u8(5).finish();
    expect(w.take().equals(Buffer.concat([Buffer.from('ca020002', 'hex'), Buffer.from([1, 0, 1, 0]), Buffer.from(x), Buffer.from([5])]))).toBe(true);
  });

  it('a typed array of the wire type and byte order is written by reference and reads back equal', () => {
    const pixels = Int32Array.from({ length: 1 << 16 }, (_, i) => i * 17 - 3);
    const w = new PvaWriter(false, 0);
    writeValue(w, scalarArray('int'), pixels);
    const chunks = w.takeChunks();
    expect(chunks.some((c) => c.buffer === pixels.buffer)).toBe(true);
    const back = readValue(new PvaReader(Buffer.concat(chunks), false), scalarArray('int')) as Int32Array;
    expect(Array.from(back)).toEqual(Array.from(pixels));
  });
});
