import { writeFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { integerIn } from '../options.js';
import { PRESETS, type PresetName } from '../../aligner/result.js';
import { defineCommand } from '../command.js';
import { commandInfo } from './index.js';
import { loadConfigOrFail, readTraceOrFail } from '../trace-input.js';

/** Score a predicted trace against one or more reference traces. */
export const scoreCommand = defineCommand(commandInfo.score, {
  builder: (y: Argv) =>
    y
      .option('gt', { type: 'string', array: true, demandOption: true, describe: 'Reference (ground-truth) trace file(s); the best one counts' })
      .option('pred', { type: 'string', demandOption: true, describe: 'Predicted trace file' })
      .option('preset', { choices: PRESETS, default: 'vision' as PresetName, describe: 'Scoring to report in full (all presets are summarised)' })
      .option('config', { type: 'string', describe: 'EnvTrace configuration (JSON or YAML)' })
      .option('ignore', { type: 'string', array: true, describe: 'Channels to leave out' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON' })
      .option('html', { type: 'string', describe: 'Also write a self-contained HTML report to this file' })
      .option('score-puts', { type: 'boolean', default: false, describe: "native preset: also score the clients' puts (as channels 'put NAME'); vision and envtrace never score puts" })
      .option('exit-zero', { type: 'boolean', default: false, describe: 'Exit 0 even when the verdict is FAIL (default: exit 1 on FAIL, so a CI step fails)' })
      .option('max-rows', { type: 'number', default: 200, coerce: integerIn('--max-rows', 0), describe: 'Alignment rows printed in the text report' })
      .example('beamtwin score --gt ref.json --pred run.jsonl', 'score with the VISION harness rules')
      .example('beamtwin score --gt a.json b.json --pred run.json --preset envtrace --config cfg.yaml --html report.html', ''),
  handler: async (args, io) => {
    const keep = new Set(args['score-puts'] ? ['put'] : []);
    const refs = args.gt.map((p) => readTraceOrFail(p, io, '--gt', keep));
    const pred = readTraceOrFail(args.pred, io, '--pred', keep);
    const config = await loadConfigOrFail(args.config);
    const [{ scoreAllPresets }, { renderHtmlReport }, { scoreJson }, { formatScoreText }] = await Promise.all([
      import('../../aligner/score.js'),
      import('../../aligner/report/html.js'),
      import('../../aligner/report/json.js'),
      import('../../aligner/report/text.js'),
    ]);
    const all = scoreAllPresets(refs, pred, { ignore: args.ignore ?? [], ...(config ? { config } : {}) });
    if (args.html) writeFileSync(args.html, renderHtmlReport(args.preset, all, args.gt, args.pred));
    if (args.json) io.stdout.write(`${JSON.stringify(scoreJson(args.preset, all, args.gt), null, 2)}\n`);
    else io.stdout.write(formatScoreText(args.preset, all, args.gt, { color: !!io.stdout.isTTY, maxRows: args['max-rows'], scorePuts: args['score-puts'] }));
    if (args.html && !args.json) io.stdout.write(`HTML report: ${args.html}\n`);
    // The verdict is the chosen preset's binary accuracy (PASS/FAIL in the report).
    return all[args.preset].best.accuracy || args['exit-zero'] ? 0 : 1;
  },
});
