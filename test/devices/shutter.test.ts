// The CMS photon shutter (note §4) in virtual time: both blades take the written value 0.1 s after a write.
import { describe, expect, it } from 'vitest';
import { createShutter } from '../../devices/shutter/shutter.js';
import { VirtualClock } from '../../ioc/clock.js';
import { PvDatabase } from '../../ioc/db/database.js';

const CMD = 'XF:11BM-ES{Shutter}';
const B1 = 'XF:11BM-ES{Psh_blade1}Pos';
const B2 = 'XF:11BM-ES{Psh_blade2}Pos';

function setup() {
  const clock = new VirtualClock(0);
  const db = new PvDatabase(clock);
  const shutter = createShutter(db, { pv: CMD, blades: [B1, B2], delay: 0.1 });
  const posts: [string, number, unknown][] = [];
  db.events.subscribe((e) => {
    if (e.kind === 'update') posts.push([e.update.pv.name, clock.now(), e.update.value]);
  });
  const v = (name: string) => db.get(name)!.value;
  return { clock, db, shutter, posts, v };
}

describe('shutter (CMS note §4)', () => {
  it('starts closed: command and blades 0', () => {
    const { v } = setup();
    expect([v(CMD), v(B1), v(B2)]).toEqual([0, 0, 0]);
  });

  it('both blades take the written value 0.1 s after a write, not before', async () => {
    const { clock, db, posts, v } = setup();
    await db.get(CMD)!.put(1);
    expect(v(CMD)).toBe(1);
    clock.advance(99);
    expect([v(B1), v(B2)]).toEqual([0, 0]);
    clock.advance(1);
    expect([v(B1), v(B2)]).toEqual([1, 1]);
    await db.get(CMD)!.put(0);
    clock.advance(100);
    expect(posts).toEqual([
      [CMD, 0, 1],
      [B1, 100, 1],
      [B2, 100, 1],
      [CMD, 100, 0],
      [B1, 200, 0],
      [B2, 200, 0],
    ]);
  });

  it('the command posts on every write; quick writes are followed in order, each 0.1 s later', async () => {
    const { clock, db, posts } = setup();
    await db.get(CMD)!.put(1);
    clock.advance(50);
    await db.get(CMD)!.put(0);
    clock.advance(50); // the first write's blades: 1
    expect(db.get(B1)!.value).toBe(1);
    clock.advance(50); // the second's: 0
    expect(db.get(B1)!.value).toBe(0);
    await db.get(CMD)!.put(0);
    clock.advance(100);
    expect(posts.filter(([n]) => n === CMD).map(([, t, x]) => [t, x])).toEqual([
      [0, 1],
      [50, 0],
      [150, 0],
    ]);
    expect(posts.filter(([n]) => n === B1).map(([, t, x]) => [t, x])).toEqual([
      [100, 1],
      [150, 0],
    ]);
  });

  it('reset closes everything at once and cancels the pending follow; stop() cancels timers', async () => {
    const { clock, db, shutter, v } = setup();
    await db.get(CMD)!.put(1);
    shutter.reset();
    clock.advance(1000);
    expect([v(CMD), v(B1), v(B2)]).toEqual([0, 0, 0]);
    await db.get(CMD)!.put(1);
    shutter.stop();
    expect(clock.pending).toBe(0);
    clock.advance(1000);
    expect([v(CMD), v(B1), v(B2)]).toEqual([1, 0, 0]);
  });
});
