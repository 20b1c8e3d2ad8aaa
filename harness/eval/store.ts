import fs from 'node:fs';
import path from 'node:path';
import { datasetSummary, type GroupStats, type TaskRow } from '../../aligner/dataset.js';
import { datasetCsv, datasetJson, datasetText } from '../../aligner/report/dataset.js';
import { RESULT_VERSION, type TaskSpec } from './manifest.js';
import { rowFromJson, type ScoredTask, type TaskResult } from './score.js';

/**
 * The output folder:
 *
 *   summary.json  summary.csv  summary.txt        all tasks (the aligner's dataset report + verdicts + run counters)
 *   cache/<hash>.jsonl, <hash>.json               reference traces by content hash (unless --cache elsewhere)
 *   tasks/<id>/result.json                        the task's rows; written last, so it marks the task done
 *   tasks/<id>/ref-<n>.jsonl                      the references' traces
 *   tasks/<id>/<candidate>.jsonl | .score.json | .html    each candidate's trace, full score report, HTML report
 */
export class OutDir {
  constructor(readonly root: string) {}

  taskDir(id: string): string {
    return path.join(this.root, 'tasks', id);
  }

  candidateTrace(taskId: string, candidateId: string): string {
    return path.join(this.taskDir(taskId), `${candidateId}.jsonl`);
  }

  /** A stored result, if it was made from exactly these inputs. */
  finished(task: TaskSpec): TaskResult | undefined {
    try {
      const r = JSON.parse(fs.readFileSync(path.join(this.taskDir(task.id), 'result.json'), 'utf8')) as TaskResult;
      return r.version === RESULT_VERSION && r.hash === task.hash ? r : undefined;
    } catch {
      return undefined;
    }
  }

  /** Reports and reference copies first, result.json last (atomically): a task is either done or not. */
  store(scored: ScoredTask, refTraces: readonly string[]): void {
    const dir = this.taskDir(scored.result.id);
    fs.mkdirSync(dir, { recursive: true });
    scored.result.references.forEach((r, i) => {
      const src = refTraces[i]!;
      const dst = path.join(dir, r.trace);
      if (path.resolve(src) !== path.resolve(dst)) fs.copyFileSync(src, dst);
    });
    for (const c of scored.result.candidates) {
      const rep = scored.reports.get(c.id)!;
      fs.writeFileSync(path.join(dir, c.files.json), rep.json);
      fs.writeFileSync(path.join(dir, c.files.html), rep.html);
    }
    writeAtomic(path.join(dir, 'result.json'), JSON.stringify(scored.result, null, 1) + '\n');
  }
}

export function writeAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

export interface Verdict {
  readonly id: string;
  readonly expect: 'pass' | 'fail';
  readonly verdict: 'pass' | 'fail';
  readonly ok: boolean;
}

export interface RunCounters {
  readonly tasks: number;
  /** Tasks whose stored result was reused. */
  readonly skipped: number;
  readonly evaluated: number;
  readonly failed: number;
  readonly cacheHits: number;
  readonly cacheMisses: number;
  readonly commandsRun: number;
  readonly overheadMsPerCommand: number | null;
  readonly elapsedS: number;
  readonly jobs: number;
  readonly interrupted: boolean;
}

export interface EvalSummary {
  readonly preset: string;
  readonly rows: readonly TaskRow[];
  readonly summary: Record<string, GroupStats>;
  readonly verdicts: readonly Verdict[];
  /** Tasks that did not finish (an error other than a failing candidate), by id. */
  readonly errors: Readonly<Record<string, string>>;
  readonly run: RunCounters;
  readonly results: readonly TaskResult[];
}

export function summarize(results: readonly TaskResult[], errors: Record<string, string>, run: RunCounters): EvalSummary {
  const rows = results.flatMap((r) => r.candidates.map((c) => rowFromJson(c.row)));
  const presets = [...new Set(results.map((r) => r.preset))];
  const verdicts = results.flatMap((r) => r.candidates.filter((c) => c.expect).map((c) => ({ id: `${r.id}/${c.id}`, expect: c.expect!, verdict: c.verdict, ok: c.ok === true })));
  return { preset: presets.length === 1 ? presets[0]! : presets.join('+') || 'vision', rows, summary: datasetSummary(rows), verdicts, errors, run, results };
}

/** The summary as JSON: the aligner's dataset document (deterministic), then verdicts and run counters. */
export function summaryJson(s: EvalSummary): unknown {
  const doc = datasetJson(s.preset, s.rows, s.summary) as { tasks: Record<string, unknown>[] };
  const extra = new Map<string, Record<string, unknown>>();
  for (const r of s.results) {
    for (const c of r.candidates) {
      extra.set(`${r.id}/${c.id}`, { task: r.id, candidate: c.id, verdict: c.verdict, expect: c.expect ?? null, unknown_pvs: c.run.unknownPvWrites, timed_out: c.run.timedOut, exit_code: c.run.exitCode, presets: c.presets });
    }
  }
  return {
    ...doc,
    tasks: doc.tasks.map((t) => ({ ...t, ...extra.get(String(t.id)) })),
    verdicts: { expected: s.verdicts.length, as_expected: s.verdicts.filter((v) => v.ok).length, mismatches: s.verdicts.filter((v) => !v.ok) },
    errors: s.errors,
    run: s.run,
  };
}

export function summaryText(s: EvalSummary): string {
  const head = `beamtwin eval — preset ${s.preset}, ${s.results.length} tasks, ${s.rows.length} candidates`;
  const out = [datasetText(s.preset, s.rows, s.summary).replace(/^beamtwin score-dataset[^\n]*/, head)];
  if (s.verdicts.length) {
    const bad = s.verdicts.filter((v) => !v.ok);
    out.push(`Expected verdicts: ${s.verdicts.length - bad.length}/${s.verdicts.length} as expected`);
    for (const v of bad) out.push(`  ${v.id}: expected ${v.expect}, got ${v.verdict}`);
  }
  for (const [id, e] of Object.entries(s.errors)) out.push(`Task ${id} did not finish: ${e}`);
  const r = s.run;
  out.push(
    `Run: ${r.tasks} tasks, ${r.evaluated} evaluated, ${r.skipped} reused, ${r.failed} failed; ${r.commandsRun} commands, reference cache ${r.cacheHits} hits / ${r.cacheMisses} misses; ` +
      `${r.elapsedS.toFixed(1)} s with --jobs ${r.jobs}${r.overheadMsPerCommand !== null ? `; twin overhead ${(r.overheadMsPerCommand / 1000).toFixed(3)} s per command` : ''}${r.interrupted ? ' (interrupted)' : ''}`,
  );
  const slow = slowestTasks(s.results);
  if (slow.length) out.push(`Slowest tasks: ${slow.map((t) => `${t.id} ${(t.durationMs / 1000).toFixed(1)} s`).join(', ')}`);
  return out.join('\n') + '\n';
}

/** The `n` tasks that took longest (results stored before durations were recorded have none). */
export function slowestTasks(results: readonly TaskResult[], n = 5): { id: string; durationMs: number }[] {
  return results
    .filter((r): r is TaskResult & { durationMs: number } => typeof r.durationMs === 'number')
    .map((r) => ({ id: r.id, durationMs: r.durationMs }))
    .sort((a, b) => b.durationMs - a.durationMs)
    .slice(0, n);
}

export function writeSummary(out: OutDir, s: EvalSummary): void {
  writeAtomic(path.join(out.root, 'summary.json'), JSON.stringify(summaryJson(s), null, 1) + '\n');
  writeAtomic(path.join(out.root, 'summary.csv'), datasetCsv(s.rows, s.summary));
  writeAtomic(path.join(out.root, 'summary.txt'), summaryText(s));
}
