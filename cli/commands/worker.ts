import type { Argv } from 'yargs';
import { integerIn } from '../options.js';
import { defaultJobs } from '../../harness/eval/jobs.js';
import { defineCommand } from '../command.js';
import { loadQueue } from '../load-queue.js';
import { commandInfo } from './index.js';

/** `beamtwin worker`: run `beamtwin eval --queue` tasks from a BullMQ queue on this machine. */
export const workerCommand = defineCommand(commandInfo.worker, {
  builder: (y: Argv) =>
    y
      .option('queue', { type: 'string', demandOption: true, describe: 'Redis URL, e.g. redis://host:6379' })
      .option('queue-name', { type: 'string', default: 'beamtwin-eval', describe: 'BullMQ queue name' })
      .option('jobs', { alias: 'j', type: 'number', coerce: integerIn('--jobs', 1), describe: `Twins running at once (default: cores, here ${defaultJobs()})` })
      .option('cache', { type: 'string', describe: 'Reference trace cache on this machine' })
      .option('lock-duration', { type: 'number', default: 30_000, coerce: integerIn('--lock-duration', 1), describe: 'ms without a lock renewal before a task counts as stalled' })
      .option('stalled-interval', { type: 'number', default: 15_000, coerce: integerIn('--stalled-interval', 1), describe: 'ms between checks for stalled tasks' })
      .option('max-stalled', { type: 'number', default: 2, coerce: integerIn('--max-stalled', 0), describe: 'Times a task may stall before it fails' }),
  handler: async (args, io) => {
    const { runWorker } = await loadQueue();
    await runWorker({
      url: args.queue,
      name: args['queue-name'],
      jobs: args.jobs ?? defaultJobs(),
      ...(args.cache ? { cacheDir: args.cache } : {}),
      lockDurationMs: args['lock-duration'],
      stalledIntervalMs: args['stalled-interval'],
      maxStalledCount: args['max-stalled'],
      log: io.stderr,
    });
    return 0;
  },
});
