import type { Argv } from 'yargs';
import { integerIn } from '../options.js';
import { CaError } from '../../ioc/ca/client/errors.js';
import type { CaValue } from '../../ioc/ca/client/values.js';
import { ECA, ecaMessage } from '../../ioc/ca/protocol/constants.js';
import { DBR_PUT_ACKS, DBR_PUT_ACKT, parseDbrType } from '../../ioc/ca/protocol/dbr-types.js';
import { cagetLine, dbfName, dbrDetails, dbrName, defaultToolType, elements, nameColumn, timeLine } from '../ca-format.js';
import { connectReporting, jsonOption, pvsOptions, withClient } from '../ca-tool.js';
import { defineCommand } from '../command.js';
import { UsageError } from '../io.js';
import { commandInfo } from './index.js';

/** `beamtwin get PV...`: caget. */
export const getCommand = defineCommand(commandInfo.get, {
  builder: (y: Argv) =>
    jsonOption(pvsOptions(y), 'One JSON object per PV')
      .option('all', { alias: 'a', type: 'boolean', default: false, describe: 'Wide format: name, timestamp, value, alarm' })
      .option('terse', { alias: 't', type: 'boolean', default: false, describe: 'Value only' })
      .option('dbr', { alias: 'd', type: 'string', describe: 'Request this DBR type (number or name, e.g. DBR_CTRL_DOUBLE, time_string) and print its metadata' })
      .option('enum-number', { alias: 'n', type: 'boolean', default: false, describe: 'Print enums as numbers' })
      .option('count', { alias: '#', type: 'number', coerce: integerIn('-#/--count', 0), describe: 'Number of array elements to read' }),
  handler: async (args, io) => {
    let requested: number | undefined;
    if (args.dbr !== undefined) {
      requested = parseDbrType(args.dbr);
      if (requested === undefined || requested === DBR_PUT_ACKT || requested === DBR_PUT_ACKS) {
        throw new UsageError(`unknown or unreadable DBR type "${args.dbr}"`);
      }
    }
    return withClient(args.timeout, async (client) => {
      const { conns } = await connectReporting(client, args.pvs, args.timeout, io);
      const reads = await Promise.allSettled(
        conns.map(({ ch, ok }) =>
          ok
            ? ch.get({
                type: requested ?? defaultToolType(ch.nativeType!, args['enum-number']),
                ...(args.count !== undefined ? { count: Math.min(args.count, ch.count) } : {}),
                timeout: args.timeout,
              })
            : Promise.reject(new CaError(ECA.DISCONN, 'not connected', ch.name)),
        ),
      );
      let failures = 0;
      conns.forEach(({ ch }, i) => {
        const r = reads[i]!;
        if (r.status === 'rejected') {
          failures++;
          const status = r.reason instanceof CaError ? r.reason.status : ECA.INTERNAL;
          if (!(r.reason instanceof CaError)) throw r.reason;
          if (args.json) io.stdout.write(`${JSON.stringify({ name: ch.name, error: r.reason.message, status })}\n`);
          else if (requested !== undefined) io.stdout.write(`${ch.name}\n    ${problem(status)}\n`);
          else io.stdout.write(`${args.terse ? '' : nameColumn(ch.name, 1)}${problem(status)}\n`);
          return;
        }
        const v: CaValue = r.value;
        const countRequested = args.count !== undefined;
        if (args.json) {
          io.stdout.write(`${JSON.stringify({ ...v, nativeType: dbfName(ch.nativeType), type: dbrName(v.type) })}\n`);
        } else if (requested !== undefined) {
          const lines = [
            ch.name,
            `    Native data type: ${dbfName(ch.nativeType)}`,
            `    Request type:     ${dbrName(v.type)}`,
          ];
          if (v.type === 38) lines.push(`    Class Name:       ${String(v.value)}`);
          else {
            lines.push(`    Element count:    ${v.count}`);
            lines.push(`    Value:            ${elements(v, args['enum-number']).join(' ')}`);
            lines.push(...dbrDetails(v));
          }
          io.stdout.write(`${lines.join('\n')}\n`);
        } else if (args.all) {
          io.stdout.write(`${timeLine(v, { countRequested, enumAsNumber: args['enum-number'] })}\n`);
        } else {
          io.stdout.write(`${cagetLine(v, { countRequested, enumAsNumber: args['enum-number'], terse: args.terse })}\n`);
        }
      });
      return failures > 0 ? 1 : 0;
    });
  },
});

/** caget's "*** …" texts for a failed read. */
export function problem(status: number): string {
  if (status === ECA.DISCONN) return '*** not connected';
  if (status === ECA.NORDACCESS) return '*** no read access';
  if (status === ECA.TIMEOUT) return '*** no data available (timeout)';
  return `*** CA error ${ecaMessage[status] ?? status}`;
}
