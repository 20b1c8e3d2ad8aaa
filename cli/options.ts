import { UsageError } from './io.js';

/**
 * Checks for numeric options, used as yargs `coerce` functions: yargs reads `--port abc` as NaN and
 * `--port 1.5` as 1.5, and a NaN timeout or a port that wraps would silently do something else.
 * A bad value is a UsageError (one line, exit 2) naming the option.
 */
type Check = (v: unknown) => number;

function single(flag: string, v: unknown): number {
  if (Array.isArray(v)) throw new UsageError(`${flag} was given ${v.length} times; give it once`);
  if (typeof v !== 'number' || Number.isNaN(v)) throw new UsageError(`${flag} needs a number`);
  return v;
}

/** An integer in [min, max]. */
export function integerIn(flag: string, min: number, max = Number.MAX_SAFE_INTEGER): Check {
  return (v) => {
    const n = single(flag, v);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new UsageError(`${flag} must be an integer ${max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`}, got ${n}`);
    }
    return n;
  };
}

/** A finite number of seconds, > 0 (or ≥ 0 with `zeroOk`). */
export function seconds(flag: string, zeroOk = false): Check {
  return (v) => {
    const n = single(flag, v);
    if (!Number.isFinite(n) || n < 0 || (!zeroOk && n === 0)) throw new UsageError(`${flag} must be a ${zeroOk ? 'non-negative' : 'positive'} number of seconds, got ${n}`);
    return n;
  };
}

/** A finite number > 0. */
export function positive(flag: string): Check {
  return (v) => {
    const n = single(flag, v);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number, got ${n}`);
    return n;
  };
}

/** A UDP/TCP port (0 = any free one). */
export const port = integerIn('--port', 0, 65535);
