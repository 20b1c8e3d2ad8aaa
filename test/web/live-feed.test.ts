// The feed in virtual time, ticked by hand: coalescing, bounded backlogs, images only while watched.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ECA } from '../../ioc/ca/protocol/constants.js';
import { DbrBase } from '../../ioc/ca/protocol/dbr-types.js';
import { VirtualClock } from '../../ioc/clock.js';
import { PutError } from '../../ioc/db/errors.js';
import { loadProfile } from '../../devices/profile/profile.js';
import { Twin } from '../../devices/twin.js';
import { layoutOf } from '../../web/layout.js';
import { LiveFeed } from '../../web/live-feed.js';
import type { Hello, StreamMessage, Tick } from '../../web/protocol.js';

const X = 'XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr';
const CAM = 'XF:11BMB-ES{Det:PIL2M}:cam1:';
const DATA = 'XF:11BMB-ES{Det:PIL2M}:image1:ArrayData';
const SP = 'XF:11BM-ES:{LINKAM}:SETPOINT:SET';

class Page {
  readonly messages: StreamMessage[] = [];
  open = true;
  write(data: string): boolean {
    this.messages.push(JSON.parse(data) as StreamMessage);
    return this.open;
  }
  get ticks(): Tick[] {
    return this.messages.filter((m): m is Tick => m.type === 'tick');
  }
}

let clock: VirtualClock;
let twin: Twin;
let feed: LiveFeed;

function makeFeed(opts: { maxTickEvents?: number; history?: number } = {}): LiveFeed {
  return new LiveFeed({
    db: twin.db,
    layout: layoutOf(twin.profile),
    find: (n) => twin.served(n),
    isCatchAll: (pv) => twin.isCatchAllPv(pv),
    tickMs: 0,
    imageMs: 0,
    ...opts,
  });
}

beforeEach(() => {
  clock = new VirtualClock();
  twin = new Twin(loadProfile('cms'), { clock }).start();
  feed = makeFeed();
});

afterEach(() => {
  feed.close();
  twin.stop();
});

describe('LiveFeed', () => {
  it('greets a page with the layout and current values, then coalesces a move into one tick', async () => {
    const page = new Page();
    feed.add(page);
    const hello = page.messages[0] as Hello;
    expect(hello.type).toBe('hello');
    expect(hello.layout.panels.filter((p) => p.kind === 'motor')).toHaveLength(10);
    expect(hello.values[`${X}.RBV`]).toBe(0);
    expect(hello.meta[`${X}.RBV`]).toMatchObject({ type: 'DOUBLE', units: 'degrees', precision: 5 });
    expect(hello.meta[`${CAM}DetectorState_RBV`]!.enums).toContain('Idle');

    const move = twin.db.lookup(X)!.put(0.5, { origin: 'ca', user: 'bob', host: 'ws1', cid: 7 });
    clock.advance(300); // several RBV updates at 10 Hz
    feed.tick();
    const first = page.ticks.at(-1)!;
    expect(first.events).toEqual([{ t: expect.any(Number), kind: 'put', channel: X, value: 0.5, client: 'ca bob@ws1 cid 7' }]);
    expect(first.updates[`${X}.RBV`]).toBeGreaterThanOrEqual(2); // all counted …
    expect(first.values[`${X}.RBV`]).toBe(twin.db.get(`${X}.RBV`)!.value); // … the latest sent
    expect(first.values[`${X}.DMOV`]).toBe(0);
    clock.runUntil(() => twin.db.get(`${X}.DMOV`)!.value === 1, 20_000, 100);
    await move;
    feed.tick();
    expect(page.ticks.at(-1)!.values[`${X}.RBV`]).toBe(0.5);
    // Nothing changed: no message at all.
    const n = page.messages.length;
    feed.tick();
    expect(page.messages).toHaveLength(n);
  });

  it('sends the newest frame, shrunk, with its statistics — and renders frames only while a page watches', async () => {
    const data = twin.db.get(DATA)!;
    expect(data.updates.observed).toBe(false);
    const page = new Page();
    feed.add(page);
    expect(data.updates.observed).toBe(true);
    await twin.db.get(`${CAM}AcquireTime`)!.put(0.05);
    const done = twin.db.get(`${CAM}Acquire`)!.put(1);
    clock.runUntil(() => twin.db.get(`${CAM}ArrayCounter_RBV`)!.value === 1, 10_000, 10);
    await done;
    feed.tick();
    const image = page.ticks.map((t) => t.image).find(Boolean)!;
    expect(image).toMatchObject({ channel: DATA, counter: 1, width: 256, height: 256, sizeX: 1024, sizeY: 1024 });
    expect(image.max).toBeGreaterThan(image.min);
    expect(Buffer.from(image.pixels, 'base64')).toHaveLength(256 * 256);
    // A new page gets the last frame in its hello.
    const late = new Page();
    feed.add(late);
    expect((late.messages[0] as Hello).image?.counter).toBe(1);
    feed.remove(page);
    feed.remove(late);
    expect(data.updates.observed).toBe(false);
  });

  it('a page whose socket is full gets one merged, bounded backlog when it drains', async () => {
    feed.close();
    feed = makeFeed({ maxTickEvents: 50 });
    const page = new Page();
    feed.add(page);
    page.open = false; // the next write fills its socket
    const sp = twin.db.get(SP)!;
    for (let round = 0; round < 20; round++) {
      // Quarter degrees: distinct setpoints inside the stage's range.
      for (let i = 0; i < 100; i++) await sp.put((round * 100 + i) / 4, { origin: 'ca' });
      feed.tick();
    }
    // One write was attempted (and filled the socket); the rest waited.
    expect(page.ticks).toHaveLength(1);
    page.open = true;
    feed.drained(page);
    const backlog = page.ticks.at(-1)!;
    expect(backlog.values[SP]).toBe(1999 / 4);
    expect(backlog.events).toHaveLength(50);
    expect(backlog.events.at(-1)!.value).toBe(1999 / 4);
    expect(backlog.dropped).toBe(1900 - 50);
    expect(backlog.updates[SP]).toBe(1900);
  });

  it('keeps a bounded recent trace for new pages however long it runs', async () => {
    feed.close();
    feed = makeFeed({ history: 100 });
    const sp = twin.db.get(SP)!;
    for (let i = 0; i < 1000; i++) await sp.put(i / 4, { origin: 'ca' });
    const page = new Page();
    feed.add(page);
    const hello = page.messages[0] as Hello;
    expect(hello.events).toHaveLength(100);
    expect(hello.events.at(-1)!.value).toBe(999 / 4);
    // What happened before the page came is in its hello, not repeated in a tick.
    feed.tick();
    expect(page.ticks).toHaveLength(0);
  });

  it('lists catch-all PVs as they are made, with their metadata, and watches them', async () => {
    const page = new Page();
    feed.add(page);
    const pv = twin.db.lookup('XF:11BMB-ES{Unknown}Enable')!;
    feed.tick();
    const t = page.ticks.at(-1)!;
    expect(t.catchAll).toEqual([pv.name]);
    expect(t.meta?.[pv.name]?.enums).toEqual(['Off', 'On']);
    expect(t.events.map((e) => e.kind)).toEqual(['catch-all']);
    await pv.put(1, { origin: 'ca' });
    feed.tick();
    expect(page.ticks.at(-1)!.values[pv.name]).toBe(1);
  });

  it('names markers by their text and reports failed completions only', async () => {
    const page = new Page();
    feed.add(page);
    await twin.marker.put('align', { origin: 'web' });
    await twin.db.get(SP)!.put(30, { origin: 'ca' });
    const refusing = twin.db.create('test:refuses', {
      type: DbrBase.DOUBLE,
      put: () => {
        throw new PutError('not now', ECA.PUTFAIL);
      },
    });
    await expect(refusing.put(1, { origin: 'ca' })).rejects.toThrow('not now');
    feed.tick();
    expect(page.ticks.at(-1)!.events.map((e) => [e.kind, e.channel, e.message])).toEqual([
      ['marker', 'align', undefined],
      ['put', SP, undefined],
      ['put', 'test:refuses', undefined],
      ['put-complete', 'test:refuses', 'not now'],
    ]);
  });
});
