import type { Argv } from 'yargs';
import { PRESETS, type PresetName } from '../../aligner/result.js';
import { defineCommand } from '../command.js';
import { commandInfo } from './index.js';
import { UsageError } from '../io.js';
import { loadConfigOrFail } from '../trace-input.js';

/** Score every task of a dataset and print per-task rows and the reference harness's summary statistics. */
export const scoreDatasetCommand = defineCommand(commandInfo['score-dataset'], {
  builder: (y: Argv) =>
    y
      .positional('dataset', { type: 'string', demandOption: true, describe: 'A folder of task sub-folders, or a manifest (JSON/YAML)' })
      .option('preset', { choices: PRESETS, default: 'vision' as PresetName, describe: 'Scoring preset' })
      .option('config', { type: 'string', describe: 'EnvTrace configuration (JSON or YAML)' })
      .option('ignore', { type: 'string', array: true, describe: 'Channels to leave out in every task' })
      .option('format', { choices: ['text', 'csv', 'json'] as const, default: 'text' as const, describe: 'Output format' })
      .option('json', { type: 'boolean', default: false, describe: 'Same as --format json' }),
  handler: async (args, io) => {
    const [{ DatasetError, readDataset, scoreDataset }, { datasetCsv, datasetJson, datasetText }] = await Promise.all([
      import('../../aligner/dataset.js'),
      import('../../aligner/report/dataset.js'),
    ]);
    let tasks;
    try {
      tasks = readDataset(args.dataset);
    } catch (e) {
      if (e instanceof DatasetError || e instanceof SyntaxError || (e as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError((e as Error).message);
      throw e;
    }
    const config = await loadConfigOrFail(args.config);
    const { rows, summary } = scoreDataset(tasks, args.preset, { ignore: args.ignore ?? [], ...(config ? { config } : {}) });
    const format = args.json ? 'json' : args.format;
    if (format === 'json') io.stdout.write(`${JSON.stringify(datasetJson(args.preset, rows, summary), null, 2)}\n`);
    else if (format === 'csv') io.stdout.write(datasetCsv(rows, summary));
    else io.stdout.write(datasetText(args.preset, rows, summary));
    for (const r of rows) if (r.error && !r.result) io.stderr.write(`beamtwin: task ${r.id}: ${r.error}\n`);
    return 0;
  },
});
