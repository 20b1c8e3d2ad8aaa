/** What happened: a client write, a posted change, a marker, a catch-all hit, a put finishing, a link state. */
export type EventKind = 'put' | 'update' | 'marker' | 'catch-all' | 'put-complete' | 'connect' | 'disconnect';

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
  // update
  readonly mask?: number;
  readonly status?: number;
  readonly severity?: number;
  // put-complete
  readonly eca?: number;
  readonly durationMs?: number;
  readonly message?: string;
}

/** The first line of a JSON Lines trace. */
export interface TraceHeader {
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
  readonly source: 'in-process' | 'ca';
}

export const TRACE_FORMAT = 'beamtwin-trace';
