// What the page knows, fed by the live stream (apply) or rebuilt from a trace at a time (replayAt). The
// panels and the timeline draw from it; everything here is bounded (a page left open stays small).
import type { Hello, Layout, PvMeta, ReplayEvent, ReplayTrace, Tick, WireEvent, WireImage, WireValue } from '../protocol.js';

/** One lane point: when, what (an update burst of n, a put, a marker …). */
export interface LanePoint {
  readonly t: number;
  readonly kind: string;
  readonly n: number;
  readonly client?: string;
}

const MAX_EVENTS = 300;
const MAX_LANE_POINTS = 600;
const MAX_SERIES = 1200;

export class ViewState {
  layout: Layout = { profile: '', description: '', panels: [], tracked: [] };
  readonly values = new Map<string, WireValue>();
  readonly meta = new Map<string, PvMeta>();
  /** The trace table: recent puts, markers, failures, catch-all hits. */
  events: WireEvent[] = [];
  /** Timeline lanes by channel; markers apart. */
  readonly lanes = new Map<string, LanePoint[]>();
  markers: { t: number; name: string }[] = [];
  catchAll: string[] = [];
  image: WireImage | undefined;
  /** Temperature and setpoint samples per Linkam panel (by TEMP name). */
  readonly series = new Map<string, { t: number; temp: number; sp: number }[]>();
  t = 0;
  /** Names whose value changed since the last draw. */
  readonly dirty = new Set<string>();
  /** The timeline needs a redraw (new points); the table too (new events). */
  eventsChanged = true;
  tableChanged = true;
  imageChanged = false;

  hello(m: Hello): void {
    this.layout = m.layout;
    this.values.clear();
    this.meta.clear();
    this.lanes.clear();
    this.series.clear();
    this.markers = [];
    this.events = [];
    for (const [k, v] of Object.entries(m.meta)) this.meta.set(k, v);
    this.catchAll = [...m.catchAll];
    this.t = m.t;
    this.setValues(m.values);
    for (const e of m.events) this.addEvent(e);
    if (m.image) this.setImage(m.image);
    this.sample();
  }

  tick(m: Tick): void {
    this.t = m.t;
    if (m.meta) for (const [k, v] of Object.entries(m.meta)) this.meta.set(k, v);
    if (m.catchAll) this.catchAll.push(...m.catchAll);
    this.setValues(m.values);
    for (const [ch, n] of Object.entries(m.updates)) this.lanePoint(ch, { t: m.t, kind: 'update', n });
    for (const e of m.events) this.addEvent(e);
    if (m.image) this.setImage(m.image);
    this.sample();
  }

  private setValues(values: Readonly<Record<string, WireValue>>): void {
    for (const [k, v] of Object.entries(values)) {
      this.values.set(k, v);
      this.dirty.add(k);
    }
  }

  private setImage(image: WireImage): void {
    this.image = image;
    this.imageChanged = true;
  }

  private addEvent(e: WireEvent): void {
    this.events.push(e);
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
    if (e.kind === 'marker') {
      this.markers.push({ t: e.t, name: e.channel });
      if (this.markers.length > MAX_EVENTS) this.markers.shift();
    } else this.lanePoint(e.channel, { t: e.t, kind: e.kind, n: 1, ...(e.client ? { client: e.client } : {}) });
    this.eventsChanged = true;
    this.tableChanged = true;
  }

  private lanePoint(channel: string, p: LanePoint): void {
    let lane = this.lanes.get(channel);
    if (!lane) this.lanes.set(channel, (lane = []));
    lane.push(p);
    if (lane.length > MAX_LANE_POINTS) lane.splice(0, lane.length - MAX_LANE_POINTS);
    this.eventsChanged = true;
  }

  /** Forget lanes with nothing since `since` (live: the timeline window), so channels do not pile up. */
  prune(since: number): void {
    for (const [ch, lane] of this.lanes) {
      let i = 0;
      while (i < lane.length && lane[i]!.t < since) i++;
      if (i === lane.length) this.lanes.delete(ch);
      else if (i) lane.splice(0, i);
    }
    this.markers = this.markers.filter((m) => m.t >= since);
  }

  /** One chart sample per Linkam at the current time. */
  private sample(): void {
    for (const p of this.layout.panels) {
      if (p.kind !== 'linkam') continue;
      const temp = Number(this.values.get(p.temp));
      const sp = Number(this.values.get(p.setpoint));
      if (!Number.isFinite(temp) || !Number.isFinite(sp)) continue;
      let s = this.series.get(p.temp);
      if (!s) this.series.set(p.temp, (s = []));
      const last = s[s.length - 1];
      if (last && last.temp === temp && last.sp === sp && this.t - last.t < 1) continue;
      s.push({ t: this.t, temp, sp });
      if (s.length > MAX_SERIES) s.splice(0, s.length - MAX_SERIES);
    }
  }

  /** The state as the trace had it at time `t`: latest values, the events up to then, the lanes. */
  replayAt(trace: ReplayTrace, index: ReplayIndex, t: number): void {
    this.layout = trace.layout;
    this.t = t;
    if (!this.meta.size) for (const [k, v] of Object.entries(trace.meta)) this.meta.set(k, v);
    this.values.clear();
    this.lanes.clear();
    this.series.clear();
    this.markers = [];
    this.catchAll = [];
    const upto = index.countUpTo(t);
    for (const [ch, list] of index.byChannel) {
      const i = lastAtOrBefore(list, t);
      if (i >= 0) this.values.set(ch, list[i]!.value ?? null);
      this.dirty.add(ch);
    }
    const evs: WireEvent[] = [];
    for (let i = 0; i < upto; i++) {
      const e = trace.events[i]!;
      if (e.kind === 'marker') this.markers.push({ t: e.t, name: e.channel });
      else this.lanePointReplay(e);
      if (e.kind === 'catch-all') this.catchAll.push(e.channel);
      if (e.kind !== 'update') evs.push(e as WireEvent);
    }
    this.events = evs.slice(-MAX_EVENTS);
    this.tableChanged = true;
    for (const p of trace.layout.panels) {
      if (p.kind !== 'linkam') continue;
      const s: { t: number; temp: number; sp: number }[] = [];
      let temp = NaN;
      let sp = NaN;
      for (let i = 0; i < upto; i++) {
        const e = trace.events[i]!;
        if (e.channel === p.temp) temp = Number(e.value);
        else if (e.channel === p.setpoint) sp = Number(e.value);
        else continue;
        if (Number.isFinite(temp) && Number.isFinite(sp)) s.push({ t: e.t, temp, sp });
      }
      this.series.set(p.temp, s.slice(-MAX_SERIES));
    }
    this.eventsChanged = true;
  }

  private lanePointReplay(e: ReplayEvent): void {
    const lane = this.lanes.get(e.channel) ?? [];
    if (!this.lanes.has(e.channel)) this.lanes.set(e.channel, lane);
    lane.push({ t: e.t, kind: e.kind, n: 1, ...(e.client ? { client: e.client } : {}) });
  }
}

/** A trace's events by channel (those with values), for the value of every channel at a time. */
export class ReplayIndex {
  readonly byChannel = new Map<string, ReplayEvent[]>();
  readonly start: number;
  readonly end: number;
  constructor(private readonly trace: ReplayTrace) {
    for (const e of trace.events) {
      if (e.value === undefined || (e.kind !== 'update' && e.kind !== 'put' && e.kind !== 'catch-all')) continue;
      let list = this.byChannel.get(e.channel);
      if (!list) this.byChannel.set(e.channel, (list = []));
      list.push(e);
    }
    this.start = trace.events[0]?.t ?? 0;
    this.end = trace.events[trace.events.length - 1]?.t ?? this.start;
  }
  /** How many events happened at or before t. */
  countUpTo(t: number): number {
    return lastAtOrBefore(this.trace.events, t) + 1;
  }
}

function lastAtOrBefore(list: readonly { t: number }[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.t <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
