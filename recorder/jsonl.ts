import fs from 'node:fs';
import type { TraceEvent, TraceHeader, TraceValue } from './event.js';

/** Where events go: a file writer, an in-memory list, a test spy. */
export interface TraceSink {
  write(e: TraceEvent): void;
  flush(): void;
  close(): void;
}

/** Numbers of float PVs keep a decimal point (`2.0`), so Python-side comparisons see a float. */
function num(v: number, float: boolean): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? '"NaN"' : v > 0 ? '"Infinity"' : '"-Infinity"';
  const s = String(v);
  return float && Number.isInteger(v) && !s.includes('e') ? `${s}.0` : s;
}

function valueJson(v: TraceValue | undefined, float: boolean): string {
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

/** One event as a JSON line (hand-written: this is the recorder's hot path). */
export function eventLine(e: TraceEvent): string {
  let s = `{"seq":${e.seq},"kind":"${e.kind}","channel":${JSON.stringify(e.channel)},"timestamp":${e.timestamp},"epics":[${e.epics[0]},${e.epics[1]}]`;
  if (e.value !== undefined) s += `,"value":${valueJson(e.value, e.float === true)}`;
  if (e.float) s += ',"float":true';
  if (e.mask !== undefined) s += `,"mask":${e.mask}`;
  if (e.status !== undefined) s += `,"status":${e.status}`;
  if (e.severity !== undefined) s += `,"severity":${e.severity}`;
  if (e.host !== undefined) s += `,"host":${JSON.stringify(e.host)}`;
  if (e.user !== undefined) s += `,"user":${JSON.stringify(e.user)}`;
  if (e.cid !== undefined) s += `,"cid":${e.cid}`;
  if (e.notify !== undefined) s += `,"notify":${e.notify}`;
  if (e.origin !== undefined) s += `,"origin":${JSON.stringify(e.origin)}`;
  if (e.eca !== undefined) s += `,"eca":${e.eca}`;
  if (e.durationMs !== undefined) s += `,"durationMs":${e.durationMs}`;
  if (e.message !== undefined) s += `,"message":${JSON.stringify(e.message)}`;
  return s + '}\n';
}

/**
 * JSON Lines trace file: a header line, then one event per line, appended in blocks. A block is written
 * when it reaches `blockBytes` or `flushMs` after its first event, so a crash loses at most one block.
 */
export class JsonlTraceWriter implements TraceSink {
  private fd: number;
  private buf = '';
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  count = 0;

  constructor(
    readonly path: string,
    header: TraceHeader,
    private readonly opts: { blockBytes?: number; flushMs?: number } = {},
  ) {
    this.fd = fs.openSync(path, 'w');
    fs.writeSync(this.fd, JSON.stringify(header) + '\n');
  }

  write(e: TraceEvent): void {
    if (this.closed) return;
    this.buf += eventLine(e);
    this.count++;
    if (this.buf.length >= (this.opts.blockBytes ?? 256 * 1024)) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.opts.flushMs ?? 200);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.buf || this.closed) return;
    fs.writeSync(this.fd, this.buf);
    this.buf = '';
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
