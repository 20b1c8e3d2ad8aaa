// Pv.put and Pv.start: a put that completes at once needs no Promise turn; the taps see put, update and
// put-complete in order either way; refusals reach both callers.
import { expect, it } from 'vitest';
import { DbrBase } from '../../../ioc/ca/protocol/dbr-types.js';
import { ECA } from '../../../ioc/ca/protocol/constants.js';
import { PvDatabase, type DbEvent } from '../../../ioc/db/database.js';
import { PutError } from '../../../ioc/db/errors.js';
import { VirtualClock } from '../../../ioc/clock.js';

function tapped() {
  const clock = new VirtualClock();
  const db = new PvDatabase(clock);
  const events: string[] = [];
  db.events.subscribe((e: DbEvent) => {
    if (e.kind === 'put-complete') events.push(`${e.kind} ${e.status} ${e.durationMs}`);
    else events.push(e.kind);
  });
  return { db, clock, events };
}

it('start() of a plain PV applies the value at once and returns no Promise; the taps saw it all', () => {
  const { db, events } = tapped();
  const pv = db.create('A', { type: DbrBase.DOUBLE, value: 0 });
  expect(pv.start(3)).toBeUndefined();
  expect(pv.value).toBe(3);
  expect(events).toEqual(['put', 'update', `put-complete ${ECA.NORMAL} 0`]);
});

it('a handler that returns a Promise makes start() return one; put-complete follows it, timed on the clock', async () => {
  const { db, clock, events } = tapped();
  let finish!: () => void;
  const pv = db.create('M', {
    type: DbrBase.DOUBLE,
    put: (p, v) =>
      new Promise<void>((r) => {
        finish = () => {
          p.set(v);
          r();
        };
      }),
  });
  const done = pv.start(1);
  expect(done).toBeInstanceOf(Promise);
  expect(events).toEqual(['put']);
  clock.advance(250);
  finish();
  await done;
  expect(events).toEqual(['put', 'update', `put-complete ${ECA.NORMAL} 250`]);
});

it('a refusal throws from start() and rejects put(), and the taps record its status', async () => {
  const { db, events } = tapped();
  const pv = db.create('R', {
    type: DbrBase.LONG,
    put: () => {
      throw new PutError('no', ECA.NOWTACCESS);
    },
  });
  expect(() => pv.start(1)).toThrow(PutError);
  await expect(pv.put(1)).rejects.toBeInstanceOf(PutError);
  expect(events).toEqual(['put', `put-complete ${ECA.NOWTACCESS} 0`, 'put', `put-complete ${ECA.NOWTACCESS} 0`]);
});

it('with nobody observing, a set posts nothing to build and a put still completes', async () => {
  const db = new PvDatabase(new VirtualClock());
  const pv = db.create('Q', { type: DbrBase.DOUBLE, value: 0 });
  expect(db.tapped).toBe(false);
  await pv.put(2);
  expect(pv.value).toBe(2);
  const seen: number[] = [];
  pv.updates.subscribe((u) => seen.push(u.value as number));
  pv.set(4);
  expect(seen).toEqual([4]);
});
