import { hirschberg } from './hirschberg.js';
import { myersMatches } from './myers.js';

/** One native alignment row: indices into gt and pred (-1 for the gap side) and whether the values match. */
export interface NativeRow {
  readonly i: number;
  readonly j: number;
  readonly match: boolean;
}

export interface ValueAlignInput {
  readonly n: number;
  readonly m: number;
  /** Same channel and matching value. */
  readonly valueEq: (i: number, j: number) => boolean;
  /** Same channel (values may differ). */
  readonly sameChannel: (i: number, j: number) => boolean;
}

// Costs in half-units: a gap is 2, a same-channel pair whose values differ is 3 — dearer than nothing
// but cheaper than deleting and inserting (4) — and a value match is 0. So x=1,x=2 vs x=2,x=1 aligns as
// one match and two gaps (cost 4) rather than two value mismatches (cost 6).
const GAP = 2;
const MISMATCH = 3;

/** Regions larger than this (cells) are paired per channel in order instead of by a quadratic alignment. */
const REGION_CELL_LIMIT = 4e7;

/**
 * The value-aware alignment of the native preset: a longest common subsequence of value-matching
 * events (Myers, linear space), then, inside each stretch between two matches, a minimum-cost pairing of
 * same-channel events (Hirschberg, linear space) so that changed values show up as mismatched pairs
 * rather than as a deletion plus an insertion. Different channels are never paired.
 */
export function valueAlign(inp: ValueAlignInput): NativeRow[] {
  const { ai, bj } = myersMatches(inp.n, inp.m, inp.valueEq);
  const rows: NativeRow[] = [];
  let i = 0;
  let j = 0;
  const region = (i1: number, j1: number) => {
    if (i === i1 && j === j1) return;
    if (i === i1 || j === j1 || (i1 - i) * (j1 - j) > REGION_CELL_LIMIT) {
      pairInOrder(i, i1, j, j1, inp, rows);
      return;
    }
    const sub = (x: number, y: number) => (inp.valueEq(x, y) ? 0 : inp.sameChannel(x, y) ? MISMATCH : Infinity);
    for (const [x, y] of hirschberg(i, i1, j, j1, sub, GAP)) {
      rows.push({ i: x, j: y, match: x >= 0 && y >= 0 && inp.valueEq(x, y) });
    }
  };
  for (let k = 0; k < ai.length; k++) {
    region(ai[k]!, bj[k]!);
    rows.push({ i: ai[k]!, j: bj[k]!, match: true });
    i = ai[k]! + 1;
    j = bj[k]! + 1;
  }
  region(inp.n, inp.m);
  return rows;
}

/** Linear fallback for a huge region: walk both sides, pairing the next same-channel events greedily. */
function pairInOrder(i0: number, i1: number, j0: number, j1: number, inp: ValueAlignInput, rows: NativeRow[]): void {
  let i = i0;
  let j = j0;
  while (i < i1 || j < j1) {
    if (i < i1 && j < j1 && inp.sameChannel(i, j)) {
      rows.push({ i, j, match: inp.valueEq(i, j) });
      i++;
      j++;
    } else if (i < i1 && (j >= j1 || i - i0 <= j - j0)) rows.push({ i: i++, j: -1, match: false });
    else rows.push({ i: -1, j: j++, match: false });
  }
}
