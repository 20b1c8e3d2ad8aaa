import fs from 'node:fs';
import { TRACE_FORMAT, type TraceEvent, type TraceHeader } from './event.js';

export interface ReadJsonlResult {
  readonly header: TraceHeader | undefined;
  readonly events: TraceEvent[];
  /** Set when the last line was cut short (a recorder killed mid-write) and skipped. */
  readonly truncated: boolean;
}

// The writer puts NaN/Infinity as Python's json does (bare tokens), which JSON.parse refuses. Lines that
// hold one take a slow path: the tokens outside strings become tagged strings, revived after parsing.
const TAG = '\u0000';
const nonFinite: Readonly<Record<string, number>> = {
  [`${TAG}NaN`]: Number.NaN,
  [`${TAG}Infinity`]: Number.POSITIVE_INFINITY,
  [`${TAG}-Infinity`]: Number.NEGATIVE_INFINITY,
};
const TOKENS = ['-Infinity', 'Infinity', 'NaN'] as const;

const revive = (_k: string, v: unknown): unknown => (typeof v === 'string' && v.charCodeAt(0) === 0 && v in nonFinite ? nonFinite[v] : v);

function tagNonFinite(line: string): string {
  let out = '';
  let from = 0;
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    for (const t of TOKENS) {
      if (line.startsWith(t, i)) {
        out += `${line.slice(from, i)}"\\u0000${t}"`; // JSON text for TAG + token
        i += t.length - 1;
        from = i + 1;
        break;
      }
    }
  }
  return out + line.slice(from);
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch (e) {
    if (!/NaN|Infinity/.test(line)) throw e;
    return JSON.parse(tagNonFinite(line), revive);
  }
}

/** Read a JSON Lines trace; tolerates (and reports) a truncated last line, rejects damage elsewhere. */
export function parseJsonlTrace(text: string, name = 'trace'): ReadJsonlResult {
  const lines = text.split('\n');
  while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
  let header: TraceHeader | undefined;
  const events: TraceEvent[] = [];
  let truncated = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    let obj: Record<string, unknown>;
    try {
      obj = parseLine(line) as Record<string, unknown>;
    } catch (e) {
      if (i === lines.length - 1) {
        truncated = true;
        break;
      }
      throw new Error(`${name}:${i + 1}: ${(e as Error).message}`);
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new Error(`${name}:${i + 1}: not an event object`);
    if (i === 0 && obj['format'] === TRACE_FORMAT) header = obj as unknown as TraceHeader;
    else events.push(obj as unknown as TraceEvent);
  }
  return { header, events, truncated };
}

export function readJsonlTrace(file: string): ReadJsonlResult {
  return parseJsonlTrace(fs.readFileSync(file, 'utf8'), file);
}
