// Infix -> postfix translation, a line-by-line port of epics-base
// modules/libcom/src/calc/postfix.c (element tables, priorities, stack effects,
// and every error check), producing an instruction array instead of a byte string.

import * as O from './opcodes.js';
import { CalcError, type CalcErrorCode, CALC_STACK } from './opcodes.js';

const enum T {
  OPERAND,
  LITERAL_OPERAND,
  STORE_OPERATOR,
  UNARY_OPERATOR,
  VARARG_OPERATOR,
  BINARY_OPERATOR,
  SEPERATOR,
  CLOSE_PAREN,
  CONDITIONAL,
  EXPR_TERMINATOR,
}

interface Element {
  readonly name: string;
  readonly isp: number; // in_stack_pri
  readonly icp: number; // in_coming_pri
  readonly effect: number; // runtime_effect
  readonly type: T;
  readonly code: number;
}

const el = (name: string, isp: number, icp: number, effect: number, type: T, code: number): Element => ({
  name, isp, icp, effect, type, code,
});

// Sorted as in postfix.c; searched in reverse so that longer names sharing a prefix win.
const OPERANDS: readonly Element[] = [
  el('!', 7, 8, 0, T.UNARY_OPERATOR, O.REL_NOT),
  el('(', 0, 8, 0, T.UNARY_OPERATOR, O.NOT_GENERATED),
  el('-', 7, 8, 0, T.UNARY_OPERATOR, O.UNARY_NEG),
  el('.', 0, 0, 1, T.LITERAL_OPERAND, O.LITERAL_DOUBLE),
  el('0', 0, 0, 1, T.LITERAL_OPERAND, O.LITERAL_DOUBLE),
  el('0X', 0, 0, 1, T.LITERAL_OPERAND, O.LITERAL_INT),
  el('1', 0, 0, 1, T.LITERAL_OPERAND, O.LITERAL_DOUBLE),
  el('2', 0, 0, 1, T.LITERAL_OPERAND, O.LITERAL_DOUBLE),
  el('3', 0, 0, 1, T.LITERAL_OPERAND, O.LITERAL_DOUBLE),
  el('4', 0, 0, 1, T.LITERAL_OPERAND, O.LITERAL_DOUBLE),
  el('5', 0, 0, 1, T.LITERAL_OPERAND, O.LITERAL_DOUBLE),
  el('6', 0, 0, 1, T.LITERAL_OPERAND, O.LITERAL_DOUBLE),
  el('7', 0, 0, 1, T.LITERAL_OPERAND, O.LITERAL_DOUBLE),
  el('8', 0, 0, 1, T.LITERAL_OPERAND, O.LITERAL_DOUBLE),
  el('9', 0, 0, 1, T.LITERAL_OPERAND, O.LITERAL_DOUBLE),
  el('A', 0, 0, 1, T.OPERAND, O.FETCH_A),
  el('ABS', 7, 8, 0, T.UNARY_OPERATOR, O.ABS_VAL),
  el('ACOS', 7, 8, 0, T.UNARY_OPERATOR, O.ACOS),
  el('ASIN', 7, 8, 0, T.UNARY_OPERATOR, O.ASIN),
  el('ATAN', 7, 8, 0, T.UNARY_OPERATOR, O.ATAN),
  el('ATAN2', 7, 8, -1, T.UNARY_OPERATOR, O.ATAN2),
  el('B', 0, 0, 1, T.OPERAND, O.FETCH_A + 1),
  el('C', 0, 0, 1, T.OPERAND, O.FETCH_A + 2),
  el('CEIL', 7, 8, 0, T.UNARY_OPERATOR, O.CEIL),
  el('COS', 7, 8, 0, T.UNARY_OPERATOR, O.COS),
  el('COSH', 7, 8, 0, T.UNARY_OPERATOR, O.COSH),
  el('D', 0, 0, 1, T.OPERAND, O.FETCH_A + 3),
  el('D2R', 0, 0, 1, T.OPERAND, O.CONST_D2R),
  el('E', 0, 0, 1, T.OPERAND, O.FETCH_A + 4),
  el('EXP', 7, 8, 0, T.UNARY_OPERATOR, O.EXP),
  el('F', 0, 0, 1, T.OPERAND, O.FETCH_A + 5),
  el('FINITE', 7, 8, 0, T.VARARG_OPERATOR, O.FINITE),
  el('FLOOR', 7, 8, 0, T.UNARY_OPERATOR, O.FLOOR),
  el('FMOD', 7, 8, -1, T.UNARY_OPERATOR, O.FMOD),
  el('G', 0, 0, 1, T.OPERAND, O.FETCH_A + 6),
  el('H', 0, 0, 1, T.OPERAND, O.FETCH_A + 7),
  el('I', 0, 0, 1, T.OPERAND, O.FETCH_A + 8),
  el('INF', 0, 0, 1, T.LITERAL_OPERAND, O.LITERAL_DOUBLE),
  el('ISINF', 7, 8, 0, T.UNARY_OPERATOR, O.ISINF),
  el('ISNAN', 7, 8, 0, T.VARARG_OPERATOR, O.ISNAN),
  el('J', 0, 0, 1, T.OPERAND, O.FETCH_A + 9),
  el('K', 0, 0, 1, T.OPERAND, O.FETCH_A + 10),
  el('L', 0, 0, 1, T.OPERAND, O.FETCH_A + 11),
  el('LN', 7, 8, 0, T.UNARY_OPERATOR, O.LOG_E),
  el('LOG', 7, 8, 0, T.UNARY_OPERATOR, O.LOG_10),
  el('LOGE', 7, 8, 0, T.UNARY_OPERATOR, O.LOG_E),
  el('MAX', 7, 8, 0, T.VARARG_OPERATOR, O.MAX),
  el('MIN', 7, 8, 0, T.VARARG_OPERATOR, O.MIN),
  el('NINT', 7, 8, 0, T.UNARY_OPERATOR, O.NINT),
  el('NAN', 0, 0, 1, T.LITERAL_OPERAND, O.LITERAL_DOUBLE),
  el('NOT', 7, 8, 0, T.UNARY_OPERATOR, O.BIT_NOT),
  el('PI', 0, 0, 1, T.OPERAND, O.CONST_PI),
  el('R2D', 0, 0, 1, T.OPERAND, O.CONST_R2D),
  el('RNDM', 0, 0, 1, T.OPERAND, O.RANDOM),
  el('SIN', 7, 8, 0, T.UNARY_OPERATOR, O.SIN),
  el('SINH', 7, 8, 0, T.UNARY_OPERATOR, O.SINH),
  el('SQR', 7, 8, 0, T.UNARY_OPERATOR, O.SQU_RT),
  el('SQRT', 7, 8, 0, T.UNARY_OPERATOR, O.SQU_RT),
  el('TAN', 7, 8, 0, T.UNARY_OPERATOR, O.TAN),
  el('TANH', 7, 8, 0, T.UNARY_OPERATOR, O.TANH),
  el('VAL', 0, 0, 1, T.OPERAND, O.FETCH_VAL),
  el('~', 7, 8, 0, T.UNARY_OPERATOR, O.BIT_NOT),
];

const OPERATORS: readonly Element[] = [
  el('!=', 3, 3, -1, T.BINARY_OPERATOR, O.NOT_EQ),
  el('#', 3, 3, -1, T.BINARY_OPERATOR, O.NOT_EQ),
  el('%', 5, 5, -1, T.BINARY_OPERATOR, O.MODULO),
  el('&', 2, 2, -1, T.BINARY_OPERATOR, O.BIT_AND),
  el('&&', 2, 2, -1, T.BINARY_OPERATOR, O.REL_AND),
  el(')', 0, 0, 0, T.CLOSE_PAREN, O.NOT_GENERATED),
  el('*', 5, 5, -1, T.BINARY_OPERATOR, O.MULT),
  el('**', 6, 6, -1, T.BINARY_OPERATOR, O.POWER),
  el('+', 4, 4, -1, T.BINARY_OPERATOR, O.ADD),
  el(',', 0, 0, 0, T.SEPERATOR, O.NOT_GENERATED),
  el('-', 4, 4, -1, T.BINARY_OPERATOR, O.SUB),
  el('/', 5, 5, -1, T.BINARY_OPERATOR, O.DIV),
  el(':', 0, 0, -1, T.CONDITIONAL, O.COND_ELSE),
  el(':=', 0, 0, -1, T.STORE_OPERATOR, O.STORE_A),
  el(';', 0, 0, 0, T.EXPR_TERMINATOR, O.NOT_GENERATED),
  el('<', 3, 3, -1, T.BINARY_OPERATOR, O.LESS_THAN),
  el('<<', 2, 2, -1, T.BINARY_OPERATOR, O.LEFT_SHIFT_ARITH),
  el('<=', 3, 3, -1, T.BINARY_OPERATOR, O.LESS_OR_EQ),
  el('=', 3, 3, -1, T.BINARY_OPERATOR, O.EQUAL),
  el('==', 3, 3, -1, T.BINARY_OPERATOR, O.EQUAL),
  el('>', 3, 3, -1, T.BINARY_OPERATOR, O.GR_THAN),
  el('>=', 3, 3, -1, T.BINARY_OPERATOR, O.GR_OR_EQ),
  el('>>', 2, 2, -1, T.BINARY_OPERATOR, O.RIGHT_SHIFT_ARITH),
  el('>>>', 2, 2, -1, T.BINARY_OPERATOR, O.RIGHT_SHIFT_LOGIC),
  el('?', 0, 0, -1, T.CONDITIONAL, O.COND_IF),
  el('AND', 2, 2, -1, T.BINARY_OPERATOR, O.BIT_AND),
  el('OR', 1, 1, -1, T.BINARY_OPERATOR, O.BIT_OR),
  el('XOR', 1, 1, -1, T.BINARY_OPERATOR, O.BIT_EXCL_OR),
  el('^', 6, 6, -1, T.BINARY_OPERATOR, O.POWER),
  el('|', 1, 1, -1, T.BINARY_OPERATOR, O.BIT_OR),
  el('||', 1, 1, -1, T.BINARY_OPERATOR, O.REL_OR),
];

/** C isspace() in the "C" locale. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** Case-insensitive prefix match of an (upper-case) element name at src[pos]. */
function matchesAt(src: string, pos: number, name: string): boolean {
  if (pos + name.length > src.length) return false;
  for (let i = 0; i < name.length; i++) {
    let c = src.charCodeAt(pos + i);
    if (c >= 0x61 && c <= 0x7a) c -= 0x20;
    if (c !== name.charCodeAt(i)) return false;
  }
  return true;
}

const DECIMAL_RE = /(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/y;
const INF_RE = /inf(?:inity)?/iy;
const NAN_RE = /nan(?:\([0-9A-Za-z_]*\))?/iy;
const HEX_RE = /0[xX]([0-9A-Fa-f]+)/y;
const DBL_MIN = 2.2250738585072014e-308;

/**
 * epicsParseDouble() with glibc strtod(): returns [value, end] or null for a
 * conversion failure or an ERANGE (overflow, underflow to zero or to a subnormal).
 */
function parseDouble(src: string, pos: number): [number, number] | null {
  for (const re of [INF_RE, NAN_RE]) {
    re.lastIndex = pos;
    const m = re.exec(src);
    if (m) return [re === INF_RE ? Infinity : NaN, pos + m[0].length];
  }
  DECIMAL_RE.lastIndex = pos;
  const m = DECIMAL_RE.exec(src);
  if (!m) return null;
  const value = Number(m[0]);
  if (value === Infinity) return null; // ERANGE overflow
  if (value < DBL_MIN && /[1-9]/.test(m[0].replace(/[eE].*$/, ''))) return null; // ERANGE underflow
  return [value, pos + m[0].length];
}

/**
 * epicsParseUInt32(src, &v, 0, &end) on an LP64 host (strtoul base 0), starting at "0x".
 * Returns the value reinterpreted as epicsInt32 (as calcPerform reads it back), or null.
 */
function parseHex(src: string, pos: number): [number, number] | null {
  HEX_RE.lastIndex = pos;
  const m = HEX_RE.exec(src);
  if (!m) return [0, pos + 1]; // strtoul parses just the "0"; the 'x' is left behind
  const v = BigInt('0x' + m[1]);
  if (v > 0xffffffffffffffffn) return null; // strtoul ERANGE
  if (v > 0xffffffffn && v <= 0xffffffff00000000n) return null; // epicsParseUInt32 overflow
  return [Number(BigInt.asIntN(32, v)), pos + m[0].length];
}

export interface PostfixCode {
  /** Instruction pairs: [opcode, operand]. Operand: const index (literals), arg count
   * (MAX/MIN/FINITE/ISNAN), target instruction index (COND_IF/COND_ELSE, -1 if none). */
  readonly code: Int32Array;
  readonly consts: Float64Array;
}

export type PostfixResult =
  | ({ ok: true } & PostfixCode)
  | { ok: false; code: CalcErrorCode; position: number };

interface StackEntry {
  el: Element;
  code: number;
  effect: number;
  pos: number;
}

/** Maximum operator-stack entries (ELEMENT stack[80] with entry 0 unused). */
const MAX_OPERATOR_STACK = 79;

export function postfix(src: string): PostfixResult {
  const ops: number[] = [];
  const args: number[] = [];
  const consts: number[] = [];
  const stack: StackEntry[] = [];
  const condPositions: number[] = [];
  let operandNeeded = true;
  let runtimeDepth = 0;
  let psrc = 0;

  const fail = (code: CalcErrorCode, position: number): PostfixResult => ({ ok: false, code, position });
  if (src.length === 0) return fail(CalcError.NULL_ARG, 0);

  const emitTop = (): void => {
    const top = stack.pop()!;
    ops.push(top.code);
    args.push(top.el.type === T.VARARG_OPERATOR ? 1 - top.effect : 0);
    runtimeDepth += top.effect;
  };
  const push = (e: Element, pos: number, code = e.code, effect = e.effect): boolean => {
    if (stack.length >= MAX_OPERATOR_STACK) return false;
    stack.push({ el: e, code, effect, pos });
    return true;
  };

  for (;;) {
    // get_element()
    while (psrc < src.length && isSpace(src.charCodeAt(psrc))) psrc++;
    if (psrc >= src.length) break;
    const table = operandNeeded ? OPERANDS : OPERATORS;
    let pel: Element | undefined;
    for (let i = table.length - 1; i >= 0; i--) {
      if (matchesAt(src, psrc, table[i]!.name)) {
        pel = table[i];
        break;
      }
    }
    if (!pel) break;
    const start = psrc;
    psrc += pel.name.length;

    switch (pel.type) {
      case T.OPERAND:
        ops.push(pel.code);
        args.push(0);
        runtimeDepth += pel.effect;
        operandNeeded = false;
        break;

      case T.LITERAL_OPERAND: {
        runtimeDepth += pel.effect;
        psrc = start;
        const parsed = pel.code === O.LITERAL_DOUBLE ? parseDouble(src, psrc) : parseHex(src, psrc);
        if (!parsed) return fail(CalcError.BAD_LITERAL, start);
        const [value, end] = parsed;
        psrc = end;
        // postfix() stores integral values that fit epicsInt32 as LITERAL_INT
        ops.push(pel.code === O.LITERAL_INT || (value | 0) === value ? O.LITERAL_INT : O.LITERAL_DOUBLE);
        args.push(consts.length);
        consts.push(value);
        operandNeeded = false;
        break;
      }

      case T.STORE_OPERATOR: {
        // C inspects the last output *byte*, which may be part of a literal or an
        // arg count; only a genuine FETCH_A..FETCH_L instruction is accepted here.
        const last = ops.length > 0 ? ops[ops.length - 1]! : -1;
        if (ops.length === 0 || stack.length > 0 || last < O.FETCH_A || last > O.FETCH_L) {
          return fail(CalcError.BAD_ASSIGNMENT, start);
        }
        ops.pop();
        args.pop();
        if (!push(pel, start, O.STORE_A + last - O.FETCH_A)) return fail(CalcError.OVERFLOW, start);
        runtimeDepth -= 1;
        operandNeeded = true;
        break;
      }

      case T.UNARY_OPERATOR:
      case T.VARARG_OPERATOR:
      case T.BINARY_OPERATOR:
        while (stack.length > 0 && stack[stack.length - 1]!.el.isp >= pel.icp) emitTop();
        if (!push(pel, start)) return fail(CalcError.OVERFLOW, start);
        if (pel.type === T.BINARY_OPERATOR) operandNeeded = true;
        break;

      case T.SEPERATOR:
        for (;;) {
          const top = stack[stack.length - 1];
          if (top && top.el.name === '(') break;
          if (stack.length <= 1) return fail(CalcError.BAD_SEPERATOR, start);
          emitTop();
        }
        operandNeeded = true;
        stack[stack.length - 1]!.effect -= 1;
        break;

      case T.CLOSE_PAREN: {
        for (;;) {
          const top = stack[stack.length - 1];
          if (top && top.el.name === '(') break;
          if (stack.length <= 1) return fail(CalcError.PAREN_NOT_OPEN, start);
          emitTop();
        }
        const paren = stack.pop()!;
        // a vararg operator before the '(' inherits its stack effect
        const fn = stack[stack.length - 1];
        if (fn && fn.el.type === T.VARARG_OPERATOR) {
          fn.effect = paren.effect;
          if (fn.effect > 0) return fail(CalcError.INCOMPLETE, start);
        }
        break;
      }

      case T.CONDITIONAL:
        while (stack.length > 0 && stack[stack.length - 1]!.el.isp > pel.icp) emitTop();
        ops.push(pel.code);
        args.push(-1);
        runtimeDepth += pel.effect;
        if (pel.name === ':') {
          if (condPositions.length === 0) return fail(CalcError.CONDITIONAL, start);
          condPositions.pop();
          if (!push(pel, start, O.COND_END, 0)) return fail(CalcError.OVERFLOW, start);
        } else {
          condPositions.push(start);
        }
        operandNeeded = true;
        break;

      case T.EXPR_TERMINATOR:
        while (stack.length > 0) {
          const top = stack[stack.length - 1]!;
          if (top.el.name === '(') return fail(CalcError.PAREN_OPEN, top.pos);
          emitTop();
        }
        if (condPositions.length !== 0) return fail(CalcError.CONDITIONAL, condPositions[condPositions.length - 1]!);
        if (runtimeDepth > 1) return fail(CalcError.TOOMANY, start);
        operandNeeded = true;
        break;
    }

    if (runtimeDepth < 0) return fail(CalcError.UNDERFLOW, start);
    if (runtimeDepth >= CALC_STACK) return fail(CalcError.OVERFLOW, start);
  }

  if (psrc < src.length) return fail(CalcError.SYNTAX, psrc);

  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.el.name === '(') return fail(CalcError.PAREN_OPEN, top.pos);
    emitTop();
  }
  if (condPositions.length !== 0) return fail(CalcError.CONDITIONAL, condPositions[condPositions.length - 1]!);
  if (operandNeeded || runtimeDepth !== 1) return fail(CalcError.INCOMPLETE, src.length);

  // Resolve conditional jumps exactly as calcPerform's cond_search() would find them.
  const n = ops.length;
  for (let i = 0; i < n; i++) {
    const op = ops[i]!;
    if (op !== O.COND_IF && op !== O.COND_ELSE) continue;
    const match = op === O.COND_IF ? O.COND_ELSE : O.COND_END;
    let count = 1;
    let target = -1;
    for (let j = i + 1; j < n; j++) {
      const o = ops[j]!;
      if (o === match && --count === 0) {
        target = j + 1;
        break;
      }
      if (o === O.COND_IF) count++;
    }
    args[i] = target;
  }

  const code = new Int32Array(2 * n);
  for (let i = 0; i < n; i++) {
    code[2 * i] = ops[i]!;
    code[2 * i + 1] = args[i]!;
  }
  return { ok: true, code, consts: Float64Array.from(consts) };
}

/** calcArgUsage(): bitmaps of inputs read before being stored, and inputs stored. */
export function argUsage(code: Int32Array): { inputs: number; stores: number } {
  let inputs = 0;
  let stores = 0;
  for (let i = 0; i < code.length; i += 2) {
    const op = code[i]!;
    if (op >= O.FETCH_A && op <= O.FETCH_L) inputs |= (1 << (op - O.FETCH_A)) & ~stores;
    else if (op >= O.STORE_A && op <= O.STORE_L) stores |= 1 << (op - O.STORE_A);
  }
  return { inputs, stores };
}

/** calcExprDump()-style listing of a postfix program. */
export function dumpPostfix({ code, consts }: PostfixCode): string[] {
  const out: string[] = [];
  for (let i = 0; i < code.length; i += 2) {
    const op = code[i]!;
    const arg = code[i + 1]!;
    switch (op) {
      case O.LITERAL_DOUBLE:
        out.push(`Double ${consts[arg]}`);
        break;
      case O.LITERAL_INT: {
        const v = consts[arg]!;
        out.push(`Integer ${v} (0x${(v >>> 0).toString(16)})`);
        break;
      }
      case O.MIN:
      case O.MAX:
      case O.FINITE:
      case O.ISNAN:
        out.push(`${O.OPCODE_NAMES[op]}, ${arg} arg(s)`);
        break;
      default:
        out.push(O.OPCODE_NAMES[op] ?? `?${op}`);
    }
  }
  return out;
}
