import type { CommandModule } from '../command.js';
import { getCommand } from './get.js';
import { infoCommand } from './info.js';
import { monitorCommand } from './monitor.js';
import { putCommand } from './put.js';
import { repeaterCommand } from './repeater.js';
import { scoreCommand } from './score.js';
import { scoreDatasetCommand } from './score-dataset.js';
import { serveCommand } from './serve.js';
import { recordCommand } from './record.js';
import { resetCommand } from './reset.js';
import { runCommand } from './run.js';
import { validateCommand } from './validate.js';
import { evalCommand } from './eval.js';
import { workerCommand } from './worker.js';

/** The command registry: each command lives in its own file and is listed here. */
export const commands: CommandModule[] = [
  serveCommand,
  runCommand,
  recordCommand,
  validateCommand,
  resetCommand,
  evalCommand,
  workerCommand,
  getCommand,
  putCommand,
  monitorCommand,
  infoCommand,
  repeaterCommand,
  scoreCommand,
  scoreDatasetCommand,
];
