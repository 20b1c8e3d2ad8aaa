import { describe, expect, it } from 'vitest';
import { continuousMetric } from '../../aligner/metrics/continuous.js';
import { structureMetric } from '../../aligner/metrics/structure.js';
import { timingMetric } from '../../aligner/metrics/timing.js';
import { pyFloat } from '../../aligner/py/float.js';
import { isClose, pyMax, pyMin } from '../../aligner/py/math.js';
import { pyFloatRepr, pyStr } from '../../aligner/py/str.js';
import { pairwiseSum } from '../../aligner/stats/pairwise-sum.js';

describe('timing metric', () => {
  // gt = [0,1,2], pred = [0,1,3]: dx = [-1,0,1], dy = [-4/3,-1/3,5/3]; sxx = 2, sxy = 3, syy = 42/9;
  // slope = 3/2, r² = 9/(2·42/9) = 81/84; slope_score = 0.5; durations 2 vs 3 → |3-2|/2 = 0.5 > 0.25 → 0;
  // intervals [1,1] vs [1,2] → mape = (0 + 1)/2 = 0.5 → 0.5. score = 0.4·81/84 + 0.2·0.5 + 0 + 0.2·0.5.
  const expected = 0.4 * (81 / 84) + 0.2 * 0.5 + 0.2 * 0.5;
  for (const fit of ['linregress', 'polyfit'] as const) {
    it(`computes every component by hand (${fit})`, () => {
      const r = timingMetric([10, 11, 12], [100, 101, 103], fit);
      expect(r.score).toBeCloseTo(expected, 12);
      expect(r.details.r2).toBeCloseTo(81 / 84, 12);
      expect(r.details.slope).toBeCloseTo(1.5, 12);
      expect(r.details.duration_score).toBe(0);
      expect(r.details.mape).toBeCloseTo(0.5, 12);
      expect(r.details.duration_ratio).toBeCloseTo(1.5, 12);
      expect(r.pass).toBe(false); // slope 1.5 is outside [0.8, 1.2]
    });
  }

  it('is 0 and fails with no pairs, 1 and passes with one', () => {
    expect(timingMetric([], [], 'linregress')).toMatchObject({ score: 0, pass: false });
    expect(timingMetric([5], [7], 'polyfit')).toMatchObject({ score: 1, pass: true });
  });

  it('passes an identical schedule with score 1', () => {
    const r = timingMetric([0, 1, 3, 4], [2, 3, 5, 6], 'linregress');
    expect(r.score).toBeCloseTo(1, 12);
    expect(r.pass).toBe(true);
  });

  it('vision: constant GT timestamps give slope 0/0 = NaN and a NaN score (linregress semantics)', () => {
    const r = timingMetric([3, 3, 3], [1, 2, 4], 'linregress');
    expect(r.details.slope).toBeNaN();
    expect(r.details.r2).toBe(0); // r = 0 when sqrt(ssxm·ssym) == 0
    expect(r.details.slope_score).toBeNaN(); // 1 − min(nan, 1) keeps the nan
    expect(r.details.duration_score).toBe(0); // dur_gt == 0
    expect(r.details.mape_score).toBe(0); // max(0, 1 − huge) = 0
    expect(r.score).toBeNaN();
    expect(r.pass).toBe(false);
  });

  it('vision: constant predicted timestamps give r = 0 and slope 0, not NaN', () => {
    const r = timingMetric([0, 1, 2], [5, 5, 5], 'linregress');
    expect(r.details.r2).toBe(0);
    expect(r.details.slope).toBe(0);
    // slope_score 0, duration |0-2|/2 = 1 → 0, mape = 1 → 0.
    expect(r.score).toBe(0);
  });

  it('envtrace: constant GT timestamps are where numpy.polyfit raises; reported, not scored', () => {
    const r = timingMetric([3, 3], [1, 2], 'polyfit');
    expect(r.score).toBeNaN();
    expect(String(r.details.error)).toMatch(/LinAlgError/);
  });

  it('uses thresholds: duration within 25 % passes, MAPE ≤ 1', () => {
    // gt [0,4], pred [0,5]: slope 1.25 fails the slope window but durations differ by exactly 25 %.
    const r = timingMetric([0, 4], [0, 5], 'linregress', { r2Thresh: 0.9, slopeLo: 0.8, slopeHi: 1.3, durTol: 0.25, mapeTol: 1 });
    expect(r.details.duration_score).toBe(0); // 1 − 0.25/0.25
    expect(r.pass).toBe(true);
  });
});

describe('continuous metric', () => {
  it('scores MAE and final difference with exponential decay', () => {
    // |0| + |0.5| + |0.5| over 3 → MAE 1/3; final 0.5.
    const r = continuousMetric([20, 40, 60], [20, 39.5, 60.5]);
    expect(r.details.mae).toBeCloseTo(1 / 3, 12);
    expect(r.details.final_diff).toBeCloseTo(0.5, 12);
    expect(r.score).toBeCloseTo(0.7 * Math.exp(-1 / 45) + 0.3 * Math.exp(-0.5 / 15), 12);
    expect(r.pass).toBe(true);
  });
  it('pads the shorter series with its last value', () => {
    // pred [10] → [10, 10]: MAE (0 + 10)/2 = 5 (passes, ≤ 5), final 10 (fails).
    const r = continuousMetric([10, 20], [10]);
    expect(r.details.mae).toBe(5);
    expect(r.details.final_diff).toBe(10);
    expect(r.pass).toBe(false);
    expect(r.score).toBeCloseTo(0.7 * Math.exp(-5 / 15) + 0.3 * Math.exp(-10 / 15), 12);
  });
  it('both empty → 1 and pass; one empty → 0 and fail', () => {
    expect(continuousMetric([], [])).toMatchObject({ score: 1, pass: true });
    expect(continuousMetric([1], [])).toMatchObject({ score: 0, pass: false });
    expect(continuousMetric([], [1])).toMatchObject({ score: 0, pass: false });
  });
});

describe('structure metric', () => {
  it('gap_rate = gaps / rows; passes only without gaps', () => {
    const r = structureMetric([[1, 1], [null, 2], [3, null], [4, 4], [5, 5]]);
    expect(r.details).toEqual({ gap_rate: 0.4, gaps: 2, total_pairs: 5 });
    expect(r.score).toBeCloseTo(0.6, 15);
    expect(r.pass).toBe(false);
    expect(structureMetric([])).toMatchObject({ score: 1, pass: true });
  });
});

describe('Python semantics', () => {
  it('float() accepts what Python accepts', () => {
    expect(pyFloat(' 1_000.5 ')).toBe(1000.5);
    expect(pyFloat('-Infinity')).toBe(-Infinity);
    expect(pyFloat('nan')).toBeNaN();
    expect(pyFloat(true)).toBe(1);
    expect(pyFloat('0x10')).toBeUndefined();
    expect(pyFloat('')).toBeUndefined();
    expect(pyFloat('1__0')).toBeUndefined();
    expect(pyFloat(null)).toBeUndefined();
    expect(pyFloat([1])).toBeUndefined();
  });
  it('str() prints like Python', () => {
    expect(pyStr(1)).toBe('1');
    expect(pyStr(1, true)).toBe('1.0');
    expect(pyStr(true)).toBe('True');
    expect(pyStr(null)).toBe('None');
    expect(pyStr([1, 'a', null, "it's"])).toBe(`[1, 'a', None, "it's"]`);
    expect(pyStr({ a: 0.5 })).toBe("{'a': 0.5}");
    expect([1e16, 1e-5, 0.0001, 123.456, -0, 1.5e300, 2 ** 60].map(pyFloatRepr)).toEqual([
      '1e+16',
      '1e-05',
      '0.0001',
      '123.456',
      '-0.0',
      '1.5e+300',
      '1.152921504606847e+18',
    ]);
  });
  it('min/max keep their first argument on NaN, like the builtins', () => {
    expect(pyMin(NaN, 1)).toBeNaN();
    expect(pyMax(0, NaN)).toBe(0);
  });
  it('math.isclose with rel_tol only', () => {
    expect(isClose(0.1, 0.1005, 1e-3)).toBe(false);
    expect(isClose(100, 100.05, 1e-3)).toBe(true);
    expect(isClose(0, 1e-300, 1e-3)).toBe(false);
    expect(isClose(Infinity, Infinity, 1e-3)).toBe(true);
  });
  it('pairwise summation groups like numpy', () => {
    // numpy: np.sum(1/(i+1) for i < 1000) == 7.485470860550345, a plain left fold gives ...343.
    const ys = Array.from({ length: 1000 }, (_, i) => 1 / (i + 1));
    expect(pairwiseSum(ys)).toBe(7.485470860550345);
    expect(pairwiseSum([])).toBe(0);
  });
});
