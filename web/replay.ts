// A recorded trace as `beamtwin view` replays it: the same panels (from the trace's profile when it is
// known), every event with its value, in time order, capped so a huge trace still opens.
import type { TraceEvent, TraceHeader } from '../recorder/event.js';
import { loadProfile, type Profile } from '../devices/profile/profile.js';
import { Twin } from '../devices/twin.js';
import { VirtualClock } from '../ioc/clock.js';
import { layoutOf, watchedNames } from './layout.js';
import type { Layout, PvMeta, ReplayEvent, ReplayTrace } from './protocol.js';
import { clientOf, metaOf, wireValue } from './wire.js';

export const MAX_REPLAY_EVENTS = 200_000;

export interface ReplayPanels {
  readonly layout: Layout;
  /** Units, precision and enum names of the panels' PVs, from a twin of the profile built for a moment. */
  readonly meta: Readonly<Record<string, PvMeta>>;
}

/** The profile a trace was recorded with, when this beamtwin knows it; else no panels (search and timeline only). */
export function replayPanels(header: TraceHeader | undefined, given?: Profile): ReplayPanels {
  let profile = given;
  if (!profile && header?.profile) {
    try {
      profile = loadProfile(header.profile);
    } catch {
      // A profile file this machine does not have: the timeline still replays.
    }
  }
  if (!profile) return { layout: { profile: header?.profile ?? 'trace', description: '', panels: [], tracked: [] }, meta: {} };
  const layout = layoutOf(profile);
  const twin = new Twin(profile, { clock: new VirtualClock(), strict: true });
  const meta: Record<string, PvMeta> = {};
  try {
    for (const name of watchedNames(layout)) {
      const pv = twin.served(name);
      if (pv) meta[name] = metaOf(pv);
    }
  } finally {
    twin.stop();
  }
  return { layout, meta };
}

export function replayTrace(file: string, events: readonly TraceEvent[], { layout, meta }: ReplayPanels, max = MAX_REPLAY_EVENTS): ReplayTrace {
  const out: ReplayEvent[] = [];
  for (const e of events.slice(0, max)) {
    // Completions matter when they failed (as in the live view).
    if (e.kind === 'put-complete' && e.eca === 1) continue;
    const client = e.kind === 'put' ? clientOf(e) : undefined;
    const value = e.value === null && e.length !== undefined ? { length: e.length } : e.value === undefined ? undefined : wireValue(e.value);
    out.push({
      t: e.timestamp,
      kind: e.kind,
      channel: e.channel,
      ...(value !== undefined ? { value } : {}),
      ...(client ? { client } : {}),
      ...(e.eca !== undefined ? { eca: e.eca } : {}),
      ...(e.message ? { message: e.message } : {}),
    });
  }
  out.sort((a, b) => a.t - b.t);
  return { file, layout, meta, events: out, omitted: Math.max(0, events.length - max) };
}
