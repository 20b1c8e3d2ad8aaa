import { describe, expect, it } from 'vitest';
import { BarProgress, LineProgress, progressFor } from '../../cli/eval/progress.js';
import { slowestTasks, summaryText, type EvalSummary } from '../../harness/eval/store.js';
import type { TaskResult } from '../../harness/eval/score.js';

const plan = { tasks: 3, reused: 1, jobs: 2, candidates: 7, reusedCandidates: 2 };

function stream(isTTY: boolean) {
  let text = '';
  return { write: (s: string) => ((text += s), true), isTTY, columns: 300, text: () => text, on: () => undefined, removeListener: () => undefined };
}
// What a terminal shows last: the text after the final carriage return / line clear, escapes removed.
const plain = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '');

describe('eval progress', () => {
  it('not a terminal: one plain line per task, no escape codes', async () => {
    const out = stream(false);
    const p = (await progressFor(out, false))(plan);
    expect(p).toBeInstanceOf(LineProgress);
    p.started('a');
    p.started('b');
    p.finished('a', 1, 3);
    p.failed('b', 'reference timed out');
    p.interrupted();
    p.close();
    const lines = out.text().split('\n').filter(Boolean);
    expect(lines[0]).toBe('eval: 1 of 3 tasks already done (inputs unchanged), reused');
    expect(lines[1]).toMatch(/^eval: \[2\/3\] a: 2\/3 candidates pass \(\d+\.\d s\)$/);
    expect(lines[2]).toBe('eval: task b failed: reference timed out');
    expect(lines[3]).toMatch(/^eval: interrupted/);
    expect(out.text()).not.toMatch(/\x1b/);
  });

  it('--quiet on a terminal: the same plain lines', async () => {
    const out = stream(true);
    expect((await progressFor(out, true))(plan)).toBeInstanceOf(LineProgress);
  });

  it('a terminal: a bar with tasks and candidates done of all, failing, errors, elapsed, ETA and what runs', async () => {
    const out = stream(true);
    const p = (await progressFor(out, false))(plan);
    expect(p).toBeInstanceOf(BarProgress);
    p.started('alpha');
    p.started('beta');
    let shown = plain(out.text());
    expect(shown).toMatch(/1\/3 tasks · 2\/7 candidates \(0 failing\) · 0 errors · \S+ elapsed · ETA \S+ · running: 2 \(alpha, beta\)/);
    p.finished('alpha', 1, 3, 'unexpected verdict: c2');
    p.failed('beta', 'boom');
    p.close();
    shown = plain(out.text());
    expect(shown).toContain('eval: 1 of 3 tasks already done (inputs unchanged), reused');
    expect(shown).toContain('eval: alpha: unexpected verdict: c2');
    expect(shown).toContain('eval: task beta failed: boom');
  });
});

describe('eval summary', () => {
  const result = (id: string, durationMs?: number) => ({ id, candidates: [], ...(durationMs !== undefined ? { durationMs } : {}) }) as unknown as TaskResult;

  it('ends with the slowest tasks, longest first; results without a duration are left out', () => {
    const results = [result('quick', 1200), result('old'), result('slow', 9100), result('mid', 4000)];
    expect(slowestTasks(results, 2)).toEqual([
      { id: 'slow', durationMs: 9100 },
      { id: 'mid', durationMs: 4000 },
    ]);
    const s = {
      preset: 'vision',
      rows: [],
      summary: {},
      verdicts: [],
      errors: {},
      results,
      run: { tasks: 4, evaluated: 4, skipped: 0, failed: 0, commandsRun: 8, cacheHits: 0, cacheMisses: 4, elapsedS: 10, jobs: 2, overheadMsPerCommand: null, interrupted: false },
    } as unknown as EvalSummary;
    const text = summaryText(s).trimEnd().split('\n');
    expect(text.at(-1)).toBe('Slowest tasks: slow 9.1 s, mid 4.0 s, quick 1.2 s');
    expect(text.join('\n')).toMatch(/task\s+kind\s+full\s+verdict\s+discrete\s+exact\s+timing\s+timing ok\s+cont\./);
  });
});
