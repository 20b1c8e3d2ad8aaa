import { describe, expect, it } from 'vitest';
import { scoreVision, scoreVisionBestOf, VISION_TEMP } from '../../aligner/presets/vision.js';
import { ev } from './helpers/events.js';

const T = VISION_TEMP;

describe('vision preset', () => {
  it('scores a matching run: rate 1, timing from linregress, 0.8/0.2 without temperature', () => {
    const gt = ev(['m:x', 10, 1], ['m:y', 11, 2], ['det', 12, 1]);
    const pred = ev(['m:x', 100, 1.0005], ['m:y', 101, 2], ['det', 103, 1]);
    const r = scoreVision(gt, pred);
    expect(r.metrics.discrete).toMatchObject({ score: 1, pass: true });
    // timing as in the metric test: 0.4·81/84 + 0.2·0.5 + 0 + 0.2·0.5
    const t = 0.4 * (81 / 84) + 0.2;
    expect(r.metrics.timing!.score).toBeCloseTo(t, 12);
    expect(r.fullScore).toBeCloseTo(0.8 + 0.2 * t, 12);
    expect(r.accuracy).toBe(false); // slope 1.5
  });

  it('keeps arrival order (no sorting) and pairs a replace block positionally', () => {
    const gt = ev(['a', 0, 1], ['b', 1, 2], ['c', 2, 3], ['d', 3, 4]);
    const pred = ev(['a', 0, 1], ['x', 1, 2], ['y', 1.5, 2], ['z', 1.7, 2], ['d', 3, 4]);
    const r = scoreVision(gt, pred);
    expect(r.rows.map((x) => [x.gt?.channel ?? null, x.pred?.channel ?? null, x.match])).toEqual([
      ['a', 'a', true],
      ['b', 'x', false],
      ['c', 'y', false],
      [null, 'z', null],
      ['d', 'd', true],
    ]);
    expect(r.metrics.discrete!.score).toBeCloseTo(2 / 5, 15);
  });

  it('compares |float(g) − float(p)| < 1e-3 absolutely, booleans as 0/1, numeric strings as numbers', () => {
    const gt = ev(['a', 0, 5], ['b', 1, true], ['c', 2, '2.5'], ['d', 3, null], ['e', 4, 'on'], ['f', 5, 1000]);
    const pred = ev(['a', 1, 5.0009], ['b', 2, 1], ['c', 3, 2.5004], ['d', 4, 'None'], ['e', 5, 'on'], ['f', 6, 1000.5]);
    expect(scoreVision(gt, pred).rows.map((x) => x.match)).toEqual([true, true, true, true, true, false]);
  });

  it('lets marker calls match any parameters, but compares sam.align', () => {
    const gt = ev(['sam.setOrigin', 0, "['x'], None"], ['wsam', 1, ''], ['sam.pos', 2, ''], ['sam.align', 3, 0]);
    const pred = ev(['sam.setOrigin', 0, "['y'], None"], ['wsam', 1, 'x'], ['sam.pos', 2, 7], ['sam.align', 3, 1]);
    expect(scoreVision(gt, pred).rows.map((x) => x.match)).toEqual([true, true, true, false]);
  });

  it('empty reference after filtering: rate 0, not exact, even if the prediction is empty too', () => {
    const r = scoreVision(ev(['ign', 0, 1]), [], { ignore: ['ign'] });
    expect(r.metrics.discrete).toMatchObject({ score: 0, pass: false });
    expect(r.fullScore).toBe(0);
  });

  it('ignore list drops channels from the discrete alignment only; temperature is always scored', () => {
    const gt = ev(['a', 0, 1], ['noise', 0.5, 1], [T, 1, 25], [T, 2, 30]);
    const pred = ev(['a', 0, 1], [T, 1, 25], [T, 2, 33]);
    const r = scoreVision(gt, pred, { ignore: ['noise', T] });
    expect(r.metrics.discrete).toMatchObject({ score: 1, pass: true });
    // TEMP: MAE (0 + 3)/2 = 1.5, final 3.
    const c = 0.7 * Math.exp(-1.5 / 15) + 0.3 * Math.exp(-3 / 15);
    expect(r.metrics.continuous!.score).toBeCloseTo(c, 12);
    expect(r.fullScore).toBeCloseTo(0.6 * 1 + 0.2 * 1 + 0.2 * c, 12);
    expect(r.accuracy).toBe(true);
  });

  it('uses 0.6/0.2/0.2 and requires the temperature pass only when either trace has TEMP events', () => {
    const r = scoreVision(ev(['a', 0, 1]), ev(['a', 0, 1], [T, 1, 100]));
    expect(r.metrics.continuous).toMatchObject({ score: 0, pass: false }); // one side empty
    expect(r.fullScore).toBeCloseTo(0.6 + 0.2, 15);
    expect(r.accuracy).toBe(false);
    const plain = scoreVision(ev(['a', 0, 1]), ev(['a', 0, 1]));
    expect(plain.metrics.continuous).toBeUndefined();
    expect(plain.fullScore).toBe(1);
    expect(plain.accuracy).toBe(true);
  });

  it('keeps the NaN of constant GT timestamps through to the full score', () => {
    const r = scoreVision(ev(['a', 7, 1], ['b', 7, 2]), ev(['a', 1, 1], ['b', 2, 2]));
    expect(r.metrics.discrete!.score).toBe(1);
    expect(r.metrics.timing!.score).toBeNaN();
    expect(r.fullScore).toBeNaN();
    expect(r.accuracy).toBe(false);
  });

  it('best-of: first on ties, strictly higher replaces, a NaN first candidate sticks', () => {
    const pred = ev(['a', 0, 1], ['b', 1, 2]);
    const half = ev(['a', 0, 1], ['b', 1, 3]);
    const nan = ev(['a', 4, 1], ['b', 4, 2]);
    expect(scoreVisionBestOf([half, half, pred], pred).index).toBe(2);
    expect(scoreVisionBestOf([half, half], pred).index).toBe(0);
    const stuck = scoreVisionBestOf([nan, pred], pred);
    expect(stuck.index).toBe(0);
    expect(stuck.best.fullScore).toBeNaN();
  });

  it('no reference with a discrete event: everything 0 without comparing', () => {
    const r = scoreVisionBestOf([ev([T, 0, 20]), []], ev(['a', 0, 1]));
    expect(r.index).toBe(-1);
    expect(r.best.fullScore).toBe(0);
    expect(r.best.accuracy).toBe(false);
  });
});
