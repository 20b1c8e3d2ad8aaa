// Cases from epics-base modules/libcom/test/epicsCalcTest.cpp. There each infix string is
// also compiled as C (testExpr) or paired with a C expression (testCalc); the expected
// values here are those C expressions written in JavaScript, with A=1 ... L=12.
import { describe, expect, it } from 'vitest';
import { CalcError, compile } from '../../../../ioc/records/calc/index.js';
import { asUInt32, run } from './helpers.js';

const Inf = Infinity;
const PI = 3.14159265358979;
const [a, b, c, d, e, f, g, h, i, j, k, l] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
const b2 = (x: boolean): number => (x ? 1 : 0);

/** epicsCalcTest's testCalc() comparison: 1e-8 for finite values, NaN matches NaN. */
function check(expr: string, expected: number): void {
  const got = run(expr);
  if (Number.isFinite(expected) && Number.isFinite(got)) {
    expect(Math.abs(expected - got), `${expr} = ${got}, expected ${expected}`).toBeLessThan(1e-8);
  } else if (Number.isNaN(expected)) {
    expect(got, expr).toBeNaN();
  } else {
    expect(got, expr).toBe(expected);
  }
}

const cases = (list: [string, number][]) => list;

describe('epicsCalcTest.cpp', () => {
  it('literal operands', () => {
    for (const [x, v] of cases([
      ['0', 0], ['1', 1], ['2', 2], ['3', 3], ['4', 4], ['5', 5], ['6', 6], ['7', 7], ['8', 8], ['9', 9],
      ['.1', 0.1], ['0.1', 0.1], ['0X0', 0], ['0x10', 16], ['0x7fffffff', 0x7fffffff],
      ['0x80000000', -2147483648], ['0xffffffff', -1], ['Inf', Inf], ['Infinity', Inf], ['NaN', NaN],
    ])) check(x, v);
  });

  it('operands and constants', () => {
    for (const [x, v] of cases([
      ['a', a], ['b', b], ['c', c], ['d', d], ['e', e], ['f', f], ['g', g], ['h', h], ['i', i], ['j', j],
      ['k', k], ['l', l], ['PI', PI], ['D2R', PI / 180], ['R2D', 180 / PI],
    ])) check(x, v);
  });

  it('rndm stays within [0, 1]', () => {
    for (let n = 0; n < 100; n++) {
      const v = run('rndm');
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });

  it('unary minus', () => {
    for (const [x, v] of cases([['-1', -1], ['-Inf', -Inf], ['- -1', 1], ['-0x80000000', 2147483648]])) check(x, v);
  });

  it('unary operators and functions', () => {
    for (const [x, v] of cases([
      ['(1)', 1], ['!0', 1], ['!1', 0], ['!!0', 0], ['ABS(1.0)', 1], ['ABS(-1.)', 1],
      ['acos(1.)', Math.acos(1)], ['asin(0.5)', Math.asin(0.5)], ['atan(0.5)', Math.atan(0.5)],
      ['ATAN2(1., 2.)', Math.atan2(2, 1)], ['ceil(0.5)', 1], ['cos(0.5)', Math.cos(0.5)],
      ['cosh(0.5)', Math.cosh(0.5)], ['exp(1.)', Math.E], ['floor(1.5)', 1],
      ['finite(0.)', 1], ['finite(Inf)', 0], ['finite(-Inf)', 0], ['finite(NaN)', 0],
      ['finite(0,1,2)', 1], ['finite(0,1,NaN)', 0], ['finite(0,NaN,2)', 0], ['finite(NaN,1,2)', 0],
      ['finite(0,1,Inf)', 0], ['finite(0,Inf,2)', 0], ['finite(Inf,1,2)', 0],
      ['finite(0,1,-Inf)', 0], ['finite(0,-Inf,2)', 0], ['finite(-Inf,1,2)', 0],
      ['isinf(0.)', 0], ['isinf(Inf)', 1], ['!!isinf(-Inf)', 1], ['isinf(NaN)', 0],
      ['isnan(0.)', 0], ['isnan(Inf)', 0], ['isnan(-Inf)', 0], ['!!isnan(NaN)', 1],
      ['isnan(0,1,2)', 0], ['isnan(0,1,NaN)', 1], ['isnan(0,NaN,2)', 1], ['isnan(NaN,1,2)', 1],
      ['isnan(0,1,Inf)', 0], ['isnan(0,Inf,2)', 0], ['isnan(Inf,1,2)', 0],
      ['isnan(0,1,-Inf)', 0], ['isnan(0,-Inf,2)', 0], ['isnan(-Inf,1,2)', 0],
      ['LN(5.)', Math.log(5)], ['LOG(5.)', Math.log10(5)], ['LOGE(2.)', Math.log(2)],
      ['NINT(0.4)', 0], ['NINT(0.6)', 1], ['NINT(-0.4)', 0], ['NINT(-0.6)', -1],
      ['sin(0.5)', Math.sin(0.5)], ['sinh(0.5)', Math.sinh(0.5)], ['SQR(10.)', Math.sqrt(10)],
      ['sqrt(16.)', 4], ['tan(0.5)', Math.tan(0.5)], ['tanh(0.5)', Math.tanh(0.5)], ['~5', ~5], ['~~5', 5],
    ])) check(x, v);
  });

  it('MAX and MIN (epicsMax/epicsMin: NaN wins)', () => {
    const N = NaN;
    for (const [x, v] of cases([
      ['MAX(-99)', -99], ['MAX( 1., 2.)', 2], ['MAX( 1., Inf)', Inf], ['MAX( 1.,-Inf)', 1], ['MAX( 1., NaN)', N],
      ['MAX( Inf, 1.)', Inf], ['MAX(-Inf, 1.)', 1], ['MAX( NaN, 1.)', N], ['MAX( 1., 2.,3.)', 3], ['MAX( 3., 2.,1.)', 3],
      ['MAX( 1., 2., NaN)', N], ['MAX( 1., NaN,2.)', N], ['MAX( NaN, 1.,2.)', N], ['MAX( 1., 2.,-Inf)', 2],
      ['MAX( 1., 2., 3., 4.)', 4], ['MAX( 4., 2., 3., 1.)', 4], ['MAX(NaN, 2., 3., 1.)', N],
      ['MAX( 1., 2., 3., 4., 5.,NaN)', N], ['MAX(Inf, 2., 3., 4., 5., 1.)', Inf],
      ['MAX(1,2,3,4,5,6,7,8,9,10,11,12)', 12], ['MAX(5,4,3,2,1,0,-1,-2,-3,-4,-5,-6)', 5], ['MAX(-1,1,0)', 1],
      ['MIN(99)', 99], ['MIN(1.,2.)', 1], ['MIN(1.,Inf)', 1], ['MIN(1.,-Inf)', -Inf], ['MIN(1.,NaN)', N],
      ['MIN(NaN,1.)', N], ['MIN( 3., 2.,1.)', 1], ['MIN( 1., NaN,2.)', N], ['MIN( 1., 2.,-Inf)', -Inf],
      ['MIN( 6., 2., 3., 4., 5., 1.)', 1], ['MIN(-Inf, 2., 3., 4., 5., 1.)', -Inf],
      ['MIN(1,2,3,4,5,6,7,8,9,10,11,12)', 1], ['MIN(5,4,3,2,1,0,-1,-2,-3,-4,-5,-6)', -6], ['MIN(1,-1,0)', -1],
      ['MAX(MIN(0,2),MAX(0),MIN(3,2,1))', 1],
    ])) check(x, v);
  });

  it('binary operators with Inf and NaN', () => {
    const vals: [string, number][] = [['0.0', 0], ['Inf', Inf], ['-Inf', -Inf], ['NaN', NaN]];
    const ops: [string, (x: number, y: number) => number][] = [
      ['!=', (x, y) => b2(x !== y)], ['*', (x, y) => x * y], ['+', (x, y) => x + y], ['-', (x, y) => x - y],
      ['<', (x, y) => b2(x < y)], ['<=', (x, y) => b2(x <= y)], ['==', (x, y) => b2(x === y)],
      ['>', (x, y) => b2(x > y)], ['>=', (x, y) => b2(x >= y)],
    ];
    for (const [op, fn] of ops) {
      for (const [xs, x] of vals) for (const [ys, y] of vals) check(`${xs} ${op} ${ys}`, fn(x, y));
    }
    for (const [xs, x] of vals) for (const [ys, y] of [['1.0', 1] as [string, number], ...vals.slice(1)]) {
      check(`${xs} / ${ys}`, x / y);
    }
  });

  it('binary operators', () => {
    for (const [x, v] of cases([
      ['0 != 1', 1], ['0 != 0', 0], ['1 != 0', 1], ['1 != 0 != 2', 1],
      ['0 # 1', 1], ['0 # 0', 0], ['1 # 0', 1], ['1 # 0 # 2', 1],
      ['7 % 4', 3], ['-7 % 4', -3], ['63 % 16 % 6', 3], ['1 % 0', NaN], ['7 & 4', 4],
      ['0 && 0', 0], ['0 && 1', 0], ['1 && 0', 0], ['1 && 1', 1], ['2 * 2', 4],
      ['2 ** 0.2', 2 ** 0.2], ['2 ** -0.2', 2 ** -0.2], ['-0.2 ** 2', 0.04], ['-0.2 ** -2', (-0.2) ** -2],
      ['2 ** 2 ** 3', 64], ['0 + 1', 1], ['0 - 1', -1], ['0 - 1 - 2', -3], ['2.0 / 3.0', 2 / 3],
      ['1.0 / 2.0 / 3.0', 1 / 6], ['0 < 1', 1], ['2 < 0 < 2', 1], ['1 << 2', 4], ['1 << 3 << 2', 32],
      ['3 <= 2 <= 3', 1], ['0 = 1', 0], ['0 = 0', 1], ['2 = 2 = 1', 1], ['2 == 2 == 1', 1],
      ['2 > 0 > 2', 0], ['3 >= 2 >= 3', 0], ['8 >> 1', 4], ['8 >>> 1', 4], ['64 >> 2 >> 1', 8],
      ['64 >>> 2 >>> 1', 8], ['7 AND 4', 4], ['1 OR 8', 9], ['3 XOR 9', 10], ['2 ^ 0.2', 2 ** 0.2],
      ['2 ^ -0.2', 2 ** -0.2], ['(-0.2) ^ 2', 0.04], ['(-0.2) ^ -2', (-0.2) ** -2], ['2 ^ 2 ^ 3', 64],
      ['1 | 8', 9], ['0 || 0', 0], ['0 || 1', 1], ['1 || 0', 1], ['1 || 1', 1],
    ])) check(x, v);
  });

  it('conditionals', () => {
    for (const [x, v] of cases([
      ['0 ? 1 : 2', 2], ['1 ? 1 : 2', 1], ['Inf ? 1 : 2', 1], ['NaN ? 1 : 2', 1],
      ['0 ? 0 ? 2 : 3 : 4', 4], ['0 ? 1 ? 2 : 3 : 4', 4], ['1 ? 0 ? 2 : 3 : 4', 3], ['1 ? 1 ? 2 : 3 : 4', 2],
      ['0 ? 2 : 0 ? 3 : 4', 4], ['0 ? 2 : 1 ? 3 : 4', 3], ['1 ? 2 : 0 ? 3 : 4', 2], ['1 ? 2 : 1 ? 3 : 4', 2],
    ])) check(x, v);
  });

  it('stores and expression terminators', () => {
    for (const n of 'abcdefghijkl') {
      check(`${n} := 0; ${n}`, 0);
      check(`${n}; ${n} := 0`, 'abcdefghijkl'.indexOf(n) + 1);
    }
  });

  it('relative precedences', () => {
    for (const [x, v] of cases([
      ['0 ? 1 : 2 | 4', 6], ['1 ? 1 : 2 | 4', 1], ['0 ? 2 | 4 : 1', 1], ['1 ? 2 | 4 : 1', 6],
      ['0 ? 1 : 2 & 3', 2], ['1 ? 1 : 2 & 3', 1], ['0 ? 2 & 3 : 1', 1], ['1 ? 2 & 3 : 1', 2],
      ['0 ? 2 : 3 >= 1', 1], ['0 ? 3 >= 1 : 2', 2], ['1 ? 0 == 1 : 2', 0], ['1 ? 2 : 0 == 1', 2],
      ['0 ? 1 : 2 + 4', 6], ['1 ? 1 : 2 + 4', 1], ['0 ? 2 + 4 : 1', 1], ['1 ? 2 + 4 : 1', 6],
      ['0 ? 1 : 2 * 4', 8], ['1 ? 1 : 2 * 4', 1], ['0 ? 2 * 4 : 1', 1], ['1 ? 2 * 4 : 1', 8],
      ['0 ? 1 : 2 ** 3', 8], ['1 ? 1 : 2 ** 3', 1], ['0 ? 2 ** 3 : 1', 1], ['1 ? 2 ** 3 : 1', 8],
      ['1 | 3 XOR 1', (1 | 3) ^ 1], ['1 XOR 3 | 1', 1 ^ 3 | 1], ['3 | 1 & 2', 3 | (1 & 2)],
      ['2 | 4 > 3', 2 | 1], ['2 OR 4 > 3', 3], ['2 XOR 3 >= 0', 2 ^ 1], ['2 | 1 - 3', 2 | -2],
      ['2 | 4 / 2', 2], ['1 | 2 ** 3', 9], ['3 << 2 & 10', (3 << 2) & 10], ['18 & 6 << 2', (18 & 6) << 2],
      ['36 >> 2 & 10', (36 >> 2) & 10], ['36 >>> 2 & 10', (36 >>> 2) & 10], ['18 & 20 >> 2', (18 & 20) >> 2],
      ['18 & 20 >>> 2', (18 & 20) >>> 2], ['3 & 4 == 4', 3 & 1], ['3 AND 4 == 4', 1], ['1 << 2 != 4', 1 << 1],
      ['16 >> 2 != 4', 16 >> 1], ['16 >>> 2 != 4', 8], ['3 AND -2', 3 & -2], ['0 < 1 ? 2 : 3', 2],
      ['1 <= 0 ? 2 : 3', 3], ['0 + -1', -1], ['0 - -1', 1], ['10 + 10 * 2', 30], ['20 + 20 / 2', 30],
      ['-1 + 1', 0], ['-1 - 2', -3], ['-2 ** 2', 4], ['-2 ^ 2', 4],
      ['(1 | 2) ** 3', 27], ['1+(1|2)**3', 28], ['1+(1?(1<2):(1>2))*2', 3],
    ])) check(x, v);
  });

  it('argument usage (calcArgUsage)', () => {
    const usage = (x: string) => {
      const r = compile(x);
      if (!r.ok) throw new Error(r.error);
      return [r.usesInputs, r.stores];
    };
    expect(usage('a')).toEqual([0x001, 0]);
    expect(usage('A')).toEqual([0x001, 0]);
    expect(usage('L')).toEqual([0x800, 0]);
    expect(usage('A+B+C+D+E+F+G+H+I+J+K+L')).toEqual([0xfff, 0]);
    'ABCDEFGHIJKL'.split('').forEach((n, idx) => expect(usage(`${idx}.1;${n}:=0`)).toEqual([0, 1 << idx]));
    expect(usage('12.1;A:=0;B:=A;C:=B;D:=C')).toEqual([0, 0xf]);
    expect(usage('13.1;B:=A;A:=B;C:=D;D:=C')).toEqual([0x1 | 0x8, 0xf]);
  });

  it('malformed expressions', () => {
    for (const [x, code] of [
      ['0x0.1', CalcError.SYNTAX], ['1*', CalcError.INCOMPLETE], ['*1', CalcError.SYNTAX],
      ['MIN', CalcError.INCOMPLETE], ['MIN()', CalcError.SYNTAX], ['MIN(A,)', CalcError.SYNTAX],
      ['MIN(A,B,)', CalcError.SYNTAX], ['MAX', CalcError.INCOMPLETE], ['MAX()', CalcError.SYNTAX],
      ['MAX(A,)', CalcError.SYNTAX], ['MAX(A,B,)', CalcError.SYNTAX], ['1?', CalcError.CONDITIONAL],
      ['1?1', CalcError.CONDITIONAL], [':1', CalcError.SYNTAX],
    ] as const) {
      const r = compile(x);
      expect(r.ok, x).toBe(false);
      if (!r.ok) expect(r.code, x).toBe(code);
    }
  });

  it('bit manipulations wrt bit 31 (lp:1514520)', () => {
    for (const [x, v] of cases([
      ['0xaaaaaaaa AND 0xffff0000', 0xaaaa0000], ['0xaaaaaaaa OR 0xffff0000', 0xffffaaaa],
      ['0xaaaaaaaa XOR 0xffff0000', 0x5555aaaa], ['~0xaaaaaaaa', 0x55555555], ['~~0xaaaaaaaa', 0xaaaaaaaa],
      ['0xaaaaaaaa >> 8', 0xffaaaaaa], ['0x55555555 >> 8', 0x00555555], ['0xaaaaaaaa >>> 8', 0x00aaaaaa],
      ['0x55555555 >>> 8', 0x00555555], ['0xaaaaaaaa << 8', 0xaaaaaa00], ['0x55555555 << 8', 0x55555500],
      ['a:=0xaaaaaaaa; b:=0xffff0000; a AND b', 0xaaaa0000], ['a:=0xaaaaaaaa; b:=0xffff0000; a OR b', 0xffffaaaa],
      ['a:=0xaaaaaaaa; b:=0xffff0000; a XOR b', 0x5555aaaa], ['a:=0xaaaaaaaa; ~a', 0x55555555],
      ['a:=0xaaaaaaaa; ~~a', 0xaaaaaaaa], ['a:=0xaaaaaaaa; a >> 8', 0xffaaaaaa], ['a:=0xaaaaaaaa; a >>> 8', 0x00aaaaaa],
      ['a:=0xaaaaaaaa; a << 8', 0xaaaaaa00], ['a:=0x55555555; a >> 8', 0x00555555],
      ['a:=0x55555555; a >>> 8', 0x00555555], ['a:=0x55555555; a << 8', 0x55555500],
      ['-1431655766.1 OR 0', 0xaaaaaaaa], ['2863311530.1 OR 0', 0xaaaaaaaa], ['0 OR -1431655766.1', 0xaaaaaaaa],
      ['0 OR 2863311530.1', 0xaaaaaaaa], ['-1431655766.1 XOR 0', 0xaaaaaaaa], ['2863311530.1 XOR 0', 0xaaaaaaaa],
      ['0 XOR -1431655766.1', 0xaaaaaaaa], ['0 XOR 2863311530.1', 0xaaaaaaaa],
      ['-1431655766.1 AND 0xffffffff', 0xaaaaaaaa], ['2863311530.1 AND 0xffffffff', 0xaaaaaaaa],
      ['0xffffffff AND -1431655766.1', 0xaaaaaaaa], ['0xffffffff AND 2863311530.1', 0xaaaaaaaa],
      ['~ -1431655766.1', 0x55555555], ['~ 2863311530.1', 0x55555555],
      ['-1431655766.1 >> 0', 0xaaaaaaaa], ['-1431655766.1 >>> 0', 0xaaaaaaaa], ['2863311530.1 >> 0', 0xaaaaaaaa],
      ['2863311530.1 >>> 0', 0xaaaaaaaa], ['-1431655766.1 >> 0.1', 0xaaaaaaaa], ['-1431655766.1 >>> 0.1', 0xaaaaaaaa],
      ['2863311530.1 >> 0.1', 0xaaaaaaaa], ['2863311530.1 >>> 0.1', 0xaaaaaaaa], ['-1431655766.1 << 0', 0xaaaaaaaa],
      ['2863311530.1 << 0', 0xaaaaaaaa], ['-1431655766.1 << 0.1', 0xaaaaaaaa], ['2863311530.1 << 0.1', 0xaaaaaaaa],
    ])) expect(asUInt32(run(x)), x).toBe(v);
  });
});
