import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { CliIo } from './io.js';

/**
 * One `beamtwin` sub-command. A handler returns its exit code (or void for 0); long-running commands
 * (serve, monitor) resolve when they are told to stop.
 */
export interface CommandModule<A = any> {
  readonly command: string | readonly string[];
  readonly describe: string;
  builder(y: Argv): Argv<A>;
  handler(args: ArgumentsCamelCase<A>, io: CliIo): Promise<number | void>;
}

/** What the command list (top-level --help, suggestions) knows of a command without loading it. */
export interface CommandInfo {
  readonly command: string;
  readonly describe: string;
}

/**
 * A command from its catalogue entry, its options and its handler. The handler's argument type is the
 * one yargs infers from the builder's options, so the two cannot drift apart.
 */
export function defineCommand<A>(
  info: CommandInfo,
  impl: { builder(y: Argv): Argv<A>; handler(args: ArgumentsCamelCase<A>, io: CliIo): Promise<number | void> },
): CommandModule<A> {
  return { command: info.command, describe: info.describe, builder: impl.builder, handler: impl.handler };
}

/** The parsed arguments of an options builder (for handlers that live in a file of their own). */
export type ArgsOf<B extends (y: Argv) => Argv<any>> = ArgumentsCamelCase<ReturnType<B> extends Argv<infer A> ? A : never>;
