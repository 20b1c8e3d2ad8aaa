import type { Argv } from 'yargs';
import { integerIn } from '../options.js';
import type { Subscription } from 'rxjs';
import { DBE } from '../../ioc/ca/protocol/constants.js';
import { defaultToolType, nameColumn, timeLine } from '../ca-format.js';
import { connectAll, jsonOption, notFoundMessage, pvsOptions, withClient } from '../ca-tool.js';
import { defineCommand } from '../command.js';
import { UsageError } from '../io.js';
import { commandInfo } from './index.js';

/** Parse camonitor's -m letters: v(alue) a(larm) l(og) p(roperty). */
export function parseMask(text: string): number {
  let mask = 0;
  for (const c of text) {
    if (c === 'v') mask |= DBE.VALUE;
    else if (c === 'a') mask |= DBE.ALARM;
    else if (c === 'l') mask |= DBE.LOG;
    else if (c === 'p') mask |= DBE.PROPERTY;
    else throw new UsageError(`invalid mask letter "${c}" (use v, a, l, p)`);
  }
  return mask;
}

/** `beamtwin monitor PV...`: camonitor; runs until interrupted (or --updates N have been printed). */
export const monitorCommand = defineCommand(commandInfo.monitor, {
  builder: (y: Argv) =>
    jsonOption(pvsOptions(y), 'One JSON object per update')
      .option('mask', { alias: 'm', type: 'string', default: 'va', describe: 'Event mask letters: v value, a alarm, l log, p property' })
      .option('enum-number', { alias: 'n', type: 'boolean', default: false, describe: 'Print enums as numbers' })
      .option('count', { alias: '#', type: 'number', coerce: integerIn('-#/--count', 0), describe: 'Number of array elements' })
      .option('updates', { alias: 'u', type: 'number', coerce: integerIn('--updates', 1), describe: 'Exit after this many updates in total' }),
  handler: async (args, io) => {
    const mask = parseMask(args.mask);
    return withClient(args.timeout, async (client) => {
      let printed = 0;
      let finish!: () => void;
      const done = new Promise<void>((r) => (finish = r));
      const subs: Subscription[] = [];
      const conns = await connectAll(client, args.pvs, args.timeout);
      // camonitor would wait forever for names nobody serves; with none connected after -w, say so and end.
      if (!conns.some((c) => c.ok)) {
        for (const { ch } of conns) io.stdout.write(`${nameColumn(ch.name, 1)}*** Not connected (PV not found)\n`);
        io.stderr.write(`${notFoundMessage(args.pvs)}\n`);
        return 1;
      }
      for (const { ch, ok } of conns) {
        if (!ok) io.stdout.write(`${nameColumn(ch.name, 1)}*** Not connected (PV not found)\n`);
        let wasConnected = ok;
        // Disconnects are reported as camonitor does; the subscription resumes by itself on reconnect.
        subs.push(
          ch.connection$.subscribe((up) => {
            if (!up && wasConnected) io.stdout.write(`${nameColumn(ch.name, 1)}*** disconnected\n`);
            wasConnected = up;
          }),
        );
        const type = () => defaultToolType(ch.nativeType!, args['enum-number']);
        const start = () =>
          subs.push(
            ch
              .subscribe({ type: ok ? type() : 'time', mask, ...(args.count !== undefined ? { count: args.count } : {}) })
              .subscribe({
                next: (v) => {
                  if (args.updates !== undefined && printed >= args.updates) return;
                  io.stdout.write(args.json ? `${JSON.stringify(v)}\n` : `${timeLine(v, { countRequested: args.count !== undefined, enumAsNumber: args['enum-number'] })}\n`);
                  printed++;
                  if (args.updates !== undefined && printed >= args.updates) finish();
                },
                error: (e: Error) => io.stderr.write(`${ch.name}: ${e.message}\n`),
              }),
          );
        if (ok) start();
        else {
          // Subscribe once it connects (the type depends on the native type).
          const once = ch.connection$.subscribe((up) => {
            if (!up) return;
            queueMicrotask(() => once.unsubscribe());
            start();
          });
          subs.push(once);
        }
      }
      const stop = () => finish();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        await done;
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        for (const s of subs) s.unsubscribe();
      }
      return 0;
    });
  },
});
