import type { PutContext } from '../../ioc/db/pv.js';
import type { LineRef } from '../event.js';

/** What the line tracer writes to the line PV before a put (recorder/python/beamtwin_lines.py). */
export interface AnnouncedLine {
  readonly line: LineRef;
  readonly pid?: number;
}

const VIA = new Set(['stack', 'plan', 'thread', 'none']);
const MAX_PENDING = 4096;

/** The text of a CHAR waveform value (up to its first NUL), or of a string. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'length' in value) {
    const a = value as ArrayLike<number>;
    let end = 0;
    while (end < a.length && a[end] !== 0) end++;
    return Buffer.from(Array.prototype.slice.call(a, 0, end) as number[]).toString('utf8');
  }
  return '';
}

/** The announcement in a line-PV write, or undefined when it is not one (anyone may write that PV). */
export function parseAnnouncement(value: unknown): AnnouncedLine | undefined {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text(value)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!o || typeof o !== 'object' || !VIA.has(o['via'] as string)) return undefined;
  const line: { -readonly [K in keyof LineRef]: LineRef[K] } = {};
  if (typeof o['file'] === 'string') line.file = o['file'];
  if (Number.isInteger(o['line'])) line.line = o['line'] as number;
  if (typeof o['function'] === 'string') line.function = o['function'];
  line.via = o['via'] as LineRef['via'];
  if (Number.isInteger(o['step'])) line.step = o['step'] as number;
  return { line, ...(Number.isInteger(o['pid']) ? { pid: o['pid'] as number } : {}) };
}

/**
 * Pairs each put with the line announced for it. The tracer holds one lock across "write the line PV,
 * issue the put", both on the same CA circuit, and the server numbers every write request a circuit
 * receives (refused ones too): so the put a line belongs to is exactly the circuit's next write request,
 * even when the server queues it behind an earlier put-callback on its channel. A put whose announcement
 * went missing pairs with nothing rather than with a neighbour; announcements whose put was refused
 * before reaching the database are forgotten oldest-first (bounded).
 */
export class PutLines {
  /** `circuit:write` of the put an announcement is for → the announcement. */
  private readonly pending = new Map<string, AnnouncedLine>();

  /** A write to the line PV. */
  announce(value: unknown, ctx: PutContext): void {
    if (ctx.circuit === undefined || ctx.write === undefined) return;
    const announced = parseAnnouncement(value);
    if (!announced) return;
    if (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value!);
    this.pending.set(`${ctx.circuit}:${ctx.write + 1}`, announced);
  }

  /** The line announced for this put, if any (each announcement pairs once). */
  lineOf(ctx: PutContext): AnnouncedLine | undefined {
    if (ctx.circuit === undefined || ctx.write === undefined || this.pending.size === 0) return undefined;
    const key = `${ctx.circuit}:${ctx.write}`;
    const a = this.pending.get(key);
    if (a) this.pending.delete(key);
    return a;
  }
}
