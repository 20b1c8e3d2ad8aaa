import { expect } from 'vitest';
import { compile, createEpicsRandom, evaluate, type CalcRng, type CalcState } from '../../../../ioc/records/calc/index.js';

/** The argument values used by epics-base's epicsCalcTest.cpp: A=1 ... L=12. */
export const TEST_ARGS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

export function args(values: readonly number[] = TEST_ARGS): Float64Array {
  const a = new Float64Array(12);
  a.set(values.slice(0, 12));
  return a;
}

/**
 * Compile `expr` twice (generated JS and interpreter), evaluate both on fresh copies of
 * the arguments, check they agree (value, runtime error and stores), and return the value.
 */
export function run(expr: string, argv: readonly number[] = TEST_ARGS, state: Omit<CalcState, 'rng'> = {}): number {
  const r = evalBoth(expr, argv, state);
  if (!r.ok) throw new Error(`calcPerform failed for '${expr}'`);
  return r.value;
}

export function evalBoth(
  expr: string,
  argv: readonly number[] = TEST_ARGS,
  state: Omit<CalcState, 'rng'> = {},
  makeRng?: () => CalcRng,
): { ok: true; value: number; args: Float64Array } | { ok: false } {
  const fast = compile(expr);
  const slow = compile(expr, { jit: false });
  if (!fast.ok || !slow.ok) throw new Error(`compile failed for '${expr}': ${fast.ok ? '' : fast.error}`);
  const a1 = args(argv);
  const a2 = args(argv);
  // each evaluation gets its own generator so RNDM sequences line up
  const rng = (): CalcRng => (makeRng ? makeRng() : createEpicsRandom());
  const r1 = evaluate(fast.program, a1, { ...state, rng: rng() });
  const r2 = evaluate(slow.program, a2, { ...state, rng: rng() });
  expect(r1.ok, `jit/vm ok agree for '${expr}'`).toBe(r2.ok);
  if (r1.ok && r2.ok) {
    expect(Object.is(r1.value, r2.value) || (Number.isNaN(r1.value) && Number.isNaN(r2.value)), `jit/vm agree for '${expr}': ${r1.value} vs ${r2.value}`).toBe(true);
    expect(Array.from(a1), `stores agree for '${expr}'`).toEqual(Array.from(a2));
    return { ok: true, value: r1.value, args: a1 };
  }
  return { ok: false };
}

/** The epicsCalcTest.cpp testUInt32Calc() conversion of a result. */
export function asUInt32(x: number): number {
  return x < 0 ? (x | 0) >>> 0 : x >>> 0;
}
