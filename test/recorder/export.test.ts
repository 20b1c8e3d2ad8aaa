import { describe, expect, it } from 'vitest';
import { parseTrace } from '../../aligner/io/read-trace.js';
import { loadProfile } from '../../devices/profile/profile.js';
import { Twin } from '../../devices/twin.js';
import { DbrBase } from '../../ioc/ca/protocol/dbr-types.js';
import { VirtualClock } from '../../ioc/clock.js';
import type { TraceEvent } from '../../recorder/event.js';
import { toEnvTrace, toVisionTriples } from '../../recorder/export.js';
import { eventLine, MemorySink } from '../../recorder/jsonl.js';
import { InProcessRecorder } from '../../recorder/tap.js';

const L = 'T:{LINKAM}:';

/** A recorded session on the mini twin in virtual time: every kind of event and value shape. */
async function session(): Promise<readonly TraceEvent[]> {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1, 12));
  const twin = new Twin(loadProfile('test/fixtures/profiles/mini.yaml'), { clock }).start();
  twin.reset();
  const sink = new MemorySink();
  const rec = new InProcessRecorder(twin.db, sink, { markerPv: twin.marker, ignore: [twin.resetPv], isCatchAll: (pv) => twin.isCatchAllPv(pv) }).start();
  const wave = twin.db.create('T:wave', { type: DbrBase.DOUBLE, value: new Float64Array(3), maxCount: 3 });
  const text = twin.db.create('T:text', { type: DbrBase.STRING, value: '' });
  const ctx = { origin: 'ca', host: 'h', user: 'u', cid: 1, notify: true };
  await twin.marker.put('sam.align', ctx);
  await twin.db.lookup(`${L}RAMPRATE:SET`)!.put(30, ctx);
  await twin.db.lookup(`${L}SETPOINT:SET`)!.put(27.5, ctx);
  await twin.db.lookup(`${L}STARTHEAT`)!.put(1, ctx);
  clock.advance(333.3);
  await twin.db.lookup('T:{Shutter}')!.put(1, ctx);
  clock.advance(250);
  twin.db.lookup('T:{Det}:cam1:AcquireTime');
  wave.set(new Float64Array([1, Number.NaN, 2.25]));
  text.set('hello "world"');
  twin.db.lookup(`${L}TEMP`)!.set(Number.POSITIVE_INFINITY);
  await twin.marker.put('sam.setOrigin=x', ctx);
  rec.stop();
  twin.stop();
  return sink.events;
}

describe('trace exports load in the aligner', () => {
  it('EnvTrace JSON: the scored events (updates and markers) with the same channels, values and time stamps', async () => {
    const events = await session();
    const scored = events.filter((e) => e.kind === 'update' || e.kind === 'marker');
    expect(new Set(events.map((e) => e.kind))).toEqual(new Set(['marker', 'put', 'update', 'put-complete', 'catch-all']));
    const doc = toEnvTrace(events);
    expect(JSON.parse(doc.replace(/\bNaN\b|-?Infinity\b/g, 'null')).schema_version).toBe('1');
    const t = parseTrace(doc, 'export.json');
    expect(t.format).toBe('envtrace');
    expect(t.events.map((e) => e.channel)).toEqual(scored.map((e) => e.channel));
    expect(t.events.map((e) => e.timestamp)).toEqual(scored.map((e) => e.timestamp));
    expect(t.events.map((e) => e.value)).toEqual(scored.map((e) => e.value)); // NaN and Infinity included
    expect(t.events.map((e) => e.meta?.['kind'])).toEqual(scored.map((e) => e.kind));
    expect(t.events.map((e) => e.meta?.['seq'])).toEqual(scored.map((e) => e.seq));
    // Float PVs' integral values come through as Python floats (2.0), integer PVs' as ints.
    const sp = t.events.find((e) => e.channel === `${L}RAMPRATE:SET`)!;
    expect(sp.pyFloat).toBe(true);
    expect(t.events.find((e) => e.channel === `${L}STARTHEAT`)!.pyFloat).toBeUndefined();
  });

  it('VISION triples: the same events as [pv, timestamp, value]', async () => {
    const events = await session();
    const scored = events.filter((e) => e.kind === 'update' || e.kind === 'marker');
    const t = parseTrace(toVisionTriples(events), 'export.vision.json');
    expect(t.format).toBe('vision');
    expect(t.events.map((e) => [e.channel, e.timestamp, e.value])).toEqual(scored.map((e) => [e.channel, e.timestamp, e.value]));
  });

  it('the JSON Lines trace itself reads in the aligner with the same scored events', async () => {
    const events = await session();
    const scored = events.filter((e) => e.kind === 'update' || e.kind === 'marker');
    const text = '{"format":"beamtwin-trace","version":1,"producer":"test","clock":"virtual","start":0,"source":"in-process"}\n' + events.map(eventLine).join('');
    const t = parseTrace(text, 'run.jsonl');
    expect(t.format).toBe('jsonl');
    expect(t.events.map((e) => [e.channel, e.timestamp, e.value])).toEqual(scored.map((e) => [e.channel, e.timestamp, e.value]));
  });

  it('other kinds can be asked for; an empty trace is a valid document', () => {
    expect(parseTrace(toEnvTrace([]), 'empty.json').events).toEqual([]);
    const put: TraceEvent = { seq: 1, kind: 'put', channel: 'a', timestamp: 1.5, epics: [0, 0], value: 3, float: true };
    const t = parseTrace(toEnvTrace([put], new Set(['put'])), 'puts.json');
    expect(t.events).toEqual([{ channel: 'a', timestamp: 1.5, value: 3, meta: { kind: 'put', seq: 1 }, kind: 'put', pyFloat: true }]);
  });
});
