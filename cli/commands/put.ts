import type { Argv } from 'yargs';
import { CaError } from '../../ioc/ca/client/errors.js';
import { ECA } from '../../ioc/ca/protocol/constants.js';
import { DbrBase } from '../../ioc/ca/protocol/dbr-types.js';
import { cagetLine, defaultToolType } from '../ca-format.js';
import { connectOne, jsonOption, pvValuesOptions, withClient } from '../ca-tool.js';
import { defineCommand } from '../command.js';
import { CommandFailed, UsageError } from '../io.js';
import { commandInfo } from './index.js';

/** `beamtwin put PV VALUE...`: caput (with -c, put-callback: wait for completion). */
export const putCommand = defineCommand(commandInfo.put, {
  builder: (y: Argv) =>
    jsonOption(pvValuesOptions(y, 'Value, or array elements'), 'Print old and new values as JSON')
      .option('wait', { alias: 'c', type: 'boolean', default: false, describe: 'Put-callback: wait until processing completes' })
      .option('terse', { alias: 't', type: 'boolean', default: false, describe: 'Print only the new value' })
      .option('array', { alias: 'a', type: 'boolean', default: false, describe: 'Array: the first value is the element count (caput -a)' })
      .option('enum-number', { alias: 'n', type: 'boolean', default: false, describe: 'Print enums as numbers' })
      .parserConfiguration({ 'parse-numbers': false, 'parse-positional-numbers': false }),
  handler: async (args, io) => {
    let values = args.values.map(String);
    if (args.array) {
      const n = Number(values[0]);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`-a needs an element count first, got "${values[0]}"`);
      values = values.slice(1);
      if (values.length !== n) throw new UsageError(`-a ${n}: ${values.length} values given`);
    }
    return withClient(args.timeout, async (client) => {
      const ch = await connectOne(client, args.pv, args.timeout, io);
      if (!ch) return 1;
      const type = defaultToolType(ch.nativeType!, args['enum-number']);
      const enumAsNumber = args['enum-number'];
      const old = args.terse ? undefined : await ch.get({ type, timeout: args.timeout });
      // Numbers go as numbers to numeric channels; everything else as DBR_STRING for the server to convert.
      const numeric = ch.nativeType !== DbrBase.STRING && ch.nativeType !== DbrBase.ENUM && values.every((v) => v.trim() !== '' && Number.isFinite(Number(v)));
      const payload = numeric ? values.map(Number) : values;
      // A plain WRITE has no reply: the server reports a refused value (ECA_PUTFAIL …) with an ERROR
      // message instead. The read-back below goes over the same circuit, so any such ERROR arrives first.
      let refused: CaError | undefined;
      const errors = client.errors.subscribe((e) => {
        if (e.pvName === undefined || e.pvName === ch.name) refused ??= e;
      });
      let now;
      try {
        try {
          await ch.put(payload.length === 1 ? payload[0]! : payload, { wait: args.wait, timeout: args.timeout });
        } catch (e) {
          if (!(e instanceof CaError)) throw e;
          if (args.wait && e.status === ECA.TIMEOUT) {
            throw new CommandFailed(`put to ${args.pv}: wait timed out after ${args.timeout} s (the value was sent; its processing did not complete in time)`);
          }
          throw new CommandFailed(`put to ${args.pv} failed: ${e.message}`);
        }
        now = await ch.get({ type, timeout: args.timeout });
      } finally {
        errors.unsubscribe();
      }
      if (refused) throw new CommandFailed(`put to ${args.pv} failed: ${refused.message}`);
      if (args.json) io.stdout.write(`${JSON.stringify({ name: ch.name, old: old?.value, new: now.value })}\n`);
      else if (args.terse) io.stdout.write(`${cagetLine(now, { terse: true, enumAsNumber })}\n`);
      else {
        io.stdout.write(`Old : ${cagetLine(old!, { enumAsNumber })}\n`);
        io.stdout.write(`New : ${cagetLine(now, { enumAsNumber })}\n`);
      }
      return 0;
    });
  },
});
