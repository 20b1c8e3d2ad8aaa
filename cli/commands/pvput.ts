import type { Argv } from 'yargs';
import { pvValuesOptions } from '../ca-tool.js';
import { defineCommand } from '../command.js';
import { UsageError } from '../io.js';
import { checkRequest, ntLine, withPvaClient } from './pv-tool.js';
import { commandInfo } from './index.js';

/** `beamtwin pvput PV VALUE...`: EPICS 7's pvput; waits for completion, prints Old and New. */
export const pvputCommand = defineCommand(commandInfo.pvput, {
  builder: (y: Argv) =>
    pvValuesOptions(y, 'Value (several: an array; an enum by number or name)')
      .option('request', { alias: 'r', type: 'string', default: 'field(value)', describe: 'pvRequest for the put' }),
  handler: async (args, io) => {
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
});
