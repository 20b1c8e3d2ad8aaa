import type { Argv } from 'yargs';
import { notFoundMessage, timeoutOption, withClient, type ToolArgs } from '../ca-tool.js';
import type { CommandModule } from '../command.js';
import type { CliIo } from '../io.js';

interface ResetArgs extends ToolArgs {
  prefix: string;
}

/** `beamtwin reset`: return a running twin (found over CA as usual) to its profile's reset state. */
export const resetCommand: CommandModule<ResetArgs> = {
  command: 'reset',
  describe: "Reset a running twin to its profile's defaults at once (motors teleport, nothing ramps)",
  builder: (y: Argv) =>
    timeoutOption(y.option('prefix', { type: 'string', default: 'beamtwin:', describe: "The twin's control PV prefix" })) as unknown as Argv<ResetArgs>,
  handler: async (args: ResetArgs, io: CliIo) =>
    withClient(args.timeout, async (client) => {
      const name = `${args.prefix}reset`;
      const ch = client.channel(name);
      try {
        await ch.connected(args.timeout);
      } catch {
        io.stderr.write(`${notFoundMessage([name])}\n`);
        return 1;
      }
      await ch.put(1, { wait: true, timeout: args.timeout });
      io.stdout.write('beamtwin: twin reset\n');
      return 0;
    }),
};
