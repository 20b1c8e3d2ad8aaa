import type { Argv } from 'yargs';
import { DEFAULT_LINE_LIMITS, type LineLimits, type LineSummary } from '../recorder/lines/tracing.js';
import { checkLineLimits } from '../harness/line-limits.js';

/** The `--lines` options of run and validate (eval takes them per task too). */
export interface LineArgs {
  lines: boolean;
  'lines-max-steps': number;
  'lines-max-repr': number;
}

export function lineOptions<T>(y: Argv<T>) {
  return y
    .option('lines', { type: 'boolean', default: false, describe: "Trace the Python command's lines (user files only); every put names its line" })
    .option('lines-max-steps', { type: 'number', default: DEFAULT_LINE_LIMITS.maxSteps, describe: 'Lines recorded per process before tracing stops (recorded as line-limit)' })
    .option('lines-max-repr', { type: 'number', default: DEFAULT_LINE_LIMITS.maxRepr, describe: "Characters kept of each local's repr (cut ones are listed)" });
}

/** Checked limits, or undefined without --lines. */
export function lineLimits(args: LineArgs): LineLimits | undefined {
  if (!args.lines) return undefined;
  return checkLineLimits({ maxSteps: args['lines-max-steps'], maxRepr: args['lines-max-repr'] }, ['--lines-max-steps', '--lines-max-repr']);
}

/** One summary line: what the tracer recorded. */
export function lineSummaryText(s: LineSummary, limits: LineLimits): string {
  const limited = s.limited ? `; ${s.limited} reached the ${limits.maxSteps}-step limit (recorded as line-limit)` : '';
  return `lines: ${s.steps} steps from ${s.processes} Python process${s.processes === 1 ? '' : 'es'}${limited}\n`;
}
