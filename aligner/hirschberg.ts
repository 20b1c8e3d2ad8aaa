/**
 * Global alignment with linear memory (Hirschberg 1975): minimise Σ cost over rows, where a row pairs
 * a[i] with b[j] at `sub(i, j)` (Infinity forbids the pair) or leaves one side as a gap at `gap`.
 * Small blocks are solved by a full Needleman–Wunsch table with traceback; larger ones are split at
 * the middle row of `a` where forward and backward costs meet. Ties are broken the same way everywhere
 * (diagonal, then gap in b, then gap in a), so the alignment is deterministic.
 */
export type SubCost = (i: number, j: number) => number;

/** One row: indices into a and b, -1 for the gap side. */
export type AlignOp = readonly [i: number, j: number];

const FULL_TABLE_CELLS = 1 << 16;

export function hirschberg(aLo: number, aHi: number, bLo: number, bHi: number, sub: SubCost, gap: number): AlignOp[] {
  const out: AlignOp[] = [];
  const rec = (a0: number, a1: number, b0: number, b1: number): void => {
    const n = a1 - a0;
    const m = b1 - b0;
    if (n === 0) {
      for (let j = b0; j < b1; j++) out.push([-1, j]);
      return;
    }
    if (m === 0) {
      for (let i = a0; i < a1; i++) out.push([i, -1]);
      return;
    }
    if (n === 1 || (n + 1) * (m + 1) <= FULL_TABLE_CELLS) {
      table(a0, a1, b0, b1);
      return;
    }
    const mid = (a0 + a1) >> 1;
    const f = forward(a0, mid, b0, b1);
    const r = backward(mid, a1, b0, b1);
    let best = Infinity;
    let split = b0;
    for (let k = 0; k <= m; k++) {
      const c = f[k]! + r[k]!;
      if (c < best) {
        best = c;
        split = b0 + k;
      }
    }
    rec(a0, mid, b0, split);
    rec(mid, a1, split, b1);
  };

  /** Cost of aligning a[a0..a1) with each prefix b[b0..b0+k). */
  const forward = (a0: number, a1: number, b0: number, b1: number): Float64Array => {
    const m = b1 - b0;
    let prev = new Float64Array(m + 1);
    let cur = new Float64Array(m + 1);
    for (let k = 0; k <= m; k++) prev[k] = k * gap;
    for (let i = a0; i < a1; i++) {
      cur[0] = prev[0]! + gap;
      for (let k = 1; k <= m; k++) {
        cur[k] = Math.min(prev[k - 1]! + sub(i, b0 + k - 1), prev[k]! + gap, cur[k - 1]! + gap);
      }
      [prev, cur] = [cur, prev];
    }
    return prev;
  };

  /** Cost of aligning a[a0..a1) with each suffix b[b0+k..b1). */
  const backward = (a0: number, a1: number, b0: number, b1: number): Float64Array => {
    const m = b1 - b0;
    let prev = new Float64Array(m + 1);
    let cur = new Float64Array(m + 1);
    for (let k = 0; k <= m; k++) prev[k] = (m - k) * gap;
    for (let i = a1 - 1; i >= a0; i--) {
      cur[m] = prev[m]! + gap;
      for (let k = m - 1; k >= 0; k--) {
        cur[k] = Math.min(prev[k + 1]! + sub(i, b0 + k), prev[k]! + gap, cur[k + 1]! + gap);
      }
      [prev, cur] = [cur, prev];
    }
    return prev;
  };

  /** Full table with traceback for a small block. */
  const table = (a0: number, a1: number, b0: number, b1: number): void => {
    const n = a1 - a0;
    const m = b1 - b0;
    const w = m + 1;
    const cost = new Float64Array((n + 1) * w);
    const move = new Uint8Array((n + 1) * w); // 0 diagonal, 1 gap in b (take a), 2 gap in a (take b)
    for (let k = 1; k <= m; k++) {
      cost[k] = k * gap;
      move[k] = 2;
    }
    for (let i = 1; i <= n; i++) {
      cost[i * w] = i * gap;
      move[i * w] = 1;
      for (let k = 1; k <= m; k++) {
        const d = cost[(i - 1) * w + k - 1]! + sub(a0 + i - 1, b0 + k - 1);
        const up = cost[(i - 1) * w + k]! + gap;
        const left = cost[i * w + k - 1]! + gap;
        let c = d;
        let mv = 0;
        if (up < c) [c, mv] = [up, 1];
        if (left < c) [c, mv] = [left, 2];
        cost[i * w + k] = c;
        move[i * w + k] = mv;
      }
    }
    const rows: AlignOp[] = [];
    let i = n;
    let k = m;
    while (i > 0 || k > 0) {
      const mv = move[i * w + k];
      if (mv === 0) rows.push([a0 + --i, b0 + --k]);
      else if (mv === 1) rows.push([a0 + --i, -1]);
      else rows.push([-1, b0 + --k]);
    }
    for (let r = rows.length - 1; r >= 0; r--) out.push(rows[r]!);
  };

  rec(aLo, aHi, bLo, bHi);
  return out;
}
