import type { Argv } from 'yargs';
import { port as portOption } from '../options.js';
import { CaRepeater } from '../../ioc/ca/repeater/repeater.js';
import { CA_DEFAULT_REPEATER_PORT } from '../../ioc/ca/protocol/constants.js';
import { untilSignal } from '../signals.js';
import { defineCommand } from '../command.js';
import { commandInfo } from './index.js';
import { CommandFailed } from '../io.js';

/** `beamtwin repeater [--port 5065]`: the CA repeater (Debian's libca ships no caRepeater). */
export const repeaterCommand = defineCommand(commandInfo.repeater, {
  builder: (y: Argv) =>
    y.option('port', {
      type: 'number',
      coerce: portOption,
      describe: `UDP port (default EPICS_CA_REPEATER_PORT or ${CA_DEFAULT_REPEATER_PORT})`,
    }),
  handler: async (args, io) => {
    const envPort = Number(process.env['EPICS_CA_REPEATER_PORT']);
    const port = args.port ?? (Number.isInteger(envPort) && envPort > 0 ? envPort : CA_DEFAULT_REPEATER_PORT);
    const repeater = new CaRepeater({ port });
    try {
      await repeater.start();
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'EADDRINUSE') throw new CommandFailed(`UDP port ${port} is taken: a repeater already runs here`);
      throw e;
    }
    io.stdout.write(`beamtwin: CA repeater on UDP port ${repeater.port}; Ctrl-C stops\n`);
    await untilSignal();
    await repeater.stop();
    return 0;
  },
});
