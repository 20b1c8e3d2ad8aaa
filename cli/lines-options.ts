import type { Argv } from 'yargs';
import { DEFAULT_LINE_LIMITS, type LineLimits, type LineSummary } from '../recorder/lines/tracing.js';
import { UsageError } from './io.js';

/** The `--lines` options of run and validate (eval takes them per task too). */
export interface LineArgs {
  lines: boolean;
  'lines-max-steps': number;
  'lines-max-repr': number;
}

export function lineOptions<T>(y: Argv<T>): Argv<T & LineArgs> {
  return y
    .option('lines', { type: 'boolean', default: false, describe: "Trace the Python command's lines (user files only); every put names its line" })
    .option('lines-max-steps', { type: 'number', default: DEFAULT_LINE_LIMITS.maxSteps, describe: 'Lines recorded per process before tracing stops (recorded as line-limit)' })
    .option('lines-max-repr', { type: 'number', default: DEFAULT_LINE_LIMITS.maxRepr, describe: "Characters kept of each local's repr (cut ones are listed)" }) as Argv<T & LineArgs>;
}

/** Checked limits, or undefined without --lines. */
export function lineLimits(args: LineArgs): LineLimits | undefined {
  if (!args.lines) return undefined;
  return checkLineLimits({ maxSteps: args['lines-max-steps'], maxRepr: args['lines-max-repr'] }, ['--lines-max-steps', '--lines-max-repr']);
}

/** The limits, or a UsageError naming the bad one (`names`: how the user spelled steps and repr). */
export function checkLineLimits(l: LineLimits, names: readonly [string, string]): LineLimits {
  if (!Number.isInteger(l.maxSteps) || l.maxSteps < 1) throw new UsageError(`${names[0]} must be a positive whole number`);
  if (!Number.isInteger(l.maxRepr) || l.maxRepr < 8) throw new UsageError(`${names[1]} must be a whole number of at least 8`);
  return l;
}

/** One summary line: what the tracer recorded. */
export function lineSummaryText(s: LineSummary, limits: LineLimits): string {
  const limited = s.limited ? `; ${s.limited} reached the ${limits.maxSteps}-step limit (recorded as line-limit)` : '';
  return `lines: ${s.steps} steps from ${s.processes} Python process${s.processes === 1 ? '' : 'es'}${limited}\n`;
}

/**
 * A manifest's `lines:` (in defaults or a task): `true` (default limits), `{maxSteps, maxRepr}`, or
 * false/absent (no tracing). Throws a plain Error naming the problem.
 */
export function manifestLines(v: unknown, where: string): LineLimits | undefined {
  if (v === undefined || v === null || v === false) return undefined;
  if (v === true) return DEFAULT_LINE_LIMITS;
  if (typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const limits = { maxSteps: o['maxSteps'] ?? DEFAULT_LINE_LIMITS.maxSteps, maxRepr: o['maxRepr'] ?? DEFAULT_LINE_LIMITS.maxRepr } as LineLimits;
    return checkLineLimits(limits, [`${where}.lines.maxSteps`, `${where}.lines.maxRepr`]);
  }
  throw new Error(`${where}.lines: true, false or {maxSteps, maxRepr}`);
}
