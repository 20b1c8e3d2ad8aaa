import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { parseEnvtraceConfig } from '../../aligner/config.js';
import { rowFromBest, type TaskRow } from '../../aligner/dataset.js';
import { parseTrace } from '../../aligner/io/read-trace.js';
import type { EnvtraceConfig } from '../../aligner/presets/envtrace.js';
import { renderHtmlReport } from '../../aligner/report/html.js';
import { scoreJson } from '../../aligner/report/json.js';
import type { PresetName } from '../../aligner/result.js';
import { scoreAllPresets, type ScoreOptions } from '../../aligner/score.js';
import type { Event } from '../../aligner/trace.js';
import type { Profile } from '../../devices/profile/profile.js';
import { scoredEvents } from '../validate/to-aligner.js';
import type { CandidateRun, ReferenceRun, TaskRun } from './execute.js';
import { RESULT_VERSION, type ScoringSpec, type TaskSpec } from './manifest.js';

/** A scored row without the full alignment (which lives in the per-candidate JSON report). */
export type StoredRow = Omit<TaskRow, 'result'>;

export interface CandidateResult {
  readonly id: string;
  readonly expect?: 'pass' | 'fail';
  /** The chosen preset's binary accuracy, in words. */
  readonly verdict: 'pass' | 'fail';
  /** verdict === expect; null without an expectation. */
  readonly ok: boolean | null;
  readonly row: StoredRow;
  readonly presets: Readonly<Record<string, { readonly full_score: number | null; readonly accuracy: boolean }>>;
  readonly run: { readonly exitCode: number; readonly timedOut: boolean; readonly durationMs: number; readonly events: number; readonly unknownPvWrites: readonly string[] };
  /** Files beside result.json. */
  readonly files: { readonly trace: string; readonly json: string; readonly html: string };
}

/** `tasks/<id>/result.json`: the task is done while `hash` matches the manifest's. */
export interface TaskResult {
  readonly version: number;
  readonly hash: string;
  readonly id: string;
  readonly complexity: 'simple' | 'complex';
  readonly preset: PresetName;
  readonly references: readonly { readonly hash: string; readonly kind: string; readonly exitCode?: number; readonly timedOut?: boolean; readonly durationMs?: number; readonly trace: string }[];
  readonly candidates: readonly CandidateResult[];
  /** Wall time of the evaluation that produced this result: running (including waiting for a twin) and scoring. */
  readonly durationMs?: number;
}

/** The EnvTrace configuration a task's scoring options describe (a config file, then continuous channels and markers). */
export function taskConfig(s: ScoringSpec): EnvtraceConfig | undefined {
  if (!s.config && !s.continuous.length && !s.markers.length) return undefined;
  let raw: Record<string, unknown> = {};
  if (s.config) {
    const text = fs.readFileSync(s.config.path, 'utf8');
    raw = ((/\.ya?ml$/i.test(s.config.path) ? YAML.parse(text) : JSON.parse(text || '{}')) ?? {}) as Record<string, unknown>;
  }
  const cont = { ...((raw.continuous_channels as object) ?? {}) } as Record<string, unknown>;
  for (const c of s.continuous) cont[c] ??= {};
  const comps = { ...((raw.comparators as object) ?? {}) } as Record<string, unknown>;
  const byCh = { ...((comps.by_channel as object) ?? {}) } as Record<string, unknown>;
  for (const m of s.markers) byCh[m] ??= { type: 'always_true' };
  return parseEnvtraceConfig({ ...raw, continuous_channels: cont, comparators: { ...comps, by_channel: byCh } });
}

function readTraceFile(file: string): { events: Event[]; recorded: boolean } {
  const t = parseTrace(fs.readFileSync(file, 'utf8'), file);
  // A beamtwin JSON Lines trace holds every channel; EnvTrace/VISION files hold what is to be scored.
  return { events: t.events, recorded: t.format === 'jsonl' };
}

const nanToNull = (x: number) => (Number.isFinite(x) ? x : null);

/** Rows survive JSON: NaN scores are written as null and read back as NaN. */
export function rowToJson(r: TaskRow): StoredRow {
  const { result: _r, ...rest } = r;
  return { ...rest, fullScore: nanToNull(rest.fullScore) as number, discreteRate: nanToNull(rest.discreteRate) as number, timingScore: nanToNull(rest.timingScore) as number };
}

export function rowFromJson(r: StoredRow): TaskRow {
  const back = (x: number | null) => (x === null ? NaN : x);
  return { ...r, fullScore: back(r.fullScore), discreteRate: back(r.discreteRate), timingScore: back(r.timingScore) };
}

export interface ScoredTask {
  readonly result: TaskResult;
  /** Per candidate: the full JSON report and the HTML report. */
  readonly reports: ReadonlyMap<string, { readonly json: string; readonly html: string }>;
}

function referenceNote(r: ReferenceRun): string | undefined {
  if (r.kind !== 'command') return undefined;
  if (r.timedOut) return `reference timed out (killed after ${(r.durationMs / 1000).toFixed(1)} s)`;
  if (r.exitCode !== 0) return `reference exited ${r.exitCode}`;
  return undefined;
}

/**
 * Score every candidate of a task against its references with every preset; the task's preset decides
 * the verdict. Scored channels: the profile's tracked ones, the task's `channels` and markers, plus (scoreUnknownPvs) PVs the
 * real beamline lacks that either side wrote, so an extra write to a non-existent PV is an extra event.
 */
export function scoreTaskRun(task: TaskSpec, run: TaskRun, profile: Profile, traceName: (kind: 'ref' | 'cand', id: string) => string): ScoredTask {
  const tracked = profile.tracked ?? [];
  const refUnknown = run.references.flatMap((r) => (r.kind === 'command' ? r.unknownPvWrites : []));
  const refRaw = run.references.map((r) => readTraceFile(r.tracePath));
  const config = taskConfig(task.scoring);
  const opts: ScoreOptions = { ignore: task.scoring.ignore, ...(config ? { config } : {}) };
  const refNames = run.references.map((_, i) => traceName('ref', String(i + 1)));
  const refNote = run.references.map(referenceNote).find((x) => x);
  const reports = new Map<string, { json: string; html: string }>();
  const candidates = task.candidates.map((spec, k): CandidateResult => {
    const c: CandidateRun = run.candidates[k]!;
    const unknown = task.scoring.scoreUnknownPvs ? [...new Set([...refUnknown, ...c.unknownPvWrites])] : [];
    const channels = tracked.length ? [...new Set([...tracked, ...task.scoring.channels, ...unknown])] : [];
    const refs = refRaw.map((r) => (r.recorded ? scoredEvents(r.events, channels) : r.events));
    const pred = scoredEvents(readTraceFile(c.tracePath).events, channels);
    const all = scoreAllPresets(refs, pred, opts);
    const preset = task.scoring.preset;
    let row = rowFromBest(`${task.id}/${c.id}`, task.complexity, preset, all[preset]);
    const notes = [refNote, c.timedOut ? `candidate timed out (killed, scored on its trace)` : c.exitCode !== 0 ? `candidate exited ${c.exitCode}` : undefined].filter(Boolean);
    if (notes.length) row = { ...row, error: [row.error, ...notes].filter(Boolean).join('; ') };
    const verdict = row.fullMatch ? 'pass' : 'fail';
    const trace = traceName('cand', c.id);
    const files = { trace, json: trace.replace(/\.jsonl$/, '.score.json'), html: trace.replace(/\.jsonl$/, '.html') };
    reports.set(c.id, {
      json: JSON.stringify({ task: task.id, candidate: c.id, ...(scoreJson(preset, all, refNames) as object) }, null, 1) + '\n',
      html: renderHtmlReport(preset, all, refNames, `${task.id}/${c.id} (${path.basename(trace)})`),
    });
    return {
      id: c.id,
      ...(spec.expect ? { expect: spec.expect } : {}),
      verdict,
      ok: spec.expect ? spec.expect === verdict : null,
      row: rowToJson(row),
      presets: Object.fromEntries(Object.entries(all).map(([k2, b]) => [k2, { full_score: nanToNull(b.best.fullScore), accuracy: b.best.accuracy }])),
      run: { exitCode: c.exitCode, timedOut: c.timedOut, durationMs: c.durationMs, events: c.events, unknownPvWrites: c.unknownPvWrites },
      files,
    };
  });
  const result: TaskResult = {
    version: RESULT_VERSION,
    hash: task.hash,
    id: task.id,
    complexity: task.complexity,
    preset: task.scoring.preset,
    references: run.references.map((r, i) => ({
      hash: r.hash,
      kind: r.kind,
      ...(r.kind === 'command' ? { exitCode: r.exitCode, timedOut: r.timedOut, durationMs: r.durationMs } : {}),
      trace: refNames[i]!,
    })),
    candidates,
  };
  return { result, reports };
}
