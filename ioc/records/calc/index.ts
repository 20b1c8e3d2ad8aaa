// EPICS calc expression engine (calc / calcout CALC and OCAL fields), matching
// epics-base 7 modules/libcom/src/calc/postfix.c and calcPerform.c.
//
//   const r = compile('A:=A+1; A>10 ? 0 : A');
//   if (r.ok) evaluate(r.program, args /* Float64Array(12): A..L, updated by := */, { val });

import { calcErrorStr, CALC_NARGS, FETCH_VAL, RANDOM, type CalcErrorCode } from './opcodes.js';
import { epicsRandom, type CalcRng } from './numeric.js';
import { argUsage, dumpPostfix, postfix } from './postfix.js';
import { performVm } from './vm.js';
import { jitCompile } from './jit.js';

export { calcErrorStr, CalcError, CALC_NARGS, CALC_STACK } from './opcodes.js';
export type { CalcErrorCode } from './opcodes.js';
export { createEpicsRandom, epicsRandom, type CalcRng } from './numeric.js';

export interface CalcProgram {
  /** The infix source. */
  readonly expression: string;
  /** Postfix instruction pairs [opcode, operand] (opcodes numbered as postfixPvt.h). */
  readonly code: Int32Array;
  /** Literal values referenced by LITERAL_* operands. */
  readonly consts: Float64Array;
  /** calcArgUsage() inputs: bit n set if argument n (A=0..L=11) is read before any store to it. */
  readonly usesInputs: number;
  /** calcArgUsage() stores: bit n set if the expression assigns argument n. */
  readonly stores: number;
  /** True if the expression reads VAL. */
  readonly usesVal: boolean;
  /** True if the expression uses RNDM. */
  readonly usesRandom: boolean;
  /** True if evaluation runs generated JavaScript, false if it is interpreted. */
  readonly compiled: boolean;
  /**
   * Raw evaluation (calcPerform): the result, or undefined where calcPerform returns an
   * error. `args` (>= 12 entries, A..L) receives any := stores; `val` is what VAL reads.
   */
  readonly perform: (args: Float64Array, val: number, rng: CalcRng) => number | undefined;
}

export type CompileResult =
  | { ok: true; program: CalcProgram; usesInputs: number; stores: number }
  | {
      ok: false;
      /** calcErrorStr() text, e.g. "Syntax error, unknown operator/operand". */
      error: string;
      /** CALC_ERR_* code. */
      code: CalcErrorCode;
      /** 0-based offset into the expression of the offending element (length for "at end"). */
      position: number;
    };

export interface CompileOptions {
  /** Generate JavaScript for the expression when possible (default true). */
  jit?: boolean;
}

/** postfix(): compile an infix calc expression. */
export function compile(expr: string, options: CompileOptions = {}): CompileResult {
  const r = postfix(expr);
  if (!r.ok) return { ok: false, error: calcErrorStr(r.code)!, code: r.code, position: r.position };
  const pc = { code: r.code, consts: r.consts };
  const { inputs, stores } = argUsage(r.code);
  let usesVal = false;
  let usesRandom = false;
  for (let i = 0; i < r.code.length; i += 2) {
    if (r.code[i] === FETCH_VAL) usesVal = true;
    if (r.code[i] === RANDOM) usesRandom = true;
  }
  const jit = options.jit === false ? undefined : jitCompile(pc);
  let perform: CalcProgram['perform'];
  if (jit) {
    perform = jit;
  } else {
    const stack = new Float64Array(96);
    perform = (args, val, rng) => performVm(pc, stack, args, val, rng);
  }
  const program: CalcProgram = {
    expression: expr,
    code: r.code,
    consts: r.consts,
    usesInputs: inputs,
    stores,
    usesVal,
    usesRandom,
    compiled: jit !== undefined,
    perform,
  };
  return { ok: true, program, usesInputs: inputs, stores };
}

export interface CalcState {
  /** What VAL reads: the record's current VAL (calcout OCAL: OVAL). Default 0. */
  val?: number;
  /** RNDM source; default is the EPICS calcRandom() generator shared by the process. */
  rng?: CalcRng;
}

export type EvaluateResult = { ok: true; value: number } | { ok: false; error: string };

const RUNTIME_ERROR: EvaluateResult = Object.freeze({ ok: false, error: 'calcPerform failed' }) as EvaluateResult;

/**
 * calcPerform(): evaluate a compiled program. `args` holds A..L (at least 12 entries)
 * and, as in EPICS, is modified in place by := assignments.
 */
export function evaluate(program: CalcProgram, args: Float64Array, state?: CalcState): EvaluateResult {
  if (args.length < CALC_NARGS) throw new RangeError(`calc args need ${CALC_NARGS} entries, got ${args.length}`);
  const value = program.perform(args, state?.val ?? 0, state?.rng ?? epicsRandom);
  return value === undefined ? RUNTIME_ERROR : { ok: true, value };
}

/** calcExprDump(): one line per postfix instruction. */
export function disassemble(program: CalcProgram): string[] {
  return dumpPostfix(program);
}

/** Convenience: compile and evaluate once; throws on a compile error. */
export function calc(expr: string, args?: ArrayLike<number>, state?: CalcState): EvaluateResult {
  const r = compile(expr);
  if (!r.ok) throw new SyntaxError(`${r.error} at position ${r.position} in '${expr}'`);
  const a = new Float64Array(CALC_NARGS);
  if (args) a.set(Array.from(args).slice(0, CALC_NARGS));
  return evaluate(r.program, a, state);
}

