import type { Opcode } from './difflib.js';

/** One row of an alignment: a GT item, a predicted item, or both (null marks the gap side). */
export type Pair<T> = readonly [gt: T | null, pred: T | null];

/**
 * Rows from difflib opcodes as both references build them: `equal` pairs item by item, `delete` and
 * `insert` leave gaps, `replace` pairs positionally over max(i2-i1, j2-j1) rows, padding the shorter side.
 */
export function pairsFromOpcodes<T>(gt: readonly T[], pred: readonly T[], ops: readonly Opcode[]): Pair<T>[] {
  const rows: Pair<T>[] = [];
  for (const [tag, i1, i2, j1, j2] of ops) {
    if (tag === 'equal') for (let k = 0; k < i2 - i1; k++) rows.push([gt[i1 + k]!, pred[j1 + k]!]);
    else if (tag === 'delete') for (let k = i1; k < i2; k++) rows.push([gt[k]!, null]);
    else if (tag === 'insert') for (let k = j1; k < j2; k++) rows.push([null, pred[k]!]);
    else {
      const span = Math.max(i2 - i1, j2 - j1);
      for (let off = 0; off < span; off++) {
        rows.push([i1 + off < i2 ? gt[i1 + off]! : null, j1 + off < j2 ? pred[j1 + off]! : null]);
      }
    }
  }
  return rows;
}
