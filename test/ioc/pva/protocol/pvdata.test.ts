import { describe, expect, it } from 'vitest';
import {
  BitSet,
  PvaReader,
  PvaWriter,
  TypeCache,
  bitOffset,
  buildPvRequest,
  readFieldDesc,
  readPartial,
  readPvRequest,
  readValue,
  scalar,
  scalarArray,
  selectDesc,
  selectValue,
  struct,
  union,
  writeFieldDesc,
  writePartial,
  writeValue,
  PvRequestSyntaxError,
  type FieldDesc,
  type ScalarType,
} from '../../../../ioc/pva/protocol/index.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
function enc(be: boolean, f: (w: PvaWriter) => void): string {
  const w = new PvaWriter(be);
  f(w);
  return w.take().toString('hex');
}

describe('pvData sizes and strings', () => {
  it.each([
    [0, '00'],
    [253, 'fd'],
    [254, 'fefe000000'],
    [70000, 'fe70110100'],
    [-1, 'ff'],
  ])('size %i is %s (little-endian)', (n, bytes) => {
    expect(enc(false, (w) => w.size(n))).toBe(bytes);
    expect(new PvaReader(hex(bytes), false).size()).toBe(n);
  });

  it('a big-endian peer writes the 32-bit size big-endian', () => {
    expect(enc(true, (w) => w.size(70000))).toBe('fe00011170');
    expect(new PvaReader(hex('fe00011170'), true).size()).toBe(70000);
  });

  it('strings are UTF-8 with a size prefix', () => {
    expect(enc(false, (w) => w.string('µm'))).toBe('03c2b56d');
    expect(new PvaReader(hex('03c2b56d'), false).string()).toBe('µm');
  });

  it('a size larger than the rest of the message is refused before allocating', () => {
    const r = new PvaReader(hex('fe ffffff00 41'), false);
    expect(r.string()).toBe('');
    expect(r.ok).toBe(false);
    expect(r.fault).toMatch(/exceeds the message/);
  });
});

describe('scalars and arrays of every type, both byte orders', () => {
  // Values and their little-endian bytes, written by hand from the pvData encoding.
  const cases: [ScalarType, unknown, string][] = [
    ['boolean', true, '01'],
    ['byte', -2, 'fe'],
    ['ubyte', 200, 'c8'],
    ['short', -2, 'feff'],
    ['ushort', 0xabcd, 'cdab'],
    ['int', -2, 'feffffff'],
    ['uint', 0xdeadbeef, 'efbeadde'],
    ['long', -2, 'feffffffffffffff'],
    ['ulong', 2 ** 40, '0000000000010000'],
    ['float', 1.5, '0000c03f'],
    ['double', 1.5, '000000000000f83f'],
    ['string', 'ab', '026162'],
  ];
  it.each(cases)('%s', (type, value, le) => {
    const d = scalar(type);
    expect(enc(false, (w) => writeValue(w, d, value))).toBe(le);
    expect(readValue(new PvaReader(hex(le), false), d)).toEqual(value);
    const be = enc(true, (w) => writeValue(w, d, value));
    if (type !== 'string') expect(be).toBe(Buffer.from(hex(le)).reverse().toString('hex'));
    expect(readValue(new PvaReader(hex(be), true), d)).toEqual(value);
  });

  it.each(cases)('%s[]', (type, value) => {
    const d = scalarArray(type);
    const list = [value, value];
    for (const be of [false, true]) {
      const bytes = enc(be, (w) => writeValue(w, d, list));
      expect(bytes.slice(0, 2)).toBe('02');
      expect(Array.from(readValue(new PvaReader(hex(bytes), be), d) as ArrayLike<unknown>)).toEqual(list);
    }
  });

  it('a Float64Array goes out as raw bytes and comes back as a Float64Array', () => {
    const a = new Float64Array([1, 2.5, -3]);
    for (const be of [false, true]) {
      const out = readValue(new PvaReader(hex(enc(be, (w) => writeValue(w, scalarArray('double'), a))), be), scalarArray('double'));
      expect(out).toBeInstanceOf(Float64Array);
      expect(Array.from(out as Float64Array)).toEqual([1, 2.5, -3]);
    }
  });
});

describe('structures, unions, variants', () => {
  const alarm = struct('alarm_t', { severity: scalar('int'), status: scalar('int'), message: scalar('string') });
  const top = struct('my:t', { value: scalar('double'), alarm, tags: scalarArray('string') });

  it('a structure type: 0x80, id, field count, then name and type of each field', () => {
    expect(enc(false, (w) => writeFieldDesc(w, alarm))).toBe(
      '80 07616c61726d5f74 03 087365766572697479 22 06737461747573 22 076d657373616765 60'.replace(/ /g, ''),
    );
    for (const be of [false, true]) {
      const bytes = hex(enc(be, (w) => writeFieldDesc(w, top)));
      expect(readFieldDesc(new PvaReader(bytes, be))).toEqual(top);
    }
  });

  it('a union value is the selector then the member; null is 0xFF', () => {
    const u = union('', { a: scalar('int'), b: scalar('string') });
    expect(enc(false, (w) => writeValue(w, u, { select: 'b', value: 'x' }))).toBe('01' + '0178');
    expect(enc(false, (w) => writeValue(w, u, { select: null }))).toBe('ff');
    expect(readValue(new PvaReader(hex('010178'), false), u)).toEqual({ select: 'b', value: 'x' });
    const r = new PvaReader(hex('05'), false);
    readValue(r, u);
    expect(r.fault).toMatch(/selector 5/);
  });

  it('a variant union carries its own type', () => {
    const any: FieldDesc = { kind: 'any' };
    const bytes = enc(false, (w) => writeValue(w, any, { type: scalar('double'), value: 2 }));
    expect(bytes).toBe('43' + '0000000000000040');
    expect(readValue(new PvaReader(hex(bytes), false), any)).toEqual({ type: scalar('double'), value: 2 });
    expect(enc(false, (w) => writeValue(w, any, { type: null }))).toBe('ff');
  });

  it('structure arrays mark each element present (1) or null (0)', () => {
    const d: FieldDesc = { kind: 'structureArray', element: alarm };
    const bytes = enc(false, (w) => writeValue(w, d, [{ severity: 1, status: 2, message: 'm' }, null]));
    expect(bytes).toBe('02' + '01' + '01000000' + '02000000' + '016d' + '00');
    expect(readValue(new PvaReader(hex(bytes), false), d)).toEqual([{ severity: 1, status: 2, message: 'm' }, null]);
  });

  it('the introspection cache: FULL_WITH_ID defines, ONLY_ID reuses', () => {
    const cache = new TypeCache();
    const def = Buffer.concat([hex('fd 0100'), hex(enc(false, (w) => writeFieldDesc(w, alarm)))]);
    expect(readFieldDesc(new PvaReader(def, false), cache)).toEqual(alarm);
    expect(readFieldDesc(new PvaReader(hex('fe 0100'), false), cache)).toEqual(alarm);
    const r = new PvaReader(hex('fe 0200'), false);
    expect(readFieldDesc(r, cache)).toBeNull();
    expect(r.fault).toMatch(/unknown type cache id 2/);
  });

  it('a type nested beyond the limit is refused', () => {
    const deep = Buffer.concat([...Array.from({ length: 40 }, () => hex('80 00 01 0161')), hex('22')]);
    const r = new PvaReader(deep, false);
    readFieldDesc(r);
    expect(r.fault).toMatch(/nested too deeply/);
  });
});

describe('bit sets and partial values', () => {
  const t = struct('', { value: scalar('double'), alarm: struct('alarm_t', { severity: scalar('int'), status: scalar('int'), message: scalar('string') }), x: scalar('int') });

  it('bits are numbered depth first', () => {
    expect([bitOffset(t, 'value'), bitOffset(t, 'alarm'), bitOffset(t, 'alarm.severity'), bitOffset(t, 'alarm.message'), bitOffset(t, 'x')]).toEqual([1, 2, 3, 5, 6]);
  });

  it('whole 64-bit words follow the byte order; the tail goes byte by byte', () => {
    const b = BitSet.of(0, 9, 64);
    expect(enc(false, (w) => b.write(w))).toBe('09' + '0102000000000000' + '01');
    expect(enc(true, (w) => b.write(w))).toBe('09' + '0000000000000201' + '01');
    expect(BitSet.read(new PvaReader(hex('09' + '0000000000000201' + '01'), true)).toArray()).toEqual([0, 9, 64]);
  });

  it('only marked fields travel; a marked structure travels whole', () => {
    const v = { value: 3, alarm: { severity: 2, status: 3, message: 'HIHI' }, x: 7 };
    for (const bits of [BitSet.of(1), BitSet.of(3), BitSet.of(2, 6), BitSet.of(0)]) {
      for (const be of [false, true]) {
        const bytes = hex(enc(be, (w) => writePartial(w, t, v, bits)));
        const r = new PvaReader(bytes, be);
        const got = readPartial(r, t, bits);
        expect(r.remaining).toBe(0);
        const want: Record<string, unknown> = {};
        if (bits.get(0) || bits.get(1)) want['value'] = 3;
        if (bits.get(0) || bits.get(2)) want['alarm'] = v.alarm;
        else if (bits.get(3)) want['alarm'] = { severity: 2 };
        if (bits.get(0) || bits.get(6)) want['x'] = 7;
        expect(got).toEqual(want);
      }
    }
  });
});

describe('pvRequest', () => {
  it('field(value,alarm) selects two fields', () => {
    const req = buildPvRequest('field(value,alarm)');
    expect(readPvRequest(req.desc, req.value)).toEqual({ fields: { value: {}, alarm: {} }, options: {} });
  });

  it('record options and nested fields', () => {
    const req = buildPvRequest('record[queueSize=8,pipeline=true]field(value,alarm.severity)');
    expect(readPvRequest(req.desc, req.value)).toEqual({ fields: { value: {}, alarm: { severity: {} } }, options: { queueSize: '8', pipeline: 'true' } });
  });

  it('a bare list means field(...)', () => {
    const req = buildPvRequest('value,timeStamp');
    expect(readPvRequest(req.desc, req.value).fields).toEqual({ value: {}, timeStamp: {} });
  });

  it.each(['field(value', 'record[x]', 'bogus(1)', 'field(va lue)'])('"%s" is a syntax error', (text) => {
    expect(() => buildPvRequest(text)).toThrow(PvRequestSyntaxError);
  });

  it('selecting fields of a type keeps only those, and their values', () => {
    const t = struct('epics:nt/NTScalar:1.0', { value: scalar('double'), alarm: struct('alarm_t', { severity: scalar('int'), status: scalar('int') }), timeStamp: struct('time_t', {}) });
    const sel = selectDesc(t, { value: {}, alarm: { severity: {} }, nope: {} })!;
    expect(sel.fields.map((m) => m.name)).toEqual(['value', 'alarm']);
    expect(selectValue(sel, { value: 1, alarm: { severity: 2, status: 3 }, timeStamp: {} })).toEqual({ value: 1, alarm: { severity: 2 } });
    expect(selectDesc(t, { nope: {} })).toBeNull();
    expect(selectDesc(t, null)).toBe(t);
  });
});
