import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DbrBase } from '../../ioc/epics/field-type.js';
import type { PvDatabase } from '../../ioc/db/database.js';
import type { Pv } from '../../ioc/db/pv.js';
import { eventLine } from '../jsonl.js';
import type { TraceEvent } from '../event.js';
import { readLineDir, type LineRecord } from './line-records.js';
import { mergeLines, type PvItem } from './merge.js';

/** Bounds of a traced command: lines recorded per process, characters per local's repr. */
export interface LineLimits {
  readonly maxSteps: number;
  readonly maxRepr: number;
}

export const DEFAULT_LINE_LIMITS: LineLimits = { maxSteps: 10_000, maxRepr: 80 };

/** Bytes a line announcement may take (the line PV's NELM; the tracer keeps below it). */
const LINE_PV_BYTES = 1024;

/** recorder/python in the source tree (from recorder/lines/ or dist/recorder/lines/). */
export function pythonHookDir(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const p = path.join(dir, 'recorder', 'python');
    if (fs.existsSync(path.join(p, 'sitecustomize.py'))) return p;
    if (path.dirname(dir) === dir) throw new Error('beamtwin: the Python line tracer (recorder/python) is missing');
  }
}

/** What tracing a command produced, for summaries. */
export interface LineSummary {
  readonly processes: number;
  readonly steps: number;
  /** Processes that reached the step limit. */
  readonly limited: number;
}

/**
 * Line tracing for one command run against a twin (`run --lines`): the twin's line PV, the environment that
 * makes Python start the tracer (recorder/python: PYTHONPATH + sitecustomize, chaining any existing one),
 * and, once the command has ended, the merge of what the processes recorded into the trace file.
 */
export class LineTracing {
  readonly linePv: Pv;
  private readonly dir: string;
  /** The same instant read from the wall clock and the twin's clock (line records carry wall time). */
  private readonly wall0 = Date.now();
  private readonly twin0: number;

  constructor(
    db: PvDatabase,
    controlPrefix: string,
    readonly limits: LineLimits = DEFAULT_LINE_LIMITS,
    private readonly speed = 1,
  ) {
    this.twin0 = db.clock.now();
    const name = `${controlPrefix}line`;
    this.linePv =
      db.lookup(name) ??
      db.create(name, { type: DbrBase.CHAR, maxCount: LINE_PV_BYTES, value: new Uint8Array(1), put: () => undefined, description: 'line tracer: the next put\'s code line' });
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beamtwin-lines-'));
  }

  /** The tracer's settings, for the command's environment (with the hook on PYTHONPATH: python-env.ts). */
  env(): Record<string, string> {
    return {
      BEAMTWIN_LINES_DIR: this.dir,
      BEAMTWIN_LINES_MAX_STEPS: String(this.limits.maxSteps),
      BEAMTWIN_LINES_MAX_REPR: String(this.limits.maxRepr),
      BEAMTWIN_LINE_PV: this.linePv.name,
    };
  }

  private toTwinMs = (wallSeconds: number): number => this.twin0 + (wallSeconds * 1000 - this.wall0) * this.speed;

  /** The processes' records (and forget the scratch folder). */
  collect(): LineRecord[][] {
    const records = readLineDir(this.dir, this.toTwinMs);
    fs.rmSync(this.dir, { recursive: true, force: true });
    return records;
  }

  /** Merge the processes' records into the trace file at `tracePath` (rewritten in place, seq renumbered). */
  finish(tracePath: string | undefined): LineSummary {
    const processes = this.collect();
    if (tracePath) mergeIntoFile(tracePath, processes);
    return summarizeLines(processes);
  }
}

export function summarizeLines(processes: readonly (readonly LineRecord[])[]): LineSummary {
  let steps = 0;
  let limited = 0;
  for (const p of processes) {
    for (const r of p) {
      if (r.event.kind === 'line') steps++;
      else if (r.event.kind === 'line-limit') limited++;
    }
  }
  return { processes: processes.length, steps, limited };
}

const NUM = /,"timestamp":([-0-9.eE+]+)/;
const PUT_LINE = /^\{"seq":\d+,"kind":"put",.*,"line":\{[^}]*"step":(\d+)\},"pid":(\d+)/;

/** The merge's view of one JSON Lines event line (found by pattern: the writer's field order is fixed). */
function itemOfLine(line: string): PvItem {
  const ts = NUM.exec(line);
  const ms = ts ? Number(ts[1]) * 1000 : 0;
  if (line.startsWith('"put"', line.indexOf(',"kind":') + 8)) {
    const m = PUT_LINE.exec(line);
    if (m) return { ms, putStep: Number(m[1]), putPid: Number(m[2]) };
  }
  return { ms };
}

/** The events of a trace file with the processes' records merged in, seq renumbered; the header kept. */
export function mergeIntoFile(tracePath: string, processes: readonly (readonly LineRecord[])[]): void {
  if (!processes.length) return;
  const text = fs.readFileSync(tracePath, 'utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  // Every event line starts with its seq (eventLine); a first line that does not is the header.
  const header = lines.length && !lines[0]!.startsWith('{"seq":') ? lines.shift()! : undefined;
  const tmp = `${tracePath}.${process.pid}.lines.tmp`;
  const fd = fs.openSync(tmp, 'w');
  let seq = 0;
  let block = header !== undefined ? header + '\n' : '';
  const write = (s: string) => {
    block += s;
    if (block.length >= 256 * 1024) {
      fs.writeSync(fd, block);
      block = '';
    }
  };
  try {
    mergeLines(lines, itemOfLine, processes, (e) => {
      seq++;
      if (typeof e === 'string') write(e.replace(/^\{"seq":\d+,/, `{"seq":${seq},`) + '\n');
      else write(eventLine({ ...e.event, seq } as TraceEvent));
    });
    fs.writeSync(fd, block);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, tracePath);
}
