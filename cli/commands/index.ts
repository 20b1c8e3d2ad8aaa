import type { CommandInfo, CommandModule } from '../command.js';

/**
 * The command catalogue: name, usage and one line for each command, enough for `beamtwin --help` and for
 * suggesting a command after a typo. Each command lives in its own file, loaded only when it runs (or
 * its own --help is asked for), so that a start-up pays for one command's imports, not twenty.
 */
export const commandInfo = {
  serve: { command: 'serve', describe: 'Serve a twin over Channel Access and pvAccess until interrupted (default: the CMS 11-BM beamline)' },
  run: { command: 'run [command..]', describe: 'Run a command against a fresh, isolated twin and record its trace' },
  record: { command: 'record [pvs..]', describe: 'Record PV changes over Channel Access or pvAccess into a trace file (any IOC)' },
  validate: { command: 'validate [command..]', describe: 'Run a script against a fresh twin and report what it does (moves, exposures, limits, unknown PVs)' },
  reset: { command: 'reset', describe: "Reset a running twin to its profile's defaults at once (motors teleport, nothing ramps)" },
  eval: { command: 'eval <manifest>', describe: 'Run and score a manifest of tasks (reference and candidate commands), N twins in parallel' },
  worker: { command: 'worker', describe: 'Take evaluation tasks from a Redis queue (beamtwin eval --queue) and run them in fresh twins' },
  get: { command: 'get <pvs..>', describe: 'Read PVs over Channel Access (caget)' },
  put: { command: 'put <pv> <values..>', describe: 'Write a PV over Channel Access (caput)' },
  monitor: { command: 'monitor <pvs..>', describe: 'Print every update of PVs over Channel Access (camonitor)' },
  info: { command: 'info <pvs..>', describe: 'Show channel information: server, access, native type, element count (cainfo)' },
  pvget: { command: 'pvget <pvs..>', describe: 'Read PVs over pvAccess (pvget)' },
  pvput: { command: 'pvput <pv> <values..>', describe: 'Write a PV over pvAccess and wait for completion (pvput)' },
  pvmonitor: { command: 'pvmonitor <pvs..>', describe: 'Print every update of PVs over pvAccess (pvmonitor)' },
  pvinfo: { command: 'pvinfo <pvs..>', describe: 'Print the pvAccess type of PVs (pvinfo)' },
  repeater: { command: 'repeater', describe: 'Run a CA repeater: fans server beacons out to the CA clients of this host' },
  score: { command: 'score', describe: 'Align a predicted trace with reference traces and score it (EnvTrace method)' },
  'score-dataset': { command: 'score-dataset <dataset>', describe: 'Score a folder or manifest of (task, references, prediction) traces and summarise' },
  export: { command: 'export <inputs..>', describe: 'Write traces recorded with --lines (or an eval output folder) as execution-trace training records (JSON Lines)' },
  view: { command: 'view <trace>', describe: 'Replay a recorded trace (JSON Lines) in the web view, with a time slider' },
} as const satisfies Record<string, CommandInfo>;

export type CommandName = keyof typeof commandInfo;

export const commandLoaders: Readonly<Record<CommandName, () => Promise<CommandModule>>> = {
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
  pvget: async () => (await import('./pvget.js')).pvgetCommand,
  pvput: async () => (await import('./pvput.js')).pvputCommand,
  pvmonitor: async () => (await import('./pvmonitor.js')).pvmonitorCommand,
  pvinfo: async () => (await import('./pvinfo.js')).pvinfoCommand,
  repeater: async () => (await import('./repeater.js')).repeaterCommand,
  score: async () => (await import('./score.js')).scoreCommand,
  'score-dataset': async () => (await import('./score-dataset.js')).scoreDatasetCommand,
  export: async () => (await import('./export.js')).exportCommand,
  view: async () => (await import('./view.js')).viewCommand,
};

/**
 * The command `argv` names (the first word that is a command's name), loaded; undefined when it names
 * none (`beamtwin --help`, `--version`, `completion`, a typo): the catalogue then serves.
 */
export async function loadNamedCommand(argv: readonly string[]): Promise<CommandModule | undefined> {
  const name = argv.find((a): a is CommandName => Object.hasOwn(commandInfo, a));
  return name === undefined ? undefined : commandLoaders[name]();
}
