import fs from 'node:fs';
import type { Argv } from 'yargs';
import { integerIn, positive, seconds } from '../options.js';
import { PRESETS } from '../../aligner/result.js';
import { defaultJobs } from '../../harness/eval/jobs.js';
import type { TaskSpec } from '../../harness/eval/manifest.js';
import { defineCommand } from '../command.js';
import { loadQueue } from '../load-queue.js';
import { commandInfo } from './index.js';
import { UsageError } from '../io.js';
import { lineLimits, lineOptions } from '../lines-options.js';

/** Tasks whose id matches one of the patterns (`*` wildcards). */
function selectTasks(tasks: TaskSpec[], only: readonly string[] | undefined): TaskSpec[] {
  if (!only?.length) return tasks;
  const res = only.map((p) => new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`));
  const picked = tasks.filter((t) => res.some((r) => r.test(t.id)));
  if (!picked.length) throw new UsageError(`--only ${only.join(' ')}: no task matches`);
  return picked;
}

/** `beamtwin eval`: run reference and candidate commands of many tasks in fresh twins and score them. */
export const evalCommand = defineCommand(commandInfo.eval, {
  builder: (y: Argv) =>
    lineOptions(y)
      .positional('manifest', { type: 'string', demandOption: true, describe: 'Tasks (JSON or YAML): defaults and tasks with references and candidates' })
      .option('jobs', { alias: 'j', type: 'number', coerce: integerIn('--jobs', 1), describe: `Twins running at once (default: cores, here ${defaultJobs()})` })
      .option('out', { alias: 'o', type: 'string', default: 'eval-out', describe: 'Results folder (traces, rows, reports, summary)' })
      .option('cache', { type: 'string', describe: 'Reference trace cache (default: OUT/cache)' })
      .option('preset', { choices: PRESETS, describe: 'Scoring preset that decides verdicts (overrides the manifest)' })
      .option('timeout', { type: 'number', coerce: seconds('--timeout'), describe: 'Kill each command after this many seconds (overrides the manifest)' })
      .option('speed', { type: 'number', coerce: positive('--speed'), describe: 'Run every twin N times faster (overrides the manifest)' })
      .option('profile', { type: 'string', describe: 'Beamline profile for every task (overrides the manifest)' })
      .option('only', { type: 'string', array: true, describe: 'Evaluate only tasks whose id matches (globs)' })
      .option('force', { type: 'boolean', default: false, describe: 'Redo tasks even when their stored results are current' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the summary as JSON' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress bar on a terminal: one plain line per finished task (as when stderr is not a terminal)' })
      .option('queue', { type: 'string', describe: 'Redis URL: enqueue tasks for `beamtwin worker`s and collect their results' })
      .option('queue-name', { type: 'string', default: 'beamtwin-eval', describe: 'BullMQ queue name' })
      .example('beamtwin eval examples/eval-cms/manifest.yaml --jobs 4', 'the example suite, four twins at a time')
      .example('beamtwin eval tasks.yaml --queue redis://host:6379', 'run on workers started with beamtwin worker --queue …'),
  handler: async (args, io) => {
    if (!fs.existsSync(args.manifest)) throw new UsageError(`no such manifest: ${args.manifest}`);
    if (args.jobs !== undefined && !(args.jobs >= 1)) throw new UsageError('--jobs must be at least 1');
    // The engine (twins, scoring, the manifest schema) loads only when the command runs.
    const [{ evaluate }, { loadManifest }, { summaryJson, summaryText }, { progressFor }] = await Promise.all([
      import('../../harness/eval/evaluate.js'),
      import('../../harness/eval/manifest.js'),
      import('../../harness/eval/store.js'),
      import('../eval/progress.js'),
    ]);
    let tasks: TaskSpec[];
    const lines = lineLimits(args);
    // A ManifestError is a UserError: printed as one line, exit 2.
    tasks = loadManifest(args.manifest, {
      ...(args.preset ? { preset: args.preset } : {}),
      ...(args.timeout !== undefined ? { timeoutS: args.timeout } : {}),
      ...(args.speed !== undefined ? { speed: args.speed } : {}),
      ...(args.profile ? { profile: args.profile } : {}),
      ...(lines ? { lines } : {}),
    });
    tasks = selectTasks(tasks, args.only);
    let executor;
    let closeQueue: (() => Promise<void>) | undefined;
    if (args.queue) {
      const { QueueExecutor } = await loadQueue();
      const q = new QueueExecutor(args.queue, args['queue-name'], args.cache, args.force);
      executor = q;
      closeQueue = () => q.close();
    }
    let summary;
    try {
      summary = await evaluate(tasks, {
        out: args.out,
        ...(args.cache ? { cacheDir: args.cache } : {}),
        ...(args.jobs !== undefined ? { jobs: args.jobs } : {}),
        force: args.force,
        progress: await progressFor(io.stderr, args.quiet),
        ...(executor ? { executor } : {}),
      });
    } finally {
      await closeQueue?.();
    }
    if (args.json) io.stdout.write(JSON.stringify(summaryJson(summary), null, 1) + '\n');
    else io.stdout.write(summaryText(summary) + `Results: ${args.out}\n`);
    if (summary.run.interrupted) return 130;
    return summary.verdicts.some((v) => !v.ok) || Object.keys(summary.errors).length ? 1 : 0;
  },
});
