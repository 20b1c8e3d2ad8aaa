import type { CommandModule } from '../command.js';

/**
 * The command registry: each command lives in its own file and is listed here by name, loaded on use so
 * that `beamtwin serve` does not pay for the queue client, the aligner or the evaluator at start-up.
 */
export const commandLoaders: Readonly<Record<string, () => Promise<CommandModule>>> = {
  serve: async () => (await import('./serve.js')).serveCommand,
  run: async () => (await import('./run.js')).runCommand,
  record: async () => (await import('./record.js')).recordCommand,
  validate: async () => (await import('./validate.js')).validateCommand,
  reset: async () => (await import('./reset.js')).resetCommand,
  eval: async () => (await import('./eval.js')).evalCommand,
  worker: async () => (await import('./worker.js')).workerCommand,
  get: async () => (await import('./get.js')).getCommand,
  put: async () => (await import('./put.js')).putCommand,
  monitor: async () => (await import('./monitor.js')).monitorCommand,
  info: async () => (await import('./info.js')).infoCommand,
  repeater: async () => (await import('./repeater.js')).repeaterCommand,
  score: async () => (await import('./score.js')).scoreCommand,
  'score-dataset': async () => (await import('./score-dataset.js')).scoreDatasetCommand,
  export: async () => (await import('./export.js')).exportCommand,
  view: async () => (await import('./view.js')).viewCommand,
};

/** The commands `argv` needs: just the one it names, or all of them (help, a typo to suggest for). */
export async function loadCommands(argv: readonly string[]): Promise<CommandModule[]> {
  const first = argv.find((a) => !a.startsWith('-'));
  const one = first !== undefined ? commandLoaders[first] : undefined;
  if (one && !argv.includes('--help')) return [await one()];
  return Promise.all(Object.values(commandLoaders).map((load) => load()));
}
