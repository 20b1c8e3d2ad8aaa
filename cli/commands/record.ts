import fs from 'node:fs';
import type { Argv } from 'yargs';
import { seconds } from '../options.js';
import { TRACE_FORMAT } from '../../aligner/trace.js';
import { DBE } from '../../ioc/epics/events.js';
import type { RecordProtocol } from '../../recorder/sequencer.js';
import { untilSignal } from '../signals.js';
import { defineCommand } from '../command.js';
import { commandInfo } from './index.js';
import { beamtwinVersion } from '../../harness/version.js';
import { UsageError } from '../io.js';

const maskBits: Record<string, number> = { value: DBE.VALUE, log: DBE.LOG, archive: DBE.LOG, alarm: DBE.ALARM, property: DBE.PROPERTY };

/** A PV as named on the command line: `pva://NAME` and `ca://NAME` pick the protocol, as ophyd-async's sources. */
interface PvSpec {
  readonly given: string;
  readonly name: string;
  readonly protocol: RecordProtocol;
}

export function parsePvSpec(given: string, fallback: RecordProtocol): PvSpec {
  const m = /^([A-Za-z][\w+.-]*):\/\/(.*)$/.exec(given);
  if (!m) return { given, name: given, protocol: fallback };
  const scheme = m[1]!.toLowerCase();
  if (scheme !== 'ca' && scheme !== 'pva') throw new UsageError(`unknown protocol "${m[1]}://" in ${given} (ca:// or pva://)`);
  if (!m[2]) throw new UsageError(`no PV name after ${scheme}://`);
  return { given, name: m[2], protocol: scheme };
}

/** `beamtwin record`: a CA and/or PVA recorder for any IOC (the twin or a real one). */
export const recordCommand = defineCommand(commandInfo.record, {
  builder: (y: Argv) =>
    y
      .positional('pvs', { type: 'string', array: true, describe: 'PV names to record; pva://NAME or ca://NAME picks the protocol of one PV' })
      .option('names', { type: 'string', describe: 'File with more PV names, one per line (# comments; pva:// and ca:// prefixes too)' })
      .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'Trace file (JSON Lines)' })
      .option('duration', { type: 'number', coerce: seconds('--duration', true), describe: 'Stop after this many seconds (default: until SIGINT/SIGTERM)' })
      .option('mask', { type: 'string', default: 'value,log,alarm', describe: 'DBE mask: value,log,alarm,property (over PVA: what an update changed)' })
      .option('protocol', { type: 'string', choices: ['ca', 'pva'] as const, default: 'ca' as RecordProtocol, describe: 'Protocol of names without a ca:// or pva:// prefix' }),
  handler: async (args, io) => {
    const given = [...(args.pvs ?? [])];
    if (args.names) {
      for (const line of fs.readFileSync(args.names, 'utf8').split('\n')) {
        const n = line.replace(/#.*/, '').trim();
        if (n) given.push(n);
      }
    }
    if (given.length === 0) throw new UsageError('name at least one PV (or --names FILE)');
    const specs = given.map((g) => parsePvSpec(g, args.protocol as RecordProtocol));
    let mask = 0;
    for (const word of args.mask.split(',')) {
      const bit = maskBits[word.trim().toLowerCase()];
      if (bit === undefined) throw new UsageError(`unknown mask word "${word}" (value, log, alarm, property)`);
      mask |= bit;
    }
    const over = (p: RecordProtocol) => specs.filter((s) => s.protocol === p).map((s) => s.name);
    const caNames = over('ca');
    const pvaNames = over('pva');
    const [{ CaRecorder }, { PvaRecorder }, { Sequencer }, { JsonlTraceWriter }] = await Promise.all([
      import('../../recorder/ca-recorder.js'),
      import('../../recorder/pva-recorder.js'),
      import('../../recorder/sequencer.js'),
      import('../../recorder/jsonl.js'),
    ]);
    const writer = new JsonlTraceWriter(args.out, {
      format: TRACE_FORMAT,
      version: 1,
      producer: 'beamtwin record',
      beamtwinVersion,
      clock: 'real',
      start: Date.now() / 1000,
      channels: specs.map((s) => s.name),
      source: caNames.length && pvaNames.length ? 'ca+pva' : pvaNames.length ? 'pva' : 'ca',
    });
    // One sequence over both protocols; each event says which one delivered it.
    const seq = new Sequencer(writer);
    const ca = caNames.length ? new CaRecorder(seq, { names: caNames, mask }).start() : undefined;
    const pva = pvaNames.length ? new PvaRecorder(seq, { names: pvaNames, mask }).start() : undefined;
    io.stderr.write(`beamtwin record: recording ${given.length} PVs to ${args.out}\n`);
    await untilSignal(args.duration);
    await Promise.all([ca?.stop(), pva?.stop()]);
    writer.close();
    io.stderr.write(`beamtwin record: ${seq.count} events\n`);
    const seen = new Set<string>();
    const never: string[] = [];
    for (const s of specs) {
      const key = `${s.protocol}://${s.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (!(s.protocol === 'ca' ? ca : pva)!.connected.has(s.name)) never.push(s.given);
    }
    if (never.length) {
      io.stderr.write(`beamtwin record: never connected: ${never.join(', ')}\n`);
      return 1;
    }
    return 0;
  },
});
