import type { Profile } from '../../devices/profile/profile.js';
import type { LineLimits } from '../../recorder/lines/tracing.js';
import { runRecorded, type SignalSource } from '../run-recorded.js';

/** One command of an evaluation, as a twin thread runs it (structured-clone safe). */
export interface CommandJob {
  readonly argv: readonly string[];
  readonly cwd?: string;
  readonly profile: Profile;
  /** The trace file to write. */
  readonly record: string;
  readonly timeoutS?: number;
  readonly speed?: number;
  readonly lines?: LineLimits;
}

/** How a command ended (structured-clone safe: the events stay in the trace file). */
export interface CommandResult {
  readonly exitCode: number;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly durationMs: number;
  /** Recorded events (all kinds). */
  readonly events: number;
  /** PVs the real beamline does not have (catch-all) that the command wrote, in first-write order. */
  readonly unknownPvWrites: readonly string[];
}

/** Run one command in a fresh twin on this thread, recording its trace. */
export async function runCommandJob(job: CommandJob, onOutput: (s: string) => void, signals?: SignalSource): Promise<CommandResult> {
  const o = await runRecorded(job.argv, {
    profile: job.profile,
    record: job.record,
    ...(job.timeoutS !== undefined ? { timeoutS: job.timeoutS } : {}),
    ...(job.speed !== undefined ? { speed: job.speed } : {}),
    ...(job.lines ? { lines: job.lines } : {}),
    ...(job.cwd ? { cwd: job.cwd } : {}),
    ...(signals ? { signals } : {}),
    stdio: 'pipe',
    onOutput,
  });
  const hits = new Set(o.catchAllHits);
  const unknown: string[] = [];
  for (const e of o.events) if (e.kind === 'put' && hits.has(e.channel) && !unknown.includes(e.channel)) unknown.push(e.channel);
  return { exitCode: o.exitCode, signal: o.signal, timedOut: o.timedOut, durationMs: o.durationMs, events: o.events.length, unknownPvWrites: unknown };
}
