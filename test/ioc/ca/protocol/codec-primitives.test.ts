// ByteReader (overrun recording), ByteWriter (header back-patching, padding, extended header, growth),
// parseHeader, and EPICS time.
import { describe, expect, it } from 'vitest';
import {
  ByteReader,
  ByteWriter,
  EPICS_EPOCH_OFFSET,
  cString,
  epicsTimeFromMs,
  epicsTimeToPosix,
  pad8,
  parseHeader,
  toInt16,
} from '../../../../ioc/ca/protocol/index.js';
import { cat, extHeader, extMsg, f32, f64, header, hex, i16, i32, msg, u16, u32 } from './bytes.js';

describe('ByteReader', () => {
  it('reads big-endian fields in order', () => {
    const r = new ByteReader(cat(u16(0xfffe), i16(-2), u32(0xdeadbeef), i32(-5), f32(1.5), f64(-0.25), Buffer.from([7])));
    expect([r.u16(), r.i16(), r.u32(), r.i32(), r.f32(), r.f64(), r.u8()]).toEqual([0xfffe, -2, 0xdeadbeef, -5, 1.5, -0.25, 7]);
    expect(r.ok).toBe(true);
    expect(r.remaining).toBe(0);
  });

  it('records the first overrun: later reads return 0 / "" and ok stays false', () => {
    const r = new ByteReader(hex('0102 03'));
    expect(r.u16()).toBe(0x0102);
    expect(r.u16()).toBe(0); // only one byte left
    expect(r.ok).toBe(false);
    expect(r.offset).toBe(3);
    expect(r.remaining).toBe(0);
    expect(r.u8()).toBe(0); // the byte that was left is not handed out after an overrun
    expect(r.fixedString(4)).toBe('');
    expect(r.f64()).toBe(0);
    expect(r.ok).toBe(false);
  });

  it('stays inside [start, end) of a larger buffer', () => {
    const buf = hex('ff ff 0001 0002 ff ff');
    const r = new ByteReader(buf, 2, 6);
    expect([r.u16(), r.u16()]).toEqual([1, 2]);
    expect(r.ok).toBe(true);
    expect(r.u8()).toBe(0);
    expect(r.ok).toBe(false);
  });

  it('skip past the end is an overrun', () => {
    const r = new ByteReader(Buffer.alloc(4));
    r.skip(4);
    expect(r.ok).toBe(true);
    r.skip(1);
    expect(r.ok).toBe(false);
  });

  it('fixedString stops at the first NUL and consumes the whole field', () => {
    const r = new ByteReader(cat(Buffer.from('ab\0cd\0\0\0'), u16(9)));
    expect(r.fixedString(8)).toBe('ab');
    expect(r.u16()).toBe(9);
  });

  it('fixedStringLenient accepts a short tail but overruns when nothing is left', () => {
    const r = new ByteReader(Buffer.from('abc\0\0\0\0\0'));
    expect(r.fixedStringLenient(40)).toBe('abc');
    expect(r.ok).toBe(true);
    expect(r.fixedStringLenient(40)).toBe('');
    expect(r.ok).toBe(false);
  });

  it('cString bounds the search by end', () => {
    expect(cString(Buffer.from('hello\0x'), 0, 7)).toBe('hello');
    expect(cString(Buffer.from('hello\0x'), 0, 3)).toBe('hel');
    expect(cString(Buffer.from('ab\xe9', 'latin1'), 0, 3)).toBe('ab\u00e9');
  });
});

describe('ByteWriter', () => {
  it('pad8 rounds up to multiples of 8', () => {
    expect([0, 1, 7, 8, 9, 16, 65529].map(pad8)).toEqual([0, 8, 8, 8, 16, 16, 65536]);
  });

  it('toInt16 wraps like a C cast to short', () => {
    expect([32767, 32768, 65535, -32769, 70000].map(toInt16)).toEqual([32767, -32768, -1, 32767, 4464]);
  });

  it('finish() back-patches the header and zero-pads the payload', () => {
    const w = new ByteWriter(8);
    w.buf.fill(0xaa);
    const s = w.begin();
    w.u8(1);
    w.u16(2);
    w.finish(s, 15, 4, 3, 0x01020304, 0xfffffffe);
    expect(w.take()).toEqual(msg({ cmd: 15, dtype: 4, count: 3, p1: 0x01020304, p2: 0xfffffffe }, hex('01 0002')));
  });

  it('negative p1/p2 and i16/i32/u32 inputs wrap to their unsigned wire form', () => {
    const w = new ByteWriter();
    const s = w.begin();
    w.i16(-1);
    w.u16(-1);
    w.i32(0xffffffff);
    w.u32(-1);
    w.finish(s, 1, 0, 0, -1, -2);
    expect(w.take()).toEqual(msg({ cmd: 1, p1: 0xffffffff, p2: 0xfffffffe }, hex('ffff ffff ffffffff ffffffff')));
  });

  it('extended header exactly when the padded size reaches 0xFFFF', () => {
    const atLimit = new ByteWriter(16);
    let s = atLimit.begin();
    atLimit.zeros(65528);
    atLimit.finish(s, 4, 4, 65528, 0, 0);
    const a = atLimit.take();
    expect(a.subarray(0, 16)).toEqual(header({ cmd: 4, size: 65528, dtype: 4, count: 65528 }));
    expect(a.length).toBe(16 + 65528);

    const over = new ByteWriter(16);
    s = over.begin();
    over.zeros(65529);
    over.u8(0); // 65530 bytes, pads to 65536
    over.finish(s, 4, 4, 65530, 0, 0);
    const b = over.take();
    expect(b.subarray(0, 24)).toEqual(extHeader({ cmd: 4, size: 65536, dtype: 4, count: 65530 }));
    expect(b.length).toBe(24 + 65536);
  });

  it('extended header exactly when the count reaches 0xFFFF, payload moved intact', () => {
    const w = new ByteWriter(16);
    let s = w.begin();
    w.u32(0x11223344);
    w.finish(s, 1, 6, 0xfffe, 7, 8);
    s = w.begin();
    w.u32(0x55667788);
    w.finish(s, 1, 6, 0xffff, 7, 8);
    expect(w.take()).toEqual(
      cat(msg({ cmd: 1, dtype: 6, count: 0xfffe, p1: 7, p2: 8 }, u32(0x11223344)), extMsg({ cmd: 1, dtype: 6, count: 0xffff, p1: 7, p2: 8 }, u32(0x55667788))),
    );
  });

  it('allowExtended=false (client < 4.9) keeps 16 bytes and caps the count at 0xFFFE', () => {
    const w = new ByteWriter();
    w.finish(w.begin(), 18, 6, 100000, 1, 2, false);
    expect(w.take()).toEqual(header({ cmd: 18, size: 0, dtype: 6, count: 0xfffe, p1: 1, p2: 2 }));
  });

  it('fixedString truncates to size-1 and zero-fills; cString appends one NUL', () => {
    const w = new ByteWriter(4);
    w.buf.fill(0xaa);
    w.fixedString('abcdef', 4);
    w.fixedString('', 3);
    w.cString('xy');
    expect(w.take()).toEqual(hex('61626300 000000 787900'));
  });

  it('grows from a tiny buffer; take() copies and resets, drain() views and resets', () => {
    const w = new ByteWriter(1);
    for (let i = 0; i < 1000; i++) w.u32(i);
    const taken = w.take();
    expect(taken.length).toBe(4000);
    expect(taken.readUInt32BE(3996)).toBe(999);
    expect(w.pos).toBe(0);
    w.u16(0xabcd);
    const view = w.drain();
    expect(view).toEqual(hex('abcd'));
    expect(w.pos).toBe(0);
    w.u16(0x1234);
    expect(taken.readUInt32BE(0)).toBe(0); // the copy is unaffected by later writes
    expect(view).toEqual(hex('1234')); // the view is not
  });
});

describe('parseHeader', () => {
  it('needs 16 bytes, or 24 for the extended form', () => {
    const std = msg({ cmd: 6, dtype: 1, count: 2, p1: 3, p2: 4 });
    expect(parseHeader(std, 0, 15)).toBeUndefined();
    expect(parseHeader(std, 0, 16)).toEqual({ command: 6, payloadSize: 0, dataType: 1, dataCount: 2, p1: 3, p2: 4, headerSize: 16 });
    const ext = extHeader({ cmd: 15, size: 800000, dtype: 6, count: 100000, p1: 1, p2: 2 });
    expect(parseHeader(ext, 0, 23)).toBeUndefined();
    expect(parseHeader(ext, 0, 24)).toEqual({ command: 15, payloadSize: 800000, dataType: 6, dataCount: 100000, p1: 1, p2: 2, headerSize: 24 });
  });

  it('parses at an offset', () => {
    const b = cat(Buffer.alloc(3), msg({ cmd: 23 }));
    expect(parseHeader(b, 3, b.length)).toMatchObject({ command: 23, headerSize: 16 });
  });

  it('a size field of 0xFFFF means extended whatever the count field holds (RSRV camessage.c, libca)', () => {
    const odd = cat(u16(1), u16(0xffff), u16(6), u16(5), u32(1), u32(2), u32(8), u32(1));
    expect(parseHeader(odd, 0, odd.length)).toMatchObject({ payloadSize: 8, dataCount: 1, headerSize: 24 });
  });

  it('a count of 0xFFFF with a small size is a standard header', () => {
    const h = header({ cmd: 1, size: 8, count: 0xffff });
    expect(parseHeader(h, 0, 16)).toMatchObject({ payloadSize: 8, dataCount: 0xffff, headerSize: 16 });
  });
});

describe('EPICS time', () => {
  it('the EPICS epoch is 1990-01-01T00:00:00Z = POSIX 631152000', () => {
    expect(EPICS_EPOCH_OFFSET).toBe(631152000);
    expect(Date.UTC(1990, 0, 1) / 1000).toBe(EPICS_EPOCH_OFFSET);
    expect(epicsTimeFromMs(Date.UTC(1990, 0, 1))).toEqual({ secPastEpoch: 0, nsec: 0 });
  });

  it('splits milliseconds into seconds past the EPICS epoch and nanoseconds', () => {
    const ms = Date.UTC(2024, 2, 15, 12, 0, 0) + 250.5;
    expect(epicsTimeFromMs(ms)).toEqual({ secPastEpoch: 1079352000, nsec: 250500000 });
    expect(epicsTimeFromMs(Date.UTC(2024, 2, 15, 12, 0, 0) + 999)).toEqual({ secPastEpoch: 1079352000, nsec: 999000000 });
  });

  it('nanoseconds stay in [0, 1e9) near second boundaries', () => {
    const base = Date.UTC(2030, 0, 1);
    for (const frac of [0, 0.0001, 999.9999, 999.99999, 1000 - 1e-7]) {
      const t = epicsTimeFromMs(base + frac);
      expect(t.nsec).toBeGreaterThanOrEqual(0);
      expect(t.nsec).toBeLessThan(1e9);
      expect(Number.isInteger(t.nsec)).toBe(true);
    }
  });

  it('epicsTimeToPosix is the inverse', () => {
    expect(epicsTimeToPosix({ secPastEpoch: 1079352000, nsec: 500000000 })).toBe(1710504000.5);
    expect(epicsTimeToPosix({ secPastEpoch: 0, nsec: 0 })).toBe(631152000);
  });
});
