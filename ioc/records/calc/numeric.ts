// Numeric primitives that reproduce calcPerform.c's C conversions bit for bit.
//
// C leaves out-of-range double->integer casts undefined; EPICS in practice
// runs on x86-64 Linux built with gcc, where:
//   (epicsInt32)x   -> cvttsd2si r32: truncation, 0x80000000 when out of range or NaN
//   (epicsUInt32)x  -> cvttsd2si r64 then the low 32 bits: truncation modulo 2^32 for
//                      0 <= x < 2^63, and 0 for x >= 2^63, +Inf or NaN
// These helpers implement exactly that behaviour.

const TWO63 = 9223372036854775808;

/** (epicsInt32)x on x86-64. */
export function i32(x: number): number {
  return x > -2147483649 && x < 2147483648 ? x | 0 : -2147483648;
}

/** calcPerform's d2i(x): (x)<0 ? (epicsInt32)(x) : (epicsInt32)(epicsUInt32)(x). */
export function d2i(x: number): number {
  if (x < 0) return x > -2147483649 ? x | 0 : -2147483648;
  return x < TWO63 ? x | 0 : 0;
}

/** calcPerform's d2ui(x): the same bits as d2i(x), read as unsigned. */
export function d2ui(x: number): number {
  return d2i(x) >>> 0;
}

/** MODULO (%): integer remainder of (epicsInt32) casts; a zero divisor gives NaN. */
export function cmod(x: number, y: number): number {
  const b = i32(y);
  if (b === 0) return NaN;
  // INT_MIN % -1 traps (SIGFPE) in C on x86; here it gives the mathematical 0.
  // `| 0` turns the -0 that JS produces for negative dividends into C's integer +0.
  return (i32(x) % b) | 0;
}

/** C99/IEEE pow(): differs from Math.pow only where JS returns NaN. */
export function cpow(x: number, y: number): number {
  if (x === 1) return 1; // pow(1, y) = 1 for any y, even NaN
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return Math.pow(x, y);
}

/** NINT: (epicsInt32)(x >= 0 ? x + 0.5 : x - 0.5). */
export function nint(x: number): number {
  return i32(x >= 0 ? x + 0.5 : x - 0.5);
}

/**
 * ISINF: glibc's isinf() macro (gcc >= 4.4) is __builtin_isinf_sign, so
 * -Inf gives -1, +Inf gives 1, anything else 0.
 */
export function isinfSign(x: number): number {
  return x === Infinity ? 1 : x === -Infinity ? -1 : 0;
}

/** A random source for RNDM: returns a number in [0, 1]. */
export type CalcRng = () => number;

/**
 * calcRandom(): Knuth's 16-bit linear congruential generator used by calcPerform.c,
 *   seed = (unsigned short)(seed * 1533 + 0x3141); return seed / 65535.0
 * starting from seed 0xa3bf.
 */
export function createEpicsRandom(seed = 0xa3bf): CalcRng {
  let s = seed & 0xffff;
  return () => {
    s = (s * 1533 + 0x3141) & 0xffff;
    return s / 65535;
  };
}

/** The process-wide generator used when no RNG is injected (like the C static seed). */
export const epicsRandom: CalcRng = createEpicsRandom();
