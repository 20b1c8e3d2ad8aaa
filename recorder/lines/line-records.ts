import fs from 'node:fs';
import path from 'node:path';
import { EPICS_EPOCH_OFFSET } from '../../ioc/epics/time.js';
import { epicsTimeFromMs } from '../../ioc/epics/time.js';
import type { TraceEvent } from '../event.js';

/**
 * One record of a traced process, as a trace event to be (seq excepted), with what ordering needs: the
 * process, the step it comes after (a line: its own step) and its time.
 */
export interface LineRecord {
  readonly pid: number;
  /** Lines: their step; other records: the step last begun when they were written. */
  readonly step: number;
  /** Twin time (ms). */
  readonly ms: number;
  readonly event: Omit<TraceEvent, 'seq'>;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Obj = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const int = (v: unknown): number | undefined => (Number.isInteger(v) ? (v as number) : undefined);

/**
 * The records of one process's file (recorder/python/beamtwin_lines.py writes them), in the order written.
 * `toTwinMs` maps the process's wall-clock seconds to twin time. A damaged line (a process killed
 * mid-write) ends the file.
 */
export function readLineRecords(text: string, toTwinMs: (wallSeconds: number) => number): LineRecord[] {
  const out: LineRecord[] = [];
  let pid = 0;
  let lastT = 0;
  let lastStep = 0;
  let argv: string[] = [];
  let ended = false;
  let lastMs = 0;
  for (const raw of text.split('\n')) {
    if (!raw) continue;
    let o: Obj;
    try {
      o = JSON.parse(raw) as Obj;
    } catch {
      break;
    }
    if (!o || typeof o !== 'object') break;
    const t = typeof o['t'] === 'number' ? (o['t'] as number) : lastT;
    lastT = t;
    const ms = (lastMs = toTwinMs(t));
    const stamp = epicsTimeFromMs(ms);
    const base = (kind: TraceEvent['kind'], channel: string): Mutable<Omit<TraceEvent, 'seq'>> => ({
      kind,
      channel,
      timestamp: stamp.secPastEpoch + EPICS_EPOCH_OFFSET + stamp.nsec / 1e9,
      epics: [stamp.secPastEpoch, stamp.nsec],
      pid,
    });
    if (int(o['s']) !== undefined) {
      const step = (lastStep = int(o['s'])!);
      const file = str(o['f']) ?? '?';
      const e = base('line', file);
      e.line = { file, line: int(o['l']) ?? 0, function: str(o['fn']) ?? '?' };
      if (int(o['th'])) e.thread = int(o['th'])!;
      e.step = step;
      e.depth = int(o['d']) ?? 0;
      if (int(o['fr']) !== undefined) e.frame = int(o['fr'])!;
      if (o['v'] && typeof o['v'] === 'object') e.locals = o['v'] as Record<string, string>;
      if (Array.isArray(o['cut'])) e.cut = o['cut'] as string[];
      if (int(o['more'])) e.more = int(o['more'])!;
      out.push({ pid, step, ms, event: e });
    } else if (int(o['pid']) !== undefined && o['start'] !== undefined) {
      pid = int(o['pid'])!;
      lastT = typeof o['start'] === 'number' ? o['start'] : lastT;
      if (Array.isArray(o['argv'])) argv = (o['argv'] as unknown[]).map(String);
    } else if (typeof o['source'] === 'string') {
      const e = base('source', o['source']);
      e.value = str(o['text']) ?? '';
      if (o['truncated'] === true) e.truncated = true;
      out.push({ pid, step: int(o['step']) ?? lastStep, ms, event: e });
    } else if (typeof o['out'] === 'string') {
      const e = base('output', 'stdout');
      e.value = o['out'];
      const step = int(o['step']) ?? lastStep;
      e.step = step;
      if (o['truncated'] === true) e.truncated = true;
      out.push({ pid, step, ms, event: e });
    } else if (typeof o['limit'] === 'string') {
      const e = base('line-limit', o['limit']);
      e.value = typeof o['max'] === 'number' ? o['max'] : null;
      out.push({ pid, step: int(o['step']) ?? lastStep, ms, event: e });
    } else if (o['end'] !== undefined) {
      if (Array.isArray(o['argv'])) argv = (o['argv'] as unknown[]).map(String);
      const e = base('process', argv[0] || 'python');
      e.value = argv;
      e.step = int(o['steps']) ?? lastStep;
      out.push({ pid, step: Number.MAX_SAFE_INTEGER, ms, event: e });
      ended = true;
    }
  }
  if (!ended && out.length) {
    // Killed (a timeout's SIGKILL) or cut short: its end is where its record stops, marked truncated.
    const stamp = epicsTimeFromMs(lastMs);
    out.push({
      pid,
      step: Number.MAX_SAFE_INTEGER,
      ms: lastMs,
      event: { kind: 'process', channel: argv[0] || 'python', timestamp: stamp.secPastEpoch + EPICS_EPOCH_OFFSET + stamp.nsec / 1e9, epics: [stamp.secPastEpoch, stamp.nsec], pid, value: argv, step: lastStep, truncated: true },
    });
  }
  return out;
}

/** Every process's records from a folder of `lines-<pid>.jsonl` files, by process (in pid order). */
export function readLineDir(dir: string, toTwinMs: (wallSeconds: number) => number): LineRecord[][] {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => /^lines-\d+\.jsonl$/.test(n));
  } catch {
    return [];
  }
  names.sort((a, b) => Number(a.slice(6, -6)) - Number(b.slice(6, -6)));
  return names.map((n) => readLineRecords(fs.readFileSync(path.join(dir, n), 'utf8'), toTwinMs)).filter((r) => r.length > 0);
}
