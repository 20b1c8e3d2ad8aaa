import type { Argv } from 'yargs';
import { positive, seconds } from '../options.js';
import { defineCommand } from '../command.js';
import { commandInfo } from './index.js';
import { checkSpeed, UsageError } from '../io.js';
import type { RunOutcome } from '../../harness/run-recorded.js';
import { lineLimits, lineOptions, lineSummaryText } from '../lines-options.js';
import { startWebFromArgs, webOptions } from '../web-option.js';

/** Events by channel and kind, catch-all hits, failed puts: the summary `run` prints. */
export function summarize(o: RunOutcome): string {
  const { byChannel, failedPuts: errors } = o.tally;
  const lines = [
    `beamtwin run: ${o.timedOut ? 'timed out and was killed' : `exit ${o.exitCode}`} after ${(o.durationMs / 1000).toFixed(2)} s; ${o.tally.count} events`,
  ];
  for (const [ch, kinds] of [...byChannel].sort((a, b) => a[0].localeCompare(b[0]))) {
    lines.push(`  ${ch}  ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  }
  lines.push(`catch-all hits: ${o.catchAllHits.length ? o.catchAllHits.join(', ') : 'none'}`);
  lines.push(`failed puts: ${errors.length ? errors.map((e) => `${e.channel} (${e.message ?? `status ${e.eca}`})`).join('; ') : 'none'}`);
  return lines.join('\n') + '\n';
}

export const runCommand = defineCommand(commandInfo.run, {
  builder: (y: Argv) =>
    webOptions(lineOptions(y))
      .parserConfiguration({ 'populate--': true })
      .positional('command', { type: 'string', array: true, describe: 'The command and its arguments (after --)' })
      .option('profile', { type: 'string', default: 'cms', describe: 'Beamline profile (name or file)' })
      .option('record', { type: 'string', describe: 'Write the trace to this JSON Lines file' })
      .option('timeout', { type: 'number', coerce: seconds('--timeout'), describe: 'Kill the command (and its process group) after this many seconds' })
      .option('speed', { type: 'number', default: 1, coerce: positive('--speed'), describe: "Run the twin N times faster than real time (a Python command's clocks too)" })
      .option('strict', { type: 'boolean', default: false, describe: 'No catch-all: unknown PVs stay unknown' })
      .option('tracked', { type: 'boolean', default: false, describe: "Record only the profile's tracked channels" })
      .option('channels', { type: 'string', array: true, describe: 'Record only these names (globs allowed)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the summary as JSON' }),
  handler: async (args, io) => {
    const argv = [...(args.command ?? []), ...((args['--'] as string[] | undefined) ?? [])].map(String);
    if (argv.length === 0) throw new UsageError('give the command to run after --, e.g. beamtwin run -- python3 plan.py');
    checkSpeed(args.speed);
    const lines = lineLimits(args);
    let channels = args.channels;
    if (args.tracked) {
      const { loadProfile } = await import('../../devices/profile/profile.js');
      channels = [...(loadProfile(args.profile).tracked ?? []), ...(channels ?? [])];
    }
    const { runRecorded } = await import('../../harness/run-recorded.js');
    const outcome = await runRecorded(argv, {
      keepEvents: false,
      web: (twin) => startWebFromArgs(args, { twin }, io),
      profile: args.profile,
      ...(args.record ? { record: args.record } : {}),
      ...(args.timeout !== undefined ? { timeoutS: args.timeout } : {}),
      speed: args.speed,
      strict: args.strict,
      ...(channels ? { channels } : {}),
      ...(lines ? { lines } : {}),
    });
    if (args.json) {
      io.stdout.write(
        JSON.stringify({ exitCode: outcome.exitCode, timedOut: outcome.timedOut, ...(outcome.startError ? { startError: outcome.startError } : {}), durationMs: outcome.durationMs, heldMs: Math.round(outcome.heldMs), events: outcome.tally.count, catchAllHits: outcome.catchAllHits, ...(outcome.lines ? { lines: outcome.lines } : {}) }) + '\n',
      );
    } else if (outcome.startError) {
      io.stderr.write(`beamtwin run: cannot start ${argv[0]}: ${outcome.startError}\n`);
    } else {
      io.stderr.write(summarize(outcome));
      if (outcome.lines && lines) io.stderr.write(lineSummaryText(outcome.lines, lines));
    }
    return outcome.exitCode;
  },
});
