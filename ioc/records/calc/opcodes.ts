// RPN opcodes of the EPICS calc engine, numbered exactly as rpn_opcode in
// epics-base modules/libcom/src/calc/postfixPvt.h (FETCH_A..FETCH_L and
// STORE_A..STORE_L are contiguous, which the compiler and evaluator rely on).

export const END_EXPRESSION = 0;
export const LITERAL_DOUBLE = 1;
export const LITERAL_INT = 2;
export const FETCH_VAL = 3;
export const FETCH_A = 4;
export const FETCH_L = 15;
export const STORE_A = 16;
export const STORE_L = 27;
export const CONST_PI = 28;
export const CONST_D2R = 29;
export const CONST_R2D = 30;
export const UNARY_NEG = 31;
export const ADD = 32;
export const SUB = 33;
export const MULT = 34;
export const DIV = 35;
export const MODULO = 36;
export const POWER = 37;
export const ABS_VAL = 38;
export const EXP = 39;
export const LOG_10 = 40;
export const LOG_E = 41;
export const MAX = 42;
export const MIN = 43;
export const SQU_RT = 44;
export const ACOS = 45;
export const ASIN = 46;
export const ATAN = 47;
export const ATAN2 = 48;
export const COS = 49;
export const COSH = 50;
export const SIN = 51;
export const SINH = 52;
export const TAN = 53;
export const TANH = 54;
export const CEIL = 55;
export const FLOOR = 56;
export const FMOD = 57;
export const FINITE = 58;
export const ISINF = 59;
export const ISNAN = 60;
export const NINT = 61;
export const RANDOM = 62;
export const REL_OR = 63;
export const REL_AND = 64;
export const REL_NOT = 65;
export const BIT_OR = 66;
export const BIT_AND = 67;
export const BIT_EXCL_OR = 68;
export const BIT_NOT = 69;
export const RIGHT_SHIFT_ARITH = 70;
export const LEFT_SHIFT_ARITH = 71;
export const RIGHT_SHIFT_LOGIC = 72;
export const NOT_EQ = 73;
export const LESS_THAN = 74;
export const LESS_OR_EQ = 75;
export const EQUAL = 76;
export const GR_OR_EQ = 77;
export const GR_THAN = 78;
export const COND_IF = 79;
export const COND_ELSE = 80;
export const COND_END = 81;
export const NOT_GENERATED = 82;

/** Opcode names as printed by EPICS calcExprDump(). */
export const OPCODE_NAMES: readonly string[] = [
  'End Expression',
  'LITERAL_DOUBLE', 'LITERAL_INT', 'VAL',
  'FETCH_A', 'FETCH_B', 'FETCH_C', 'FETCH_D', 'FETCH_E', 'FETCH_F',
  'FETCH_G', 'FETCH_H', 'FETCH_I', 'FETCH_J', 'FETCH_K', 'FETCH_L',
  'STORE_A', 'STORE_B', 'STORE_C', 'STORE_D', 'STORE_E', 'STORE_F',
  'STORE_G', 'STORE_H', 'STORE_I', 'STORE_J', 'STORE_K', 'STORE_L',
  'CONST_PI', 'CONST_D2R', 'CONST_R2D',
  'UNARY_NEG', 'ADD', 'SUB', 'MULT', 'DIV', 'MODULO', 'POWER',
  'ABS_VAL', 'EXP', 'LOG_10', 'LOG_E', 'MAX', 'MIN', 'SQU_RT',
  'ACOS', 'ASIN', 'ATAN', 'ATAN2', 'COS', 'COSH', 'SIN', 'SINH', 'TAN', 'TANH',
  'CEIL', 'FLOOR', 'FMOD', 'FINITE', 'ISINF', 'ISNAN', 'NINT', 'RANDOM',
  'REL_OR', 'REL_AND', 'REL_NOT',
  'BIT_OR', 'BIT_AND', 'BIT_EXCL_OR', 'BIT_NOT',
  'RIGHT_SHIFT_ARITH', 'LEFT_SHIFT_ARITH', 'RIGHT_SHIFT_LOGIC',
  'NOT_EQ', 'LESS_THAN', 'LESS_OR_EQ', 'EQUAL', 'GR_OR_EQ', 'GR_THAN',
  'COND_IF', 'COND_ELSE', 'COND_END',
  'NOT_GENERATED',
];

/** Error codes (CALC_ERR_* in postfix.h). */
export const CalcError = {
  NONE: 0,
  TOOMANY: 1,
  BAD_LITERAL: 2,
  BAD_ASSIGNMENT: 3,
  BAD_SEPERATOR: 4,
  PAREN_NOT_OPEN: 5,
  PAREN_OPEN: 6,
  CONDITIONAL: 7,
  INCOMPLETE: 8,
  UNDERFLOW: 9,
  OVERFLOW: 10,
  SYNTAX: 11,
  NULL_ARG: 12,
  INTERNAL: 13,
} as const;
export type CalcErrorCode = (typeof CalcError)[keyof typeof CalcError];

const ERROR_STRINGS: readonly string[] = [
  'No error',
  'Too many results returned',
  'Badly formed numeric literal',
  'Bad assignment target',
  'Comma without enclosing parentheses',
  'Close parenthesis found without open',
  'Parenthesis still open at end of expression',
  'Unbalanced conditional ?: operators',
  'Incomplete expression, operand missing',
  'Not enough operands provided',
  'Runtime stack overflow',
  'Syntax error, unknown operator/operand',
  'NULL or empty input argument to postfix()',
  'Internal error, unknown element type',
];

/** calcErrorStr(): the EPICS message for an error code, or undefined if out of range. */
export function calcErrorStr(code: number): string | undefined {
  return ERROR_STRINGS[code];
}

/** CALCPERFORM_NARGS: inputs A..L. */
export const CALC_NARGS = 12;
/** CALCPERFORM_STACK: evaluation stack depth. */
export const CALC_STACK = 80;
