import type { CommandModule } from '../command.js';
import { serveCommand } from './serve.js';

/** The command registry: each command lives in its own file and is listed here. */
export const commands: CommandModule[] = [
  serveCommand,
];
