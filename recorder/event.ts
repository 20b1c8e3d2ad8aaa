/**
 * What happened: a client write, a posted change, a marker, a catch-all hit, a put finishing, a link state;
 * with `--lines` also a line of the command's Python code, a user file's source, what it printed, the
 * tracer's step limit being reached, and a traced process ending (recorder/lines/).
 */
export type EventKind =
  | 'put'
  | 'update'
  | 'marker'
  | 'catch-all'
  | 'put-complete'
  | 'connect'
  | 'disconnect'
  | 'line'
  | 'source'
  | 'output'
  | 'line-limit'
  | 'process';

/**
 * A line of the user's code: on a `line` event the line about to run, on a `put` the innermost user frame
 * when the client library issued the write. `via` (puts only) says how it was found: "stack" (the issuing
 * thread's own stack), "plan" (the user generator that yielded last: a Bluesky plan), "thread" (another
 * thread's innermost user frame), "none" (no user code active: file/line/function absent).
 */
export interface LineRef {
  readonly file?: string;
  readonly line?: number;
  readonly function?: string;
  readonly via?: 'stack' | 'plan' | 'thread' | 'none';
  /** The tracer's step counter when the put was issued (the `line` event with this `step`). */
  readonly step?: number;
}

export type TraceValue = number | string | boolean | null | readonly number[] | readonly string[];

/**
 * One trace event. `timestamp` is POSIX seconds (float) for tools; `epics` the exact server time stamp
 * as [seconds since 1990, nanoseconds].
 */
export interface TraceEvent {
  readonly seq: number;
  readonly kind: EventKind;
  readonly channel: string;
  readonly timestamp: number;
  readonly epics: readonly [number, number];
  readonly value?: TraceValue;
  /** An array too long to record (see the recorders' `maxArray`): its length; `value` is then null. */
  readonly length?: number;
  /** The PV's native type is floating point: written as a float literal (`2.0`), as Python tools print it. */
  readonly float?: boolean;
  // put
  readonly host?: string;
  readonly user?: string;
  readonly cid?: number;
  readonly notify?: boolean;
  readonly origin?: string;
  /** Network recorders (`beamtwin record`): the protocol that delivered an update, connect or disconnect. */
  readonly protocol?: 'ca' | 'pva';
  // update
  readonly mask?: number;
  readonly status?: number;
  readonly severity?: number;
  // put-complete
  readonly eca?: number;
  readonly durationMs?: number;
  readonly message?: string;
  // line (and the line of a put)
  readonly line?: LineRef;
  /** Step number within its process (1, 2, …), in execution order. */
  readonly step?: number;
  /** Call depth among the user's frames (0 = outermost). */
  readonly depth?: number;
  /** The frame (call) the line runs in, numbered per process: its locals accumulate over its lines. */
  readonly frame?: number;
  /** Locals that changed since the frame's previous line, as bounded reprs. */
  readonly locals?: Readonly<Record<string, string>>;
  /** Names in `locals` whose repr was cut to the length limit. */
  readonly cut?: readonly string[];
  /** Changed locals left out beyond the per-step limit. */
  readonly more?: number;
  /** Thread number (0 or absent = main thread). */
  readonly thread?: number;
  /** The traced process (line, source, output, line-limit, process events; and puts). */
  readonly pid?: number;
  /** source/output: the text was cut to its bound. */
  readonly truncated?: boolean;
}

/** The first line of a JSON Lines trace. */
export interface TraceHeader {
  /** aligner/trace.ts TRACE_FORMAT: the reader owns the name (recorder/ may not import aligner/). */
  readonly format: 'beamtwin-trace';
  readonly version: 1;
  /** The program that wrote the trace (`beamtwin run`) … */
  readonly producer: string;
  /** … and the beamtwin version it belongs to. */
  readonly beamtwinVersion?: string;
  readonly profile?: string;
  readonly clock: 'real' | 'virtual' | string;
  readonly speed?: number;
  /** POSIX seconds when recording started. */
  readonly start: number;
  /** Names recorded (empty = all). */
  readonly channels?: readonly string[];
  /** In-process tap, or a network recorder over CA, PVA or both (events then carry `protocol`). */
  readonly source: 'in-process' | 'ca' | 'pva' | 'ca+pva';
  /** The command that ran (`run`, `validate`, `eval`). */
  readonly command?: readonly string[];
  /** Where it ran. */
  readonly cwd?: string;
  /** Line tracing was on, with these limits (see recorder/lines/). */
  readonly lines?: { readonly maxSteps: number; readonly maxRepr: number };
  /** With lines: the tracked PVs' values when recording started (the state a script starts from). */
  readonly initial?: Readonly<Record<string, TraceValue>>;
}

