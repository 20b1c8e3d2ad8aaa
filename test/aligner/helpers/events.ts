import type { Event, Value } from '../../../aligner/trace.js';

/** Events from [channel, timestamp, value] triples. */
export function ev(...triples: [string, number, Value][]): Event[] {
  return triples.map(([channel, timestamp, value]) => ({ channel, timestamp, value }));
}
