// writeDbr -> decodeDbr round trips for every DBR type and class, with raw-byte checks at the offsets
// of ca-protocol.md §3, zero padding, and the server-side conversions between native and requested types.
import { describe, expect, it } from 'vitest';
import {
  ByteWriter,
  ConversionError,
  DBR_CLASS_NAME,
  DBR_PUT_ACKS,
  DBR_PUT_ACKT,
  DBR_STSACK_STRING,
  DbrBase,
  DbrClass,
  dbrInfo,
  decodeDbr,
  writeDbr,
  type DbrSnapshot,
  type Limits,
} from '../../../../ioc/ca/protocol/index.js';
import { table } from './dbr-table.js';
import { cat, fixed, i16, u16 } from './bytes.js';
import { snapshot } from './fixtures.js';

const SEC = 1079352000;
const NSEC = 999999999;

/** Positive integral limits: representable in every value type, including the unsigned DBR_CHAR. */
const limits: Limits = {
  upperDisp: 100,
  lowerDisp: 1,
  upperAlarm: 90,
  upperWarning: 80,
  lowerWarning: 20,
  lowerAlarm: 10,
  upperCtrl: 95,
  lowerCtrl: 5,
};
const grLimits = {
  upperDisp: 100,
  lowerDisp: 1,
  upperAlarm: 90,
  upperWarning: 80,
  lowerWarning: 20,
  lowerAlarm: 10,
};
const states = ['Zero', 'One', 'Two'];

/** A writer whose buffer starts full of 0xAA, so any byte the encoder forgets to write shows up. */
function dirtyWriter(): ByteWriter {
  const w = new ByteWriter(4096);
  w.buf.fill(0xaa);
  return w;
}

function write(type: number, count: number, snap: DbrSnapshot): Buffer {
  const w = dirtyWriter();
  writeDbr(w, type, count, snap);
  return w.take();
}

/** Raw element readers, straight from Buffer (independent of ByteReader). */
const raw: Record<DbrBase, (b: Buffer, at: number) => number | string> = {
  [DbrBase.STRING]: (b, at) => {
    const end = b.indexOf(0, at);
    return b.toString('latin1', at, end < 0 || end > at + 40 ? at + 40 : end);
  },
  [DbrBase.SHORT]: (b, at) => b.readInt16BE(at),
  [DbrBase.FLOAT]: (b, at) => b.readFloatBE(at),
  [DbrBase.ENUM]: (b, at) => b.readUInt16BE(at),
  [DbrBase.CHAR]: (b, at) => b.readUInt8(at),
  [DbrBase.LONG]: (b, at) => b.readInt32BE(at),
  [DbrBase.DOUBLE]: (b, at) => b.readDoubleBE(at),
};

/** Native values per base: a scalar and an array, all exactly representable in that type. */
const values: Record<DbrBase, { scalar: number | string; array: number[] | string[] }> = {
  [DbrBase.STRING]: { scalar: 'alpha', array: ['a', 'bb', 'x'.repeat(39)] },
  [DbrBase.SHORT]: { scalar: -1234, array: [1, -2, 32767, -32768] },
  [DbrBase.FLOAT]: { scalar: 1.5, array: [0.25, -2.5, 1e10, -0] },
  [DbrBase.ENUM]: { scalar: 2, array: [0, 1, 2, 65535] },
  [DbrBase.CHAR]: { scalar: 200, array: [0, 65, 255] },
  [DbrBase.LONG]: { scalar: -100000, array: [2147483647, -2147483648, 0] },
  [DbrBase.DOUBLE]: { scalar: Math.PI, array: [1e-300, -0.1, 1e300, Number.MAX_VALUE] },
};

const metaSnap = (base: DbrBase, value: DbrSnapshot['value']): DbrSnapshot =>
  snapshot({
    nativeType: base,
    value,
    status: 3,
    severity: 2,
    secPastEpoch: SEC,
    nsec: NSEC,
    units: 'degC',
    precision: 4,
    limits,
    enumStrings: states,
  });

function expectedMeta(base: DbrBase, cls: DbrClass): Record<string, unknown> {
  const e: Record<string, unknown> = {};
  if (cls === DbrClass.PLAIN) return e;
  Object.assign(e, { status: 3, severity: 2 });
  if (cls === DbrClass.TIME) Object.assign(e, { secPastEpoch: SEC, nsec: NSEC });
  if ((cls === DbrClass.GR || cls === DbrClass.CTRL) && base === DbrBase.ENUM) e.enumStrings = states;
  if ((cls === DbrClass.GR || cls === DbrClass.CTRL) && base !== DbrBase.ENUM && base !== DbrBase.STRING) {
    e.units = 'degC';
    e.limits = cls === DbrClass.CTRL ? limits : grLimits;
    if (base === DbrBase.FLOAT || base === DbrBase.DOUBLE) e.precision = 4;
  }
  return e;
}

/** Bytes that are RISC padding in each layout (db_access.h), which must be written as zeros. */
const pads: Record<number, [number, number][]> = {
  11: [[4, 5]], // STS_CHAR
  13: [[4, 8]], // STS_DOUBLE
  15: [[12, 14]], // TIME_SHORT
  17: [[12, 14]], // TIME_ENUM
  18: [[12, 15]], // TIME_CHAR
  20: [[12, 16]], // TIME_DOUBLE
  23: [[6, 8]], // GR_FLOAT: pad after precision
  25: [[18, 19]], // GR_CHAR
  27: [[6, 8]], // GR_DOUBLE
  30: [[6, 8]], // CTRL_FLOAT
  32: [[20, 21]], // CTRL_CHAR
  34: [[6, 8]], // CTRL_DOUBLE
};

describe('writeDbr -> decodeDbr round trips, every type 0..34', () => {
  for (let cls = 0; cls < 5; cls++) {
    for (let base = 0; base < 7; base++) {
      const type = cls * 7 + base;
      const [name, size, offset, valueSize] = table[type]!;
      const v = values[base as DbrBase];

      it(`${type} ${name}: scalar`, () => {
        const bytes = write(type, 1, metaSnap(base as DbrBase, v.scalar));
        expect(bytes.length).toBe(size);
        expect(raw[base as DbrBase](bytes, offset)).toEqual(v.scalar);
        for (const [from, to] of pads[type] ?? []) expect([...bytes.subarray(from, to)]).toEqual(new Array(to - from).fill(0));
        expect(decodeDbr(type, 1, bytes)).toEqual({ type, base, cls, value: [v.scalar], ...expectedMeta(base as DbrBase, cls as DbrClass) });
      });

      it(`${type} ${name}: array`, () => {
        const n = v.array.length;
        const bytes = write(type, n, metaSnap(base as DbrBase, v.array));
        expect(bytes.length).toBe(size + (n - 1) * valueSize);
        for (let i = 0; i < n; i++) expect(raw[base as DbrBase](bytes, offset + i * valueSize)).toEqual(v.array[i]);
        expect(decodeDbr(type, n, bytes)).toEqual({ type, base, cls, value: v.array, ...expectedMeta(base as DbrBase, cls as DbrClass) });
      });

      it(`${type} ${name}: count larger than the value is zero-filled`, () => {
        const n = v.array.length;
        const bytes = write(type, n + 2, metaSnap(base as DbrBase, v.array));
        expect(bytes.length).toBe(size + (n + 1) * valueSize);
        expect([...bytes.subarray(offset + n * valueSize)]).toEqual(new Array(2 * valueSize).fill(0));
        const zero = base === DbrBase.STRING ? '' : 0;
        expect(decodeDbr(type, n + 2, bytes)?.value).toEqual([...v.array, zero, zero]);
      });

      it(`${type} ${name}: count smaller than the value truncates`, () => {
        const bytes = write(type, 2, metaSnap(base as DbrBase, v.array));
        expect(bytes.length).toBe(size + valueSize);
        expect(decodeDbr(type, 2, bytes)?.value).toEqual(v.array.slice(0, 2));
      });
    }
  }
});

describe('special DBR types 35..38', () => {
  it('37 DBR_STSACK_STRING: status, severity, ackt, acks, value at 8', () => {
    const snap = snapshot({ nativeType: DbrBase.DOUBLE, value: 2.5, precision: 2, status: 4, severity: 1, ackt: 1, acks: 2 });
    const bytes = write(DBR_STSACK_STRING, 1, snap);
    expect(bytes).toEqual(cat(i16(4), i16(1), u16(1), u16(2), fixed('2.50', 40)));
    expect(decodeDbr(37, 1, bytes)).toEqual({ type: 37, base: DbrBase.STRING, cls: DbrClass.STS, status: 4, severity: 1, ackt: 1, acks: 2, value: ['2.50'] });
  });

  it('38 DBR_CLASS_NAME: the record type in 40 bytes', () => {
    const bytes = write(DBR_CLASS_NAME, 1, snapshot({ recordType: 'motor' }));
    expect(bytes).toEqual(fixed('motor', 40));
    expect(decodeDbr(38, 1, bytes)).toEqual({ type: 38, base: DbrBase.STRING, cls: DbrClass.PLAIN, value: ['motor'], recordType: 'motor' });
  });

  it('35/36 PUT_ACKT/PUT_ACKS are write-only: encoding throws, decoding reads a u16', () => {
    expect(() => write(DBR_PUT_ACKT, 1, snapshot())).toThrow(RangeError);
    expect(() => write(DBR_PUT_ACKS, 1, snapshot())).toThrow(RangeError);
    expect(decodeDbr(DBR_PUT_ACKS, 1, u16(3))).toMatchObject({ value: [3] });
  });

  it('invalid types', () => {
    expect(() => write(39, 1, snapshot())).toThrow(RangeError);
    expect(decodeDbr(39, 1, Buffer.alloc(64))).toBeUndefined();
  });
});

describe('decodeDbr robustness', () => {
  it('a payload shorter than the layout is undefined, for every type', () => {
    for (let type = 0; type <= 38; type++) {
      const [, size, offset] = table[type]!;
      const lenientString = dbrInfo(type)!.base === DbrBase.STRING && type !== DBR_CLASS_NAME;
      // A string value may be short (see below) but must have at least one byte after the metadata.
      const tooShort = lenientString ? offset : size - 1;
      expect(decodeDbr(type, 1, Buffer.alloc(tooShort)), `type ${type}`).toBeUndefined();
      expect(decodeDbr(type, 1, Buffer.alloc(size)), `type ${type}`).toBeDefined();
      expect(decodeDbr(type, 2, Buffer.alloc(size)), `type ${type} count 2`).toEqual([35, 36, 38].includes(type) ? expect.anything() : undefined); // those ignore count
    }
  });

  it('DBR_STRING with a short tail (strlen+1 padded to 8) is accepted, also in STS/TIME layouts', () => {
    expect(decodeDbr(0, 1, Buffer.from('hi\0\0\0\0\0\0'))?.value).toEqual(['hi']);
    expect(decodeDbr(7, 1, cat(i16(0), i16(0), Buffer.from('hey\0')))?.value).toEqual(['hey']);
  });

  it('respects start and end inside a larger buffer', () => {
    const inner = write(20, 2, metaSnap(DbrBase.DOUBLE, [1, 2]));
    const outer = cat(Buffer.alloc(5, 0xff), inner, Buffer.alloc(8, 0xff));
    expect(decodeDbr(20, 2, outer, 5, 5 + inner.length)?.value).toEqual([1, 2]);
    expect(decodeDbr(20, 3, outer, 5, 5 + inner.length)).toBeUndefined(); // would read the 0xff tail
  });

  it('a 40-byte string field without a NUL decodes all 40 bytes; the writer truncates to 39', () => {
    expect(decodeDbr(0, 1, Buffer.from('y'.repeat(40)))?.value).toEqual(['y'.repeat(40)]);
    const bytes = write(0, 1, snapshot({ nativeType: DbrBase.STRING, value: 'z'.repeat(45) }));
    expect(bytes).toEqual(cat(Buffer.from('z'.repeat(39)), Buffer.alloc(1)));
  });

  it('GR_ENUM with no_str > 16 keeps at most 16 strings; more than 16 states are cut to 16 on write', () => {
    const many = Array.from({ length: 20 }, (_, i) => `S${i}`);
    const bytes = write(24, 1, snapshot({ nativeType: DbrBase.ENUM, value: 3, enumStrings: many }));
    expect(bytes.readInt16BE(4)).toBe(16);
    expect(decodeDbr(24, 1, bytes)?.enumStrings).toEqual(many.slice(0, 16));
    const hacked = Buffer.from(bytes);
    hacked.writeInt16BE(99, 4);
    expect(decodeDbr(24, 1, hacked)?.enumStrings).toHaveLength(16);
  });

  it('enum strings longer than 25 chars are truncated to fit char[26]', () => {
    const long = 'L'.repeat(30);
    const d = decodeDbr(31, 1, write(31, 1, snapshot({ nativeType: DbrBase.ENUM, value: 0, enumStrings: [long] })));
    expect(d?.enumStrings).toEqual(['L'.repeat(25)]);
  });

  it('units longer than 7 chars are truncated to fit char[8]', () => {
    const d = decodeDbr(27, 1, write(27, 1, snapshot({ value: 1, units: 'furlongs/fortnight' })));
    expect(d?.units).toBe('furlong');
  });
});

describe('conversions on read (native type -> requested type)', () => {
  const read = (type: number, count: number, snap: DbrSnapshot) => decodeDbr(type, count, write(type, count, snap))?.value;

  it('double -> string uses the PV precision: 8 with PREC 3 reads "8.000"', () => {
    const snap = snapshot({ value: 8, precision: 3 });
    expect(read(0, 1, snap)).toEqual(['8.000']);
    expect(read(14, 1, snap)).toEqual(['8.000']); // TIME_STRING
    expect(read(28, 1, snap)).toEqual(['8.000']); // CTRL_STRING = STS layout
    expect(read(0, 2, snapshot({ value: [1, 2.25], precision: 1 }))).toEqual(['1.0', '2.3']);
    expect(read(0, 1, snapshot({ value: -0.5, precision: 0 }))).toEqual(['-1']);
  });

  it('float -> string', () => {
    expect(read(0, 1, snapshot({ nativeType: DbrBase.FLOAT, value: Math.fround(0.1), precision: 2 }))).toEqual(['0.10']);
  });

  it('integers -> string ignore the precision', () => {
    expect(read(0, 1, snapshot({ nativeType: DbrBase.LONG, value: -42, precision: 3 }))).toEqual(['-42']);
    expect(read(0, 1, snapshot({ nativeType: DbrBase.CHAR, value: 65 }))).toEqual(['65']);
  });

  it('enum -> string gives the state name, or the index when there is no name', () => {
    const s = { nativeType: DbrBase.ENUM, enumStrings: ['', 'On'] } as const;
    expect(read(0, 1, snapshot({ ...s, value: 1 }))).toEqual(['On']);
    expect(read(0, 1, snapshot({ ...s, value: 0 }))).toEqual(['0']);
    expect(read(0, 1, snapshot({ ...s, value: 7 }))).toEqual(['7']);
    expect(read(0, 3, snapshot({ nativeType: DbrBase.ENUM, enumStrings: states, value: [2, 0, 1] }))).toEqual(['Two', 'Zero', 'One']);
  });

  it('enum -> numeric gives the index', () => {
    expect(read(1, 1, snapshot({ nativeType: DbrBase.ENUM, enumStrings: states, value: 2 }))).toEqual([2]);
    expect(read(6, 1, snapshot({ nativeType: DbrBase.ENUM, enumStrings: states, value: 'One' }))).toEqual([1]);
  });

  it('string -> number parses', () => {
    const s = (value: string) => snapshot({ nativeType: DbrBase.STRING, value });
    expect(read(6, 1, s('42.5'))).toEqual([42.5]);
    expect(read(5, 1, s('42.5'))).toEqual([42]);
    expect(read(5, 1, s('0x1F'))).toEqual([31]);
    expect(read(1, 1, s('  7 '))).toEqual([7]);
    expect(read(6, 1, s(''))).toEqual([0]);
    expect(read(6, 1, s('-1e3'))).toEqual([-1000]);
  });

  it('string that is not a number throws ConversionError', () => {
    for (const type of [1, 2, 3, 4, 5, 6, 20, 34]) {
      expect(() => write(type, 1, snapshot({ nativeType: DbrBase.STRING, value: 'abc' })), `type ${type}`).toThrow(ConversionError);
    }
    expect(() => write(6, 1, snapshot({ nativeType: DbrBase.STRING, value: '12abc' }))).toThrow(ConversionError);
  });

  it('C-style narrowing of out-of-range integers', () => {
    expect(read(1, 1, snapshot({ nativeType: DbrBase.LONG, value: 70000 }))).toEqual([4464]); // (short)70000
    expect(read(1, 1, snapshot({ nativeType: DbrBase.LONG, value: -32769 }))).toEqual([32767]);
    expect(read(4, 1, snapshot({ nativeType: DbrBase.LONG, value: 300 }))).toEqual([44]); // (epicsUInt8)300
    expect(read(4, 1, snapshot({ nativeType: DbrBase.SHORT, value: -1 }))).toEqual([255]);
    expect(read(3, 1, snapshot({ nativeType: DbrBase.LONG, value: -1 }))).toEqual([65535]); // (epicsEnum16)-1
    expect(read(5, 1, snapshot({ nativeType: DbrBase.DOUBLE, value: -3.7 }))).toEqual([-3]); // truncation toward 0
    expect(read(1, 1, snapshot({ nativeType: DbrBase.DOUBLE, value: 2.9 }))).toEqual([2]);
    expect(read(2, 1, snapshot({ nativeType: DbrBase.DOUBLE, value: 0.1 }))).toEqual([Math.fround(0.1)]);
    expect(read(5, 1, snapshot({ nativeType: DbrBase.DOUBLE, value: Number.NaN }))).toEqual([0]);
  });

  it('GR/CTRL limits narrow to the requested type too', () => {
    const snap = snapshot({ value: 1, limits: { ...limits, upperDisp: 9.7, lowerDisp: -9.7, upperCtrl: 70000 } });
    expect(decodeDbr(29, 1, write(29, 1, snap))?.limits).toMatchObject({ upperDisp: 9, lowerDisp: -9, upperCtrl: 4464 });
    expect(decodeDbr(32, 1, write(32, 1, snap))?.limits).toMatchObject({ upperDisp: 9, lowerDisp: 247, upperCtrl: 112 });
  });
});

describe('decodeDbr with a count the payload cannot hold', () => {
  // The count comes from the peer's header (u32 in the extended form): refuse it before allocating.
  it('returns undefined for a 2^32-1 element DOUBLE in 8 bytes, without allocating for the count', () => {
    // Allocation, not time, is what a hostile count costs: 2^28 doubles would be 2 GiB.
    const before = process.memoryUsage().arrayBuffers;
    expect(decodeDbr(DbrBase.DOUBLE, 0xffffffff, Buffer.alloc(8))).toBeUndefined();
    expect(decodeDbr(20, 0x10000000, Buffer.alloc(64))).toBeUndefined(); // DBR_TIME_DOUBLE
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('still takes exactly-sized payloads and a lone short string', () => {
    expect(decodeDbr(DbrBase.DOUBLE, 2, Buffer.alloc(16))?.value).toEqual([0, 0]);
    expect(decodeDbr(DbrBase.DOUBLE, 3, Buffer.alloc(16))).toBeUndefined();
    expect(decodeDbr(DbrBase.STRING, 1, Buffer.from('ab\0\0\0\0\0\0', 'latin1'))?.value).toEqual(['ab']);
    expect(decodeDbr(DbrBase.STRING, 2, Buffer.concat([Buffer.alloc(40), Buffer.from('ab\0\0\0\0\0\0')]))?.value).toEqual(['', 'ab']);
    expect(decodeDbr(DbrBase.STRING, 2, Buffer.alloc(40))).toBeUndefined();
  });
});
