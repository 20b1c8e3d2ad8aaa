// What the server and the page say to each other: the layout, the stream's messages, the HTTP API's
// bodies. Types only (no imports), so the page bundles them without pulling in any server code.

export interface MotorPanel {
  readonly kind: 'motor';
  readonly name: string;
  readonly desc: string;
  /** The record name: VAL (the target) is served under it. */
  readonly pv: string;
  readonly rbv: string;
  readonly dmov: string;
  readonly hls: string;
  readonly lls: string;
  readonly lvio: string;
  readonly egu: string;
}

export interface DetectorPanel {
  readonly kind: 'detector';
  readonly name: string;
  readonly prefix: string;
  readonly state: string;
  readonly acquire: string;
  readonly counter: string;
  readonly acquireTime: string;
  readonly numImages: string;
  /** The image1 waveform and the frame size the cam reports for it. */
  readonly arrayData: string;
  readonly sizeX: string;
  readonly sizeY: string;
}

export interface LinkamPanel {
  readonly kind: 'linkam';
  readonly name: string;
  readonly temp: string;
  readonly setpoint: string;
  readonly rampRate: string;
  readonly heat: string;
  readonly status: string;
}

export interface ShutterPanel {
  readonly kind: 'shutter';
  readonly name: string;
  readonly pv: string;
  readonly blades: readonly string[];
}

export type Panel = MotorPanel | DetectorPanel | LinkamPanel | ShutterPanel;

export interface Layout {
  readonly profile: string;
  readonly description: string;
  readonly panels: readonly Panel[];
  /** The twin's control PVs (absent when serving plain databases: no reset, no markers). */
  readonly control?: { readonly reset: string; readonly marker: string };
  readonly tracked: readonly string[];
}

/** A value as the page gets it: scalars as they are, long arrays by length only. */
export type WireValue = number | string | readonly number[] | readonly string[] | { readonly length: number } | null;

/** Display metadata of a PV (sent once, with the layout or the first time the PV appears). */
export interface PvMeta {
  readonly type: string;
  readonly units?: string;
  readonly precision?: number;
  readonly enums?: readonly string[];
  readonly writable?: boolean;
  readonly count?: number;
}

/** One trace event as the timeline shows it (a subset of the recorder's TraceEvent). */
export interface WireEvent {
  /** POSIX seconds (the twin's clock). */
  readonly t: number;
  readonly kind: 'put' | 'put-complete' | 'marker' | 'catch-all';
  readonly channel: string;
  readonly value?: WireValue;
  /** Who wrote: origin (ca, web, internal …), then host/user/cid when known. */
  readonly client?: string;
  readonly eca?: number;
  readonly message?: string;
}

/** A frame for the page: down-sampled, scaled to 0..255 between min and max (base64 bytes). */
export interface WireImage {
  readonly channel: string;
  readonly t: number;
  readonly counter: number;
  readonly width: number;
  readonly height: number;
  /** The full frame's size and statistics. */
  readonly sizeX: number;
  readonly sizeY: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly total: number;
  readonly pixels: string;
}

/** First message of the stream: everything needed to draw the page, then ticks keep it current. */
export interface Hello {
  readonly type: 'hello';
  readonly mode: 'live' | 'replay';
  readonly layout: Layout;
  readonly meta: Readonly<Record<string, PvMeta>>;
  readonly values: Readonly<Record<string, WireValue>>;
  /** The recent trace (bounded). */
  readonly events: readonly WireEvent[];
  readonly catchAll: readonly string[];
  readonly t: number;
  readonly image?: WireImage;
}

/** What changed since the previous tick: latest values only (coalesced), new events, update counts. */
export interface Tick {
  readonly type: 'tick';
  readonly t: number;
  readonly values: Readonly<Record<string, WireValue>>;
  readonly events: readonly WireEvent[];
  /** Updates posted per channel since the previous tick. */
  readonly updates: Readonly<Record<string, number>>;
  /** Events left out of `events` because a tick carries at most so many. */
  readonly dropped?: number;
  readonly meta?: Readonly<Record<string, PvMeta>>;
  readonly catchAll?: readonly string[];
  readonly image?: WireImage;
}

export type StreamMessage = Hello | Tick;

/** GET /api/pv?name=… */
export interface PvReading {
  readonly name: string;
  readonly value: WireValue;
  readonly text: string;
  readonly meta: PvMeta;
  readonly severity: number;
  readonly status: number;
}

/** A replayed trace (GET /api/trace in `beamtwin view`). */
export interface ReplayTrace {
  readonly file: string;
  readonly layout: Layout;
  readonly meta: Readonly<Record<string, PvMeta>>;
  readonly events: readonly ReplayEvent[];
  /** Events beyond the view's cap, left out. */
  readonly omitted: number;
}

/** A trace event in replay: updates carry values too. */
export interface ReplayEvent {
  readonly t: number;
  readonly kind: string;
  readonly channel: string;
  readonly value?: WireValue;
  readonly client?: string;
  readonly eca?: number;
  readonly message?: string;
}
