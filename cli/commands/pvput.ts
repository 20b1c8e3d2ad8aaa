import type { Argv } from 'yargs';
import { timeoutOption, type ToolArgs } from '../ca-tool.js';
import type { CommandModule } from '../command.js';
import { UsageError, type CliIo } from '../io.js';
import { checkRequest, ntLine, withPvaClient } from './pv-tool.js';

interface PvputArgs extends ToolArgs {
  pv: string;
  values: (string | number)[];
  request: string;
}

/** `beamtwin pvput PV VALUE...`: EPICS 7's pvput; waits for completion, prints Old and New. */
export const pvputCommand: CommandModule<PvputArgs> = {
  command: 'pvput <pv> <values..>',
  describe: 'Write a PV over pvAccess and wait for completion (pvput)',
  builder: (y: Argv) =>
    timeoutOption(
      y
        .positional('pv', { type: 'string', demandOption: true, describe: 'PV name' })
        .positional('values', { type: 'string', array: true, demandOption: true, describe: 'Value (several: an array; an enum by number or name)' })
        .option('request', { alias: 'r', type: 'string', default: 'field(value)', describe: 'pvRequest for the put' }),
    ) as unknown as Argv<PvputArgs>,
  handler: async (args: PvputArgs, io: CliIo) => {
    const request = checkRequest(args.request);
    const values = args.values.map(String);
    if (values.length === 0) throw new UsageError('pvput needs a value');
    return withPvaClient(args.timeout, async (client) => {
      const before = await client.get(args.pv);
      io.stdout.write(`Old : ${ntLine(args.pv, before.value)}\n`);
      await client.put(args.pv, values.length === 1 ? values[0] : values, request);
      const after = await client.get(args.pv);
      io.stdout.write(`New : ${ntLine(args.pv, after.value)}\n`);
      return 0;
    });
  },
};
