import type { Argv } from 'yargs';
import { connectOne, timeoutOption, withClient } from '../ca-tool.js';
import { defineCommand } from '../command.js';
import { commandInfo } from './index.js';

/** `beamtwin reset`: return a running twin (found over CA as usual) to its profile's reset state. */
export const resetCommand = defineCommand(commandInfo.reset, {
  builder: (y: Argv) => timeoutOption(y.option('prefix', { type: 'string', default: 'beamtwin:', describe: "The twin's control PV prefix" })),
  handler: async (args, io) =>
    withClient(args.timeout, async (client) => {
      const ch = await connectOne(client, `${args.prefix}reset`, args.timeout, io);
      if (!ch) return 1;
      await ch.put(1, { wait: true, timeout: args.timeout });
      io.stdout.write('beamtwin: twin reset\n');
      return 0;
    }),
});
