import type { CommandModule } from './command.js';
import { CaError } from '../ioc/ca/client/errors.js';
import { commandInfo, loadNamedCommand } from './commands/index.js';
import { UserError } from '../ioc/user-error.js';
import { beamtwinVersion } from '../harness/version.js';
import { CommandFailed, UsageError, type CliIo } from './io.js';

/**
 * Parse argv and run one command; returns the process exit code. The only place errors become codes.
 * Only the command argv names is loaded (see commands/index.ts); `--version` alone skips yargs too.
 */
export async function runCli(argv: string[], io: CliIo, given?: CommandModule[]): Promise<number> {
  if (argv.length === 1 && argv[0] === '--version') {
    io.stdout.write(`${beamtwinVersion}\n`);
    return 0;
  }
  const [{ default: yargs }, named] = await Promise.all([import('yargs'), given ? undefined : loadNamedCommand(argv)]);
  const commands = given ?? (named ? [named] : catalogue());
  let exitCode = 0;
  let running: Promise<number | void> | undefined;
  const parser = yargs(argv)
    .scriptName('beamtwin')
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
  try {
    await parser.parseAsync();
    const code = await running;
    exitCode = typeof code === 'number' ? code : 0;
  } catch (e) {
    exitCode = reportError(e, io);
  }
  return exitCode;
}

/** Every command by name and description only, for the command list and typo suggestions. */
function catalogue(): CommandModule[] {
  return Object.values(commandInfo).map((info) => ({
    ...info,
    builder: (y) => y,
    handler: () => {
      throw new Error(`internal: ${info.command} was run from the catalogue, not loaded`);
    },
  }));
}

function reportError(e: unknown, io: CliIo): number {
  if (e instanceof UserError) {
    // Any problem the user can fix (options, profiles, manifests, rules files): one line, exit 2.
    io.stderr.write(`beamtwin: ${e.message}\n`);
    return 2;
  }
  if (e instanceof CommandFailed) {
    io.stderr.write(`beamtwin: ${e.message}\n`);
    return e.exitCode;
  }
  if (e instanceof CaError) {
    // A Channel Access failure (timeout, refused put): its message names the PV and the CA status.
    io.stderr.write(`beamtwin: ${e.message}\n`);
    return 1;
  }
  if (isSystemError(e)) {
    // A file that cannot be opened, a port that is taken: Node's message names the file or address.
    io.stderr.write(`beamtwin: ${e.message}\n`);
    return 1;
  }
  const err = e as Error;
  io.stderr.write(`beamtwin: ${err?.stack ?? String(e)}\n`);
  return 1;
}

/** An error from a system call (fs, net, dgram, dns): `code` and `syscall` say what failed, no stack needed. */
function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  const err = e as NodeJS.ErrnoException | undefined;
  return err instanceof Error && typeof err.code === 'string' && typeof err.syscall === 'string';
}
