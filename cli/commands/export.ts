import fs from 'node:fs';
import path from 'node:path';
import type { Argv } from 'yargs';
import type { Profile } from '../../devices/profile/profile.js';
import { ET_FORMATS, etRecord, type Granularity } from '../../recorder/lines/et-export.js';
import { readJsonLines } from '../../aligner/io/read-trace.js';
import type { TraceEvent, TraceHeader } from '../../recorder/event.js';
import { defineCommand } from '../command.js';
import { commandInfo } from './index.js';
import type { TaskResult } from '../../harness/eval/score.js';
import { UsageError } from '../io.js';

/** One record to write: a trace and what to say about it. */
interface Item {
  readonly id: string;
  readonly trace: string;
  readonly extra?: readonly (readonly [string, string])[];
}

/** The candidates of an `eval` output folder, tasks by id, candidates in manifest order, with their scores. */
function evalItems(dir: string): Item[] {
  const tasksDir = path.join(dir, 'tasks');
  const items: Item[] = [];
  for (const id of fs.readdirSync(tasksDir).sort()) {
    const file = path.join(tasksDir, id, 'result.json');
    if (!fs.existsSync(file)) continue; // a task the evaluation did not finish
    const r = JSON.parse(fs.readFileSync(file, 'utf8')) as TaskResult;
    for (const c of r.candidates) {
      items.push({
        id: `${r.id}/${c.id}`,
        trace: path.join(tasksDir, id, c.files.trace),
        extra: [
          ['task', JSON.stringify(r.id)],
          ['candidate', JSON.stringify(c.id)],
          ['expect', JSON.stringify(c.expect ?? null)],
          ['verdict', JSON.stringify(c.verdict)],
          ['ok', JSON.stringify(c.ok)],
          ['scores', JSON.stringify({ preset: r.preset, presets: c.presets, row: c.row, run: c.run })],
        ],
      });
    }
  }
  return items;
}

function items(inputs: readonly string[]): Item[] {
  return inputs.flatMap((p): Item[] => {
    if (!fs.existsSync(p)) throw new UsageError(`no such trace or eval folder: ${p}`);
    if (fs.statSync(p).isDirectory()) {
      if (!fs.existsSync(path.join(p, 'tasks'))) throw new UsageError(`${p}: not an eval output folder (no tasks/)`);
      return evalItems(p);
    }
    return [{ id: path.basename(p).replace(/\.jsonl$/, ''), trace: p }];
  });
}

/** The beamline state's PVs: the profile's tracked channels (the trace's own profile unless given). */
function channelsFor(profile: string | undefined, cache: Map<string, readonly string[] | undefined>, loadProfile: (name: string) => Profile): readonly string[] | undefined {
  if (!profile) return undefined;
  if (!cache.has(profile)) {
    let tracked: readonly string[] | undefined;
    try {
      tracked = loadProfile(profile).tracked;
    } catch {
      tracked = undefined; // a profile this machine does not have: every PV that changed
    }
    cache.set(profile, tracked?.length ? tracked : undefined);
  }
  return cache.get(profile);
}

/** `beamtwin export`: traces recorded with --lines (or an eval folder) as E.T. training records. */
export const exportCommand = defineCommand(commandInfo.export, {
  builder: (y: Argv) =>
    y
      .positional('inputs', { type: 'string', array: true, demandOption: true, describe: 'Trace files (JSON Lines) or eval output folders' })
      .option('format', { choices: ET_FORMATS, demandOption: true, describe: 'Scratchpad form: full state, changes only, or one rewritten state' })
      .option('granularity', { choices: ['line', 'put'] as const, default: 'line' as Granularity, describe: 'A step per executed line, or per client write' })
      .option('profile', { type: 'string', describe: "Beamline state = this profile's tracked PVs (default: the trace's profile)" })
      .option('out', { alias: 'o', type: 'string', describe: 'Output file (default: stdout)' })
      .example('beamtwin export --format et-compact run.jsonl -o run.et.jsonl', 'one record')
      .example('beamtwin export --format et-scratchpad eval-out -o dataset.jsonl', 'one record per candidate, with its scores'),
  handler: async (args, io) => {
    const list = items(args.inputs.map(String));
    const [{ loadProfile }, { writeAtomic }] = await Promise.all([import('../../devices/profile/profile.js'), import('../../harness/eval/store.js')]);
    const profiles = new Map<string, readonly string[] | undefined>();
    let text = '';
    let unlined = 0;
    for (const it of list) {
      let trace;
      try {
        trace = readJsonLines<TraceHeader, TraceEvent>(it.trace);
      } catch (e) {
        throw new UsageError(`${it.trace}: ${(e as Error).message}`);
      }
      if (!trace.header) throw new UsageError(`${it.trace}: not a beamtwin JSON Lines trace`);
      if (!trace.events.some((e) => e.kind === 'line')) unlined++;
      const channels = channelsFor(args.profile ?? trace.header.profile, profiles, loadProfile);
      text += etRecord(trace.header, trace.events, { format: args.format, granularity: args.granularity, id: it.id, ...(channels ? { channels } : {}), ...(it.extra ? { extra: it.extra } : {}) });
    }
    if (unlined) io.stderr.write(`beamtwin export: ${unlined} of ${list.length} traces have no line events (record with --lines)\n`);
    if (args.out && args.out !== '-') writeAtomic(args.out, text);
    else io.stdout.write(text);
    io.stderr.write(`beamtwin export: ${list.length} record${list.length === 1 ? '' : 's'} (${args.format}, per ${args.granularity})${args.out && args.out !== '-' ? ` → ${args.out}` : ''}\n`);
    return 0;
  },
});
