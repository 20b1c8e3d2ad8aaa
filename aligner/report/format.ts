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
