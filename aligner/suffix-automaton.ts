/**
 * A suffix automaton of b[lo..hi) over integer symbols, used to find difflib's longest matching block in
 * time linear in the two ranges instead of (rows × occurrences). Scanning a[alo..ahi) it tracks, for
 * each end position i, the longest suffix of a[alo..i] that occurs in the b range; the state holding it
 * knows the smallest end position of that substring in b. Keeping the first i where the length grows
 * gives exactly the block CPython's scan keeps: longest, then earliest in a, then earliest in b.
 */
export class SuffixAutomaton {
  private readonly len: Int32Array;
  private readonly link: Int32Array;
  private readonly firstEnd: Int32Array;
  // Edges: a per-state list (to copy a state's edges when cloning) and a hash (to look one up).
  private readonly head: Int32Array;
  private readonly edgeSym: Int32Array;
  private readonly edgeTo: Int32Array;
  private readonly edgeNext: Int32Array;
  private edges = 0;
  private readonly hkeys: Float64Array;
  private readonly hedge: Int32Array;
  private readonly mask: number;
  private size = 1;
  private last = 0;

  constructor(b: Int32Array, private readonly lo: number, hi: number) {
    const n = hi - lo;
    const cap = 2 * n + 2;
    this.len = new Int32Array(cap);
    this.link = new Int32Array(cap).fill(-1);
    this.firstEnd = new Int32Array(cap);
    this.head = new Int32Array(cap).fill(-1);
    const ecap = 3 * n + 4; // a suffix automaton has fewer than 3n transitions
    this.edgeSym = new Int32Array(ecap);
    this.edgeTo = new Int32Array(ecap);
    this.edgeNext = new Int32Array(ecap);
    let t = 16;
    while (t < 2 * ecap) t <<= 1;
    this.hkeys = new Float64Array(t).fill(-1);
    this.hedge = new Int32Array(t);
    this.mask = t - 1;
    for (let j = lo; j < hi; j++) this.extend(b[j]!, j);
  }

  private slot(state: number, sym: number): number {
    const key = state * 4294967296 + sym;
    let h = (Math.imul(state, 0x9e3779b1) ^ Math.imul(sym + 1, 0x85ebca6b)) & this.mask;
    while (this.hkeys[h] !== -1 && this.hkeys[h] !== key) h = (h + 1) & this.mask;
    return h;
  }

  /** The transition of `state` on `sym`, or -1. */
  next(state: number, sym: number): number {
    const h = this.slot(state, sym);
    return this.hkeys[h] === -1 ? -1 : this.edgeTo[this.hedge[h]!]!;
  }

  private set(state: number, sym: number, to: number): void {
    const h = this.slot(state, sym);
    if (this.hkeys[h] !== -1) {
      this.edgeTo[this.hedge[h]!] = to;
      return;
    }
    const e = this.edges++;
    this.edgeSym[e] = sym;
    this.edgeTo[e] = to;
    this.edgeNext[e] = this.head[state]!;
    this.head[state] = e;
    this.hkeys[h] = state * 4294967296 + sym;
    this.hedge[h] = e;
  }

  private extend(c: number, pos: number): void {
    const cur = this.size++;
    this.len[cur] = this.len[this.last]! + 1;
    this.firstEnd[cur] = pos;
    let p = this.last;
    while (p !== -1 && this.next(p, c) === -1) {
      this.set(p, c, cur);
      p = this.link[p]!;
    }
    if (p === -1) this.link[cur] = 0;
    else {
      const q = this.next(p, c);
      if (this.len[p]! + 1 === this.len[q]) this.link[cur] = q;
      else {
        const clone = this.size++;
        this.len[clone] = this.len[p]! + 1;
        this.link[clone] = this.link[q]!;
        this.firstEnd[clone] = this.firstEnd[q]!; // the clone's end positions include q's smallest
        for (let e = this.head[q]!; e !== -1; e = this.edgeNext[e]!) this.set(clone, this.edgeSym[e]!, this.edgeTo[e]!);
        while (p !== -1 && this.next(p, c) === q) {
          this.set(p, c, clone);
          p = this.link[p]!;
        }
        this.link[q] = clone;
        this.link[cur] = clone;
      }
    }
    this.last = cur;
  }

  /** difflib's longest block between a[alo..ahi) and the automaton's b range, as [i, j, size]. */
  longest(a: Int32Array, alo: number, ahi: number): [number, number, number] {
    let besti = alo;
    let bestj = this.lo;
    let best = 0;
    let state = 0;
    let l = 0;
    for (let i = alo; i < ahi; i++) {
      const c = a[i]!;
      while (state !== 0 && this.next(state, c) === -1) {
        state = this.link[state]!;
        l = this.len[state]!;
      }
      const t = this.next(state, c);
      if (t === -1) {
        state = 0;
        l = 0;
        continue;
      }
      state = t;
      l++;
      if (l > best) {
        best = l;
        besti = i - l + 1;
        bestj = this.firstEnd[state]! - l + 1;
      }
    }
    return [besti, bestj, best];
  }
}
