import type { CommandModule } from '../command.js';

/** The command registry: each command lives in its own file and is listed here. */
export const commands: CommandModule[] = [];
