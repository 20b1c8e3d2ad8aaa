/**
 * The trace model the aligner scores. It is deliberately independent of recorder/: the aligner reads
 * traces written by any tool (EnvTrace JSON, VISION triples, beamtwin JSON Lines).
 */

/** A recorded value as it came from the file: JSON-shaped. */
export type Value = null | boolean | number | string | readonly Value[] | { readonly [key: string]: Value };

/** The `format` of a beamtwin JSON Lines trace's header line: what its writers put and its reader looks for. */
export const TRACE_FORMAT = 'beamtwin-trace';

export interface Event {
  readonly channel: string;
  /** Seconds (any epoch; only differences matter). */
  readonly timestamp: number;
  readonly value: Value;
  readonly meta?: Readonly<Record<string, unknown>>;
  /** `continuous` marks a sampled quantity (a temperature); anything else is a discrete action. */
  readonly kind?: string;
  /**
   * The value was written as a float literal (`1.0`, `2e3`). Python keeps `1.0` and `1` apart and the
   * reference presets compare `str(value)` in places, so `str(1.0) == "1.0"` but `str(1) == "1"`.
   */
  readonly pyFloat?: boolean;
}

export type Trace = readonly Event[];

/** Stable sort by timestamp (Python's `sorted(key=timestamp)` is stable too). */
export function sortByTime(trace: Trace): Event[] {
  return trace
    .map((e, i) => [e, i] as const)
    .sort((a, b) => a[0].timestamp - b[0].timestamp || a[1] - b[1])
    .map(([e]) => e);
}

/** Rename channels through an alias map (EnvTrace `Trace.canonicalize`). */
export function canonicalize(trace: Trace, aliases: Readonly<Record<string, string>>): Event[] {
  return trace.map((e) => (Object.hasOwn(aliases, e.channel) ? { ...e, channel: aliases[e.channel]! } : e));
}
