// recGblResetAlarms (EPICS 7 recGbl.c): which monitor bits STAT and ACKS are posted with when the alarm changes.
// STAT goes out with DBE_ALARM when the severity changed and DBE_VALUE when the status did; SEVR with
// DBE_VALUE; ACKS (with DBE_VALUE) whenever ACKT is NO or the new severity is at least ACKS.
import { expect, it } from 'vitest';
import { DBE } from '../../../ioc/ca/protocol/constants.js';
import { ioc } from './helpers.js';

const db = `record(ai, "a") { field(HIGH, "5") field(HSV, "MINOR") field(HIHI, "100") field(HHSV, "MAJOR") }`;

it('a severity change with the same status posts STAT with DBE_ALARM only', async () => {
  const t = ioc(db);
  await t.put('a', 6); // NO_ALARM → HIGH/MINOR
  const stat = t.watch('a.STAT');
  await t.put('a.HSV', 2); // MAJOR (HSV is process-passive: the record processes)
  await t.put('a', 7); // still HIGH/MAJOR: nothing more
  expect(stat.map((p) => p.mask)).toEqual([DBE.ALARM]);
});

it('a status change with the same severity posts STAT with DBE_VALUE only', async () => {
  const t = ioc(db.replace('"MAJOR"', '"MINOR"'));
  await t.put('a', 6); // HIGH/MINOR
  const stat = t.watch('a.STAT');
  await t.put('a', 200); // HIHI/MINOR
  expect(stat.map((p) => p.mask)).toEqual([DBE.VALUE]);
});

it('both changing posts STAT with DBE_VALUE|DBE_ALARM', async () => {
  const t = ioc(db);
  const stat = t.watch('a.STAT');
  await t.put('a', 6);
  expect(stat.map((p) => p.mask)).toEqual([DBE.VALUE | DBE.ALARM]);
});

it('ACKT NO: ACKS follows the severity and is posted on every alarm change', async () => {
  const t = ioc(db.replace('record(ai, "a") {', 'record(ai, "a") { field(ACKT, "NO")'));
  await t.put('a', 6); // HIGH/MINOR
  const acks = t.watch('a.ACKS');
  await t.put('a', 1); // NO_ALARM
  await t.put('a', 200); // HIHI/MAJOR
  expect(acks.map((p) => [p.value, p.mask])).toEqual([
    [0, DBE.VALUE],
    [2, DBE.VALUE],
  ]);
});
