import fs, { writeFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { integerIn } from '../options.js';
import { ConfigError, loadEnvtraceConfig } from '../../aligner/config.js';
import { parseTrace, TraceFormatError } from '../../aligner/io/read-trace.js';
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
  'exit-zero': boolean;
}

/**
 * Read a trace given to `option` (--gt, --pred, --expect): a missing file, a directory, an empty file or
 * one that is not a trace is a usage error (exit 2) naming the option and the file.
 */
export function readTraceOrFail(path: string, io: CliIo, option = 'trace'): Event[] {
  const fail = (what: string) => new UsageError(`${option} ${path}: ${what}`);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(path);
  } catch {
    throw fail('no such file');
  }
  if (stat.isDirectory()) throw fail('is a directory, not a trace file');
  const text = fs.readFileSync(path, 'utf8');
  if (!text.trim()) throw fail('is empty');
  try {
    const t = parseTrace(text, path);
    for (const w of t.warnings) io.stderr.write(`beamtwin: warning: ${w}\n`);
    return t.events;
  } catch (e) {
    if (e instanceof TraceFormatError) throw new UsageError(`${option} ${(e as Error).message}`);
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
      .option('exit-zero', { type: 'boolean', default: false, describe: 'Exit 0 even when the verdict is FAIL (default: exit 1 on FAIL, so a CI step fails)' })
      .option('max-rows', { type: 'number', default: 200, coerce: integerIn('--max-rows', 0), describe: 'Alignment rows printed in the text report' })
      .example('beamtwin score --gt ref.json --pred run.jsonl', 'score with the VISION harness rules')
      .example('beamtwin score --gt a.json b.json --pred run.json --preset envtrace --config cfg.yaml --html report.html', '') as unknown as Argv<ScoreArgs>,
  handler: async (args: ScoreArgs, io: CliIo) => {
    const refs = args.gt.map((p) => readTraceOrFail(p, io, '--gt'));
    const pred = readTraceOrFail(args.pred, io, '--pred');
    const config = loadConfigOrFail(args.config);
    const all = scoreAllPresets(refs, pred, { ignore: args.ignore ?? [], ...(config ? { config } : {}) });
    if (args.html) writeFileSync(args.html, renderHtmlReport(args.preset, all, args.gt, args.pred));
    if (args.json) io.stdout.write(`${JSON.stringify(scoreJson(args.preset, all, args.gt), null, 2)}\n`);
    else io.stdout.write(formatScoreText(args.preset, all, args.gt, { color: !!io.stdout.isTTY, maxRows: args['max-rows'] }));
    if (args.html && !args.json) io.stdout.write(`HTML report: ${args.html}\n`);
    // The verdict is the chosen preset's binary accuracy (PASS/FAIL in the report).
    return all[args.preset].best.accuracy || args['exit-zero'] ? 0 : 1;
  },
};
