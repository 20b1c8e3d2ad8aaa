import type { Argv } from 'yargs';
import { jsonOption, pvsOptions } from '../ca-tool.js';
import { defineCommand } from '../command.js';
import { checkRequest, ntLine, treeLines, withPvaClient } from './pv-tool.js';
import { commandInfo } from './index.js';

/** `beamtwin pvget PV...`: EPICS 7's pvget. */
export const pvgetCommand = defineCommand(commandInfo.pvget, {
  builder: (y: Argv) =>
    jsonOption(pvsOptions(y), 'One JSON object per PV')
      .option('request', { alias: 'r', type: 'string', default: '', describe: 'pvRequest, e.g. "field(value,alarm)"' })
      .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'Print the whole structure' }),
  handler: async (args, io) => {
    const request = checkRequest(args.request);
    return withPvaClient(args.timeout, async (client) => {
      let failures = 0;
      const results = await Promise.allSettled(args.pvs.map((n) => client.get(n, request)));
      results.forEach((r, i) => {
        const name = args.pvs[i]!;
        if (r.status === 'rejected') {
          failures++;
          io.stderr.write(`${name}: ${(r.reason as Error).message}\n`);
        } else if (args.json) io.stdout.write(`${JSON.stringify({ name, value: r.value.value }, (_, v) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v))}\n`);
        else if (args.verbose) io.stdout.write(`${name}\n${treeLines(r.value.desc, r.value.value, '', '').join('\n')}\n`);
        else io.stdout.write(`${ntLine(name, r.value.value)}\n`);
      });
      return failures ? 1 : 0;
    });
  },
});
