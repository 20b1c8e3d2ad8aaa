import path from 'node:path';
import type { Argv } from 'yargs';
import type { TraceEvent, TraceHeader } from '../../recorder/event.js';
import { defineCommand } from '../command.js';
import { commandInfo } from './index.js';
import { UsageError } from '../io.js';
import { untilSignal } from '../signals.js';
import { startWebFromArgs, webOptions } from '../web-option.js';

/** `beamtwin view TRACE.jsonl`: replay a recorded trace in the web view, with a time slider. */
export const viewCommand = defineCommand(commandInfo.view, {
  builder: (y: Argv) =>
    webOptions(y)
      .positional('trace', { type: 'string', demandOption: true, describe: 'A trace written by run/validate/record --record' })
      .option('profile', { type: 'string', describe: "Panels from this profile (default: the trace's own, when known)" }),
  handler: async (args, io) => {
    const [{ loadProfile }, { readJsonLines }, { replayPanels, replayTrace }] = await Promise.all([
      import('../../devices/profile/profile.js'),
      import('../../aligner/io/read-trace.js'),
      import('../../web/replay.js'),
    ]);
    let trace;
    try {
      trace = readJsonLines<TraceHeader, TraceEvent>(args.trace);
    } catch (e) {
      throw new UsageError(`cannot read ${args.trace}: ${(e as Error).message}`);
    }
    if (trace.truncated) io.stderr.write(`beamtwin: warning: ${args.trace}: the last line was cut short and is left out\n`);
    // A profile that cannot be loaded is a UserError: one line, exit 2.
    const profile = args.profile ? loadProfile(args.profile) : undefined;
    const replay = replayTrace(path.basename(args.trace), trace.events, replayPanels(trace.header, profile));
    if (replay.omitted) io.stderr.write(`beamtwin: warning: the view shows the first ${replay.events.length} events; ${replay.omitted} more are left out\n`);
    const web = (await startWebFromArgs(args, { replay }, io, true))!;
    io.stdout.write(`beamtwin: replaying ${args.trace} (${replay.events.length} events) at ${web.url}; Ctrl-C stops\n`);
    await untilSignal();
    await web.close();
    return 0;
  },
});
