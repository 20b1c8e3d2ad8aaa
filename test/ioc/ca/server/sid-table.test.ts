// The circuit's channel table: array-indexed server ids, freed ids reused, wire ids of any size refused.
import { expect, it } from 'vitest';
import { SidTable } from '../../../../ioc/ca/server/sid-table.js';

it('hands out ids from 1, finds them, forgets deleted ones and reuses their ids', () => {
  const t = new SidTable<{ sid: number; name: string }>();
  expect(t.used).toBe(false);
  const a = t.add((sid) => ({ sid, name: 'a' }));
  const b = t.add((sid) => ({ sid, name: 'b' }));
  expect([a.sid, b.sid]).toEqual([1, 2]);
  expect(t.get(2)).toBe(b);
  t.delete(1);
  expect(t.get(1)).toBeUndefined();
  expect(t.size).toBe(1);
  t.delete(1); // twice: no effect
  expect(t.size).toBe(1);
  const c = t.add((sid) => ({ sid, name: 'c' }));
  expect(c.sid).toBe(1);
  expect(t.values().map((x) => x.name)).toEqual(['c', 'b']);
  expect(t.used).toBe(true);
});

it('ids never seen, 0 and 32-bit values from the wire find nothing', () => {
  const t = new SidTable<number>();
  t.add(() => 7);
  for (const sid of [0, 2, 0xffffffff, 2 ** 31]) expect(t.get(sid)).toBeUndefined();
  t.delete(0xffffffff);
  expect(t.size).toBe(1);
});

it('the table never grows past the most entries open at once', () => {
  const t = new SidTable<number>();
  for (let round = 0; round < 100; round++) {
    const ids = [t.add((s) => s), t.add((s) => s), t.add((s) => s)];
    for (const id of ids) t.delete(id);
  }
  expect(t.add((s) => s)).toBeLessThanOrEqual(3);
  t.clear();
  expect(t.size).toBe(0);
});

it('an id the server retired is not handed out again', () => {
  const t = new SidTable<number>();
  const a = t.add((s) => s);
  t.retire(a);
  expect(t.get(a)).toBeUndefined();
  expect(t.size).toBe(0);
  expect(t.add((s) => s)).not.toBe(a);
});
