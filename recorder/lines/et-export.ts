import type { TraceEvent, TraceHeader } from '../event.js';
import { lineRefJson, valueJson } from '../jsonl.js';

/**
 * Training records in the forms of Execution Tuning (E.T.): a program, its inputs, its execution as
 * steps, and the output to predict. Here the state is the script's locals *and* the beamline's tracked
 * PVs, from a trace recorded with `--lines`.
 *
 * - `et-scratchpad`: every step carries the full state: the running frame's locals and every tracked PV.
 * - `et-compact`: every step carries only what changed since the step before.
 * - `et-dynamic`: one state, rewritten: steps that change nothing fold into the next one that does, which
 *   gives the whole current state and the lines run since the last one.
 *
 * A step shows the state as its line is reached (as a debugger stops there) and the writes the line
 * issues (`puts`). With granularity `put` a step is one client write: its line, PV and value, and the
 * state as the write leaves.
 */
export type EtFormat = 'et-scratchpad' | 'et-compact' | 'et-dynamic';
export type Granularity = 'line' | 'put';
export const ET_FORMATS: readonly EtFormat[] = ['et-scratchpad', 'et-compact', 'et-dynamic'];

export interface EtOptions {
  readonly format: EtFormat;
  readonly granularity: Granularity;
  /** The record's name (trace file, task/candidate). */
  readonly id: string;
  /** PVs that make up the beamline state (default: every PV the trace saw change). */
  readonly channels?: readonly string[];
  /** Extra fields appended to the record, already as JSON text (eval scores). */
  readonly extra?: readonly (readonly [string, string])[];
}

/** JSON text of a plain value with object keys in insertion order (so records are reproducible). */
const j = (v: unknown): string => JSON.stringify(v);
const obj = (fields: readonly (readonly [string, string])[]): string => `{${fields.map(([k, v]) => `${j(k)}:${v}`).join(',')}}`;
const textMap = (m: ReadonlyMap<string, string>): string => obj([...m].map(([k, v]) => [k, v] as const));
const strMap = (m: ReadonlyMap<string, string>): string => obj([...m].map(([k, v]) => [k, j(v)] as const));
const sorted = (m: ReadonlyMap<string, string>) => new Map([...m].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));

interface Step {
  readonly fields: [string, string][];
  /** Puts the step's line issued (line granularity). */
  readonly puts: string[];
}

/** One E.T. record (a JSON line) from a trace's header and events in trace order. */
export function etRecord(header: TraceHeader | undefined, events: readonly TraceEvent[], opts: EtOptions): string {
  const wanted = opts.channels ? new Set(opts.channels) : undefined;
  const beamline = new Map<string, string>(); // channel → value JSON
  for (const [k, v] of Object.entries(header?.initial ?? {})) if (!wanted || wanted.has(k)) beamline.set(k, valueJson(v, false));
  let changedPvs = new Map<string, string>();
  const frames = new Map<string, Map<string, string>>(); // pid:frame → name → repr
  let shownLocals = new Map<string, Map<string, string>>(); // what the last put-step showed, per frame
  const code = new Map<string, string>();
  const pids = new Set<number>();
  for (const e of events) if (e.kind === 'line' && e.pid !== undefined) pids.add(e.pid);
  const multi = pids.size > 1;
  const steps: Step[] = [];
  const byStep = new Map<string, Step>();
  let stdout = '';
  let entry: string | undefined;
  let argv: readonly string[] | undefined;
  let inputBeamline: string | undefined;
  let limited = false;
  let cutValues = 0;
  let stdoutCut = false;
  let sourceCut = false;
  let current: { frame: string; e: TraceEvent } | undefined;
  let sinceLast: string[] = []; // lines run since the last dynamic state / put step
  let lastState = '';

  const fullLocals = (frame: string | undefined) => strMap(frame ? (frames.get(frame) ?? new Map()) : new Map());
  const where = (e: TraceEvent): [string, string][] => [
    ['file', j(e.line?.file ?? null)],
    ['line', j(e.line?.line ?? null)],
    ['function', j(e.line?.function ?? null)],
    ...(e.depth !== undefined ? ([['depth', String(e.depth)]] as [string, string][]) : []),
    ...(multi && e.pid !== undefined ? ([['pid', String(e.pid)]] as [string, string][]) : []),
  ];

  const lineStep = (e: TraceEvent, frame: string) => {
    const fields = where(e);
    const locals = e.locals ? new Map(Object.entries(e.locals)) : new Map<string, string>();
    if (opts.format === 'et-compact') {
      if (locals.size) fields.push(['locals', strMap(locals)]);
      if (changedPvs.size) fields.push(['beamline', textMap(changedPvs)]);
    } else if (opts.format === 'et-scratchpad') {
      fields.push(['locals', fullLocals(frame)], ['beamline', textMap(beamline)]);
    } else {
      sinceLast.push(`[${j(e.line?.file ?? null)},${j(e.line?.line ?? null)}]`);
      const state = obj([
        ['locals', fullLocals(frame)],
        ['beamline', textMap(beamline)],
      ]);
      if (state === lastState && steps.length) return; // nothing rewritten: folds into the next step
      lastState = state;
      fields.length = 0;
      fields.push(['lines', `[${sinceLast.join(',')}]`], ['state', state]);
      sinceLast = [];
    }
    changedPvs = new Map();
    const step: Step = { fields, puts: [] };
    steps.push(step);
    if (e.step !== undefined) byStep.set(`${e.pid}:${e.step}`, step);
  };

  const putStep = (e: TraceEvent) => {
    const frame = current?.frame;
    const fields: [string, string][] = [['line', e.line ? lineRefJson(e.line) : 'null'], ['pv', j(e.channel)], ['value', valueJson(e.value, e.float === true)]];
    const locals = frame ? (frames.get(frame) ?? new Map<string, string>()) : new Map<string, string>();
    if (opts.format === 'et-compact') {
      const shown = (frame && shownLocals.get(frame)) || new Map<string, string>();
      const diff = new Map([...locals].filter(([k, v]) => shown.get(k) !== v));
      if (diff.size) fields.push(['locals', strMap(diff)]);
      if (changedPvs.size) fields.push(['beamline', textMap(changedPvs)]);
    } else if (opts.format === 'et-scratchpad') {
      fields.push(['locals', strMap(locals)], ['beamline', textMap(beamline)]);
    } else {
      fields.push(['lines', `[${sinceLast.join(',')}]`], ['state', obj([['locals', strMap(locals)], ['beamline', textMap(beamline)]])]);
      sinceLast = [];
    }
    if (frame) shownLocals.set(frame, new Map(locals));
    changedPvs = new Map();
    steps.push({ fields, puts: [] });
  };

  for (const e of events) {
    switch (e.kind) {
      case 'source':
        if (!code.has(e.channel)) code.set(e.channel, String(e.value ?? ''));
        if (e.truncated) sourceCut = true;
        break;
      case 'line': {
        const frame = `${e.pid}:${e.frame ?? e.depth}`;
        let locals = frames.get(frame);
        if (!locals) frames.set(frame, (locals = new Map()));
        for (const [k, v] of Object.entries(e.locals ?? {})) locals.set(k, v);
        cutValues += e.cut?.length ?? 0;
        entry ??= e.line?.file;
        inputBeamline ??= textMap(sorted(beamline));
        current = { frame, e };
        if (opts.granularity === 'line') lineStep(e, frame);
        else if (opts.format === 'et-dynamic') sinceLast.push(`[${j(e.line?.file ?? null)},${j(e.line?.line ?? null)}]`);
        break;
      }
      case 'update':
        if (wanted && !wanted.has(e.channel)) break;
        {
          const v = valueJson(e.value, e.float === true);
          if (beamline.get(e.channel) !== v) {
            beamline.set(e.channel, v);
            changedPvs.set(e.channel, v);
          }
        }
        break;
      case 'put':
        if (e.origin !== 'ca') break;
        if (opts.granularity === 'put') putStep(e);
        else {
          const s = e.line?.step !== undefined ? byStep.get(`${e.pid}:${e.line.step}`) : undefined;
          const put = obj([['pv', j(e.channel)], ['value', valueJson(e.value, e.float === true)]]);
          (s ?? steps[steps.length - 1])?.puts.push(put);
        }
        break;
      case 'output':
        stdout += String(e.value ?? '');
        if (e.truncated) stdoutCut = true;
        break;
      case 'line-limit':
        limited = true;
        break;
      case 'process':
        argv ??= Array.isArray(e.value) ? (e.value as string[]) : undefined;
        break;
    }
  }
  const stepsJson = steps.map((s) => obj(s.puts.length ? [...s.fields, ['puts', `[${s.puts.join(',')}]`]] : s.fields));
  const fields: [string, string][] = [
    ['id', j(opts.id)],
    ['format', j(opts.format)],
    ['granularity', j(opts.granularity)],
    ['code', strMap(code)],
    ['entry', j(entry ?? null)],
    [
      'inputs',
      obj([
        ['argv', j(argv ?? null)],
        ['command', j(header?.command ?? null)],
        ['beamline', inputBeamline ?? textMap(sorted(beamline))],
      ]),
    ],
    ['steps', `[${stepsJson.join(',')}]`],
    [
      'output',
      obj([
        ['beamline', textMap(sorted(beamline))],
        ['stdout', j(stdout)],
      ]),
    ],
    [
      'truncated',
      obj([
        ['steps', j(limited)],
        ['values', String(cutValues)],
        ['stdout', j(stdoutCut)],
        ['code', j(sourceCut)],
      ]),
    ],
    ...(opts.extra ?? []).map(([k, v]): [string, string] => [k, v]),
  ];
  return obj(fields) + '\n';
}
