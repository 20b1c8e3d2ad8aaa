import type { Argv } from 'yargs';
import { timeoutOption, type ToolArgs } from '../ca-tool.js';
import type { CommandModule } from '../command.js';
import type { CliIo } from '../io.js';
import { untilSignal } from '../signals.js';
import { checkRequest, ntLine, withPvaClient } from './pv-tool.js';

interface PvmonitorArgs extends ToolArgs {
  pvs: string[];
  request: string;
  updates?: number;
}

/** `beamtwin pvmonitor PV...`: EPICS 7's pvmonitor; runs until interrupted (or --updates N printed). */
export const pvmonitorCommand: CommandModule<PvmonitorArgs> = {
  command: 'pvmonitor <pvs..>',
  describe: 'Print every update of PVs over pvAccess (pvmonitor)',
  builder: (y: Argv) =>
    timeoutOption(
      y
        .positional('pvs', { type: 'string', array: true, demandOption: true, describe: 'PV names' })
        .option('request', { alias: 'r', type: 'string', default: '', describe: 'pvRequest, e.g. "field(value)"' })
        .option('updates', { alias: 'u', type: 'number', describe: 'Exit after this many updates in total' }),
    ) as unknown as Argv<PvmonitorArgs>,
  handler: async (args: PvmonitorArgs, io: CliIo) => {
    const request = checkRequest(args.request);
    return withPvaClient(args.timeout, async (client) => {
      let printed = 0;
      let finish!: () => void;
      const done = new Promise<void>((r) => (finish = r));
      let failures = 0;
      const stops = await Promise.all(
        args.pvs.map((name) =>
          client
            .monitor(
              name,
              {
                onUpdate: (v) => {
                  if (args.updates !== undefined && printed >= args.updates) return;
                  io.stdout.write(`${ntLine(name, v)}\n`);
                  if (args.updates !== undefined && ++printed >= args.updates) finish();
                },
                onError: (e) => io.stderr.write(`${name}: ${e.message}\n`),
              },
              request,
            )
            .catch((e: Error) => {
              failures++;
              io.stderr.write(`${name}: ${e.message}\n`);
              return () => {};
            }),
        ),
      );
      if (failures === args.pvs.length) return 1;
      await Promise.race([done, untilSignal()]);
      for (const stop of stops) stop();
      return failures ? 1 : 0;
    });
  },
};
