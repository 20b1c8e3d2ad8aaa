import type { Argv } from 'yargs';
import { pvsOptions } from '../ca-tool.js';
import { defineCommand } from '../command.js';
import { treeLines, withPvaClient } from './pv-tool.js';
import { commandInfo } from './index.js';

/** `beamtwin pvinfo PV...`: EPICS 7's pvinfo (the type, from GET_FIELD). */
export const pvinfoCommand = defineCommand(commandInfo.pvinfo, {
  builder: (y: Argv) =>
    pvsOptions(y),
  handler: async (args, io) =>
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
});
