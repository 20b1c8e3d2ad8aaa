/**
 * Myers' O((N+M)·D) difference algorithm in linear space ("An O(ND) Difference Algorithm and Its
 * Variations", 1986, §4b: bisect at the middle snake, recurse on both halves), over an arbitrary
 * pairwise predicate `eq(i, j)` instead of token equality — taking a diagonal step whenever `eq` holds is
 * optimal for any predicate, so the result is a longest common subsequence under `eq`.
 *
 * When the edit distance of a sub-problem exceeds `maxCost`, the search stops and splits at the
 * furthest-reaching forward path (GNU diff's "too expensive" heuristic): still linear memory, no longer
 * guaranteed minimal, and the time stays bounded on traces that share almost nothing.
 */
export type Eq = (i: number, j: number) => boolean;

export interface MyersOptions {
  readonly maxCost?: number;
}

/** Matched index pairs (i ascending, j ascending) of a longest common subsequence of a[0..n) and b[0..m). */
export function myersMatches(n: number, m: number, eq: Eq, opts: MyersOptions = {}): { ai: Int32Array; bj: Int32Array } {
  const maxCost = opts.maxCost ?? Math.max(1024, Math.ceil(8 * Math.sqrt(n + m)));
  const ai: number[] = [];
  const bj: number[] = [];
  const size = 2 * Math.min(Math.ceil((n + m) / 2), maxCost + 1) + 4;
  const vf = new Int32Array(size);
  const vb = new Int32Array(size);

  const solve = (aLo: number, aHi: number, bLo: number, bHi: number): void => {
    while (aLo < aHi && bLo < bHi && eq(aLo, bLo)) {
      ai.push(aLo++);
      bj.push(bLo++);
    }
    let sfx = 0;
    while (aLo < aHi - sfx && bLo < bHi - sfx && eq(aHi - 1 - sfx, bHi - 1 - sfx)) sfx++;
    aHi -= sfx;
    bHi -= sfx;
    if (aLo < aHi && bLo < bHi) {
      const [x, y] = bisect(aLo, aHi, bLo, bHi);
      if (x !== -1) {
        solve(aLo, aLo + x, bLo, bLo + y);
        solve(aLo + x, aHi, bLo + y, bHi);
      }
    }
    for (let s = 0; s < sfx; s++) {
      ai.push(aHi + s);
      bj.push(bHi + s);
    }
  };

  /** The split point (x, y) relative to (aLo, bLo), or [-1, -1] when the halves share nothing. */
  const bisect = (aLo: number, aHi: number, bLo: number, bHi: number): [number, number] => {
    const N = aHi - aLo;
    const M = bHi - bLo;
    const maxD = Math.min(Math.ceil((N + M) / 2), maxCost + 1);
    const off = maxD + 1;
    vf.fill(-1, 0, 2 * off + 2);
    vb.fill(-1, 0, 2 * off + 2);
    vf[off + 1] = 0;
    vb[off + 1] = 0;
    const delta = N - M;
    const front = (delta & 1) !== 0;
    let k1s = 0, k1e = 0, k2s = 0, k2e = 0;
    for (let d = 0; d < maxD; d++) {
      for (let k1 = -d + k1s; k1 <= d - k1e; k1 += 2) {
        const i1 = off + k1;
        let x1 = k1 === -d || (k1 !== d && vf[i1 - 1]! < vf[i1 + 1]!) ? vf[i1 + 1]! : vf[i1 - 1]! + 1;
        let y1 = x1 - k1;
        while (x1 < N && y1 < M && eq(aLo + x1, bLo + y1)) {
          x1++;
          y1++;
        }
        vf[i1] = x1;
        if (x1 > N) k1e += 2;
        else if (y1 > M) k1s += 2;
        else if (front) {
          const i2 = off + delta - k1;
          if (i2 >= 0 && i2 < 2 * off + 2 && vb[i2] !== -1 && x1 >= N - vb[i2]!) return [x1, y1];
        }
      }
      for (let k2 = -d + k2s; k2 <= d - k2e; k2 += 2) {
        const i2 = off + k2;
        let x2 = k2 === -d || (k2 !== d && vb[i2 - 1]! < vb[i2 + 1]!) ? vb[i2 + 1]! : vb[i2 - 1]! + 1;
        let y2 = x2 - k2;
        while (x2 < N && y2 < M && eq(aHi - 1 - x2, bHi - 1 - y2)) {
          x2++;
          y2++;
        }
        vb[i2] = x2;
        if (x2 > N) k2e += 2;
        else if (y2 > M) k2s += 2;
        else if (!front) {
          const i1 = off + delta - k2;
          if (i1 >= 0 && i1 < 2 * off + 2 && vf[i1] !== -1) {
            const x1 = vf[i1]!;
            const y1 = x1 - (i1 - off);
            if (x1 >= N - x2) return [x1, y1];
          }
        }
      }
    }
    if (maxD === Math.ceil((N + M) / 2)) return [-1, -1]; // searched everything: nothing in common
    // Too expensive: split where the forward search got furthest (largest x + y), if that is progress.
    let bx = 0, by = 0;
    for (let k = -maxD + 1; k <= maxD - 1; k++) {
      const x = vf[off + k]!;
      if (x < 0) continue;
      const y = Math.min(x - k, M);
      const xc = Math.min(x, N);
      if (y >= 0 && xc + y > bx + by) [bx, by] = [xc, y];
    }
    return bx + by === 0 || (bx === N && by === M) ? [-1, -1] : [bx, by];
  };

  solve(0, n, 0, m);
  return { ai: Int32Array.from(ai), bj: Int32Array.from(bj) };
}
