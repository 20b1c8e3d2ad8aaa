// The generated-JavaScript path must agree with the calcPerform() port (interpreter) on
// value, runtime failure and stores, for random well-formed and malformed expressions.
import { describe, expect, it } from 'vitest';
import { compile } from '../../../../ioc/records/calc/index.js';
import { evalBoth } from './helpers.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const LEAVES = ['A', 'B', 'C', 'L', 'VAL', 'PI', 'D2R', 'R2D', 'RNDM', '0', '1', '2.5', '0.5', '1e10', '3e9',
  '0xffffffff', '0x80000000', 'Inf', 'NaN', '-0', '31', '33', '4294967296', '1e300'];
const UNARY = ['-', '!', '~', 'NOT ', 'ABS', 'ACOS', 'ASIN', 'ATAN', 'CEIL', 'COS', 'COSH', 'EXP', 'FLOOR', 'LN',
  'LOG', 'LOGE', 'NINT', 'SIN', 'SINH', 'SQR', 'SQRT', 'TAN', 'TANH', 'ISINF'];
const BINARY = ['+', '-', '*', '/', '%', '^', '**', '&', '|', '>>', '<<', '>>>', '&&', '||', ' XOR ', ' AND ',
  ' OR ', '=', '==', '!=', '#', '<', '<=', '>', '>='];
const FUNCS2 = ['ATAN2', 'FMOD'];
const VARARGS = ['MAX', 'MIN', 'FINITE', 'ISNAN'];

function genExpr(rnd: () => number, depth: number): string {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  if (depth <= 0 || rnd() < 0.2) return pick(LEAVES);
  const r = rnd();
  if (r < 0.15) return `${pick(UNARY)}(${genExpr(rnd, depth - 1)})`;
  if (r < 0.2) return `${pick(UNARY)} ${genExpr(rnd, depth - 1)}`;
  if (r < 0.55) return `${genExpr(rnd, depth - 1)}${pick(BINARY)}${genExpr(rnd, depth - 1)}`;
  if (r < 0.65) return `(${genExpr(rnd, depth - 1)})`;
  if (r < 0.8) return `${genExpr(rnd, depth - 1)}?${genExpr(rnd, depth - 1)}:${genExpr(rnd, depth - 1)}`;
  if (r < 0.85) return `${pick(FUNCS2)}(${genExpr(rnd, depth - 1)},${genExpr(rnd, depth - 1)})`;
  const n = 1 + Math.floor(rnd() * 4);
  return `${pick(VARARGS)}(${Array.from({ length: n }, () => genExpr(rnd, depth - 1)).join(',')})`;
}

const ARGSETS = [
  [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
  [0, -1, 0.5, NaN, Infinity, -Infinity, 2 ** 31, -(2 ** 31), 1e20, -0, 3, 4],
];

describe('JIT vs interpreter', () => {
  it('agree on random well-formed expressions', () => {
    const rnd = lcg(12345);
    let compiled = 0;
    for (let n = 0; n < 1500; n++) {
      let expr = genExpr(rnd, 4);
      if (rnd() < 0.2) expr = `A:=${genExpr(rnd, 2)};${expr};B:=${genExpr(rnd, 2)}`;
      const r = compile(expr);
      if (!r.ok) continue; // e.g. a literal that strtod rejects
      compiled++;
      for (const argv of ARGSETS) evalBoth(expr, argv, { val: rnd() * 10 });
    }
    expect(compiled).toBeGreaterThan(1000);
  });

  it('agree on random token soup', () => {
    const rnd = lcg(777);
    const TOKENS = ['A', 'B', '1', '2', '(', ')', ',', '?', ':', ':=', ';', '+', '-', '*', 'MAX', 'MIN', 'ISNAN',
      'ATAN2', '!', '~', '<', '>>', 'NaN', 'VAL', 'SIN', ' '];
    let ok = 0;
    for (let n = 0; n < 20000; n++) {
      const len = 1 + Math.floor(rnd() * 10);
      const expr = Array.from({ length: len }, () => TOKENS[Math.floor(rnd() * TOKENS.length)]).join('');
      const r = compile(expr);
      if (!r.ok) {
        expect(r.position, expr).toBeGreaterThanOrEqual(0);
        expect(r.position, expr).toBeLessThanOrEqual(expr.length);
        continue;
      }
      ok++;
      evalBoth(expr, ARGSETS[1]);
    }
    expect(ok).toBeGreaterThan(200);
  });
});
