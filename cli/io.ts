import { UserError } from '../ioc/user-error.js';

/** Where a command writes; tests pass buffers instead of the process streams. */
export interface CliIo {
  readonly stdout: { write(s: string): unknown; isTTY?: boolean };
  readonly stderr: { write(s: string): unknown };
}

/** A usage or input problem the user can fix: printed without a stack, exit code 2. */
export class UsageError extends UserError {
  override name = 'UsageError';
}

/** The command ran and found a failure to report (e.g. a broken validation rule): exit code 1. */
export class CommandFailed extends Error {
  override name = 'CommandFailed';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** `--speed` as serve, run and validate take it: the twin's time runs this many times faster, so > 0. */
export function checkSpeed(speed: number): number {
  if (!(speed > 0)) throw new UsageError('--speed must be a positive number');
  return speed;
}
