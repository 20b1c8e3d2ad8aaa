// Number <-> string formatting and put-side conversions, pinned to the C behaviour of EPICS base
// (libcom cvtFast.c cvtDoubleToString/cvtFloatToString, database dbConvert.c put/get routines).
import { describe, expect, it } from 'vitest';
import {
  ConversionError,
  DbrBase,
  coerce,
  convertForPut,
  formatNumber,
  parseNumber,
  valueAsNumbers,
  valueAsStrings,
} from '../../../../ioc/ca/protocol/index.js';
import { snapshot } from './fixtures.js';

describe('formatNumber (cvtDoubleToString / cvtFloatToString)', () => {
  const D = DbrBase.DOUBLE;
  const F = DbrBase.FLOAT;

  it('fixed point with the PV precision for |v| <= 1e7 and PREC <= 8', () => {
    expect(formatNumber(8, D, 3)).toBe('8.000');
    expect(formatNumber(0, D, 2)).toBe('0.00');
    expect(formatNumber(-0, D, 2)).toBe('0.00'); // C tests v < 0: no sign for -0
    expect(formatNumber(-0.5, D, 2)).toBe('-0.50');
    expect(formatNumber(2.5, D, 0)).toBe('3'); // fraction (5 + 5) / 10 rounds half up
    expect(formatNumber(-2.5, D, 0)).toBe('-3');
    expect(formatNumber(0.9999, D, 3)).toBe('1.000'); // carry into the whole part
    expect(formatNumber(1234567.891, D, 2)).toBe('1234567.89');
    expect(formatNumber(1e7, D, 1)).toBe('10000000.0');
    expect(formatNumber(Math.PI, D, 8)).toBe('3.14159265');
    expect(formatNumber(-0.0001, D, 3)).toBe('-0.000');
  });

  it('beyond 1e7 (<= 1e16) at most 3 decimals ("%.*f", precision capped at 3)', () => {
    expect(formatNumber(12345678.987654, D, 5)).toBe('12345678.988');
    expect(formatNumber(-12345678.5, D, 1)).toBe('-12345678.5');
    expect(formatNumber(1e16, D, 2)).toBe('10000000000000000.00');
  });

  it('exponential for PREC > 8 or |v| > 1e16 ("%*.*e", width precision + 7)', () => {
    expect(formatNumber(1.5, D, 10)).toBe(' 1.5000000000e+00');
    expect(formatNumber(-1.5, D, 10)).toBe('-1.5000000000e+00');
    expect(formatNumber(1e17, D, 3)).toBe(' 1.000e+17');
    expect(formatNumber(-2.5e300, D, 2)).toBe('-2.50e+300');
    expect(formatNumber(1.5, D, 20)).toBe(' 1.50000000000000000e+00'); // capped at 17
    expect(formatNumber(8, D, -1)).toBe(' 8.00000000000000000e+00'); // PREC -1 is 65535 as epicsUInt16
  });

  it('non-finite values', () => {
    expect(formatNumber(Number.NaN, D, 3)).toBe('nan');
    expect(formatNumber(Number.POSITIVE_INFINITY, D, 3)).toBe('       inf'); // %10.3e of inf
    expect(formatNumber(Number.NEGATIVE_INFINITY, D, 2)).toBe('     -inf');
  });

  it('float variant: exponential from 1e8, width precision + 6, precision capped at 12', () => {
    expect(formatNumber(Math.fround(0.1), F, 2)).toBe('0.10');
    expect(formatNumber(12345678, F, 5)).toBe('12345678.000');
    expect(formatNumber(1e8, F, 2)).toBe('1.00e+08');
    expect(formatNumber(1.5, F, 9)).toBe('1.500000000e+00'); // %15.9e: exactly 15 wide
    expect(formatNumber(1.5, F, 14)).toBe('1.500000000000e+00');
  });

  it('integers ignore the precision', () => {
    expect(formatNumber(42, DbrBase.LONG, 3)).toBe('42');
    expect(formatNumber(-7, DbrBase.SHORT, 0)).toBe('-7');
    expect(formatNumber(255, DbrBase.CHAR, 5)).toBe('255');
  });
});

describe('parseNumber', () => {
  it('parses decimal, exponent, hex, surrounding blanks and nan; empty is 0', () => {
    expect(parseNumber('42')).toBe(42);
    expect(parseNumber(' -1.5e2 ')).toBe(-150);
    expect(parseNumber('0x10')).toBe(16);
    expect(parseNumber('-0X1f')).toBe(-31);
    expect(parseNumber('')).toBe(0);
    expect(parseNumber('   ')).toBe(0);
    expect(parseNumber('NaN')).toBeNaN();
    expect(parseNumber('nan')).toBeNaN();
  });

  it('rejects trailing junk and words', () => {
    for (const s of ['abc', '12abc', '1.2.3', '0xZZ', '--1']) {
      expect(() => parseNumber(s), s).toThrow(ConversionError);
    }
  });
});

describe('coerce (C-style narrowing into the native type)', () => {
  it('narrows integers modulo the width, truncating toward zero', () => {
    expect(coerce(70000, DbrBase.SHORT)).toBe(4464);
    expect(coerce(32768, DbrBase.SHORT)).toBe(-32768);
    expect(coerce(-1, DbrBase.ENUM)).toBe(65535);
    expect(coerce(65536, DbrBase.ENUM)).toBe(0);
    expect(coerce(256, DbrBase.CHAR)).toBe(0);
    expect(coerce(-1, DbrBase.CHAR)).toBe(255);
    expect(coerce(2 ** 31, DbrBase.LONG)).toBe(-(2 ** 31));
    expect(coerce(-3.99, DbrBase.LONG)).toBe(-3);
    expect(coerce(3.99, DbrBase.SHORT)).toBe(3);
  });

  it('non-finite values become 0 in integer types; floats round to float32', () => {
    expect(coerce(Number.NaN, DbrBase.LONG)).toBe(0);
    expect(coerce(Number.POSITIVE_INFINITY, DbrBase.SHORT)).toBe(0);
    expect(coerce(0.1, DbrBase.FLOAT)).toBe(Math.fround(0.1));
    expect(coerce(0.1, DbrBase.DOUBLE)).toBe(0.1);
  });
});

describe('convertForPut', () => {
  const states = ['Off', 'On', 'Fault'];

  it('string -> number parses ("8" written to a double)', () => {
    expect(convertForPut(['8'], DbrBase.STRING, DbrBase.DOUBLE, [])).toBe(8);
    expect(convertForPut(['1e3', '-2'], DbrBase.STRING, DbrBase.LONG, [])).toEqual([1000, -2]);
    expect(convertForPut(['-32768', '32767'], DbrBase.STRING, DbrBase.SHORT, [])).toEqual([-32768, 32767]);
    expect(convertForPut(['-2147483648', '2147483647'], DbrBase.STRING, DbrBase.LONG, [])).toEqual([-(2 ** 31), 2 ** 31 - 1]);
    expect(convertForPut(['-128', '255'], DbrBase.STRING, DbrBase.CHAR, [])).toEqual([128, 255]);
  });

  it('string -> integer outside the type throws ConversionError (the put fails), as EPICS does', () => {
    // EPICS parses text for an integer field with epicsParseInt16/Int32 (dbFastLinkConv cvt_st_s/cvt_st_l),
    // which refuse a number outside the type (S_stdlib_overflow): pythonSoftIOC (EPICS 7.0.10) answers
    // ECA_PUTFAIL to "99999999999" and "2147483648" on a longout, "70000" and "32768" on a DBF_SHORT field
    // (ai.PREC, ai.DISV), "300" and "256" on a DBF_UCHAR (TPRO) and "128" / "-129" on a CHAR waveform, and
    // keeps the value. Numbers (not text) still narrow as C casts do (coerce above).
    for (const [text, type] of [['99999999999', DbrBase.LONG], ['2147483648', DbrBase.LONG], ['-2147483649', DbrBase.LONG], ['70000', DbrBase.SHORT], ['32768', DbrBase.SHORT], ['-32769', DbrBase.SHORT], ['256', DbrBase.CHAR], ['-129', DbrBase.CHAR], ['nan', DbrBase.LONG], ['Infinity', DbrBase.SHORT]] as const) {
      expect(() => convertForPut([text], DbrBase.STRING, type, []), `${text} to ${type}`).toThrow(ConversionError);
    }
    expect(() => convertForPut(['1', '99999999999'], DbrBase.STRING, DbrBase.LONG, [])).toThrow(/out of range for DBR_LONG/);
    expect(convertForPut(['99999999999'], DbrBase.STRING, DbrBase.DOUBLE, [])).toBe(99999999999);
  });

  it('string -> enum by state name or by index', () => {
    expect(convertForPut(['On'], DbrBase.STRING, DbrBase.ENUM, states)).toBe(1);
    expect(convertForPut(['Fault'], DbrBase.STRING, DbrBase.ENUM, states)).toBe(2);
    expect(convertForPut(['0'], DbrBase.STRING, DbrBase.ENUM, states)).toBe(0);
    expect(convertForPut(['2'], DbrBase.STRING, DbrBase.ENUM, states)).toBe(2);
  });

  it('a state name that does not exist, or an index out of range, throws ConversionError', () => {
    expect(() => convertForPut(['Maybe'], DbrBase.STRING, DbrBase.ENUM, states)).toThrow(ConversionError);
    expect(() => convertForPut(['16'], DbrBase.STRING, DbrBase.ENUM, states)).toThrow(ConversionError);
    expect(() => convertForPut([20], DbrBase.SHORT, DbrBase.ENUM, states)).toThrow(ConversionError);
    expect(() => convertForPut(['x1'], DbrBase.STRING, DbrBase.DOUBLE, [])).toThrow(ConversionError);
  });

  it('number -> string: doubles with precision 6 (dbConvert putDoubleString default), integers plain', () => {
    expect(convertForPut([1.5], DbrBase.DOUBLE, DbrBase.STRING, [])).toBe('1.500000');
    expect(convertForPut([0.1], DbrBase.FLOAT, DbrBase.STRING, [])).toBe('0.100000');
    expect(convertForPut([-42], DbrBase.LONG, DbrBase.STRING, [])).toBe('-42');
    expect(convertForPut([1, 2], DbrBase.SHORT, DbrBase.STRING, [])).toEqual(['1', '2']);
  });

  it('strings written to a string PV are cut to 39 characters', () => {
    expect(convertForPut(['s'.repeat(50)], DbrBase.STRING, DbrBase.STRING, [])).toBe('s'.repeat(39));
  });

  it('numbers narrow to the native type', () => {
    expect(convertForPut([300], DbrBase.LONG, DbrBase.CHAR, [])).toBe(44);
    expect(convertForPut(Float64Array.of(1.9, -1.9), DbrBase.DOUBLE, DbrBase.LONG, [])).toEqual([1, -1]);
    expect(convertForPut([0.1], DbrBase.DOUBLE, DbrBase.FLOAT, [])).toBe(Math.fround(0.1));
    expect(convertForPut([1], DbrBase.SHORT, DbrBase.ENUM, states)).toBe(1);
  });
});

describe('valueAsNumbers / valueAsStrings', () => {
  it('scalars become one-element lists', () => {
    expect(Array.from(valueAsNumbers(snapshot({ value: 3 })))).toEqual([3]);
    expect(valueAsStrings(snapshot({ nativeType: DbrBase.STRING, value: 'x' }))).toEqual(['x']);
  });

  it('typed arrays pass through without copying', () => {
    const arr = Float64Array.of(1, 2);
    expect(valueAsNumbers(snapshot({ value: arr }))).toBe(arr);
  });

  it('an empty array is empty either way', () => {
    expect(Array.from(valueAsNumbers(snapshot({ value: [] })))).toEqual([]);
    expect(valueAsStrings(snapshot({ value: [] }))).toEqual([]);
  });
});
