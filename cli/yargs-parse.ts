import type { CommandModule } from './command.js';
import { beamtwinVersion } from '../harness/version.js';
import { UsageError, type CliIo } from './io.js';
import { SCRIPT_NAME } from './quick-parse.js';

/**
 * Parse argv with full yargs (help, completion, suggestions, every usage error in yargs' words) and run
 * the command it names among `commands`; resolves to what the handler returned, throws what it threw.
 * Imported only when the quick path (quick-parse.ts) declines: yargs alone costs ≈80 ms of start-up.
 */
export async function runWithYargs(argv: string[], io: CliIo, commands: readonly CommandModule[]): Promise<number | void> {
  const { default: yargs } = await import('yargs');
  let running: Promise<number | void> | undefined;
  const parser = yargs(argv)
    .scriptName(SCRIPT_NAME)
    .strict()
    .recommendCommands()
    .demandCommand(1, 'Name a command (beamtwin --help lists them).')
    .help()
    .version(beamtwinVersion)
    .completion('completion', 'Print a bash/zsh completion script (add it to ~/.bashrc or ~/.zshrc)')
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((msg, err) => {
      // yargs wraps what a `coerce` check throws (a bad --port) in its own YError: still a usage error.
      if (err?.name === 'YError' || !err) throw new UsageError(err?.message ?? msg);
      throw err;
    });
  for (const c of commands) {
    parser.command(
      c.command as string,
      c.describe,
      (y) => c.builder(y),
      (args) => {
        running = c.handler(args, io);
      },
    );
  }
  await parser.parseAsync();
  return running;
}
