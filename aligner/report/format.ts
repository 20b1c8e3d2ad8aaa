import { pyStr } from '../py/str.js';
import type { Event } from '../trace.js';

/** A score for people: 4 decimals, "nan" where a reference produced NaN. */
export function fmtScore(x: number): string {
  return Number.isNaN(x) ? 'nan' : x.toFixed(4);
}

/** A detail value: numbers to 4 significant decimals, the rest as Python would print it. */
export function fmtDetail(v: unknown): string {
  if (typeof v === 'number') return Number.isNaN(v) ? 'nan' : Number.isInteger(v) ? String(v) : v.toFixed(4);
  if (typeof v === 'boolean') return String(v);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** An event's value as the harness tables print it (Python `str`). */
export function fmtValue(e: Event): string {
  return pyStr(e.value, e.pyFloat);
}

export function clip(s: string, width: number): string {
  return s.length <= width ? s : `${s.slice(0, Math.max(0, width - 1))}…`;
}

/** JSON-safe copy: NaN and ±Infinity become null (JSON has no NaN), Maps and Sets become plain values. */
export function jsonSafe(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (Array.isArray(v)) return v.map(jsonSafe);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, jsonSafe(x)]));
  if (v instanceof Set) return [...v].map(jsonSafe);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) o[k] = jsonSafe(x);
    return o;
  }
  return v;
}

/**
 * A value as the alignment table shows it. Strings as they are. An array of integers 0–255 that reads as
 * text — every element before the first NUL (and all after it NUL) printable ASCII, tab or newline, at
 * least one of them — is a DBR_CHAR waveform holding a string (an EPICS long string, a file path): shown
 * as that text in quotes. Anything else as Python prints it.
 */
export function displayValue(e: Event): string {
  const v = e.value;
  if (Array.isArray(v) && v.length > 0 && v.every((x) => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 255)) {
    const codes = v as number[];
    const end = codes.indexOf(0) < 0 ? codes.length : codes.indexOf(0);
    const text = codes.slice(0, end);
    const printable = (c: number) => (c >= 32 && c <= 126) || c === 9 || c === 10 || c === 13;
    if (text.length > 0 && text.every(printable) && codes.slice(end).every((c) => c === 0)) return JSON.stringify(Buffer.from(text).toString('latin1'));
  }
  return fmtValue(e);
}

/** Cut in the middle, keeping both ends (where channel names differ: the device and the field). */
export function clipMiddle(s: string, width: number): string {
  if (s.length <= width) return s;
  const head = Math.ceil((width - 1) / 2);
  return `${s.slice(0, head)}…${s.slice(s.length - (width - 1 - head))}`;
}

/**
 * Short names for a table: each channel's device prefix (up to its last `:` or `}`) becomes a key [1],
 * [2], … listed once in a legend, so `…cam1:Acquire` and `…cam1:AcquireTime` stay apart. Used only when
 * some name is longer than `width`.
 */
export function channelLegend(channels: Iterable<string>, width: number): { short: (ch: string) => string; legend: string[] } {
  const all = [...new Set(channels)];
  if (all.every((c) => c.length <= width)) return { short: (c) => c, legend: [] };
  const prefixOf = (c: string) => {
    const cut = Math.max(c.lastIndexOf(':'), c.lastIndexOf('}'));
    return cut > 0 && cut < c.length - 1 ? c.slice(0, cut + 1) : '';
  };
  const keys = new Map<string, string>();
  for (const c of all) {
    const p = prefixOf(c);
    if (p.length >= 6 && !keys.has(p)) keys.set(p, `[${keys.size + 1}]`);
  }
  const short = (c: string) => {
    const p = prefixOf(c);
    const key = keys.get(p);
    return clipMiddle(key ? key + c.slice(p.length) : c, width);
  };
  return { short, legend: [...keys].map(([p, k]) => `${k} = ${p}`) };
}
