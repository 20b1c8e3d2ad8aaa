// The TCP framer: every golden stream split at every byte offset yields the same messages and consumes
// every byte; oversized payloads are refused before buffering and skipped, even across chunks.
import { describe, expect, it } from 'vitest';
import { Framer, frameDatagram, type RawMessage } from '../../../../ioc/ca/protocol/index.js';
import { cat, extMsg, f64, msg, u16 } from './bytes.js';
import { V } from './golden.js';
import { copyMessage, frameAll, type Framed } from './fixtures.js';

interface Collected {
  messages: Framed[];
  oversized: { header: Buffer; size: number }[];
}

function collector(maxPayload = 1 << 24): { framer: Framer; got: Collected } {
  const got: Collected = { messages: [], oversized: [] };
  const framer = new Framer(
    {
      message: (m: RawMessage) => got.messages.push(copyMessage(m)),
      oversized: (header, size) => got.oversized.push({ header: Buffer.from(header), size }),
    },
    maxPayload,
  );
  return { framer, got };
}

/** One string per message: cheap to compare thousands of times (deep equality on Buffers is slow). */
const sig = (ms: Framed[]): string[] =>
  ms.map((m) => `${m.command} ${m.payloadSize} ${m.dataType} ${m.dataCount} ${m.p1} ${m.p2} ${m.headerBytes.toString('hex')} ${m.payload.toString('hex')}`);

/** Feed `stream` as the given chunks, copying each chunk so the framer cannot rely on the caller's buffer. */
function feed(stream: Buffer, cuts: number[], maxPayload?: number): Collected & { buffered: number } {
  const { framer, got } = collector(maxPayload);
  let at = 0;
  for (const cut of [...cuts, stream.length]) {
    framer.push(Buffer.from(stream.subarray(at, cut)));
    at = cut;
  }
  return { ...got, buffered: framer.buffered };
}

const goldenStreams: Record<string, Buffer> = Object.fromEntries(Object.entries(V).map(([k, v]) => [k, v as Buffer]));
/** All golden messages back to back, plus an extended message with a payload. */
const everything = cat(
  ...Object.values(goldenStreams),
  extMsg({ cmd: 15, dtype: 6, count: 3, p1: 1, p2: 2 }, cat(f64(1), f64(2), f64(3))),
);

describe('Framer splits', () => {
  for (const [name, stream] of Object.entries({ ...goldenStreams, everything })) {
    it(`${name}: every split offset gives the same messages and consumes every byte`, () => {
      const expected = sig(frameAll(stream));
      expect(expected.length).toBeGreaterThan(0);
      for (let cut = 0; cut <= stream.length; cut++) {
        const r = feed(stream, [cut]);
        expect(sig(r.messages), `cut at ${cut}`).toEqual(expected);
        expect(r.buffered).toBe(0);
        expect(r.oversized).toEqual([]);
      }
    });
  }

  it('everything fed one byte at a time, and in three uneven chunks at every pair of offsets (sampled)', () => {
    const expected = sig(frameAll(everything));
    const bytewise = feed(everything, Array.from({ length: everything.length - 1 }, (_, i) => i + 1));
    expect(sig(bytewise.messages)).toEqual(expected);
    expect(bytewise.buffered).toBe(0);
    for (let a = 0; a < everything.length; a += 7) {
      for (let b = a; b < everything.length; b += 13) {
        const r = feed(everything, [a, b]);
        expect(sig(r.messages), `cuts ${a}, ${b}`).toEqual(expected);
        expect(r.buffered).toBe(0);
      }
    }
  });

  it('the 800000-byte extended array survives splits inside the header and in the payload', () => {
    const values = Array.from({ length: 100000 }, (_, i) => f64(i));
    const big = extMsg({ cmd: 15, dtype: 6, count: 100000, p1: 1, p2: 9 }, cat(...values));
    const stream = cat(msg({ cmd: 23 }), big, msg({ cmd: 23 }));
    const cuts = [...Array.from({ length: 41 }, (_, i) => i), 16 + 24 + 400000, stream.length - 17, stream.length - 1];
    for (const cut of cuts) {
      const r = feed(stream, [cut]);
      expect(r.messages.map((m) => [m.command, m.payloadSize, m.dataCount])).toEqual([
        [23, 0, 0],
        [15, 800000, 100000],
        [23, 0, 0],
      ]);
      expect(r.messages[1]!.payload.readDoubleBE(8 * 99999)).toBe(99999);
      expect(r.buffered).toBe(0);
    }
    // 64 KiB chunks
    const chunked = feed(stream, Array.from({ length: Math.floor(stream.length / 65536) }, (_, i) => (i + 1) * 65536));
    expect(chunked.messages).toHaveLength(3);
  });

  it('holds a partial message until the rest arrives and reports it as buffered', () => {
    const { framer, got } = collector();
    framer.push(V.rsrvCtrlDouble.subarray(0, 30));
    expect(got.messages).toEqual([]);
    expect(framer.buffered).toBe(30);
    framer.push(V.rsrvCtrlDouble.subarray(30));
    expect(got.messages).toHaveLength(1);
    expect(framer.buffered).toBe(0);
  });

  it('message payload views stay valid while later chunks are appended (handler copies are not required during the call)', () => {
    const payloads: Buffer[] = [];
    const framer = new Framer({ message: (m) => payloads.push(m.payload), oversized: () => {} }, 1 << 20);
    const a = msg({ cmd: 20 }, Buffer.from('first\0'));
    const b = msg({ cmd: 20 }, Buffer.from('second\0'));
    const stream = cat(a, b, a);
    framer.push(stream.subarray(0, a.length + 5));
    framer.push(stream.subarray(a.length + 5, a.length + b.length + 3));
    framer.push(stream.subarray(a.length + b.length + 3));
    expect(payloads.map((p) => p.toString('latin1').replace(/\0+$/, ''))).toEqual(['first', 'second', 'first']);
  });
});

describe('Framer size limit', () => {
  const small1 = msg({ cmd: 23 });
  const big = msg({ cmd: 4, dtype: 6, count: 125, p1: 1 }, Buffer.alloc(1000, 0x55));
  const small2 = msg({ cmd: 12, p1: 1, p2: 2 }, u16(7));
  const stream = cat(small1, big, small2);

  it('refuses an oversized payload, skips it, and keeps framing at every split offset', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const r = feed(stream, [cut], 64);
      expect(r.messages.map((m) => m.command), `cut ${cut}`).toEqual([23, 12]);
      expect(r.messages[1]!.payload).toEqual(small2.subarray(16));
      expect(r.oversized).toEqual([{ header: big.subarray(0, 16), size: 1000 }]);
      expect(r.buffered).toBe(0);
    }
  });

  it('skips the payload across many small chunks', () => {
    const r = feed(stream, Array.from({ length: Math.floor(stream.length / 7) }, (_, i) => (i + 1) * 7), 64);
    expect(r.messages.map((m) => m.command)).toEqual([23, 12]);
    expect(r.oversized).toHaveLength(1);
  });

  it('refuses an extended header before its payload arrives, quoting the 24 header bytes', () => {
    const ext = extMsg({ cmd: 4, dtype: 6, count: 100000 }, Buffer.alloc(800000));
    const s = cat(ext, small2);
    const { framer, got } = collector(16384);
    framer.push(s.subarray(0, 30));
    expect(got.oversized).toEqual([{ header: ext.subarray(0, 24), size: 800000 }]);
    expect(framer.buffered).toBe(0); // nothing is held for the refused payload
    framer.push(s.subarray(30, 500000));
    expect(framer.buffered).toBe(0);
    framer.push(s.subarray(500000));
    expect(got.messages.map((m) => m.command)).toEqual([12]);
  });

  it('a payload exactly at the limit is accepted', () => {
    const r = feed(big, [], 1000);
    expect(r.messages).toHaveLength(1);
    expect(r.oversized).toEqual([]);
  });
});

describe('frameDatagram', () => {
  it('frames all messages of a datagram', () => {
    const seen: number[] = [];
    expect(frameDatagram(V.libcaSearchDatagram, (m) => seen.push(m.command))).toEqual({ complete: true });
    expect(seen).toEqual([0, 6]);
  });

  it('stops at a truncated message and says so', () => {
    const seen: number[] = [];
    const cut = V.rsrvSearchReplyDatagram.subarray(0, V.rsrvSearchReplyDatagram.length - 1);
    expect(frameDatagram(cut, (m) => seen.push(m.command))).toEqual({ complete: false });
    expect(seen).toEqual([0]);
    expect(frameDatagram(Buffer.alloc(10), () => {})).toEqual({ complete: false });
  });

  it('an empty datagram is complete and empty', () => {
    expect(frameDatagram(Buffer.alloc(0), () => expect.fail('no message'))).toEqual({ complete: true });
  });
});

describe('Framer backpressure', () => {
  it('pause() stops delivery after the current message; bytes pushed meanwhile wait; resume() delivers them in order', () => {
    const expected = sig(frameAll(everything));
    for (let stopAfter = 1; stopAfter < expected.length; stopAfter += 3) {
      for (const cut of [0, 5, everything.length >> 1]) {
        const got: Framed[] = [];
        const framer = new Framer(
          {
            message: (m) => {
              got.push(copyMessage(m));
              if (got.length === stopAfter) framer.pause();
            },
            oversized: () => {},
          },
          1 << 24,
        );
        framer.push(Buffer.from(everything.subarray(0, cut)));
        framer.push(Buffer.from(everything.subarray(cut)));
        expect(got.length, `stop after ${stopAfter}, cut ${cut}`).toBe(stopAfter);
        expect(framer.paused).toBe(true);
        expect(framer.buffered).toBeGreaterThan(0);
        framer.resume();
        expect(sig(got), `stop after ${stopAfter}, cut ${cut}`).toEqual(expected);
        expect(framer.buffered).toBe(0);
      }
    }
  });
});
