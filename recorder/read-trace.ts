import fs from 'node:fs';
import { TRACE_FORMAT, type TraceEvent, type TraceHeader } from './event.js';

export interface ReadJsonlResult {
  readonly header: TraceHeader | undefined;
  readonly events: TraceEvent[];
  /** Set when the last line was cut short (a recorder killed mid-write) and skipped. */
  readonly truncated: boolean;
}

const revive = (_k: string, v: unknown) =>
  v === 'NaN' ? Number.NaN : v === 'Infinity' ? Number.POSITIVE_INFINITY : v === '-Infinity' ? Number.NEGATIVE_INFINITY : v;

/** Read a JSON Lines trace; tolerates (and reports) a truncated last line, rejects damage elsewhere. */
export function parseJsonlTrace(text: string, name = 'trace'): ReadJsonlResult {
  const lines = text.split('\n');
  while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
  let header: TraceHeader | undefined;
  const events: TraceEvent[] = [];
  let truncated = false;
  lines.forEach((line, i) => {
    if (truncated || line.trim() === '') return;
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(line, revive) as Record<string, unknown>;
    } catch (e) {
      if (i === lines.length - 1) {
        truncated = true;
        return;
      }
      throw new Error(`${name}:${i + 1}: ${(e as Error).message}`);
    }
    if (i === 0 && obj['format'] === TRACE_FORMAT) header = obj as unknown as TraceHeader;
    else events.push(obj as unknown as TraceEvent);
  });
  return { header, events, truncated };
}

export function readJsonlTrace(file: string): ReadJsonlResult {
  return parseJsonlTrace(fs.readFileSync(file, 'utf8'), file);
}
