import { describe, expect, it } from 'vitest';
import { linregress } from '../../aligner/stats/linregress.js';
import { pairwiseSum } from '../../aligner/stats/pairwise-sum.js';
import { polyfit1 } from '../../aligner/stats/polyfit.js';
import { DEBIAN_PYTHON, rng, runPython } from './helpers/python.js';

// A second opinion from the real numpy/scipy (Debian's python3-numpy and python3-scipy; .ci/run installs them).

const PY = `
import sys, json, numpy as np
from scipy.stats import linregress
out = []
for x, y in json.load(sys.stdin):
    x = np.asarray(x, dtype=float); y = np.asarray(y, dtype=float)
    r = linregress(x, y)
    s, b = np.polyfit(x, y, 1)
    out.append([float(np.sum(y)), float(r.slope), float(r.rvalue), float(s), float(b)])
json.dump(out, sys.stdout)
`;

describe('numpy / scipy parity', () => {
  it('pairwise sums bit for bit, linregress and polyfit to 1e-12, on 500 random series', () => {
    const next = rng(99);
    const cases = Array.from({ length: 500 }, () => {
      const n = 2 + Math.floor(next() * 300);
      let t = 0;
      const x = Array.from({ length: n }, (_, i) => (i === 0 ? 0 : (t += next() * 3)));
      const y = x.map((v) => v * (0.7 + next() * 0.6) + next() * 0.5 + (next() < 0.05 ? 10 : 0));
      return [x, y] as const;
    });
    const want = runPython<number[][]>(PY, cases, DEBIAN_PYTHON);
    cases.forEach(([x, y], k) => {
      const [sum, slope, r, ps, pb] = want[k]!;
      expect(pairwiseSum(y)).toBe(sum);
      const lr = linregress(x, y);
      expect(Math.abs(lr.slope - slope!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(slope!)));
      expect(Math.abs(lr.rvalue - r!)).toBeLessThanOrEqual(1e-12);
      const pf = polyfit1(x, y);
      expect(Math.abs(pf.slope - ps!)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(ps!)));
      expect(Math.abs(pf.intercept - pb!)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(pb!)));
    });
  });
});
