import { DEFAULT_LINE_LIMITS, type LineLimits } from '../recorder/lines/tracing.js';
import { UserError } from '../ioc/user-error.js';

/** The limits, or a UserError naming the bad one (`names`: how the user spelled steps and repr). */
export function checkLineLimits(l: LineLimits, names: readonly [string, string]): LineLimits {
  if (!Number.isInteger(l.maxSteps) || l.maxSteps < 1) throw new UserError(`${names[0]} must be a positive whole number`);
  if (!Number.isInteger(l.maxRepr) || l.maxRepr < 8) throw new UserError(`${names[1]} must be a whole number of at least 8`);
  return l;
}

/**
 * A manifest's `lines:` (in defaults or a task): `true` (default limits), `{maxSteps, maxRepr}`, or
 * false/absent (no tracing). Throws a UserError naming the problem.
 */
export function manifestLines(v: unknown, where: string): LineLimits | undefined {
  if (v === undefined || v === null || v === false) return undefined;
  if (v === true) return DEFAULT_LINE_LIMITS;
  if (typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const limits = { maxSteps: o['maxSteps'] ?? DEFAULT_LINE_LIMITS.maxSteps, maxRepr: o['maxRepr'] ?? DEFAULT_LINE_LIMITS.maxRepr } as LineLimits;
    return checkLineLimits(limits, [`${where}.lines.maxSteps`, `${where}.lines.maxRepr`]);
  }
  throw new UserError(`${where}.lines: true, false or {maxSteps, maxRepr}`);
}
