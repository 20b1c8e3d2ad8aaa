import { describe, expect, it } from 'vitest';
import { hirschberg } from '../../aligner/hirschberg.js';
import { myersMatches } from '../../aligner/myers.js';
import { scoreNative, scoreNativeBestOf } from '../../aligner/presets/native.js';
import { scoreVision, VISION_TEMP } from '../../aligner/presets/vision.js';
import type { Event } from '../../aligner/trace.js';
import { ev } from './helpers/events.js';
import { rng } from './helpers/python.js';

function lcsLength(a: number[], b: number[]): number {
  const dp = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) dp[i]![j] = a[i - 1] === b[j - 1] ? dp[i - 1]![j - 1]! + 1 : Math.max(dp[i - 1]![j]!, dp[i]![j - 1]!);
  return dp[a.length]![b.length]!;
}

describe('Myers linear-space LCS', () => {
  it('finds a longest common subsequence (checked against the quadratic DP) on 1500 random pairs', () => {
    const next = rng(7);
    for (let t = 0; t < 1500; t++) {
      const k = 1 + Math.floor(next() * 5);
      const a = Array.from({ length: Math.floor(next() * 30) }, () => Math.floor(next() * k));
      const b = next() < 0.5 ? a.filter(() => next() > 0.2).map((x) => (next() < 0.1 ? Math.floor(next() * k) : x)) : Array.from({ length: Math.floor(next() * 30) }, () => Math.floor(next() * k));
      const { ai, bj } = myersMatches(a.length, b.length, (i, j) => a[i] === b[j]);
      for (let p = 0; p < ai.length; p++) {
        expect(a[ai[p]!]).toBe(b[bj[p]!]);
        if (p > 0) expect(ai[p]! > ai[p - 1]! && bj[p]! > bj[p - 1]!).toBe(true);
      }
      expect(ai.length).toBe(lcsLength(a, b));
    }
  });

  it('stays a valid common subsequence when the cost cap cuts the search short', () => {
    const next = rng(11);
    const a = Array.from({ length: 3000 }, () => Math.floor(next() * 3));
    const b = Array.from({ length: 3000 }, () => Math.floor(next() * 3));
    const { ai, bj } = myersMatches(a.length, b.length, (i, j) => a[i] === b[j], { maxCost: 16 });
    for (let p = 0; p < ai.length; p++) expect(a[ai[p]!]).toBe(b[bj[p]!]);
    expect(ai.length).toBeGreaterThan(1000);
  });
});

describe('Hirschberg alignment', () => {
  it('reaches the optimal cost of the full table on random blocks larger than one table', () => {
    const next = rng(3);
    for (let t = 0; t < 20; t++) {
      const a = Array.from({ length: 200 + Math.floor(next() * 200) }, () => Math.floor(next() * 4));
      const b = Array.from({ length: 200 + Math.floor(next() * 200) }, () => Math.floor(next() * 4));
      const sub = (i: number, j: number) => (a[i] === b[j] ? 0 : 3);
      const ops = hirschberg(0, a.length, 0, b.length, sub, 2);
      const cost = ops.reduce((s, [i, j]) => s + (i >= 0 && j >= 0 ? sub(i, j) : 2), 0);
      // reference cost by the plain quadratic recurrence
      let prev = Array.from({ length: b.length + 1 }, (_, k) => 2 * k);
      for (let i = 1; i <= a.length; i++) {
        const cur = [2 * i];
        for (let k = 1; k <= b.length; k++) cur[k] = Math.min(prev[k - 1]! + sub(i - 1, k - 1), prev[k]! + 2, cur[k - 1]! + 2);
        prev = cur;
      }
      expect(cost).toBe(prev[b.length]);
      expect(ops.filter(([i]) => i >= 0).map(([i]) => i)).toEqual(a.map((_, i) => i));
      expect(ops.filter(([, j]) => j >= 0).map(([, j]) => j)).toEqual(b.map((_, j) => j));
    }
  });
});

describe('native preset', () => {
  it('sees a swap as a swap: one match and two gaps, where the references see two value mismatches', () => {
    const gt = ev(['x', 0, 1], ['x', 1, 2]);
    const pred = ev(['x', 0, 2], ['x', 1, 1]);
    const native = scoreNative(gt, pred);
    expect(native.metrics.discrete!.details.value_matches).toBe(1);
    expect(native.rows.map((r) => r.match)).toEqual([null, true, null]);
    expect(scoreVision(gt, pred).metrics.discrete!.details.value_matches).toBe(0);
  });

  it('pairs a changed value with its channel instead of deleting and inserting it', () => {
    const r = scoreNative(ev(['a', 0, 1], ['b', 1, 5], ['c', 2, 3]), ev(['a', 0, 1], ['b', 1, 6], ['c', 2, 3]));
    expect(r.rows.map((x) => [x.gt?.channel, x.pred?.channel, x.match])).toEqual([
      ['a', 'a', true],
      ['b', 'b', false],
      ['c', 'c', true],
    ]);
  });

  it('scores a ramp sampled at a different rate by time, where index padding penalises it', () => {
    const ramp = (dt: number, n: number): Event[] => Array.from({ length: n }, (_, k) => ({ channel: VISION_TEMP, timestamp: k * dt, value: 20 + 2 * k * dt }));
    const gt = [...ev(['go', 0, 1]), ...ramp(1, 31)]; // 20 → 80 °C over 30 s, 1 Hz
    const pred = [...ev(['go', 0, 1]), ...ramp(3, 11)]; // the same ramp at 1/3 Hz
    const native = scoreNative(gt, pred).metrics.continuous!;
    expect(native.details.per_channel).toBeDefined();
    expect(native.score).toBeCloseTo(1, 9);
    expect(native.pass).toBe(true);
    expect(scoreVision(gt, pred).metrics.continuous!.pass).toBe(false); // MAE by index ≈ 25 °C
  });

  it('zeroes timing at each trace start, so a mismatched first event does not move the origin', () => {
    const gt = ev(['a', 0, 1], ['b', 10, 1], ['c', 20, 1]);
    const pred = ev(['a', 0, 9], ['b', 10, 1], ['c', 20, 1]);
    expect(scoreNative(gt, pred).metrics.timing).toMatchObject({ score: 1, pass: true });
  });

  it('takes a motor tolerance from MRES metadata', () => {
    const gt: Event[] = [{ channel: 'm', timestamp: 0, value: 1.234, meta: { MRES: 0.01 } }];
    expect(scoreNative(gt, ev(['m', 0, 1.23])).metrics.discrete!.pass).toBe(true);
    expect(scoreNative(gt, ev(['m', 0, 1.22])).metrics.discrete!.pass).toBe(false);
    expect(scoreVision(gt, ev(['m', 0, 1.23])).metrics.discrete!.pass).toBe(false);
  });

  it('has no NaN: all events at one instant in both traces is a perfect schedule', () => {
    const r = scoreNative(ev(['a', 5, 1], ['b', 5, 2]), ev(['a', 9, 1], ['b', 9, 2]));
    expect(r.fullScore).toBe(1);
    expect(r.accuracy).toBe(true);
  });

  it('two empty traces agree; an empty reference against actions does not', () => {
    expect(scoreNative([], [])).toMatchObject({ fullScore: 1, accuracy: true });
    expect(scoreNative([], ev(['a', 0, 1])).fullScore).toBe(0);
  });

  it('best-of returns the first highest', () => {
    const pred = ev(['a', 0, 1]);
    expect(scoreNativeBestOf([ev(['a', 0, 2]), pred, pred], pred).index).toBe(1);
  });
});
