import type { ArgumentsCamelCase } from 'yargs';
import type { CommandModule } from './command.js';
import { CaError } from '../ioc/ca/client/errors.js';
import { commandInfo, loadNamedCommand } from './commands/index.js';
import { UserError } from '../ioc/user-error.js';
import { beamtwinVersion } from '../harness/version.js';
import { CommandFailed, type CliIo } from './io.js';

/**
 * Parse argv and run one command; returns the process exit code. The only place errors become codes.
 * Only the command argv names is loaded (see commands/index.ts) and, for an ordinary command line, its
 * args come from the quick parser (quick-parse.ts) without importing yargs; help, completion, typos and
 * usage errors go to full yargs (yargs-parse.ts). `--version` alone skips both. `given` replaces the
 * catalogue (tests run commands of their own making).
 */
export async function runCli(argv: string[], io: CliIo, given?: CommandModule[]): Promise<number> {
  if (argv.length === 1 && argv[0] === '--version') {
    io.stdout.write(`${beamtwinVersion}\n`);
    return 0;
  }
  try {
    // The command and the quick parser load side by side (a command line starts with its command's name).
    const [named, quickParse] = await Promise.all([
      given ? given.find((c) => c.command === argv[0] || String(c.command).startsWith(`${argv[0]} `)) : loadNamedCommand(argv),
      argv[0] && !argv[0].startsWith('-') ? import('./quick-parse.js') : undefined,
    ]);
    const quick = named && quickParse?.quickArgs(named, argv);
    let code: number | void;
    if (named && quick) code = await named.handler(quick as ArgumentsCamelCase, io);
    else code = await (await import('./yargs-parse.js')).runWithYargs(argv, io, given ?? (named ? [named] : catalogue()));
    return typeof code === 'number' ? code : 0;
  } catch (e) {
    return reportError(e, io);
  }
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
