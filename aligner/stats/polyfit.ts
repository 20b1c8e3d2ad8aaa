import { npMean } from './pairwise-sum.js';

/** numpy raises `LinAlgError: SVD did not converge in Linear Least Squares` for a degree-1 fit on constant x. */
export class SingularFit extends Error {
  override name = 'SingularFit';
}

/**
 * `np.polyfit(x, y, 1)`: the least-squares line. numpy solves it by SVD on column-scaled Vandermonde
 * columns; for a well-posed line that is the closed form below to rounding (~1e-15 relative). With
 * x all 0 (the shifted GT timestamps when they are all equal) the scaled column is 0/0 and numpy raises,
 * so we raise too. (Constant non-zero x, where numpy returns a rank-deficient fit, never reaches here.)
 */
export function polyfit1(x: ArrayLike<number>, y: ArrayLike<number>): { slope: number; intercept: number } {
  const n = x.length;
  const xm = npMean(x);
  const ym = npMean(y);
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - xm;
    sxx += dx * dx;
    sxy += dx * (y[i]! - ym);
  }
  if (sxx === 0) throw new SingularFit('SVD did not converge in Linear Least Squares');
  const slope = sxy / sxx;
  return { slope, intercept: ym - slope * xm };
}
