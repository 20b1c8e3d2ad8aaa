import fs from 'node:fs';
import type { Argv } from 'yargs';
import { seconds } from '../options.js';
import { DBE } from '../../ioc/ca/protocol/constants.js';
import { untilSignal } from '../signals.js';
import { defineCommand } from '../command.js';
import { commandInfo } from './index.js';
import { beamtwinVersion } from '../../harness/version.js';
import { UsageError } from '../io.js';

const maskBits: Record<string, number> = { value: DBE.VALUE, log: DBE.LOG, archive: DBE.LOG, alarm: DBE.ALARM, property: DBE.PROPERTY };

/** `beamtwin record`: a CA recorder for any IOC (the twin or a real one). */
export const recordCommand = defineCommand(commandInfo.record, {
  builder: (y: Argv) =>
    y
      .positional('pvs', { type: 'string', array: true, describe: 'PV names to record' })
      .option('names', { type: 'string', describe: 'File with more PV names, one per line (# comments)' })
      .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'Trace file (JSON Lines)' })
      .option('duration', { type: 'number', coerce: seconds('--duration', true), describe: 'Stop after this many seconds (default: until SIGINT/SIGTERM)' })
      .option('mask', { type: 'string', default: 'value,log,alarm', describe: 'DBE mask: value,log,alarm,property' }),
  handler: async (args, io) => {
    const names = [...(args.pvs ?? [])];
    if (args.names) {
      for (const line of fs.readFileSync(args.names, 'utf8').split('\n')) {
        const n = line.replace(/#.*/, '').trim();
        if (n) names.push(n);
      }
    }
    if (names.length === 0) throw new UsageError('name at least one PV (or --names FILE)');
    let mask = 0;
    for (const word of args.mask.split(',')) {
      const bit = maskBits[word.trim().toLowerCase()];
      if (bit === undefined) throw new UsageError(`unknown mask word "${word}" (value, log, alarm, property)`);
      mask |= bit;
    }
    const [{ CaRecorder }, { JsonlTraceWriter }] = await Promise.all([import('../../recorder/ca-recorder.js'), import('../../recorder/jsonl.js')]);
    const writer = new JsonlTraceWriter(args.out, {
      format: 'beamtwin-trace',
      version: 1,
      producer: 'beamtwin record',
        beamtwinVersion,
      clock: 'real',
      start: Date.now() / 1000,
      channels: names,
      source: 'ca',
    });
    const recorder = new CaRecorder(writer, { names, mask }).start();
    io.stderr.write(`beamtwin record: recording ${names.length} PVs to ${args.out}\n`);
    await untilSignal(args.duration);
    await recorder.stop();
    writer.close();
    io.stderr.write(`beamtwin record: ${recorder.count} events\n`);
    const never = [...new Set(names)].filter((n) => !recorder.connected.has(n));
    if (never.length) {
      io.stderr.write(`beamtwin record: never connected: ${never.join(', ')}\n`);
      return 1;
    }
    return 0;
  },
});
