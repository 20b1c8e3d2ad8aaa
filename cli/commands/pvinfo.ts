import type { Argv } from 'yargs';
import { timeoutOption, type ToolArgs } from '../ca-tool.js';
import type { CommandModule } from '../command.js';
import type { CliIo } from '../io.js';
import { treeLines, withPvaClient } from './pv-tool.js';

interface PvinfoArgs extends ToolArgs {
  pvs: string[];
}

/** `beamtwin pvinfo PV...`: EPICS 7's pvinfo (the type, from GET_FIELD). */
export const pvinfoCommand: CommandModule<PvinfoArgs> = {
  command: 'pvinfo <pvs..>',
  describe: 'Print the pvAccess type of PVs (pvinfo)',
  builder: (y: Argv) => timeoutOption(y.positional('pvs', { type: 'string', array: true, demandOption: true, describe: 'PV names' })) as unknown as Argv<PvinfoArgs>,
  handler: async (args: PvinfoArgs, io: CliIo) =>
    withPvaClient(args.timeout, async (client) => {
      let failures = 0;
      for (const name of args.pvs) {
        try {
          const t = await client.info(name);
          io.stdout.write(`${name}\nType:\n${treeLines(t, undefined, '', '    ').join('\n')}\n`);
        } catch (e) {
          failures++;
          io.stderr.write(`${name}: ${(e as Error).message}\n`);
        }
      }
      return failures ? 1 : 0;
    }),
};
