import { describe, expect, it } from 'vitest';
import { parseEnvtraceConfig } from '../../aligner/config.js';
import { ENVTRACE_DEFAULTS, scoreEnvtrace, scoreEnvtraceBestOf } from '../../aligner/presets/envtrace.js';
import { parseTrace } from '../../aligner/io/read-trace.js';
import { ev } from './helpers/events.js';

// The EnvTrace package's own example traces (envtrace/examples/traces/{gt,pred}.json) and the numbers its
// CLI printed for them (envtrace/examples/reports/cli_report.json).
const GT = `{"events": [
  { "channel": "motor:x", "timestamp": 0.00, "value": 0.0 },
  { "channel": "det:AcquireTime", "timestamp": 0.05, "value": 1.0 },
  { "channel": "det:Acquire", "timestamp": 0.10, "value": 1 },
  { "channel": "det:Acquire", "timestamp": 1.10, "value": 0 },
  { "channel": "motor:y", "timestamp": 1.20, "value": -0.2 }]}`;
const PRED = `{"events": [
  { "channel": "motor:x", "timestamp": 0.00, "value": 0.0 },
  { "channel": "det:AcquireTime", "timestamp": 0.05, "value": 1.0 },
  { "channel": "det:Acquire", "timestamp": 0.12, "value": 1 },
  { "channel": "det:Acquire", "timestamp": 1.08, "value": 0 },
  { "channel": "motor:y", "timestamp": 1.21, "value": -0.2 }]}`;

describe('envtrace preset', () => {
  it('reproduces the package example report', () => {
    const r = scoreEnvtrace(parseTrace(GT).events, parseTrace(PRED).events);
    expect(r.fullScore).toBeCloseTo(0.9908710736422496, 12);
    expect(r.accuracy).toBe(true);
    const t = r.metrics.timing!.details;
    expect(t.r2).toBeCloseTo(0.9994668519006679, 12);
    expect(t.slope).toBeCloseTo(0.9911764705882352, 12);
    expect(t.mape).toBeCloseTo(0.1850000000000001, 12);
    expect(t.duration_ratio).toBeCloseTo(1.0083333333333333, 12);
    expect(t.duration_score).toBeCloseTo(0.9666666666666667, 12);
    expect(r.metrics.timing!.score).toBeCloseTo(0.9543553682112476, 12);
    expect(r.metrics.structure).toMatchObject({ score: 1, pass: true });
    expect(r.contributions.timing).toBeCloseTo(0.19087107364224953, 12);
  });

  it('sorts by timestamp before aligning (stable on ties)', () => {
    const gt = ev(['a', 0, 1], ['b', 1, 2]);
    const pred = ev(['b', 1, 2], ['a', 0, 1]); // recorded out of order
    const r = scoreEnvtrace(gt, pred);
    expect(r.metrics.discrete!.score).toBe(1);
  });

  it('compares numbers with a relative tolerance and everything else as Python str()', () => {
    const gt = ev(['a', 0, 100], ['b', 1, 0.1], ['c', 2, true], ['d', 3, 'on'], ['e', 4, 1]);
    const pred = ev(['a', 0, 100.05], ['b', 1, 0.1005], ['c', 2, 1], ['d', 3, 'on'], ['e', 4, '1']);
    const r = scoreEnvtrace(gt, pred);
    expect(r.rows.map((x) => x.match)).toEqual([true, false, false, true, true]);
    // str(True) == "True" != "1"; str(1) == "1" == "1".
  });

  it('keeps 1.0 and 1 apart where Python does (str(1.0) != "1")', () => {
    const gt = parseTrace('[{"channel":"a","timestamp":0,"value":1.0},{"channel":"b","timestamp":1,"value":1}]').events;
    const pred = ev(['a', 0, '1'], ['b', 1, '1']);
    expect(scoreEnvtrace(gt, pred).rows.map((x) => x.match)).toEqual([false, true]);
    const pred2 = ev(['a', 0, '1.0'], ['b', 1, '1.0']);
    expect(scoreEnvtrace(gt, pred2).rows.map((x) => x.match)).toEqual([true, false]);
  });

  it('both traces empty: rate 1, exact, but no timing pairs → full 0.8, not accurate', () => {
    const r = scoreEnvtrace([], []);
    expect(r.metrics.discrete).toMatchObject({ score: 1, pass: true });
    expect(r.metrics.timing).toMatchObject({ score: 0, pass: false });
    expect(r.fullScore).toBe(0.8);
    expect(r.accuracy).toBe(false);
  });

  it('counts a replace row between different channels as a value match, as the package does', () => {
    // difflib: [a, b] vs [a, c] → equal a, replace b↔c; EnvTrace compares 2 with 2 and counts it.
    const r = scoreEnvtrace(ev(['a', 0, 1], ['b', 1, 2]), ev(['a', 0, 1], ['c', 1, 2]));
    expect(r.metrics.discrete!.details.value_matches).toBe(2);
    expect(r.metrics.discrete!.pass).toBe(true);
    expect(r.rows[1]!.match).toBe(false); // but the table flags it, like build_alignment_rows
  });

  it('structure: gaps over rows', () => {
    const r = scoreEnvtrace(ev(['a', 0, 1], ['b', 1, 2], ['c', 2, 3]), ev(['a', 0, 1], ['c', 2, 3]));
    expect(r.metrics.structure!.details).toEqual({ gap_rate: 1 / 3, gaps: 1, total_pairs: 3 });
    expect(r.weights).toEqual({ discrete: 0.8, timing: 0.2 }); // weight 0 by default
  });

  it('reports the polyfit failure on constant GT timestamps instead of a number', () => {
    const r = scoreEnvtrace(ev(['a', 5, 1], ['b', 5, 2]), ev(['a', 1, 1], ['b', 2, 2]));
    expect(r.referenceError).toMatch(/LinAlgError/);
    expect(r.fullScore).toBeNaN();
  });

  const CONFIG = {
    aliases: { 'XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr': 'motor:x' },
    ignore_channels: ['det:AcquireTime'],
    comparators: { default: { type: 'numeric_tolerance', tol: 0.001 }, by_channel: { 'det:Acquire': { type: 'exact' } } },
    continuous_channels: { 'stage:temp': { weight: 1.0 } },
    decision: { required_metrics: ['continuous'] },
  };

  it('applies a configuration: aliases, ignore list, per-channel comparators, continuous channels', () => {
    const cfg = parseEnvtraceConfig(CONFIG);
    const gt = ev(['XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr', 0, 0], ['det:AcquireTime', 0.05, 1], ['det:Acquire', 0.1, 1], ['stage:temp', 0.2, 20], ['stage:temp', 0.4, 40]);
    const pred = ev(['motor:x', 0, 0], ['det:AcquireTime', 0.05, 9], ['det:Acquire', 0.1, 1.0000001], ['stage:temp', 0.2, 20], ['stage:temp', 0.4, 39.5]);
    const r = scoreEnvtrace(gt, pred, cfg);
    expect(r.rows.map((x) => [x.gt?.channel, x.match])).toEqual([
      ['motor:x', true],
      ['det:Acquire', false], // exact comparator on this channel
    ]);
    expect(r.weights).toEqual({ discrete: 0.6, timing: 0.2, continuous: 0.2 });
    // temp: MAE (0 + 0.5)/2 = 0.25, final 0.5.
    const cont = 0.7 * Math.exp(-0.25 / 15) + 0.3 * Math.exp(-0.5 / 15);
    expect(r.metrics.continuous!.score).toBeCloseTo(cont, 12);
    expect(r.fullScore).toBeCloseTo(0.6 * 0.5 + 0.2 * 1 + 0.2 * cont, 12);
    expect(r.passes).toEqual({ discrete: false, timing: true, continuous: true });
  });

  it('uses 0.6/0.2/0.2 whenever a continuous channel is configured, even without its events', () => {
    const r = scoreEnvtrace(ev(['a', 0, 1]), ev(['a', 0, 1]), parseEnvtraceConfig({ continuous_channels: { t: {} } }));
    expect(r.metrics.continuous).toMatchObject({ score: 1, pass: true });
    expect(r.fullScore).toBeCloseTo(0.6 + 0.2 + 0.2, 15);
  });

  it('takes a custom full-score formula instead of weights', () => {
    const cfg = { ...ENVTRACE_DEFAULTS, formula: (m: Record<string, { score: number }>) => m.discrete!.score * m.timing!.score };
    const r = scoreEnvtrace(ev(['a', 0, 1], ['b', 1, 2]), ev(['a', 0, 1], ['b', 1, 3]), cfg);
    expect(r.fullScore).toBe(0.5 * 1); // rate 1/2, one matched pair → timing 1
    expect(r.contributions).toEqual({});
  });

  it('custom weights may include the structure metric', () => {
    const cfg = parseEnvtraceConfig({ aggregation: { weights: { discrete: 0.5, timing: 0.25, structure: 0.25 } } });
    const r = scoreEnvtrace(ev(['a', 0, 1], ['b', 1, 2]), ev(['a', 0, 1]), cfg);
    // rate 1/2, timing 1 (one pair), structure 1 − 1/2
    expect(r.fullScore).toBeCloseTo(0.5 * 0.5 + 0.25 * 1 + 0.25 * 0.5, 15);
  });

  it('best-of keeps the first highest score and never a NaN', () => {
    const pred = ev(['a', 0, 1], ['b', 1, 2]);
    const worse = ev(['a', 0, 1], ['b', 1, 3]);
    const nan = ev(['a', 4, 1], ['b', 4, 2]);
    const r = scoreEnvtraceBestOf([nan, worse, pred, pred], pred, ENVTRACE_DEFAULTS);
    expect(r.index).toBe(2);
    const none = scoreEnvtraceBestOf([nan], pred);
    expect(none.index).toBe(-1); // scored against an empty trace
    expect(none.best.fullScore).toBeCloseTo(0.8 * 0, 15);
  });
});
