// Semantics pinned from postfix.c / calcPerform.c: precedence via the generated postfix,
// integer conversions of the bit operators, NaN/Inf, assignments, VAL and RNDM.
import { describe, expect, it } from 'vitest';
import {
  compile, createEpicsRandom, disassemble, evaluate, CALC_NARGS,
} from '../../../../ioc/records/calc/index.js';
import { args, asUInt32, evalBoth, run } from './helpers.js';

/** Compact postfix: literals as numbers, FETCH_x as x, STORE_x as x=, other opcodes by name. */
function rpn(expr: string): string {
  const r = compile(expr);
  if (!r.ok) throw new Error(`${expr}: ${r.error}`);
  return disassemble(r.program)
    .map((s) => s
      .replace(/^(Integer|Double) (\S+).*$/, '$2')
      .replace(/^FETCH_(.)$/, '$1')
      .replace(/^STORE_(.)$/, '$1=')
      .replace(/^(\w+), (\d+) arg\(s\)$/, '$1/$2'))
    .join(' ');
}

describe('precedence and associativity (postfix.c element table)', () => {
  it.each([
    ['A+B*C', 'A B C MULT ADD'],
    ['A*B+C', 'A B MULT C ADD'],
    ['A-B-C', 'A B SUB C SUB'], // left associative
    ['A/B/C', 'A B DIV C DIV'],
    ['A^B^C', 'A B POWER C POWER'], // power is left associative too
    ['A**B*C', 'A B POWER C MULT'],
    ['-A^2', 'A UNARY_NEG 2 POWER'], // unary minus binds tighter than ^
    ['A^-B', 'A B UNARY_NEG POWER'],
    ['--A', 'A UNARY_NEG UNARY_NEG'], // unary operators are right associative
    ['!~A', 'A BIT_NOT REL_NOT'],
    ['A%B*C', 'A B MODULO C MULT'], // % shares */'s level
    ['A+B<C', 'A B ADD C LESS_THAN'],
    ['A<B&C', 'A B LESS_THAN C BIT_AND'], // relational above & (as in C)
    ['A<<B<C', 'A B C LESS_THAN LEFT_SHIFT_ARITH'], // but shifts are BELOW relational (unlike C)
    ['A&B|C', 'A B BIT_AND C BIT_OR'],
    ['A|B&C', 'A B C BIT_AND BIT_OR'],
    ['A&&B||C', 'A B REL_AND C REL_OR'],
    ['A||B&&C', 'A B C REL_AND REL_OR'],
    ['A&&B&C', 'A B REL_AND C BIT_AND'], // && and & share a level
    ['A OR B XOR C', 'A B BIT_OR C BIT_EXCL_OR'],
    ['A+B?C:D', 'A B ADD COND_IF C COND_ELSE D COND_END'],
    ['A?B:C?D:E', 'A COND_IF B COND_ELSE C COND_IF D COND_ELSE E COND_END COND_END'],
    ['A?B?C:D:E', 'A COND_IF B COND_IF C COND_ELSE D COND_ELSE E COND_END COND_END'],
    ['SIN A+B', 'A SIN B ADD'], // functions are prefix operators; parens optional
    ['ABS -A', 'A UNARY_NEG ABS_VAL'],
    ['MAX(A,B,C)+1', 'A B C MAX/3 1 ADD'],
    ['MAX A', 'A MAX/1'],
    ['ATAN2(A,B)', 'A B ATAN2'],
    ['A:=B+1;C:=A;C*2', 'B 1 ADD A= A C= C 2 MULT'],
    ['(A):=1;A', '1 A= A'],
    ['FINITE(A,B)', 'A B FINITE/2'],
  ])('%s -> %s', (expr, expected) => {
    expect(rpn(expr)).toBe(expected);
  });

  it('evaluates precedence examples', () => {
    expect(run('1 << 2 < 3')).toBe(2); // 1 << (2<3); C would give 0
    expect(run('2 & 3 == 3')).toBe(0); // 2 & (3==3)
    expect(run('-2^2')).toBe(4);
    expect(run('2^3^2')).toBe(64);
    expect(run('2**-1')).toBe(0.5);
    expect(run('1--1')).toBe(2);
    expect(run('1---1')).toBe(0);
    expect(run('10-4-3')).toBe(3);
    expect(run('1?2:3+10')).toBe(2);
    expect(run('0?2:3+10')).toBe(13);
    expect(run('SIN 0 + 1')).toBe(1);
    expect(run('sqrt 16 * 2')).toBe(8);
    expect(run('-A*-B')).toBe(2);
  });
});

describe('syntax details', () => {
  it('is case-insensitive for names and operators', () => {
    expect(run('max(a,B,c)')).toBe(3);
    expect(run('a and 3')).toBe(1);
    expect(run('A Or 4')).toBe(5);
    expect(run('4 xOr 5')).toBe(1);
    expect(run('NoT 0')).toBe(-1);
    expect(run('pi')).toBe(Math.PI);
    expect(run('Val', undefined, { val: 7 })).toBe(7);
    expect(run('0XfF')).toBe(255);
    expect(run('1E3')).toBe(1000);
    expect(run('inf')).toBe(Infinity);
    expect(run('nan')).toBeNaN();
  });

  it('allows whitespace between elements, and none is required', () => {
    expect(run(' \t A \n + \r B \f\v ')).toBe(3);
    expect(run('AANDB')).toBe(0); // A AND B = 1 & 2
    expect(run('AORB')).toBe(3);
    expect(run('A:=5;A')).toBe(5);
    expect(run('A := 5 ; A')).toBe(5);
    expect(compile('A : = 5').ok).toBe(false);
    expect(compile('A < = B').ok).toBe(false);
    expect(compile('AB').ok).toBe(false);
  });

  it('parses literals like strtod/strtoul', () => {
    expect(run('1.')).toBe(1);
    expect(run('.5')).toBe(0.5);
    expect(run('1.5e-3')).toBe(0.0015);
    expect(run('2E+2')).toBe(200);
    // strtod stops before an 'e' without digits; 'e' is then not an operator
    expect(compile('1e')).toMatchObject({ ok: false, position: 1 });
    expect(run('1e0')).toBe(1);
    // strtoul(base 0) on "0x" without hex digits converts just the "0"
    expect(compile('0x')).toMatchObject({ ok: false, code: 11, position: 1 });
    expect(run('0xor 1')).toBe(1); // 0 XOR 1
    expect(run('0x1F')).toBe(31);
    expect(run('0xFFFFFFFE')).toBe(-2); // stored as epicsUInt32, read back as epicsInt32
    // epicsParseUInt32 lets 0xFFFFFFFF00000000..0xFFFFFFFFFFFFFFFF through (they are
    // "negative" unsigned longs) and keeps the low 32 bits
    expect(run('0xFFFFFFFF00000005')).toBe(5);
    expect(compile('0x100000000')).toMatchObject({ ok: false, code: 2, position: 0 });
    expect(compile('0x1FFFFFFFFFFFFFFFF')).toMatchObject({ ok: false, code: 2 });
    expect(compile('1e999')).toMatchObject({ ok: false, code: 2, position: 0 }); // ERANGE overflow
    expect(compile('2*1e-999')).toMatchObject({ ok: false, code: 2, position: 2 }); // ERANGE underflow
    expect(run('0e-999')).toBe(0);
    expect(run('1e308')).toBe(1e308);
    expect(run('Infinity')).toBe(Infinity);
    expect(run('NaN(123)')).toBeNaN();
    expect(compile('.')).toMatchObject({ ok: false, code: 2, position: 0 });
    expect(compile('1.2.3')).toMatchObject({ ok: false, code: 11, position: 3 });
  });
});

describe('bit operators: double -> epicsInt32/epicsUInt32 as calcPerform (x86-64)', () => {
  it('truncates fractions toward zero', () => {
    expect(run('5.9 | 0')).toBe(5);
    expect(run('-5.9 | 0')).toBe(-5);
    expect(run('~0.5')).toBe(-1);
    expect(run('~-0.5')).toBe(-1);
  });

  it('handles negative numbers', () => {
    expect(run('-1 & 0xFF')).toBe(255);
    expect(run('-8 >> 1')).toBe(-4);
    expect(run('-8 >>> 1')).toBe(0x7ffffffc);
    expect(run('-1 >>> 0')).toBe(4294967295); // the only operator that yields an unsigned result
    expect(run('-1 << 31')).toBe(-2147483648);
    expect(run('1 << 31')).toBe(-2147483648); // results are signed
    expect(run('~0')).toBe(-1);
    expect(run('NOT -1')).toBe(0);
    expect(run('-3 XOR 1')).toBe(-4);
  });

  it('masks shift counts to 5 bits', () => {
    expect(run('1 << 32')).toBe(1);
    expect(run('1 << 33')).toBe(2);
    expect(run('1 << -1')).toBe(-2147483648); // -1 & 31 = 31
    expect(run('256 >> 36')).toBe(16);
    expect(run('256 >>> -28')).toBe(16); // d2ui(-28) & 31 = 4
  });

  it('wraps large positive values modulo 2^32, saturates large negative ones', () => {
    expect(run('4294967296 | 0')).toBe(0);
    expect(run('4294967297 | 0')).toBe(1);
    expect(run('6442450943 | 0')).toBe(2147483647); // 0x17FFFFFFF
    expect(run('1e10 | 0')).toBe(1410065408); // 1e10 mod 2^32
    expect(run('1e19 | 0')).toBe(0); // >= 2^63: cvttsd2si gives 0x8000000000000000
    expect(run('-2147483648 | 0')).toBe(-2147483648);
    expect(run('-2147483649 | 0')).toBe(-2147483648); // out of epicsInt32 range: 0x80000000
    expect(run('-1e10 | 0')).toBe(-2147483648);
    expect(run('-1e10 >>> 0')).toBe(2147483648);
  });

  it('maps NaN and infinities', () => {
    expect(run('NaN | 0')).toBe(0);
    expect(run('Inf | 0')).toBe(0);
    expect(run('-Inf | 0')).toBe(-2147483648);
    expect(run('~NaN')).toBe(-1);
    expect(asUInt32(run('-Inf >>> 0'))).toBe(0x80000000);
  });
});

describe('arithmetic corner cases', () => {
  it('% converts both sides with (epicsInt32) and gives NaN for a zero divisor', () => {
    expect(run('7.9 % 4.9')).toBe(3);
    expect(run('-7 % 4')).toBe(-3);
    expect(Object.is(run('-8 % 4'), 0)).toBe(true); // C integer zero, not -0
    expect(run('5 % 0.5')).toBeNaN(); // (epicsInt32)0.5 == 0
    expect(run('5 % 0')).toBeNaN();
    expect(run('NaN % 5')).toBe(-3); // (epicsInt32)NaN == INT_MIN; INT_MIN % 5 == -3
    expect(run('5 % NaN')).toBe(5);
    expect(run('1e10 % 7')).toBe(-2147483648 % 7); // plain cast saturates (not d2i)
  });

  it('FMOD is C fmod()', () => {
    expect(run('FMOD(7.5, 2)')).toBe(1.5);
    expect(run('FMOD(-7.5, 2)')).toBe(-1.5);
    expect(run('FMOD(1, 0)')).toBeNaN();
    expect(run('FMOD(1, Inf)')).toBe(1);
  });

  it('^ and ** follow C pow()', () => {
    expect(run('1 ^ NaN')).toBe(1);
    expect(run('-1 ^ Inf')).toBe(1); // (-1)^Inf, unary minus binds tighter
    expect(run('NaN ^ 0')).toBe(1);
    expect(run('(-8) ^ (1/3)')).toBeNaN();
    expect(run('0 ^ -1')).toBe(Infinity);
    expect(run('2 ^ 10')).toBe(1024);
  });

  it('NINT rounds half away from zero through (epicsInt32)', () => {
    expect(run('NINT(2.5)')).toBe(3);
    expect(run('NINT(-2.5)')).toBe(-3);
    expect(run('NINT(0.49999999999999994)')).toBe(1); // x + 0.5 rounds up to 1.0, as in C
    expect(run('NINT(2147483647.4)')).toBe(2147483647);
    expect(run('NINT(3e9)')).toBe(-2147483648);
    expect(run('NINT(NaN)')).toBe(-2147483648);
    expect(run('NINT(-Inf)')).toBe(-2147483648);
  });

  it('division and IEEE results', () => {
    expect(run('1/0')).toBe(Infinity);
    expect(run('-1/0')).toBe(-Infinity);
    expect(run('0/0')).toBeNaN();
    expect(run('SQRT(-1)')).toBeNaN();
    expect(run('LOG(0)')).toBe(-Infinity);
    expect(run('LN(-1)')).toBeNaN();
    expect(run('ACOS(2)')).toBeNaN();
    expect(Object.is(run('-0'), -0)).toBe(true);
    expect(Object.is(run('CEIL(-0.5)'), -0)).toBe(true);
  });

  it('ATAN2 takes its arguments reversed relative to C', () => {
    expect(run('ATAN2(1, 0)')).toBe(0); // atan2(0, 1)
    expect(run('ATAN2(0, 1)')).toBe(Math.PI / 2); // atan2(1, 0)
    expect(run('ATAN2(-1, 0)')).toBe(Math.PI);
  });

  it('ISINF keeps the sign (glibc __builtin_isinf_sign); FINITE/ISNAN are 0/1', () => {
    expect(run('ISINF(-Inf)')).toBe(-1);
    expect(run('ISINF(Inf)')).toBe(1);
    expect(run('ISINF(NaN)')).toBe(0);
    expect(run('ISNAN(NaN)')).toBe(1);
    expect(run('FINITE(1e308*10)')).toBe(0);
  });

  it('constants', () => {
    expect(run('PI')).toBe(3.141592653589793);
    expect(run('D2R')).toBe(Math.PI / 180);
    expect(run('R2D')).toBe(180 / Math.PI);
    expect(run('90*D2R')).toBe(Math.PI / 2);
  });
});

describe('NaN and Inf in logic', () => {
  it('NaN is true in conditions, && and ||; only != is true among comparisons', () => {
    expect(run('NaN ? 1 : 2')).toBe(1);
    expect(run('!NaN')).toBe(0);
    expect(run('NaN && 1')).toBe(1);
    expect(run('0 || NaN')).toBe(1);
    expect(run('NaN == NaN')).toBe(0);
    expect(run('NaN = NaN')).toBe(0);
    expect(run('NaN != NaN')).toBe(1);
    expect(run('NaN # 1')).toBe(1);
    expect(run('NaN < 1 || NaN >= 1')).toBe(0);
    expect(run('-0 ? 1 : 2')).toBe(2); // -0 is false
    expect(run('!-0')).toBe(1);
    expect(run('0 == -0')).toBe(1);
  });

  it('MIN/MAX propagate NaN from any position', () => {
    for (let pos = 0; pos < 4; pos++) {
      const list = [1, 2, 3, 4].map((v, idx) => (idx === pos ? 'NaN' : String(v))).join(',');
      expect(run(`MAX(${list})`)).toBeNaN();
      expect(run(`MIN(${list})`)).toBeNaN();
    }
  });

  it('MAX/MIN tie-break between 0 and -0 like the C loop', () => {
    expect(Object.is(run('MAX(0, -0)'), 0)).toBe(true);
    expect(Object.is(run('MAX(-0, 0)'), -0)).toBe(true);
    expect(Object.is(run('MIN(0, -0)'), 0)).toBe(true);
  });
});

describe('assignments', () => {
  it('stores into the argument array in order', () => {
    const r = evalBoth('A:=A+10; B:=A*2; C:=B-1; A+B+C');
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value).toBe(11 + 22 + 21);
      expect(Array.from(r.args.slice(0, 4))).toEqual([11, 22, 21, 4]);
    }
  });

  it('the result expression can come first, between or last', () => {
    expect(run('A; A:=100')).toBe(1);
    expect(run('B:=5; A+B; C:=7')).toBe(6);
    expect(run('L:=0; K:=L+1; K')).toBe(1);
  });

  it('the counter idiom accumulates across evaluations', () => {
    const r = compile('A:=A+1; A>=3 ? 0 : A');
    if (!r.ok) throw new Error(r.error);
    const a = new Float64Array(CALC_NARGS);
    const seen = [1, 2, 3, 4].map(() => {
      const v = evaluate(r.program, a);
      if (!v.ok) throw new Error('eval');
      if (v.value === 0) a[0] = 0;
      return v.value;
    });
    expect(seen).toEqual([1, 2, 0, 1]);
  });

  it('assignment values can be conditionals', () => {
    expect(run('A:=B>1?10:20; A')).toBe(10);
  });

  it('accepts a store right after ? (postfix.c only checks the operator stack)', () => {
    // postfix: A COND_IF 1 COND_ELSE 2 COND_END STORE_B, i.e. B := A ? 1 : 2
    expect(compile('A?B:=1:2')).toMatchObject({ ok: false, code: 8 });
    expect(run('A?B:=1:2;B')).toBe(1);
    expect(run('A?B:=1:2;B', [0])).toBe(2);
  });

  it('rejects bad targets', () => {
    for (const x of ['VAL:=1', 'PI:=1', '1:=2', 'A+B:=1', '-A:=1', '(A:=1)', 'A:=B:=1', 'MAX(A):=1']) {
      const r = compile(x);
      expect(r.ok, x).toBe(false);
      if (!r.ok) expect(r.code, x).toBe(3);
    }
  });
});

describe('VAL', () => {
  it('reads the previous value (calc VAL, calcout OCAL -> OVAL)', () => {
    expect(run('VAL+1', undefined, { val: 41 })).toBe(42);
    expect(run('VAL', undefined, {})).toBe(0);
    const r = compile('VAL*2+A');
    expect(r.ok && r.program.usesVal).toBe(true);
    expect(r.ok && r.usesInputs).toBe(1);
  });
});

describe('RNDM', () => {
  it('defaults to calcRandom(): seed=0xa3bf, seed=seed*1533+0x3141 (16 bit), seed/65535', () => {
    const rng = createEpicsRandom();
    // 0xa3bf*1533+0x3141 = 64274436 -> & 0xffff = 49156; 49156*1533+0x3141 = 75368757 -> 2357
    expect(rng()).toBe(49156 / 65535);
    expect(rng()).toBe(2357 / 65535);
  });

  it('uses the injected generator', () => {
    const r = compile('RNDM*10 + RNDM');
    if (!r.ok) throw new Error(r.error);
    const seq = [0.5, 0.25];
    let n = 0;
    const v = evaluate(r.program, args(), { rng: () => seq[n++]! });
    expect(v).toEqual({ ok: true, value: 5.25 });
    expect(r.program.usesRandom).toBe(true);
  });

  it('the default generator follows the EPICS sequence across calls', () => {
    const r = compile('RNDM');
    if (!r.ok) throw new Error(r.error);
    const ref = createEpicsRandom();
    const first = evaluate(r.program, args());
    // some value of the shared sequence; the shared state advances by one per call
    expect(first.ok && first.value >= 0 && first.value <= 1).toBe(true);
    const vals = new Set<number>();
    for (let i = 0; i < 65536; i++) vals.add(ref());
    expect(first.ok && vals.has(first.value)).toBe(true);
  });
});
