import type { Argv } from 'yargs';
import type { CliIo } from './io.js';

/**
 * One `beamtwin` sub-command. A handler returns its exit code (or void for 0); long-running commands
 * (serve, monitor) resolve when they are told to stop.
 */
export interface CommandModule<A = any> {
  readonly command: string | readonly string[];
  readonly describe: string;
  builder(y: Argv): Argv<A>;
  handler(args: A, io: CliIo): Promise<number | void>;
}
