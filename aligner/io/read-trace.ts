import { readFileSync } from 'node:fs';
import { pyFloat } from '../py/float.js';
import { pyStr } from '../py/str.js';
import { TRACE_FORMAT, type Event, type Value } from '../trace.js';
import { JsonSyntaxError, parseJsonKeepingFloats, PyFloatLiteral, unbox } from './json.js';

export type TraceFormat = 'envtrace' | 'vision' | 'jsonl';

export interface ReadTrace {
  readonly events: Event[];
  readonly format: TraceFormat;
  /** Things the reader tolerated (a truncated last line). */
  readonly warnings: string[];
  /** JSON Lines events left out because their kind is recorder bookkeeping ({@link UNSCORED_KINDS}). */
  readonly skipped?: number;
}

/** A trace file the readers cannot make sense of. */
export class TraceFormatError extends Error {
  override name = 'TraceFormatError';
}

/**
 * Recorder bookkeeping in a JSON Lines trace that is not part of what gets scored: the reference harness
 * scored PV changes seen by monitors (`update`) and logged calls (`marker`); client puts, their
 * completions, catch-all hits and link state would count each action twice or not at all; the code's
 * lines, sources and output (`--lines`) are not beamline events.
 */
export const UNSCORED_KINDS: ReadonlySet<string> = new Set(['put', 'put-complete', 'connect', 'disconnect', 'catch-all', 'line', 'source', 'output', 'line-limit', 'process']);

function toEvent(channel: unknown, timestamp: unknown, value: unknown, meta: unknown, kind: unknown, where: string): Event {
  const ts = timestamp instanceof PyFloatLiteral ? timestamp.value : pyFloat(timestamp as Value);
  if (ts === undefined) throw new TraceFormatError(`${where}: timestamp ${JSON.stringify(unbox(timestamp))} is not a number`);
  if (channel === undefined || channel === null) throw new TraceFormatError(`${where}: no channel`);
  const isFloat = value instanceof PyFloatLiteral;
  const m = unbox(meta);
  return {
    channel: typeof channel === 'string' ? channel : pyStr(unbox(channel) as Value),
    timestamp: ts,
    value: (value === undefined ? null : unbox(value)) as Value,
    ...(m && typeof m === 'object' && Object.keys(m).length > 0 ? { meta: m as Record<string, unknown> } : {}),
    ...(typeof kind === 'string' ? { kind } : {}),
    ...(isFloat ? { pyFloat: true } : {}),
  };
}

function fromObject(item: unknown, where: string): Event {
  if (!item || typeof item !== 'object' || Array.isArray(item)) throw new TraceFormatError(`${where}: expected an event object`);
  const o = item as Record<string, unknown>;
  return toEvent(o.channel, o.timestamp, o.value, o.meta, o.kind ?? (o.meta as Record<string, unknown> | undefined)?.kind, where);
}

function fromTriple(item: unknown, where: string): Event {
  if (!Array.isArray(item) || item.length < 3) throw new TraceFormatError(`${where}: expected [pv, timestamp, value]`);
  return toEvent(item[0], item[1], item[2], undefined, undefined, where);
}

/** EnvTrace JSON (`{"events": [...]}` or a bare list of events) or a VISION list of `[pv, ts, value]`. */
function fromJsonDocument(doc: unknown, name: string): ReadTrace {
  if (doc && typeof doc === 'object' && !Array.isArray(doc) && 'events' in doc) {
    const events = (doc as { events: unknown }).events;
    if (!Array.isArray(events)) throw new TraceFormatError(`${name}: "events" is not a list`);
    return { events: events.map((e, i) => fromObject(e, `${name} event ${i}`)), format: 'envtrace', warnings: [] };
  }
  if (Array.isArray(doc)) {
    if (doc.length > 0 && Array.isArray(doc[0])) {
      return { events: doc.map((e, i) => fromTriple(e, `${name} entry ${i}`)), format: 'vision', warnings: [] };
    }
    return { events: doc.map((e, i) => fromObject(e, `${name} event ${i}`)), format: 'envtrace', warnings: [] };
  }
  throw new TraceFormatError(`${name}: unrecognized trace JSON (expected {"events": [...]}, a list of events or of [pv, ts, value])`);
}

/** The lines of a beamtwin JSON Lines trace as written: the header and every record, of every kind. */
export interface JsonLines<H = Record<string, unknown>, R = Record<string, unknown>> {
  readonly header: H | undefined;
  readonly events: R[];
  /** The last line was cut short (a recorder killed mid-write) and was skipped. */
  readonly truncated: boolean;
}

/**
 * beamtwin JSON Lines: a header object with `"format": "beamtwin-trace"`, then one event per line.
 * A last line cut short (a recorder killed mid-write) is skipped and reported; a bad line elsewhere is an
 * error. `parse` reads one line (throwing JsonSyntaxError on damage); `visit` gets each event line's object.
 */
function eachJsonLine(text: string, name: string, parse: (line: string) => unknown, visit: (obj: unknown, where: string) => void): { header: unknown; truncatedLine?: number } {
  const lines = text.split('\n');
  let header: unknown;
  let last = lines.length - 1;
  while (last >= 0 && lines[last]!.trim() === '') last--;
  for (let n = 0; n <= last; n++) {
    const line = lines[n]!.trim();
    if (line === '') continue;
    let obj: unknown;
    try {
      obj = parse(line);
    } catch (e) {
      if (n === last && e instanceof JsonSyntaxError) return { header, truncatedLine: n + 1 };
      throw new TraceFormatError(`${name} line ${n + 1}: ${(e as Error).message}`);
    }
    const o = obj as Record<string, unknown>;
    if (header === undefined && o && typeof o === 'object' && o.format === TRACE_FORMAT) header = o;
    else visit(obj, `${name} line ${n + 1}`);
  }
  return { header };
}

/** The scored events of a beamtwin JSON Lines trace. */
function fromJsonLines(text: string, name: string, keep: ReadonlySet<string>): ReadTrace {
  const events: Event[] = [];
  let skipped = 0;
  const { truncatedLine } = eachJsonLine(text, name, parseJsonKeepingFloats, (obj, where) => {
    const kind = (obj as Record<string, unknown> | null)?.kind;
    if (typeof kind === 'string' && UNSCORED_KINDS.has(kind) && !keep.has(kind)) skipped++;
    else events.push(fromObject(obj, where));
  });
  const warnings = truncatedLine ? [`${name}: line ${truncatedLine} is truncated and was skipped`] : [];
  return { events, format: 'jsonl', warnings, skipped };
}

/**
 * A beamtwin JSON Lines trace with every record as written (puts, lines, bookkeeping: what `view` and
 * `export` show), not only the scored events. The types are the caller's word for what the writer wrote.
 */
export function parseJsonLines<H = Record<string, unknown>, R = Record<string, unknown>>(text: string, name = 'trace'): JsonLines<H, R> {
  const events: R[] = [];
  const { header, truncatedLine } = eachJsonLine(text, name, parsePlain, (obj, where) => {
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new TraceFormatError(`${where}: expected an event object`);
    events.push(obj as R);
  });
  return { header: header as H | undefined, events, truncated: truncatedLine !== undefined };
}

/** A line without float boxes: JSON.parse (4× faster) unless the line holds NaN/Infinity or is damaged. */
function parsePlain(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return unbox(parseJsonKeepingFloats(line));
  }
}

/** Read a beamtwin JSON Lines trace file with every record ({@link parseJsonLines}). */
export function readJsonLines<H = Record<string, unknown>, R = Record<string, unknown>>(path: string): JsonLines<H, R> {
  return parseJsonLines<H, R>(readFileSync(path, 'utf8'), path);
}

/**
 * Parse a trace from text in any of the three forms. `keep`: kinds read although no reference preset
 * scores them (`put`, for `native` with --score-puts).
 */
export function parseTrace(text: string, name = 'trace', keep: ReadonlySet<string> = new Set()): ReadTrace {
  const head = text.slice(0, text.indexOf('\n') === -1 ? text.length : text.indexOf('\n')).trim();
  if (head.startsWith('{') && head.includes(TRACE_FORMAT)) {
    try {
      const first = parseJsonKeepingFloats(head) as Record<string, unknown>;
      if (first.format === TRACE_FORMAT) return fromJsonLines(text, name, keep);
    } catch {
      // not a one-line header: fall through to a whole-document parse
    }
  }
  let doc: unknown;
  try {
    doc = parseJsonKeepingFloats(text.trim());
  } catch (e) {
    // Several JSON objects, one per line, without a header.
    if (head.startsWith('{') && text.trim().includes('\n')) return fromJsonLines(text, name, keep);
    throw new TraceFormatError(`${name}: ${(e as Error).message}`);
  }
  return fromJsonDocument(doc, name);
}

/** Read a trace file (EnvTrace JSON, VISION triples or beamtwin JSON Lines). */
export function readTrace(path: string): ReadTrace {
  return parseTrace(readFileSync(path, 'utf8'), path);
}
