import path from 'node:path';
import type { Argv } from 'yargs';
import { loadProfile } from '../../devices/profile/profile.js';
import { ProfileError } from '../../devices/profile/profile-error.js';
import { readJsonLines } from '../../aligner/io/read-trace.js';
import type { TraceEvent, TraceHeader } from '../../recorder/event.js';
import { replayPanels, replayTrace } from '../../web/replay.js';
import type { CommandModule } from '../command.js';
import { UsageError, type CliIo } from '../io.js';
import { untilSignal } from '../signals.js';
import { startWebFromArgs, webOptions, type WebArgs } from '../web-option.js';

interface ViewArgs extends WebArgs {
  trace: string;
  profile?: string;
}

/** `beamtwin view TRACE.jsonl`: replay a recorded trace in the web view, with a time slider. */
export const viewCommand: CommandModule<ViewArgs> = {
  command: 'view <trace>',
  describe: 'Replay a recorded trace (JSON Lines) in the web view, with a time slider',
  builder: (y: Argv) =>
    webOptions(y)
      .positional('trace', { type: 'string', demandOption: true, describe: 'A trace written by run/validate/record --record' })
      .option('profile', { type: 'string', describe: "Panels from this profile (default: the trace's own, when known)" }) as Argv<ViewArgs>,
  handler: async (args: ViewArgs, io: CliIo) => {
    let trace;
    try {
      trace = readJsonLines<TraceHeader, TraceEvent>(args.trace);
    } catch (e) {
      throw new UsageError(`cannot read ${args.trace}: ${(e as Error).message}`);
    }
    if (trace.truncated) io.stderr.write(`beamtwin: warning: ${args.trace}: the last line was cut short and is left out\n`);
    let profile;
    try {
      profile = args.profile ? loadProfile(args.profile) : undefined;
    } catch (e) {
      if (e instanceof ProfileError) throw new UsageError(e.message);
      throw e;
    }
    const replay = replayTrace(path.basename(args.trace), trace.events, replayPanels(trace.header, profile));
    if (replay.omitted) io.stderr.write(`beamtwin: warning: the view shows the first ${replay.events.length} events; ${replay.omitted} more are left out\n`);
    const web = (await startWebFromArgs(args, { replay }, io, true))!;
    io.stdout.write(`beamtwin: replaying ${args.trace} (${replay.events.length} events) at ${web.url}; Ctrl-C stops\n`);
    await untilSignal();
    await web.close();
    return 0;
  },
};
