import type { TraceEvent } from './event.js';
import { valueJson } from './jsonl.js';

/** Which events make up a trace for scoring: value changes and markers, as the reference harness saw. */
export const scoredKinds: ReadonlySet<string> = new Set(['update', 'marker']);

/**
 * The EnvTrace JSON form: `{"schema_version": "1", "events": [{channel, timestamp, value, meta}]}`.
 * Values are written as the JSON Lines trace writes them: float PVs keep `2.0`, NaN/Infinity are Python
 * json's bare tokens (the EnvTrace tools and the aligner read them back as floats).
 */
export function toEnvTrace(events: readonly TraceEvent[], kinds: ReadonlySet<string> = scoredKinds): string {
  const parts = events
    .filter((e) => kinds.has(e.kind))
    .map((e) => {
      const meta: Record<string, unknown> = { kind: e.kind, seq: e.seq };
      if (e.severity) meta['severity'] = e.severity;
      if (e.length !== undefined) meta['length'] = e.length;
      return `{"channel":${JSON.stringify(e.channel)},"timestamp":${e.timestamp},"value":${valueText(e)},"meta":${JSON.stringify(meta)}}`;
    });
  return `{"schema_version":"1","events":[\n${parts.join(',\n')}\n]}\n`;
}

/** The VISION form: a list of `[pv, timestamp, value]`. */
export function toVisionTriples(events: readonly TraceEvent[], kinds: ReadonlySet<string> = scoredKinds): string {
  const parts = events.filter((e) => kinds.has(e.kind)).map((e) => `[${JSON.stringify(e.channel)},${e.timestamp},${valueText(e)}]`);
  return `[\n${parts.join(',\n')}\n]\n`;
}

function valueText(e: TraceEvent): string {
  return valueJson(e.value, e.float === true);
}
