import type { Argv } from 'yargs';
import { timeoutOption, type ToolArgs } from '../ca-tool.js';
import type { CommandModule } from '../command.js';
import type { CliIo } from '../io.js';
import { checkRequest, ntLine, treeLines, withPvaClient } from './pv-tool.js';

interface PvgetArgs extends ToolArgs {
  pvs: string[];
  request: string;
  verbose: boolean;
  json: boolean;
}

/** `beamtwin pvget PV...`: EPICS 7's pvget. */
export const pvgetCommand: CommandModule<PvgetArgs> = {
  command: 'pvget <pvs..>',
  describe: 'Read PVs over pvAccess (pvget)',
  builder: (y: Argv) =>
    timeoutOption(
      y
        .positional('pvs', { type: 'string', array: true, demandOption: true, describe: 'PV names' })
        .option('request', { alias: 'r', type: 'string', default: '', describe: 'pvRequest, e.g. "field(value,alarm)"' })
        .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'Print the whole structure' })
        .option('json', { type: 'boolean', default: false, describe: 'One JSON object per PV' }),
    ) as unknown as Argv<PvgetArgs>,
  handler: async (args: PvgetArgs, io: CliIo) => {
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
};
