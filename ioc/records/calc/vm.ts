// Stack-machine evaluator: a direct port of calcPerform() in
// epics-base modules/libcom/src/calc/calcPerform.c.

import * as O from './opcodes.js';
import { CALC_STACK } from './opcodes.js';
import { cmod, cpow, d2i, isinfSign, nint, type CalcRng } from './numeric.js';
import type { PostfixCode } from './postfix.js';

const PI = Math.PI; // 3.14159265358979323 rounds to the same double
const D2R = PI / 180;
const R2D = 180 / PI;

/**
 * Evaluate postfix code. Stores to A..L write into `args`. Returns the result, or
 * undefined where calcPerform() returns -1 (stack imbalance, failed conditional search).
 */
export function performVm(
  p: PostfixCode,
  stack: Float64Array,
  args: Float64Array,
  val: number,
  rng: CalcRng,
): number | undefined {
  const code = p.code;
  const k = p.consts;
  const s = stack; // s[0] unused, as in C
  const end = code.length;
  let sp = 0;
  let pc = 0;
  let t = 0;
  let n = 0;
  while (pc < end) {
    const op = code[pc]!;
    const x = code[pc + 1]!;
    pc += 2;
    switch (op) {
      case O.LITERAL_DOUBLE:
      case O.LITERAL_INT:
        if (sp >= CALC_STACK) return undefined;
        s[++sp] = k[x]!;
        break;
      case O.FETCH_VAL:
        if (sp >= CALC_STACK) return undefined;
        s[++sp] = val;
        break;
      case 4: case 5: case 6: case 7: case 8: case 9:
      case 10: case 11: case 12: case 13: case 14: case 15:
        if (sp >= CALC_STACK) return undefined;
        s[++sp] = args[op - O.FETCH_A]!;
        break;
      case 16: case 17: case 18: case 19: case 20: case 21:
      case 22: case 23: case 24: case 25: case 26: case 27:
        args[op - O.STORE_A] = s[sp--]!;
        break;
      case O.CONST_PI:
        if (sp >= CALC_STACK) return undefined;
        s[++sp] = PI;
        break;
      case O.CONST_D2R:
        if (sp >= CALC_STACK) return undefined;
        s[++sp] = D2R;
        break;
      case O.CONST_R2D:
        if (sp >= CALC_STACK) return undefined;
        s[++sp] = R2D;
        break;
      case O.RANDOM:
        if (sp >= CALC_STACK) return undefined;
        s[++sp] = rng();
        break;
      case O.UNARY_NEG: s[sp] = -s[sp]!; break;
      case O.ADD: t = s[sp--]!; s[sp] = s[sp]! + t; break;
      case O.SUB: t = s[sp--]!; s[sp] = s[sp]! - t; break;
      case O.MULT: t = s[sp--]!; s[sp] = s[sp]! * t; break;
      case O.DIV: t = s[sp--]!; s[sp] = s[sp]! / t; break;
      case O.MODULO: t = s[sp--]!; s[sp] = cmod(s[sp]!, t); break;
      case O.POWER: t = s[sp--]!; s[sp] = cpow(s[sp]!, t); break;
      case O.ABS_VAL: s[sp] = Math.abs(s[sp]!); break;
      case O.EXP: s[sp] = Math.exp(s[sp]!); break;
      case O.LOG_10: s[sp] = Math.log10(s[sp]!); break;
      case O.LOG_E: s[sp] = Math.log(s[sp]!); break;
      case O.MAX:
        n = x;
        while (--n > 0) {
          t = s[sp--]!;
          if (s[sp]! < t || t !== t) s[sp] = t;
        }
        break;
      case O.MIN:
        n = x;
        while (--n > 0) {
          t = s[sp--]!;
          if (s[sp]! > t || t !== t) s[sp] = t;
        }
        break;
      case O.SQU_RT: s[sp] = Math.sqrt(s[sp]!); break;
      case O.ACOS: s[sp] = Math.acos(s[sp]!); break;
      case O.ASIN: s[sp] = Math.asin(s[sp]!); break;
      case O.ATAN: s[sp] = Math.atan(s[sp]!); break;
      case O.ATAN2: t = s[sp--]!; s[sp] = Math.atan2(t, s[sp]!); break; // args reversed, as in C
      case O.COS: s[sp] = Math.cos(s[sp]!); break;
      case O.SIN: s[sp] = Math.sin(s[sp]!); break;
      case O.TAN: s[sp] = Math.tan(s[sp]!); break;
      case O.COSH: s[sp] = Math.cosh(s[sp]!); break;
      case O.SINH: s[sp] = Math.sinh(s[sp]!); break;
      case O.TANH: s[sp] = Math.tanh(s[sp]!); break;
      case O.CEIL: s[sp] = Math.ceil(s[sp]!); break;
      case O.FLOOR: s[sp] = Math.floor(s[sp]!); break;
      case O.FMOD: t = s[sp--]!; s[sp] = s[sp]! % t; break; // JS % is C fmod()
      case O.FINITE: {
        n = x;
        t = s[sp]! - s[sp]! === 0 ? 1 : 0;
        while (--n > 0) {
          --sp;
          t = t !== 0 && s[sp]! - s[sp]! === 0 ? 1 : 0;
        }
        s[sp] = t;
        break;
      }
      case O.ISINF: s[sp] = isinfSign(s[sp]!); break;
      case O.ISNAN: {
        n = x;
        t = s[sp] !== s[sp] ? 1 : 0;
        while (--n > 0) {
          --sp;
          t = t !== 0 || s[sp] !== s[sp] ? 1 : 0;
        }
        s[sp] = t;
        break;
      }
      case O.NINT: s[sp] = nint(s[sp]!); break;
      case O.REL_OR: t = s[sp--]!; s[sp] = s[sp] !== 0 || t !== 0 ? 1 : 0; break;
      case O.REL_AND: t = s[sp--]!; s[sp] = s[sp] !== 0 && t !== 0 ? 1 : 0; break;
      case O.REL_NOT: s[sp] = s[sp] === 0 ? 1 : 0; break;
      case O.BIT_OR: t = s[sp--]!; s[sp] = d2i(s[sp]!) | d2i(t); break;
      case O.BIT_AND: t = s[sp--]!; s[sp] = d2i(s[sp]!) & d2i(t); break;
      case O.BIT_EXCL_OR: t = s[sp--]!; s[sp] = d2i(s[sp]!) ^ d2i(t); break;
      case O.BIT_NOT: s[sp] = ~d2i(s[sp]!); break;
      case O.RIGHT_SHIFT_ARITH: t = s[sp--]!; s[sp] = d2i(s[sp]!) >> (d2i(t) & 31); break;
      case O.LEFT_SHIFT_ARITH: t = s[sp--]!; s[sp] = d2i(s[sp]!) << (d2i(t) & 31); break;
      case O.RIGHT_SHIFT_LOGIC: t = s[sp--]!; s[sp] = d2i(s[sp]!) >>> (d2i(t) & 31); break;
      case O.NOT_EQ: t = s[sp--]!; s[sp] = s[sp] !== t ? 1 : 0; break;
      case O.LESS_THAN: t = s[sp--]!; s[sp] = s[sp]! < t ? 1 : 0; break;
      case O.LESS_OR_EQ: t = s[sp--]!; s[sp] = s[sp]! <= t ? 1 : 0; break;
      case O.EQUAL: t = s[sp--]!; s[sp] = s[sp] === t ? 1 : 0; break;
      case O.GR_OR_EQ: t = s[sp--]!; s[sp] = s[sp]! >= t ? 1 : 0; break;
      case O.GR_THAN: t = s[sp--]!; s[sp] = s[sp]! > t ? 1 : 0; break;
      case O.COND_IF:
        if (s[sp--] === 0) {
          if (x < 0) return undefined;
          pc = 2 * x;
        }
        break;
      case O.COND_ELSE:
        if (x < 0) return undefined;
        pc = 2 * x;
        break;
      case O.COND_END:
        break;
      default:
        return undefined; // "calcPerform: Bad Opcode"
    }
  }
  return sp === 1 ? s[1] : undefined;
}
