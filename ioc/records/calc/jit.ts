// Compiles verified postfix code to a straight-line JavaScript function with
// stack slots as local variables. Only used when the stack depth at every
// instruction is statically known and each conditional is properly nested;
// anything else stays on the interpreter (vm.ts), which mirrors calcPerform().

import * as O from './opcodes.js';
import { CALC_STACK } from './opcodes.js';
import { cmod, cpow, d2i, isinfSign, nint, type CalcRng } from './numeric.js';
import type { PostfixCode } from './postfix.js';

export type JitFn = (args: Float64Array, val: number, rng: CalcRng) => number;

const UNARY_MATH: Partial<Record<number, string>> = {
  [O.ABS_VAL]: 'Math.abs', [O.EXP]: 'Math.exp', [O.LOG_10]: 'Math.log10', [O.LOG_E]: 'Math.log',
  [O.SQU_RT]: 'Math.sqrt', [O.ACOS]: 'Math.acos', [O.ASIN]: 'Math.asin', [O.ATAN]: 'Math.atan',
  [O.COS]: 'Math.cos', [O.SIN]: 'Math.sin', [O.TAN]: 'Math.tan', [O.COSH]: 'Math.cosh',
  [O.SINH]: 'Math.sinh', [O.TANH]: 'Math.tanh', [O.CEIL]: 'Math.ceil', [O.FLOOR]: 'Math.floor',
  [O.ISINF]: 'isinfSign', [O.NINT]: 'nint',
};

// binary: `u = f(u, t)` where u is the lower slot, t the top
const BINARY: Partial<Record<number, (u: string, t: string) => string>> = {
  [O.ADD]: (u, t) => `${u} + ${t}`,
  [O.SUB]: (u, t) => `${u} - ${t}`,
  [O.MULT]: (u, t) => `${u} * ${t}`,
  [O.DIV]: (u, t) => `${u} / ${t}`,
  [O.MODULO]: (u, t) => `cmod(${u}, ${t})`,
  [O.POWER]: (u, t) => `cpow(${u}, ${t})`,
  [O.ATAN2]: (u, t) => `Math.atan2(${t}, ${u})`,
  [O.FMOD]: (u, t) => `${u} % ${t}`,
  [O.REL_OR]: (u, t) => `(${u} !== 0 || ${t} !== 0) ? 1 : 0`,
  [O.REL_AND]: (u, t) => `(${u} !== 0 && ${t} !== 0) ? 1 : 0`,
  [O.BIT_OR]: (u, t) => `d2i(${u}) | d2i(${t})`,
  [O.BIT_AND]: (u, t) => `d2i(${u}) & d2i(${t})`,
  [O.BIT_EXCL_OR]: (u, t) => `d2i(${u}) ^ d2i(${t})`,
  [O.RIGHT_SHIFT_ARITH]: (u, t) => `d2i(${u}) >> (d2i(${t}) & 31)`,
  [O.LEFT_SHIFT_ARITH]: (u, t) => `d2i(${u}) << (d2i(${t}) & 31)`,
  [O.RIGHT_SHIFT_LOGIC]: (u, t) => `d2i(${u}) >>> (d2i(${t}) & 31)`,
  [O.NOT_EQ]: (u, t) => `${u} !== ${t} ? 1 : 0`,
  [O.LESS_THAN]: (u, t) => `${u} < ${t} ? 1 : 0`,
  [O.LESS_OR_EQ]: (u, t) => `${u} <= ${t} ? 1 : 0`,
  [O.EQUAL]: (u, t) => `${u} === ${t} ? 1 : 0`,
  [O.GR_OR_EQ]: (u, t) => `${u} >= ${t} ? 1 : 0`,
  [O.GR_THAN]: (u, t) => `${u} > ${t} ? 1 : 0`,
};

function literal(v: number): string {
  if (v !== v) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (v === 0 && 1 / v < 0) return '-0';
  return String(v); // shortest round-trip representation
}

class Unsupported extends Error {}

/** Returns JavaScript source for the program, or undefined when it must be interpreted. */
export function generateJs(p: PostfixCode): string | undefined {
  const { code, consts } = p;
  const n = code.length / 2;
  let maxDepth = 0;
  const lines: string[] = [];
  const S = (i: number): string => `s${i}`;

  // Emits instructions [from, to) starting at `depth`; returns the depth afterwards.
  const gen = (from: number, to: number, depth: number, indent: string): number => {
    let d = depth;
    const need = (k: number): void => {
      if (d < k) throw new Unsupported();
    };
    const push = (expr: string): void => {
      if (d >= CALC_STACK) throw new Unsupported();
      d++;
      if (d > maxDepth) maxDepth = d;
      lines.push(`${indent}${S(d)} = ${expr};`);
    };
    let i = from;
    while (i < to) {
      const op = code[2 * i]!;
      const x = code[2 * i + 1]!;
      i++;
      if (op === O.LITERAL_DOUBLE || op === O.LITERAL_INT) push(literal(consts[x]!));
      else if (op === O.FETCH_VAL) push('val');
      else if (op >= O.FETCH_A && op <= O.FETCH_L) push(`a[${op - O.FETCH_A}]`);
      else if (op >= O.STORE_A && op <= O.STORE_L) {
        need(1);
        lines.push(`${indent}a[${op - O.STORE_A}] = ${S(d)};`);
        d--;
      } else if (op === O.CONST_PI) push('PI');
      else if (op === O.CONST_D2R) push('D2R');
      else if (op === O.CONST_R2D) push('R2D');
      else if (op === O.RANDOM) push('rng()');
      else if (op === O.UNARY_NEG) {
        need(1);
        lines.push(`${indent}${S(d)} = -${S(d)};`);
      } else if (op === O.REL_NOT) {
        need(1);
        lines.push(`${indent}${S(d)} = ${S(d)} === 0 ? 1 : 0;`);
      } else if (op === O.BIT_NOT) {
        need(1);
        lines.push(`${indent}${S(d)} = ~d2i(${S(d)});`);
      } else if (UNARY_MATH[op]) {
        need(1);
        lines.push(`${indent}${S(d)} = ${UNARY_MATH[op]}(${S(d)});`);
      } else if (BINARY[op]) {
        need(2);
        lines.push(`${indent}${S(d - 1)} = ${BINARY[op]!(S(d - 1), S(d))};`);
        d--;
      } else if (op === O.MAX || op === O.MIN) {
        if (x < 1) throw new Unsupported();
        need(x);
        const cmp = op === O.MAX ? '<' : '>';
        for (let j = d - 1; j > d - x; j--) {
          const t = S(j + 1);
          lines.push(`${indent}if (${S(j)} ${cmp} ${t} || ${t} !== ${t}) ${S(j)} = ${t};`);
        }
        d -= x - 1;
      } else if (op === O.FINITE || op === O.ISNAN) {
        if (x < 1) throw new Unsupported();
        need(x);
        const terms: string[] = [];
        for (let j = d; j > d - x; j--) {
          terms.push(op === O.FINITE ? `${S(j)} - ${S(j)} === 0` : `${S(j)} !== ${S(j)}`);
        }
        d -= x - 1;
        lines.push(`${indent}${S(d)} = (${terms.join(op === O.FINITE ? ' && ' : ' || ')}) ? 1 : 0;`);
      } else if (op === O.COND_IF) {
        need(1);
        const cond = S(d);
        d--;
        const elseAt = x - 1; // index of the matching COND_ELSE
        if (x < 0 || elseAt < i || elseAt >= to || code[2 * elseAt] !== O.COND_ELSE) throw new Unsupported();
        const endAt = code[2 * elseAt + 1]! - 1; // index of the matching COND_END
        if (endAt < elseAt + 1 || endAt >= to || code[2 * endAt] !== O.COND_END) throw new Unsupported();
        lines.push(`${indent}if (${cond} !== 0) {`);
        const d1 = gen(i, elseAt, d, indent + '  ');
        lines.push(`${indent}} else {`);
        const d2 = gen(elseAt + 1, endAt, d, indent + '  ');
        lines.push(`${indent}}`);
        if (d1 !== d2) throw new Unsupported();
        d = d1;
        i = endAt + 1;
      } else if (op === O.COND_END) {
        // no-op at runtime
      } else {
        throw new Unsupported(); // stray COND_ELSE or unknown opcode
      }
    }
    return d;
  };

  let depth: number;
  try {
    depth = gen(0, n, 0, '    ');
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
  if (depth !== 1) return undefined; // calcPerform would always fail: interpret instead
  const decl: string[] = [];
  for (let i = 1; i <= maxDepth; i++) decl.push(`${S(i)} = 0`);
  return [
    '"use strict";',
    'const { d2i, cmod, cpow, nint, isinfSign, PI, D2R, R2D } = H;',
    'return function calcJit(a, val, rng) {',
    `  let ${decl.join(', ')};`,
    ...lines,
    '  return s1;',
    '};',
  ].join('\n');
}

const HELPERS = { d2i, cmod, cpow, nint, isinfSign, PI: Math.PI, D2R: Math.PI / 180, R2D: 180 / Math.PI };

// Generated functions are pure (all state is in their arguments), so identical
// sources share one function; the cache is bounded by clearing it when full.
const cache = new Map<string, JitFn>();
const CACHE_LIMIT = 2000;

export function jitCompile(p: PostfixCode): JitFn | undefined {
  const src = generateJs(p);
  if (src === undefined) return undefined;
  const hit = cache.get(src);
  if (hit) return hit;
  let fn: JitFn;
  try {
    fn = new Function('H', src)(HELPERS) as JitFn;
  } catch {
    return undefined; // e.g. code generation disallowed in this realm
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(src, fn);
  return fn;
}
