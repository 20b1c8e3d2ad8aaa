import { writeFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { integerIn } from '../options.js';
import { ConfigError, loadEnvtraceConfig } from '../../aligner/config.js';
import { readTrace, TraceFormatError } from '../../aligner/io/read-trace.js';
import { renderHtmlReport } from '../../aligner/report/html.js';
import { scoreJson } from '../../aligner/report/json.js';
import { formatScoreText } from '../../aligner/report/text.js';
import type { PresetName } from '../../aligner/result.js';
import { PRESETS, scoreAllPresets } from '../../aligner/score.js';
import type { Event } from '../../aligner/trace.js';
import type { CommandModule } from '../command.js';
import { UsageError, type CliIo } from '../io.js';

interface ScoreArgs {
  gt: string[];
  pred: string;
  preset: PresetName;
  config?: string;
  ignore?: string[];
  json: boolean;
  html?: string;
  'max-rows': number;
}

/** Read a trace or a config, turning format errors into usage errors (exit 2) that name the file. */
export function readTraceOrFail(path: string, io: CliIo): Event[] {
  try {
    const t = readTrace(path);
    for (const w of t.warnings) io.stderr.write(`beamtwin: warning: ${w}\n`);
    return t.events;
  } catch (e) {
    if (e instanceof TraceFormatError || (e as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError((e as Error).message);
    throw e;
  }
}

export function loadConfigOrFail(path: string | undefined) {
  if (!path) return undefined;
  try {
    return loadEnvtraceConfig(path);
  } catch (e) {
    if (e instanceof ConfigError || (e as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError((e as Error).message);
    throw e;
  }
}

/** Score a predicted trace against one or more reference traces. */
export const scoreCommand: CommandModule<ScoreArgs> = {
  command: 'score',
  describe: 'Align a predicted trace with reference traces and score it (EnvTrace method)',
  builder: (y: Argv) =>
    y
      .option('gt', { type: 'string', array: true, demandOption: true, describe: 'Reference (ground-truth) trace file(s); the best one counts' })
      .option('pred', { type: 'string', demandOption: true, describe: 'Predicted trace file' })
      .option('preset', { choices: PRESETS, default: 'vision' as PresetName, describe: 'Scoring to report in full (all presets are summarised)' })
      .option('config', { type: 'string', describe: 'EnvTrace configuration (JSON or YAML)' })
      .option('ignore', { type: 'string', array: true, describe: 'Channels to leave out' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON' })
      .option('html', { type: 'string', describe: 'Also write a self-contained HTML report to this file' })
      .option('max-rows', { type: 'number', default: 200, coerce: integerIn('--max-rows', 0), describe: 'Alignment rows printed in the text report' })
      .example('beamtwin score --gt ref.json --pred run.jsonl', 'score with the VISION harness rules')
      .example('beamtwin score --gt a.json b.json --pred run.json --preset envtrace --config cfg.yaml --html report.html', '') as unknown as Argv<ScoreArgs>,
  handler: async (args: ScoreArgs, io: CliIo) => {
    const refs = args.gt.map((p) => readTraceOrFail(p, io));
    const pred = readTraceOrFail(args.pred, io);
    const config = loadConfigOrFail(args.config);
    const all = scoreAllPresets(refs, pred, { ignore: args.ignore ?? [], ...(config ? { config } : {}) });
    if (args.html) writeFileSync(args.html, renderHtmlReport(args.preset, all, args.gt, args.pred));
    if (args.json) io.stdout.write(`${JSON.stringify(scoreJson(args.preset, all, args.gt), null, 2)}\n`);
    else io.stdout.write(formatScoreText(args.preset, all, args.gt, { color: !!io.stdout.isTTY, maxRows: args['max-rows'] }));
    if (args.html && !args.json) io.stdout.write(`HTML report: ${args.html}\n`);
    return 0;
  },
};
