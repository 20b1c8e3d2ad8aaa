import type { Argv } from 'yargs';
import { pvsOptions } from '../ca-tool.js';
import { defineCommand } from '../command.js';
import { integerIn } from '../options.js';
import { untilSignal } from '../signals.js';
import { checkRequest, ntLine, withPvaClient } from './pv-tool.js';
import { commandInfo } from './index.js';

/** `beamtwin pvmonitor PV...`: EPICS 7's pvmonitor; runs until interrupted (or --updates N printed). */
export const pvmonitorCommand = defineCommand(commandInfo.pvmonitor, {
  builder: (y: Argv) =>
    pvsOptions(y)
      .option('request', { alias: 'r', type: 'string', default: '', describe: 'pvRequest, e.g. "field(value)"' })
      .option('updates', { alias: 'u', type: 'number', coerce: integerIn('--updates', 1), describe: 'Exit after this many updates in total' }),
  handler: async (args, io) => {
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
});
