import type { TraceEvent } from './event.js';

/** Which events make up a trace for scoring: value changes and markers, as the reference harness saw. */
export const scoredKinds: ReadonlySet<string> = new Set(['update', 'marker']);

/** The EnvTrace JSON form: `{"schema_version": "1", "events": [{channel, timestamp, value, meta}]}`. */
export function toEnvTrace(events: readonly TraceEvent[], kinds: ReadonlySet<string> = scoredKinds): string {
  const parts = events
    .filter((e) => kinds.has(e.kind))
    .map((e) => {
      const meta: Record<string, unknown> = { kind: e.kind, seq: e.seq };
      if (e.severity) meta['severity'] = e.severity;
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
  const v = e.value;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return 'null';
    return e.float && Number.isInteger(v) ? `${v}.0` : String(v);
  }
  return JSON.stringify(v ?? null);
}
