import type { Argv } from 'yargs';
import { dbfName, dbrName } from '../ca-format.js';
import { connectAll, notFoundMessage, timeoutOption, withClient, type ToolArgs } from '../ca-tool.js';
import type { CommandModule } from '../command.js';
import type { CliIo } from '../io.js';

interface InfoArgs extends ToolArgs {
  pvs: string[];
  json: boolean;
}

/** `beamtwin info PV...`: cainfo. */
export const infoCommand: CommandModule<InfoArgs> = {
  command: 'info <pvs..>',
  describe: 'Show channel information: server, access, native type, element count (cainfo)',
  builder: (y: Argv) =>
    timeoutOption(
      y
        .positional('pvs', { type: 'string', array: true, demandOption: true, describe: 'PV names' })
        .option('json', { type: 'boolean', default: false, describe: 'One JSON object per PV' }),
    ) as unknown as Argv<InfoArgs>,
  handler: async (args: InfoArgs, io: CliIo) => {
    return withClient(args.timeout, async (client) => {
      const conns = await connectAll(client, args.pvs, args.timeout);
      const missing = conns.filter((c) => !c.ok).map((c) => c.ch.name);
      if (missing.length) io.stderr.write(`${notFoundMessage(missing)}\n`);
      for (const { ch, ok } of conns) {
        const info = {
          name: ch.name,
          state: ok ? 'connected' : 'never connected',
          host: ok ? ch.host! : '<disconnected>',
          read: ch.readAccess,
          write: ch.writeAccess,
          nativeType: ok ? dbfName(ch.nativeType) : 'TYPENOTCONN',
          requestType: ok ? dbrName(ch.nativeType!) : 'TYPENOTCONN',
          count: ch.count,
        };
        if (args.json) {
          io.stdout.write(`${JSON.stringify(info)}\n`);
          continue;
        }
        io.stdout.write(
          [
            info.name,
            `    State:            ${info.state}`,
            `    Host:             ${info.host}`,
            `    Access:           ${info.read ? '' : 'no '}read, ${info.write ? '' : 'no '}write`,
            `    Native data type: ${info.nativeType}`,
            `    Request type:     ${info.requestType}`,
            `    Element count:    ${info.count}`,
          ].join('\n') + '\n',
        );
      }
      return missing.length > 0 ? 1 : 0;
    });
  },
};
