// Coordinate systems of the motor record (motorRecord.cc, do_work header comment):
//   user  = dial × DIR + OFF           (DIR: Pos → +1, Neg → −1)
//   dial  = raw × MRES                 (raw motor steps; ERES for encoder counts, RRES for the RDBL link)
// and the limits: user HLM/LLM swap with dial DLLM/DHLM when DIR is Neg.

/** C's NINT: round half away from zero, then truncate to an integer (motor.h). */
export function nint(x: number): number {
  return x > 0 ? Math.trunc(x + 0.5) : Math.trunc(x - 0.5);
}

/** +1 for DIR Pos (0), −1 for DIR Neg (1). */
export function dirSign(dir: number): 1 | -1 {
  return dir === 0 ? 1 : -1;
}

export function dialToUser(dial: number, dir: number, off: number): number {
  return dial * dirSign(dir) + off;
}

export function userToDial(user: number, dir: number, off: number): number {
  return (user - off) / dirSign(dir);
}

/** The offset that makes `dial` read as `user` (set mode with FOFF Variable). */
export function offsetFor(user: number, dial: number, dir: number): number {
  return user - dial * dirSign(dir);
}

export interface UserLimits {
  readonly hlm: number;
  readonly llm: number;
}

/** set_userlimits: user limits from dial limits (both zero means "no soft limits"). */
export function userLimitsFromDial(dhlm: number, dllm: number, dir: number, off: number): UserLimits {
  if (!softLimitsDefined(dhlm, dllm)) return { hlm: 0, llm: 0 };
  return dir === 0 ? { hlm: dhlm + off, llm: dllm + off } : { hlm: -dllm + off, llm: -dhlm + off };
}

/** DHLM == DLLM == 0 disables the soft travel limits. */
export function softLimitsDefined(dhlm: number, dllm: number): boolean {
  return !(dhlm === dllm && dllm === 0);
}

/** Dial position of a raw step count. */
export function rawToDial(raw: number, mres: number): number {
  return raw * mres;
}

/** Raw (fractional) step count of a dial position. */
export function dialToRaw(dial: number, mres: number): number {
  return dial / mres;
}
