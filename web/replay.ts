// A recorded trace as `beamtwin view` replays it: the same panels (from the trace's profile when it is
// known), every event with its value, in time order, capped so a huge trace still opens.
import type { TraceEvent, TraceHeader } from '../recorder/event.js';
import { loadProfile, type Profile } from '../devices/profile/profile.js';
import { layoutOf } from './layout.js';
import type { Layout, ReplayEvent, ReplayTrace } from './protocol.js';
import { clientOf, wireValue } from './wire.js';

export const MAX_REPLAY_EVENTS = 200_000;

/** The profile a trace was recorded with, when this beamtwin knows it; else no panels (search and timeline only). */
export function replayLayout(header: TraceHeader | undefined, profile?: Profile): Layout {
  if (profile) return layoutOf(profile);
  if (header?.profile) {
    try {
      return layoutOf(loadProfile(header.profile));
    } catch {
      // A profile file this machine does not have: the timeline still replays.
    }
  }
  return { profile: header?.profile ?? 'trace', description: '', panels: [], tracked: [] };
}

export function replayTrace(file: string, events: readonly TraceEvent[], layout: Layout, max = MAX_REPLAY_EVENTS): ReplayTrace {
  const out: ReplayEvent[] = [];
  for (const e of events.slice(0, max)) {
    const client = e.kind === 'put' ? clientOf(e) : undefined;
    const value = e.value === null && e.length !== undefined ? { length: e.length } : e.value === undefined ? undefined : wireValue(e.value);
    out.push({ t: e.timestamp, kind: e.kind, channel: e.channel, ...(value !== undefined ? { value } : {}), ...(client ? { client } : {}) });
  }
  out.sort((a, b) => a.t - b.t);
  return { file, layout, events: out, omitted: Math.max(0, events.length - max) };
}
