import type { Argv } from 'yargs';
import { dbfName, dbrName } from '../ca-format.js';
import { connectReporting, jsonOption, pvsOptions, withClient } from '../ca-tool.js';
import { defineCommand } from '../command.js';
import { commandInfo } from './index.js';

/** `beamtwin info PV...`: cainfo. */
export const infoCommand = defineCommand(commandInfo.info, {
  builder: (y: Argv) => jsonOption(pvsOptions(y), 'One JSON object per PV'),
  handler: async (args, io) => {
    return withClient(args.timeout, async (client) => {
      const { conns, missing } = await connectReporting(client, args.pvs, args.timeout, io);
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
});
