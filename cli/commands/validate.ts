import type { Argv } from 'yargs';
import { positive, seconds } from '../options.js';
import type { PresetName } from '../../aligner/result.js';
import type { ValidationReport } from '../../harness/validate/analyze.js';
import { defineCommand } from '../command.js';
import { commandInfo } from './index.js';
import { checkSpeed, UsageError } from '../io.js';
import { lineLimits, lineOptions, lineSummaryText } from '../lines-options.js';
import { startWebFromArgs, webOptions } from '../web-option.js';

/** `beamtwin validate`: run a plan against a fresh twin and say what it would do to the beamline. */
export const validateCommand = defineCommand(commandInfo.validate, {
  builder: (y: Argv) =>
    webOptions(lineOptions(y))
      .parserConfiguration({ 'populate--': true })
      .positional('command', { type: 'string', array: true, describe: 'The script and its arguments (after --), e.g. -- python3 plan.py' })
      .option('profile', { type: 'string', default: 'cms', describe: 'Beamline profile: a built-in name (cms) or a YAML/JSON file' })
      .option('expect', { type: 'string', describe: 'Reference trace to score the run against' })
      .option('preset', { choices: ['vision', 'envtrace', 'native'] as const, default: 'native' as PresetName, describe: 'Scoring preset for --expect' })
      .option('rules', { type: 'string', describe: 'Site rules (YAML/JSON): ranges, forbidden PVs, maxDuration' })
      .option('speed', { type: 'number', default: 1, coerce: positive('--speed'), describe: 'Run the dynamics N times faster (times stay in twin time)' })
      .option('timeout', { type: 'number', coerce: seconds('--timeout'), describe: 'Kill the script after this many seconds (wall clock)' })
      .option('record', { type: 'string', describe: 'Also write the trace (JSON Lines)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the report as JSON' }),
  handler: async (args, io) => {
    const argv = [...(args.command ?? []), ...((args['--'] as string[] | undefined) ?? [])].map(String);
    if (!argv.length) throw new UsageError('give the script to validate after --, e.g. beamtwin validate -- python3 plan.py');
    checkSpeed(args.speed);
    // Loaded only when the command runs, so `validate --help` starts at once.
    const [{ scorePreset }, { stateChannels }, { profileMeanings }, { loadProfile }, { analyzeRun }, { renderReport }, { loadRules }, { scoredEvents }, { runRecorded }, { readTraceOrFail }] = await Promise.all([
      import('../../aligner/score.js'),
      import('../../devices/meaning.js'),
      import('../../devices/profile/meanings.js'),
      import('../../devices/profile/profile.js'),
      import('../../harness/validate/analyze.js'),
      import('../validate/render.js'),
      import('../../harness/validate/rules.js'),
      import('../../harness/validate/to-aligner.js'),
      import('../../harness/run-recorded.js'),
      import('../trace-input.js'),
    ]);
    const profile = loadProfile(args.profile);
    const devices = profileMeanings(profile);
    const rules = args.rules ? loadRules(args.rules) : undefined;
    const reference = args.expect ? readTraceOrFail(args.expect, io, '--expect') : undefined;
    const lines = lineLimits(args);
    const outcome = await runRecorded(argv, {
      profile,
      speed: args.speed,
      ...(args.timeout !== undefined ? { timeoutS: args.timeout } : {}),
      ...(args.record ? { record: args.record } : {}),
      ...(lines ? { lines } : {}),
      stdio: 'pipe',
      web: (twin) => startWebFromArgs(args, { twin }, io),
      onOutput: (s) => io.stderr.write(s),
      snapshot: (twin) => [...devices.flatMap(stateChannels), ...twin.tracked],
    });
    const analysis = analyzeRun({
      command: argv,
      events: outcome.events,
      devices,
      before: outcome.before,
      after: outcome.after,
      exitCode: outcome.exitCode,
      timedOut: outcome.timedOut,
      signal: outcome.signal,
      ...(outcome.startError ? { startError: outcome.startError } : {}),
      catchAllHits: outcome.catchAllHits,
      startTs: outcome.startTs,
      endTs: outcome.endTs,
      ...(rules ? { rules } : {}),
    });
    let report: ValidationReport = analysis;
    if (reference) {
      const tracked = profile.tracked ?? [];
      const best = scorePreset(args.preset, [scoredEvents(reference, tracked)], scoredEvents(outcome.events, tracked)).best;
      report = { ...report, score: { preset: args.preset, full: best.fullScore, accurate: best.accuracy } };
    }
    if (outcome.lines && lines) io.stderr.write(lineSummaryText(outcome.lines, lines));
    io.stdout.write(args.json ? JSON.stringify(report, null, 2) + '\n' : renderReport(report));
    return report.ok ? 0 : 1;
  },
});
