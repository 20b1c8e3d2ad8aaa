import type { Event } from '../../aligner/trace.js';
import type { TraceEvent } from '../../recorder/event.js';
import { scoredKinds } from '../../recorder/export.js';

/**
 * The part of a recorded trace that scoring compares, as the reference harness recorded it: value
 * changes of the tracked channels, plus markers. Floats keep their float-ness for the Python-faithful presets.
 */
export function scoredEvents(events: readonly (TraceEvent | Event)[], tracked?: readonly string[]): Event[] {
  const keep = tracked && tracked.length ? new Set(tracked) : undefined;
  const out: Event[] = [];
  for (const e of events) {
    const kind = (e as { kind?: string }).kind;
    if (kind !== undefined && !scoredKinds.has(kind)) continue;
    if (keep && kind !== 'marker' && !keep.has(e.channel)) continue;
    const float = (e as TraceEvent).float ?? (e as Event).pyFloat;
    out.push({
      channel: e.channel,
      timestamp: e.timestamp,
      value: (e.value ?? null) as Event['value'],
      ...(kind ? { kind } : {}),
      ...(float ? { pyFloat: true } : {}),
    });
  }
  return out;
}
