import { npMean } from './pairwise-sum.js';

export interface Linregress {
  readonly slope: number;
  readonly intercept: number;
  readonly rvalue: number;
}

/**
 * `scipy.stats.linregress(x, y)` slope, intercept and r, as the VISION harness got them: means by
 * numpy's pairwise sum, the biased covariance matrix scaled by 1/n (`np.cov(x, y, bias=1)`), r = 0 when
 * the denominator is 0, r clipped to [-1, 1], slope = ssxym / ssxm.
 *
 * With constant x (every GT timestamp equal) ssxm is 0 and the slope is 0/0 = NaN, which the harness
 * carries into a NaN timing and full score; we keep that (it is what the published numbers contain).
 * Newer SciPy releases raise "all x values are identical" there instead, and return r = NaN rather than
 * 0 for constant y; those releases would have stopped or scored NaN, never a number we could match.
 */
export function linregress(x: ArrayLike<number>, y: ArrayLike<number>): Linregress {
  const n = x.length;
  const xmean = npMean(x);
  const ymean = npMean(y);
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - xmean;
    const dy = y[i]! - ymean;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  const f = 1 / n; // np.cov multiplies by true_divide(1, fact)
  const ssxm = sxx * f;
  const ssxym = sxy * f;
  const ssym = syy * f;
  let r: number;
  const den = Math.sqrt(ssxm * ssym);
  if (den === 0) r = 0;
  else {
    r = ssxym / den;
    if (r > 1) r = 1;
    else if (r < -1) r = -1;
  }
  const slope = ssxym / ssxm;
  return { slope, intercept: ymean - slope * xmean, rvalue: r };
}
