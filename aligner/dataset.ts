import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import YAML from 'yaml';
import { readTrace } from './io/read-trace.js';
import type { BestOf, PresetName, ScoreResult } from './result.js';
import { scorePreset, type ScoreOptions } from './score.js';

/** One task of a dataset: references, a prediction, and what the harness needs to know about it. */
export interface DatasetTask {
  readonly id: string;
  readonly references: readonly string[];
  readonly prediction?: string;
  readonly isComplex: boolean;
  readonly ignore: readonly string[];
  /** The generated code equalled a reference verbatim: the harness scores 1 everywhere without simulating. */
  readonly exactCodeMatch: boolean;
}

export class DatasetError extends Error {
  override name = 'DatasetError';
}

const TRACE_EXT = new Set(['.json', '.jsonl', '.ndjson']);

function asList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

function taskFrom(raw: Record<string, unknown>, base: string, index: number): DatasetTask {
  const refs = asList(raw.references ?? raw.gt ?? raw.expected);
  const pred = raw.prediction ?? raw.pred;
  const exactCodeMatch = raw.exact_code_match === true;
  if (refs.length === 0 && !exactCodeMatch) throw new DatasetError(`task ${index + 1}: no references`);
  if (pred === undefined && !exactCodeMatch) throw new DatasetError(`task ${index + 1}: no prediction`);
  return {
    id: String(raw.id ?? raw.command ?? raw.task ?? `task-${index + 1}`),
    references: refs.map((r) => resolve(base, r)),
    ...(pred !== undefined ? { prediction: resolve(base, String(pred)) } : {}),
    isComplex: raw.is_complex === true,
    ignore: asList(raw.ignore ?? raw.ignore_pvs ?? raw.ignore_channels),
    exactCodeMatch,
  };
}

/** Read a manifest (JSON or YAML): a list of tasks or `{tasks: [...]}`; paths are relative to it. */
export function readManifest(path: string): DatasetTask[] {
  const text = readFileSync(path, 'utf8');
  const ext = extname(path).toLowerCase();
  const doc = ext === '.yaml' || ext === '.yml' ? YAML.parse(text) : JSON.parse(text);
  const list = Array.isArray(doc) ? doc : (doc as { tasks?: unknown })?.tasks;
  if (!Array.isArray(list)) throw new DatasetError(`${path}: expected a list of tasks or {"tasks": [...]}`);
  return list.map((t, i) => taskFrom(t as Record<string, unknown>, dirname(path), i));
}

/**
 * A folder of tasks: a manifest inside it (manifest.json/.yaml) wins; otherwise every sub-folder is a
 * task whose `gt*`/`ref*` files are the references (in name order), whose `pred*` file is the
 * prediction, and whose optional `task.json`/`task.yaml` holds `is_complex` and `ignore`.
 */
export function readDatasetFolder(dir: string): DatasetTask[] {
  for (const m of ['manifest.json', 'manifest.yaml', 'manifest.yml']) if (existsSync(join(dir, m))) return readManifest(join(dir, m));
  const tasks: DatasetTask[] = [];
  for (const name of readdirSync(dir).sort()) {
    const sub = join(dir, name);
    if (!statSync(sub).isDirectory()) continue;
    const files = readdirSync(sub).sort();
    const traces = files.filter((f) => TRACE_EXT.has(extname(f).toLowerCase()) && !/^task\./.test(f));
    const refs = traces.filter((f) => /^(gt|ref)/i.test(f));
    const preds = traces.filter((f) => /^pred/i.test(f));
    let extra: Record<string, unknown> = {};
    for (const t of ['task.json', 'task.yaml', 'task.yml']) {
      if (files.includes(t)) extra = (t.endsWith('.json') ? JSON.parse(readFileSync(join(sub, t), 'utf8')) : YAML.parse(readFileSync(join(sub, t), 'utf8'))) ?? {};
    }
    if (refs.length === 0 && preds.length === 0) continue;
    if (preds.length > 1) throw new DatasetError(`${sub}: more than one pred* file`);
    tasks.push(taskFrom({ id: name, references: refs, ...(preds[0] ? { prediction: preds[0] } : {}), ...extra }, sub, tasks.length));
  }
  if (tasks.length === 0) throw new DatasetError(`${dir}: no tasks (sub-folders with gt*/ref* and pred* traces, or a manifest)`);
  return tasks;
}

export function readDataset(path: string): DatasetTask[] {
  return statSync(path).isDirectory() ? readDatasetFolder(path) : readManifest(path);
}

/** One scored task, in the harness's terms. */
export interface TaskRow {
  readonly id: string;
  readonly complexity: 'simple' | 'complex';
  readonly referenceIndex: number;
  readonly fullScore: number;
  readonly fullMatch: boolean;
  readonly discreteRate: number;
  readonly discreteExact: boolean;
  readonly timingScore: number;
  readonly timingPass: boolean;
  /** null when no continuous channel was involved. */
  readonly continuousScore: number | null;
  readonly continuousPass: boolean | null;
  /** The temperature score the harness averages: 1 when not involved, 0 when no reference had events. */
  readonly continuousForStats: number;
  readonly exactCodeMatch: boolean;
  readonly error?: string;
  readonly result?: ScoreResult;
}

/** A task's row from its best-of score, in the harness's terms (also used by `beamtwin eval`). */
export function rowFromBest(id: string, complexity: 'simple' | 'complex', preset: PresetName, b: BestOf): TaskRow {
  const r = b.best;
  const c = r.metrics.continuous;
  const noChanges = preset === 'vision' && b.index === -1;
  return {
    id,
    complexity,
    exactCodeMatch: false,
    referenceIndex: b.index,
    fullScore: r.fullScore,
    fullMatch: r.accuracy,
    discreteRate: r.metrics.discrete!.score,
    discreteExact: r.metrics.discrete!.pass,
    timingScore: r.metrics.timing!.score,
    timingPass: r.metrics.timing!.pass,
    continuousScore: c ? c.score : null,
    continuousPass: c ? c.pass : null,
    continuousForStats: noChanges ? 0 : c ? c.score : 1,
    ...(r.referenceError ? { error: r.referenceError } : {}),
    result: r,
  };
}

export function scoreTask(task: DatasetTask, preset: PresetName, opts: ScoreOptions = {}): TaskRow {
  const complexity = task.isComplex ? 'complex' : 'simple';
  const base = { id: task.id, complexity, exactCodeMatch: task.exactCodeMatch } as const;
  if (task.exactCodeMatch) {
    return { ...base, referenceIndex: 0, fullScore: 1, fullMatch: true, discreteRate: 1, discreteExact: true, timingScore: 1, timingPass: true, continuousScore: null, continuousPass: null, continuousForStats: 1 };
  }
  try {
    const refs = task.references.map((r) => readTrace(r).events);
    const pred = readTrace(task.prediction!).events;
    const b = scorePreset(preset, refs, pred, { ...opts, ignore: [...(opts.ignore ?? []), ...task.ignore] });
    return rowFromBest(task.id, complexity, preset, b);
  } catch (e) {
    return { ...base, referenceIndex: -1, fullScore: 0, fullMatch: false, discreteRate: 0, discreteExact: false, timingScore: 0, timingPass: false, continuousScore: null, continuousPass: null, continuousForStats: 0, error: (e as Error).message };
  }
}

/** The harness's per-complexity statistics (`calculate_statistics`), rates in percent. */
export interface GroupStats {
  readonly count: number;
  readonly full_matches: number;
  readonly accuracy: number;
  readonly exact_code_matches: number;
  readonly exact_code_match_rate: number;
  readonly pv_exact_match_rate: number;
  readonly average_pv_match_rate: number;
  readonly average_pv_mismatch_rate: number;
  readonly timing_match_rate: number;
  readonly average_timing_score: number;
  readonly temp_matched: number;
  readonly temp_mismatched: number;
  readonly temp_match_rate: number;
  readonly average_temp_score: number;
  readonly full_match_rate: number;
  readonly average_full_score: number;
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
const pct = (k: number, n: number) => (n ? (k / n) * 100 : 0);

export function groupStats(rows: readonly TaskRow[]): GroupStats {
  const n = rows.length;
  const full = rows.filter((r) => r.fullMatch).length;
  const code = rows.filter((r) => r.exactCodeMatch).length;
  const tempRows = rows.filter((r) => r.continuousPass !== null);
  const tempOk = tempRows.filter((r) => r.continuousPass).length;
  return {
    count: n,
    full_matches: full,
    accuracy: pct(full, n),
    exact_code_matches: code,
    exact_code_match_rate: pct(code, n),
    pv_exact_match_rate: pct(rows.filter((r) => r.discreteExact).length, n),
    average_pv_match_rate: n ? mean(rows.map((r) => r.discreteRate)) * 100 : 0,
    average_pv_mismatch_rate: n ? mean(rows.map((r) => 1 - r.discreteRate)) * 100 : 0,
    timing_match_rate: pct(rows.filter((r) => r.timingPass).length, n),
    average_timing_score: mean(rows.map((r) => r.timingScore)),
    temp_matched: tempOk,
    temp_mismatched: tempRows.length - tempOk,
    temp_match_rate: pct(tempOk, tempRows.length),
    average_temp_score: mean(rows.map((r) => r.continuousForStats)),
    full_match_rate: pct(full, n),
    average_full_score: mean(rows.map((r) => r.fullScore)),
  };
}

/** Statistics split by complexity (a group appears only when it has tasks), plus all tasks together. */
export function datasetSummary(rows: readonly TaskRow[]): Record<string, GroupStats> {
  const out: Record<string, GroupStats> = {};
  for (const g of ['simple', 'complex'] as const) {
    const sub = rows.filter((r) => r.complexity === g);
    if (sub.length) out[g] = groupStats(sub);
  }
  out.all = groupStats(rows);
  return out;
}

export function scoreDataset(tasks: readonly DatasetTask[], preset: PresetName, opts: ScoreOptions = {}): { rows: TaskRow[]; summary: Record<string, GroupStats> } {
  const rows = tasks.map((t) => scoreTask(t, preset, opts));
  return { rows, summary: datasetSummary(rows) };
}

