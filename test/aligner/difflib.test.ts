import { describe, expect, it } from 'vitest';
import { difflibOpcodes } from '../../aligner/difflib.js';
import { rng, runPython } from './helpers/python.js';

const PY_OPCODES = `
import sys, json, difflib
cases = json.load(sys.stdin)
out = [difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() for a, b in cases]
json.dump(out, sys.stdout)
`;

/** Token lists shaped like traces: small alphabets, repeats, long runs, shared stretches, edits. */
function randomCase(next: () => number): [string[], string[]] {
  const alphabet = 1 + Math.floor(next() * 6);
  const tok = () => String.fromCharCode(97 + Math.floor(next() * alphabet));
  const seq = (n: number) => {
    const out: string[] = [];
    while (out.length < n) {
      const t = tok();
      const run = next() < 0.2 ? 1 + Math.floor(next() * 8) : 1;
      for (let r = 0; r < run && out.length < n; r++) out.push(t);
    }
    return out;
  };
  const a = seq(Math.floor(next() * 40));
  const mode = next();
  if (mode < 0.3) return [a, seq(Math.floor(next() * 40))];
  // b: an edited copy of a
  const b: string[] = [];
  for (const t of a) {
    const r = next();
    if (r < 0.1) continue;
    if (r < 0.2) b.push(tok());
    else if (r < 0.3) b.push(t, tok());
    else b.push(t);
  }
  return [a, b];
}

describe('difflib SequenceMatcher(autojunk=False) parity', () => {
  it('gives the opcodes of CPython difflib on 3000 random token sequences', () => {
    const next = rng(20240607);
    const cases = Array.from({ length: 3000 }, () => randomCase(next));
    cases.push([[], []], [['a'], []], [[], ['a']], [['a', 'b'], ['b', 'a']]);
    // A few long periodic ones, where 'auto' picks the suffix automaton.
    for (let t = 0; t < 3; t++) {
      const pattern = Array.from({ length: 3 + t }, (_, k) => `c${k}`);
      const a = Array.from({ length: 2500 }, (_, i) => (next() < 0.02 ? `x${t}` : pattern[i % pattern.length]!));
      cases.push([a, a.filter(() => next() > 0.01).map((x) => (next() < 0.01 ? 'y' : x))]);
    }
    const expected = runPython<[string, number, number, number, number][][]>(PY_OPCODES, cases);
    for (const strategy of ['scan', 'automaton', 'auto'] as const) {
      const mismatches: number[] = [];
      cases.forEach(([a, b], k) => {
        const got = difflibOpcodes(a, b, strategy).map((o) => [...o]);
        if (JSON.stringify(got) !== JSON.stringify(expected[k])) mismatches.push(k);
      });
      expect({ strategy, failures: mismatches.slice(0, 5).map((k) => ({ case: cases[k], want: expected[k] })) }).toEqual({ strategy, failures: [] });
    }
  });

  it('gives the same opcodes with the row scan and the suffix automaton on long trace-like sequences', () => {
    const next = rng(5);
    for (let t = 0; t < 6; t++) {
      const pattern = Array.from({ length: 3 + t }, (_, k) => `ch${k}`);
      const a = Array.from({ length: 4000 }, (_, i) => (next() < 0.03 ? 'x' : pattern[i % pattern.length]!));
      const b = a.filter(() => next() > 0.02).map((x) => (next() < 0.01 ? 'y' : x));
      expect(difflibOpcodes(a, b, 'automaton')).toEqual(difflibOpcodes(a, b, 'scan'));
    }
  });

  it('prefers the earliest longest block, as CPython does', () => {
    // 'ab' occurs twice in b; difflib takes the first.
    expect(difflibOpcodes(['a', 'b'], ['a', 'b', 'x', 'a', 'b'])).toEqual([
      ['equal', 0, 2, 0, 2],
      ['insert', 2, 2, 2, 5],
    ]);
  });
});
