// The page's one stream, fed from the PV database's update streams. Changes are coalesced between ticks
// (only the latest value of each displayed PV is sent, however often it changed), a tick carries at most
// so many trace events, frames are sent at most every `imageMs`, and a client whose socket is full gets
// the merged backlog when it drains — so 10 Hz motion everywhere costs one small message per tick, and a
// slow or idle page holds a bounded amount of server memory.
import type { Subscription } from 'rxjs';
import type { DbEvent, PvDatabase } from '../ioc/db/database.js';
import type { Pv } from '../ioc/db/pv.js';
import { shrinkFrame } from './image.js';
import type { DetectorPanel, Hello, Layout, PvMeta, Tick, WireEvent, WireImage, WireValue } from './protocol.js';
import { watchedNames } from './layout.js';
import { clientOf, metaOf, wireValue } from './wire.js';

export interface FeedOptions {
  readonly db: PvDatabase;
  readonly layout: Layout;
  /** Finds a displayed PV without fabricating one (the twin's served(), or the database's lookup). */
  readonly find: (name: string) => Pv | undefined;
  readonly isCatchAll?: (pv: Pv) => boolean;
  /** Catch-all PVs made before the feed started. */
  readonly catchAll?: readonly string[];
  /** Milliseconds between ticks (default 100); 0: no timer, the owner calls tick() (tests). */
  readonly tickMs?: number;
  /** Shortest time between two frames sent (default 250 ms). */
  readonly imageMs?: number;
  /** Trace events one tick carries at most, and the recent trace a new page gets (defaults 200, 500). */
  readonly maxTickEvents?: number;
  readonly history?: number;
  /** Largest side of a streamed frame, pixels (default 256). */
  readonly imageSide?: number;
}

/** One connected page: `write` returns false when its socket is full; the feed then waits for `drained`. */
export interface FeedClient {
  write(data: string): boolean;
}

interface ClientState {
  blocked: boolean;
  backlog: MutableTick | undefined;
}

type MutableTick = {
  type: 'tick';
  t: number;
  values: Record<string, WireValue>;
  events: WireEvent[];
  updates: Record<string, number>;
  dropped: number;
  meta: Record<string, PvMeta>;
  catchAll: string[];
  image?: WireImage;
};

const emptyTick = (t: number): MutableTick => ({ type: 'tick', t, values: {}, events: [], updates: {}, dropped: 0, meta: {}, catchAll: [] });

export class LiveFeed {
  private readonly watched = new Set<string>();
  private readonly clients = new Map<FeedClient, ClientState>();
  private readonly history: WireEvent[] = [];
  private readonly catchAll: string[];
  private pending: MutableTick;
  private readonly sub: Subscription;
  private timer: NodeJS.Timeout | undefined;
  private imageSubs: Subscription[] = [];
  private dirtyImage: DetectorPanel | undefined;
  private lastImageMs = -Infinity;
  private lastImage: WireImage | undefined;
  private readonly detectors: DetectorPanel[];
  private readonly maxTickEvents: number;
  private readonly historySize: number;
  /** Ticks and bytes sent, for the bench. */
  ticks = 0;
  bytes = 0;

  constructor(private readonly opts: FeedOptions) {
    for (const n of watchedNames(opts.layout)) this.watched.add(n);
    this.catchAll = [...(opts.catchAll ?? [])];
    for (const n of this.catchAll) this.watched.add(n);
    this.detectors = opts.layout.panels.filter((p): p is DetectorPanel => p.kind === 'detector');
    this.maxTickEvents = opts.maxTickEvents ?? 200;
    this.historySize = opts.history ?? 500;
    this.pending = emptyTick(this.nowS());
    this.sub = opts.db.events.subscribe((e) => this.onEvent(e));
  }

  get clientCount(): number {
    return this.clients.size;
  }

  private nowS(): number {
    return this.opts.db.clock.now() / 1000;
  }

  /** Everything a new page needs; then it gets ticks. */
  hello(): Hello {
    const values: Record<string, WireValue> = {};
    const meta: Record<string, PvMeta> = {};
    for (const name of this.watched) {
      const pv = this.opts.find(name);
      if (!pv) continue;
      values[name] = wireValue(pv.value);
      meta[name] = metaOf(pv);
    }
    const image = this.lastImage ?? this.frameNow();
    return {
      type: 'hello',
      mode: 'live',
      layout: this.opts.layout,
      meta,
      values,
      events: [...this.history],
      catchAll: [...this.catchAll],
      t: this.nowS(),
      ...(image ? { image } : {}),
    };
  }

  /** Start streaming to `client` (its hello is sent first). */
  add(client: FeedClient): void {
    const state: ClientState = { blocked: false, backlog: undefined };
    // The first page starts from its hello: nothing gathered before it is news.
    if (this.clients.size === 0) this.pending = emptyTick(this.nowS());
    this.clients.set(client, state);
    this.send(client, state, JSON.stringify(this.hello()));
    if (this.clients.size === 1) this.startStreaming();
  }

  remove(client: FeedClient): void {
    if (!this.clients.delete(client)) return;
    if (this.clients.size === 0) this.stopStreaming();
  }

  /** The client's socket drained: send what piled up meanwhile, merged into one tick. */
  drained(client: FeedClient): void {
    const state = this.clients.get(client);
    if (!state) return;
    state.blocked = false;
    const backlog = state.backlog;
    state.backlog = undefined;
    if (backlog) this.send(client, state, JSON.stringify(backlog), backlog);
  }

  close(): void {
    this.stopStreaming();
    this.clients.clear();
    this.sub.unsubscribe();
  }

  private startStreaming(): void {
    const every = this.opts.tickMs ?? 100;
    if (every > 0) this.timer = setInterval(() => this.tick(), every);
    // A frame is rendered for image1:ArrayData only while someone watches it (LazyArrayPv): here, a page.
    for (const d of this.detectors) {
      const pv = this.opts.find(d.arrayData);
      if (pv) this.imageSubs.push(pv.updates.subscribe(() => (this.dirtyImage = d)));
    }
  }

  private stopStreaming(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const s of this.imageSubs) s.unsubscribe();
    this.imageSubs = [];
  }

  private onEvent(e: DbEvent): void {
    switch (e.kind) {
      case 'update': {
        if (!this.clients.size) return; // a new page's hello reads current values
        const name = e.update.pv.name;
        const p = this.pending;
        p.updates[name] = (p.updates[name] ?? 0) + 1;
        if (this.watched.has(name)) p.values[name] = wireValue(e.update.value);
        return;
      }
      case 'put': {
        const marker = this.opts.layout.control?.marker === e.pv.name;
        const value = wireValue(e.value);
        this.event(
          marker
            ? { t: this.nowS(), kind: 'marker', channel: String(Array.isArray(value) ? value[0] : value), client: clientOf(e.ctx) }
            : { t: this.nowS(), kind: 'put', channel: e.pv.name, value, client: clientOf(e.ctx) },
        );
        return;
      }
      case 'put-complete':
        // Successful completions are implied by the put; failures are news.
        if (e.status !== 1) this.event({ t: this.nowS(), kind: 'put-complete', channel: e.pv.name, eca: e.status, ...(e.message ? { message: e.message } : {}) });
        return;
      case 'created':
        if (e.resolved && this.opts.isCatchAll?.(e.pv) && !this.watched.has(e.pv.name)) {
          this.watched.add(e.pv.name);
          this.catchAll.push(e.pv.name);
          this.pending.catchAll.push(e.pv.name);
          this.pending.meta[e.pv.name] = metaOf(e.pv);
          this.pending.values[e.pv.name] = wireValue(e.pv.value);
          this.event({ t: this.nowS(), kind: 'catch-all', channel: e.pv.name });
        }
        return;
    }
  }

  private event(ev: WireEvent): void {
    this.history.push(ev);
    if (this.history.length > this.historySize) this.history.splice(0, this.history.length - this.historySize);
    // A burst beyond what a tick carries: the newest stay (the timeline is about now).
    const p = this.pending;
    p.events.push(ev);
    if (p.events.length > this.maxTickEvents) {
      p.events.shift();
      p.dropped++;
    }
  }

  /** The newest frame of the first detector that has one, shrunk (renders it if nobody has yet). */
  private frameNow(panel?: DetectorPanel): WireImage | undefined {
    for (const d of panel ? [panel] : this.detectors) {
      const pv = this.opts.find(d.arrayData);
      if (!pv || pv.count === 0) continue;
      const num = (n: string) => Number(this.opts.find(n)?.value ?? 0);
      const frame = shrinkFrame(pv.value as ArrayLike<number>, num(d.sizeX), num(d.sizeY), this.opts.imageSide ?? 256);
      return { channel: d.arrayData, t: this.nowS(), counter: num(d.counter), ...frame };
    }
    return undefined;
  }

  /** Send what changed since the last tick to every page (nothing when nothing changed). */
  tick(): void {
    const p = this.pending;
    const wall = performance.now();
    if (this.dirtyImage && wall - this.lastImageMs >= (this.opts.imageMs ?? 250)) {
      const image = this.frameNow(this.dirtyImage);
      this.dirtyImage = undefined;
      this.lastImageMs = wall;
      if (image) {
        this.lastImage = image;
        p.image = image;
      }
    }
    const empty = !p.image && !p.events.length && !p.dropped && !p.catchAll.length && isEmpty(p.values) && isEmpty(p.updates);
    if (empty) return;
    p.t = this.nowS();
    this.pending = emptyTick(p.t);
    this.ticks++;
    const text = JSON.stringify(compact(p));
    for (const [client, state] of this.clients) this.send(client, state, text, p);
  }

  private send(client: FeedClient, state: ClientState, text: string, tick?: MutableTick): void {
    if (state.blocked) {
      if (tick) state.backlog = state.backlog ? merge(state.backlog, tick, this.maxTickEvents) : cloneTick(tick);
      return;
    }
    this.bytes += text.length;
    if (!client.write(text)) state.blocked = true;
  }
}

const isEmpty = (o: object) => {
  for (const _ in o) return false;
  return true;
};

/** Leave out empty parts (most ticks carry values and update counts only). */
function compact(t: MutableTick): Tick {
  return {
    type: 'tick',
    t: t.t,
    values: t.values,
    events: t.events,
    updates: t.updates,
    ...(t.dropped ? { dropped: t.dropped } : {}),
    ...(isEmpty(t.meta) ? {} : { meta: t.meta }),
    ...(t.catchAll.length ? { catchAll: t.catchAll } : {}),
    ...(t.image ? { image: t.image } : {}),
  };
}

function cloneTick(t: MutableTick): MutableTick {
  return { ...t, values: { ...t.values }, events: [...t.events], updates: { ...t.updates }, meta: { ...t.meta }, catchAll: [...t.catchAll] };
}

/** `later` on top of `into`: newest values win, counts add up, events stay bounded (older ones dropped). */
function merge(into: MutableTick, later: MutableTick, maxEvents: number): MutableTick {
  into.t = later.t;
  Object.assign(into.values, later.values);
  Object.assign(into.meta, later.meta);
  for (const [k, n] of Object.entries(later.updates)) into.updates[k] = (into.updates[k] ?? 0) + n;
  into.events.push(...later.events);
  into.dropped += later.dropped;
  if (into.events.length > maxEvents) into.dropped += into.events.splice(0, into.events.length - maxEvents).length;
  into.catchAll.push(...later.catchAll);
  if (later.image) into.image = later.image;
  return into;
}

