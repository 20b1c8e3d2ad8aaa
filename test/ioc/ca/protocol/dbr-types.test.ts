// DBR type ids, sizes and value offsets against the table in ca-protocol.md §3 (from db_access.h),
// typed in here by hand rather than derived from the production table.
import { describe, expect, it } from 'vitest';
import {
  DbrBase,
  DbrClass,
  LAST_BUFFER_TYPE,
  dbrInfo,
  dbrSizeN,
  dbrTypeFor,
  isValidDbrType,
  parseDbrType,
} from '../../../../ioc/ca/protocol/index.js';
import { table } from './dbr-table.js';


describe('DBR layout table (ca-protocol.md §3)', () => {
  it('covers every buffer type 0..38', () => {
    expect(LAST_BUFFER_TYPE).toBe(38);
    expect(Object.keys(table).map(Number)).toEqual(Array.from({ length: 39 }, (_, i) => i));
  });

  for (const [id, [name, size, offset, valueSize]] of Object.entries(table)) {
    const type = Number(id);
    it(`${type} ${name}: size ${size}, value at ${offset}`, () => {
      const info = dbrInfo(type);
      expect(info?.name).toBe(name);
      expect(info?.valueOffset).toBe(offset);
      expect(info?.valueSize).toBe(valueSize);
      expect(dbrSizeN(type, 1)).toBe(size);
      // dbr_size_n: count <= 0 means one element; otherwise size + (count - 1) * value size.
      expect(dbrSizeN(type, 0)).toBe(size);
      expect(dbrSizeN(type, 5)).toBe(size + 4 * valueSize);
      expect(dbrSizeN(type, 100000)).toBe(size + 99999 * valueSize);
      expect(isValidDbrType(type)).toBe(true);
    });
  }

  it('base and class follow id = base + 7 * class for 0..34', () => {
    for (let type = 0; type <= 34; type++) {
      expect(dbrInfo(type)).toMatchObject({ base: type % 7, cls: Math.floor(type / 7) });
      expect(dbrTypeFor((type % 7) as DbrBase, Math.floor(type / 7) as DbrClass)).toBe(type);
    }
    expect(dbrTypeFor(DbrBase.DOUBLE, DbrClass.TIME)).toBe(20);
    expect(dbrTypeFor(DbrBase.ENUM, DbrClass.GR)).toBe(24);
  });

  it('rejects ids outside 0..38', () => {
    for (const t of [-1, 39, 40, 0xffff]) {
      expect(isValidDbrType(t)).toBe(false);
      expect(dbrInfo(t)).toBeUndefined();
      expect(() => dbrSizeN(t, 1)).toThrow(RangeError);
    }
  });
});

describe('parseDbrType', () => {
  it('accepts numbers, DBR_ names and bare names in any case', () => {
    expect(parseDbrType('20')).toBe(20);
    expect(parseDbrType('0')).toBe(0);
    expect(parseDbrType('DBR_TIME_DOUBLE')).toBe(20);
    expect(parseDbrType('time_double')).toBe(20);
    expect(parseDbrType('CTRL_ENUM')).toBe(31);
    expect(parseDbrType('dbr_string')).toBe(0);
    expect(parseDbrType('DBR_CLASS_NAME')).toBe(38);
    expect(parseDbrType('stsack_string')).toBe(37);
  });

  it('rejects unknown names, out-of-range numbers and empty text', () => {
    expect(parseDbrType('39')).toBeUndefined();
    expect(parseDbrType('-1')).toBeUndefined();
    expect(parseDbrType('1.5')).toBeUndefined();
    expect(parseDbrType('DBR_FOO')).toBeUndefined();
    expect(parseDbrType('')).toBeUndefined();
    expect(parseDbrType('  ')).toBeUndefined();
  });
});
