import { SuffixAutomaton } from './suffix-automaton.js';

/**
 * Python's `difflib.SequenceMatcher(None, a, b, autojunk=False)` — same matching blocks, same opcodes —
 * over integer token ids. CPython's algorithm is kept step for step (longest block first, earliest in
 * `a` then in `b` on ties, recursion on both sides, adjacent blocks merged); only the data structures
 * differ: `b2j` is one sorted index array per symbol, and the `j2len` dictionaries are one typed array
 * stamped with the row that wrote each entry, so nothing is allocated or cleared per row.
 */

export type OpTag = 'equal' | 'replace' | 'delete' | 'insert';
export type Opcode = readonly [tag: OpTag, i1: number, i2: number, j1: number, j2: number];
export type Block = readonly [i: number, j: number, size: number];

/**
 * How `find_longest_match` is computed: CPython's row scan (cost: rows × occurrences of each row's token
 * in the b range), a suffix automaton (cost: linear in both ranges), or whichever the token counts say is
 * cheaper. Both give CPython's block; the choice is only speed.
 */
export type LongestStrategy = 'auto' | 'scan' | 'automaton';

/** Map two token lists to dense integer ids (equal strings, equal ids). */
export function tokenIds(a: readonly string[], b: readonly string[]): { a: Int32Array; b: Int32Array; symbols: number } {
  const ids = new Map<string, number>();
  const enc = (xs: readonly string[]) => {
    const out = new Int32Array(xs.length);
    for (let i = 0; i < xs.length; i++) {
      let id = ids.get(xs[i]!);
      if (id === undefined) ids.set(xs[i]!, (id = ids.size));
      out[i] = id;
    }
    return out;
  };
  const ea = enc(a);
  const eb = enc(b);
  return { a: ea, b: eb, symbols: ids.size };
}

class Matcher {
  private readonly symStart: Int32Array; // positions of symbol s in b: pos[symStart[s] .. symStart[s+1])
  private readonly pos: Int32Array;
  private readonly runLen: Int32Array; // j2len[j], valid only where stamp[j] is the previous row
  private readonly stamp: Int32Array;
  private row = 1;

  constructor(
    private readonly a: Int32Array,
    private readonly b: Int32Array,
    symbols: number,
    private readonly strategy: LongestStrategy = 'auto',
  ) {
    const count = new Int32Array(symbols + 1);
    for (let j = 0; j < b.length; j++) count[b[j]! + 1]!++;
    for (let s = 0; s < symbols; s++) count[s + 1]! += count[s]!;
    this.symStart = count.slice();
    const fill = count.slice();
    this.pos = new Int32Array(b.length);
    for (let j = 0; j < b.length; j++) this.pos[fill[b[j]!]!++] = j;
    this.runLen = new Int32Array(b.length);
    this.stamp = new Int32Array(b.length);
  }

  longest(alo: number, ahi: number, blo: number, bhi: number): Block {
    if (this.strategy === 'scan') return this.scan(alo, ahi, blo, bhi);
    if (this.strategy === 'automaton') return new SuffixAutomaton(this.b, blo, bhi).longest(this.a, alo, ahi);
    // Estimated scan work: occurrences of each row's token in b, scaled to the b range's share of b.
    let occ = 0;
    for (let i = alo; i < ahi; i++) occ += this.symStart[this.a[i]! + 1]! - this.symStart[this.a[i]!]!;
    const scanCost = (occ * (bhi - blo)) / Math.max(1, this.b.length);
    if (bhi - blo > 64 && scanCost > 12 * (ahi - alo + bhi - blo)) return new SuffixAutomaton(this.b, blo, bhi).longest(this.a, alo, ahi);
    return this.scan(alo, ahi, blo, bhi);
  }

  /** `find_longest_match(alo, ahi, blo, bhi)` as CPython scans; with no junk its extension loops never fire. */
  private scan(alo: number, ahi: number, blo: number, bhi: number): Block {
    const { a, pos, symStart, runLen, stamp } = this;
    let besti = alo;
    let bestj = blo;
    let bestsize = 0;
    if (this.row > 0x3fff0000 - (ahi - alo)) {
      stamp.fill(0);
      this.row = 1;
    }
    this.row++; // a fresh id, so the first row sees an empty j2len
    for (let i = alo; i < ahi; i++) {
      const cur = ++this.row;
      const prev = cur - 1;
      const s = a[i]!;
      const lo = lowerBound(pos, symStart[s]!, symStart[s + 1]!, blo);
      const hi = lowerBound(pos, lo, symStart[s + 1]!, bhi);
      // Walk j downwards so that reading j2len[j-1] of the previous row never sees this row's writes;
      // the row's best is its longest run, the smallest j on ties (what CPython's ascending scan keeps).
      let rowMax = 0;
      let rowJ = 0;
      for (let p = hi - 1; p >= lo; p--) {
        const j = pos[p]!;
        const k = j > 0 && stamp[j - 1] === prev ? runLen[j - 1]! + 1 : 1;
        runLen[j] = k;
        stamp[j] = cur;
        if (k >= rowMax) {
          rowMax = k;
          rowJ = j;
        }
      }
      if (rowMax > bestsize) {
        besti = i - rowMax + 1;
        bestj = rowJ - rowMax + 1;
        bestsize = rowMax;
      }
    }
    return [besti, bestj, bestsize];
  }
}

function lowerBound(arr: Int32Array, lo: number, hi: number, x: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `get_matching_blocks()`: sorted, adjacent blocks merged, ending with the sentinel (la, lb, 0). */
export function matchingBlocks(a: Int32Array, b: Int32Array, symbols: number, strategy: LongestStrategy = 'auto'): Block[] {
  const m = new Matcher(a, b, symbols, strategy);
  const blocks: Block[] = [];
  const queue: [number, number, number, number][] = [[0, a.length, 0, b.length]];
  while (queue.length > 0) {
    const [alo, ahi, blo, bhi] = queue.pop()!;
    const x = m.longest(alo, ahi, blo, bhi);
    const [i, j, k] = x;
    if (k) {
      blocks.push(x);
      if (alo < i && blo < j) queue.push([alo, i, blo, j]);
      if (i + k < ahi && j + k < bhi) queue.push([i + k, ahi, j + k, bhi]);
    }
  }
  blocks.sort((x, y) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2]);
  const merged: Block[] = [];
  let i1 = 0;
  let j1 = 0;
  let k1 = 0;
  for (const [i2, j2, k2] of blocks) {
    if (i1 + k1 === i2 && j1 + k1 === j2) k1 += k2;
    else {
      if (k1) merged.push([i1, j1, k1]);
      [i1, j1, k1] = [i2, j2, k2];
    }
  }
  if (k1) merged.push([i1, j1, k1]);
  merged.push([a.length, b.length, 0]);
  return merged;
}

/** `get_opcodes()` from the matching blocks. */
export function opcodesFromBlocks(blocks: readonly Block[]): Opcode[] {
  const out: Opcode[] = [];
  let i = 0;
  let j = 0;
  for (const [ai, bj, size] of blocks) {
    const tag: OpTag | '' = i < ai && j < bj ? 'replace' : i < ai ? 'delete' : j < bj ? 'insert' : '';
    if (tag) out.push([tag, i, ai, j, bj]);
    i = ai + size;
    j = bj + size;
    if (size) out.push(['equal', ai, i, bj, j]);
  }
  return out;
}

/** `SequenceMatcher(None, a, b, autojunk=False).get_opcodes()` for two lists of tokens. */
export function difflibOpcodes(a: readonly string[], b: readonly string[], strategy: LongestStrategy = 'auto'): Opcode[] {
  const t = tokenIds(a, b);
  return opcodesFromBlocks(matchingBlocks(t.a, t.b, t.symbols, strategy));
}
