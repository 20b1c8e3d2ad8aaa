import fs from 'node:fs';
import { EPICS_EPOCH_OFFSET } from '../ioc/epics/time.js';
import type { LineRef, TraceEvent, TraceHeader, TraceValue } from './event.js';

/** Where events go: a file writer, an in-memory list, a test spy. */
export interface TraceSink {
  write(e: TraceEvent): void;
  flush(): void;
  close(): void;
}

/**
 * Numbers of float PVs keep a decimal point (`2.0`), so Python-side comparisons see a float. NaN and
 * ±Infinity are written as Python's `json` writes (and reads) them: bare `NaN`, `Infinity`, `-Infinity`
 * (the aligner reads them too); a quoted "NaN" would come back as a string.
 */
export function num(v: number, float: boolean): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  const s = String(v);
  return float && Number.isInteger(v) && !s.includes('e') ? `${s}.0` : s;
}

/** A trace value as JSON text (float literals and non-finite numbers as above). */
export function valueJson(v: TraceValue | undefined, float: boolean): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'number') return num(v, float);
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  let out = '[';
  for (let i = 0; i < v.length; i++) {
    if (i) out += ',';
    const x = v[i]!;
    out += typeof x === 'number' ? num(x, float) : JSON.stringify(x);
  }
  return out + ']';
}

/** JSON text of channel names, memoised: a trace has few distinct names and many events. */
const quotedNames = new Map<string, string>();
function quotedName(name: string): string {
  let q = quotedNames.get(name);
  if (q === undefined) {
    if (quotedNames.size >= 65536) quotedNames.clear(); // bounded, whatever the catch-all fabricates
    q = JSON.stringify(name);
    quotedNames.set(name, q);
  }
  return q;
}

const ZEROS = '000000000';

/**
 * The timestamp as exact decimal text of the EPICS stamp (`1767225600.001953125`) when `timestamp` is
 * `sec + EPICS_EPOCH_OFFSET + nsec / 1e9` — integer formatting is several times cheaper than printing a
 * double, and the text parses back to exactly that double: nsec/1e9 is within 2^-54 of the exact decimal,
 * while no integer nanosecond lies within 1/(1e9·2^23) of a rounding midpoint at present-day magnitudes,
 * so both roundings land on the same double. Anything else is printed as a double.
 */
export function timestampText(e: Pick<TraceEvent, 'timestamp' | 'epics'>): string {
  const sec = e.epics[0] + EPICS_EPOCH_OFFSET;
  const nsec = e.epics[1];
  if (sec >= 0 && sec < 2 ** 31 && (sec | 0) === sec && (nsec | 0) === nsec && nsec >= 0 && nsec < 1e9 && sec + nsec / 1e9 === e.timestamp) {
    if (nsec === 0) return String(sec);
    let n = nsec;
    let width = 9;
    while (n % 10 === 0) {
      n /= 10;
      width--;
    }
    const digits = String(n);
    return `${sec}.${ZEROS.slice(0, width - digits.length)}${digits}`;
  }
  return String(e.timestamp);
}

/** One event as a JSON line (hand-written: this is the recorder's hot path). */
export function eventLine(e: TraceEvent): string {
  let s = `{"seq":${e.seq},"kind":"${e.kind}","channel":${quotedName(e.channel)},"timestamp":${timestampText(e)},"epics":[${e.epics[0]},${e.epics[1]}]`;
  if (e.value !== undefined) s += `,"value":${valueJson(e.value, e.float === true)}`;
  if (e.length !== undefined) s += `,"length":${e.length}`;
  if (e.float) s += ',"float":true';
  if (e.mask !== undefined) s += `,"mask":${e.mask}`;
  if (e.status !== undefined) s += `,"status":${e.status}`;
  if (e.severity !== undefined) s += `,"severity":${e.severity}`;
  if (e.host !== undefined) s += `,"host":${JSON.stringify(e.host)}`;
  if (e.user !== undefined) s += `,"user":${JSON.stringify(e.user)}`;
  if (e.cid !== undefined) s += `,"cid":${e.cid}`;
  if (e.notify !== undefined) s += `,"notify":${e.notify}`;
  if (e.origin !== undefined) s += `,"origin":${JSON.stringify(e.origin)}`;
  if (e.protocol !== undefined) s += `,"protocol":${JSON.stringify(e.protocol)}`;
  if (e.eca !== undefined) s += `,"eca":${e.eca}`;
  if (e.durationMs !== undefined) s += `,"durationMs":${e.durationMs}`;
  if (e.message !== undefined) s += `,"message":${JSON.stringify(e.message)}`;
  if (e.line !== undefined) s += `,"line":${lineRefJson(e.line)}`;
  if (e.pid !== undefined) s += lineFields(e);
  return s + '}\n';
}

/** A line reference as JSON, fields in a fixed order (byte-identical re-exports). */
export function lineRefJson(l: LineRef): string {
  const parts: string[] = [];
  if (l.file !== undefined) parts.push(`"file":${JSON.stringify(l.file)}`);
  if (l.line !== undefined) parts.push(`"line":${l.line}`);
  if (l.function !== undefined) parts.push(`"function":${JSON.stringify(l.function)}`);
  if (l.via !== undefined) parts.push(`"via":${JSON.stringify(l.via)}`);
  if (l.step !== undefined) parts.push(`"step":${l.step}`);
  return `{${parts.join(',')}}`;
}

/** The fields of events from a traced process (`--lines`): written only when `pid` is set. */
function lineFields(e: TraceEvent): string {
  let s = `,"pid":${e.pid}`;
  if (e.thread) s += `,"thread":${e.thread}`;
  if (e.step !== undefined) s += `,"step":${e.step}`;
  if (e.depth !== undefined) s += `,"depth":${e.depth}`;
  if (e.frame !== undefined) s += `,"frame":${e.frame}`;
  if (e.locals !== undefined) s += `,"locals":${JSON.stringify(e.locals)}`;
  if (e.cut !== undefined) s += `,"cut":${JSON.stringify(e.cut)}`;
  if (e.more) s += `,"more":${e.more}`;
  if (e.truncated !== undefined) s += `,"truncated":${e.truncated}`;
  return s;
}

/**
 * JSON Lines trace file: a header line, then one event per line, appended in blocks. Lines are encoded
 * straight into one reused block buffer; a block is written when it reaches `blockBytes` or `flushMs`
 * after its first event, so a crash loses at most one block. `flush()` puts everything on disk now.
 */
export class JsonlTraceWriter implements TraceSink {
  private fd: number;
  private readonly block: Buffer;
  private readonly blockBytes: number;
  private pos = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  count = 0;

  constructor(
    readonly path: string,
    header: TraceHeader,
    private readonly opts: { blockBytes?: number; flushMs?: number } = {},
  ) {
    this.blockBytes = Math.max(1, opts.blockBytes ?? 256 * 1024);
    // Room for one more line of ordinary size past the threshold, so most blocks end without a copy.
    this.block = Buffer.allocUnsafe(this.blockBytes + 64 * 1024);
    this.fd = fs.openSync(path, 'w');
    fs.writeSync(this.fd, JSON.stringify(header) + '\n');
  }

  write(e: TraceEvent): void {
    if (this.closed) return;
    const line = eventLine(e);
    this.count++;
    // A UTF-16 code unit takes at most 3 UTF-8 bytes.
    if (this.pos + line.length * 3 > this.block.length) {
      this.flush();
      if (line.length * 3 > this.block.length) {
        fs.writeSync(this.fd, line); // a huge line (long array): straight out
        return;
      }
    }
    this.pos += this.block.write(line, this.pos, 'utf8');
    if (this.pos >= this.blockBytes) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.opts.flushMs ?? 200);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pos === 0 || this.closed) return;
    let off = 0;
    while (off < this.pos) off += fs.writeSync(this.fd, this.block, off, this.pos - off);
    this.pos = 0;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    fs.closeSync(this.fd);
  }
}

/** Keeps events in memory (tests, `run` summaries). */
export class MemorySink implements TraceSink {
  readonly events: TraceEvent[] = [];
  write(e: TraceEvent): void {
    this.events.push(e);
  }
  flush(): void {}
  close(): void {}
}

/** Fan one stream of events out to several sinks. */
export class TeeSink implements TraceSink {
  constructor(private readonly sinks: TraceSink[]) {}
  write(e: TraceEvent): void {
    for (const s of this.sinks) s.write(e);
  }
  flush(): void {
    for (const s of this.sinks) s.flush();
  }
  close(): void {
    for (const s of this.sinks) s.close();
  }
}
