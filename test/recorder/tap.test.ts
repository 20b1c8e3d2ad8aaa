import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../devices/profile/profile.js';
import { Twin } from '../../devices/twin.js';
import { AlarmStatus, DBE, ECA, EPICS_EPOCH_OFFSET, Severity } from '../../ioc/ca/protocol/constants.js';
import { DbrBase } from '../../ioc/ca/protocol/dbr-types.js';
import { VirtualClock } from '../../ioc/clock.js';
import { PvDatabase } from '../../ioc/db/database.js';
import { PutError } from '../../ioc/db/errors.js';
import type { TraceEvent } from '../../recorder/event.js';
import { eventLine, MemorySink } from '../../recorder/jsonl.js';
import { InProcessRecorder, type TapOptions } from '../../recorder/tap.js';

// Tap unit tests run on the mini profile whatever PROFILE says: they pin the recorder, not a beamline.
const START_MS = Date.UTC(2026, 0, 1, 12, 0, 0);
const L = 'T:{LINKAM}:';

function setup(opts: Omit<TapOptions, 'markerPv' | 'ignore' | 'isCatchAll'> = {}) {
  const clock = new VirtualClock(START_MS);
  const twin = new Twin(loadProfile('test/fixtures/profiles/mini.yaml'), { clock }).start();
  twin.reset();
  const sink = new MemorySink();
  const recorder = new InProcessRecorder(twin.db, sink, {
    ...opts,
    markerPv: twin.marker,
    ignore: [twin.resetPv],
    isCatchAll: (pv) => twin.isCatchAllPv(pv),
  }).start();
  const pv = (name: string) => twin.db.lookup(name)!;
  return { clock, twin, sink, recorder, pv, events: sink.events };
}

/** POSIX seconds and EPICS [sec, nsec] of a clock time, as the recorder stamps it. */
function stampOf(ms: number): { timestamp: number; epics: [number, number] } {
  const sec = Math.floor(ms / 1000);
  const nsec = Math.round((ms - sec * 1000) * 1e6);
  return { timestamp: sec + nsec / 1e9, epics: [sec - EPICS_EPOCH_OFFSET, nsec] };
}

const pick = (events: readonly TraceEvent[], kind: string) => events.filter((e) => e.kind === kind);

describe('InProcessRecorder: puts, updates and completions', () => {
  it('records put → update → put-complete in order, with the client and the server time stamp', async () => {
    const { clock, events, pv } = setup();
    clock.advance(1234.5);
    await pv(`${L}SETPOINT:SET`).put(30, { host: 'ws1', user: 'alice', cid: 7, notify: true, origin: 'ca' });
    expect(events.map((e) => [e.seq, e.kind, e.channel])).toEqual([
      [1, 'put', `${L}SETPOINT:SET`],
      [2, 'update', `${L}SETPOINT:SET`],
      [3, 'put-complete', `${L}SETPOINT:SET`],
    ]);
    const at = stampOf(START_MS + 1234.5);
    expect(events[0]).toEqual({ seq: 1, kind: 'put', channel: `${L}SETPOINT:SET`, ...at, value: 30, float: true, host: 'ws1', user: 'alice', cid: 7, notify: true, origin: 'ca' });
    expect(events[1]).toEqual({
      seq: 2,
      kind: 'update',
      channel: `${L}SETPOINT:SET`,
      ...at,
      value: 30,
      float: true,
      mask: DBE.VALUE | DBE.LOG,
      status: AlarmStatus.NO_ALARM,
      severity: Severity.NO_ALARM,
    });
    expect(events[2]).toEqual({ seq: 3, kind: 'put-complete', channel: `${L}SETPOINT:SET`, ...at, eca: ECA.NORMAL, durationMs: 0, origin: 'ca' });
  });

  it('a device-model write is a put with origin internal and no client, notify false', async () => {
    const { events, pv } = setup();
    await pv(`${L}STARTHEAT`).put(1);
    expect(events[0]).toMatchObject({ kind: 'put', channel: `${L}STARTHEAT`, value: 1, notify: false, origin: 'internal' });
    expect(events[0]).not.toHaveProperty('host');
    expect(events[0]).not.toHaveProperty('float'); // STARTHEAT is a LONG
  });

  it('a put that completes later gets its put-complete then, with the clock-time duration; a failure carries its status', async () => {
    const clock = new VirtualClock(START_MS);
    const db = new PvDatabase(clock);
    const sink = new MemorySink();
    new InProcessRecorder(db, sink).start();
    const slow = db.create('slow', {
      type: DbrBase.DOUBLE,
      put: (p, v) =>
        new Promise<void>((resolve) => {
          p.set(v);
          clock.setTimeout(resolve, 2500);
        }),
    });
    const bad = db.create('bad', {
      type: DbrBase.LONG,
      put: () => {
        throw new PutError('out of range', ECA.PUTFAIL);
      },
    });
    const done = slow.put(4, { notify: true, origin: 'ca', cid: 3 });
    expect(sink.events.map((e) => e.kind)).toEqual(['put', 'update']);
    clock.advance(2500);
    await done;
    await expect(bad.put(9, { origin: 'ca' })).rejects.toThrow('out of range');
    expect(sink.events.map((e) => `${e.kind} ${e.channel}`)).toEqual(['put slow', 'update slow', 'put-complete slow', 'put bad', 'put-complete bad']);
    expect(sink.events[2]).toMatchObject({ eca: ECA.NORMAL, durationMs: 2500, ...stampOf(START_MS + 2500) });
    expect(sink.events[4]).toMatchObject({ eca: ECA.PUTFAIL, message: 'out of range', origin: 'ca' });
  });

  it('updates carry their DBE mask and alarm: value+alarm, alarm only, property only', () => {
    const { events, pv, recorder } = setup();
    const temp = pv(`${L}TEMP`);
    temp.set(90, { status: AlarmStatus.HIHI, severity: Severity.MAJOR });
    temp.setAlarm(AlarmStatus.NO_ALARM, Severity.NO_ALARM);
    temp.setMeta({ units: 'K' });
    expect(events.map((e) => [e.kind, e.mask, e.status, e.severity, e.value])).toEqual([
      ['update', DBE.VALUE | DBE.LOG | DBE.ALARM, AlarmStatus.HIHI, Severity.MAJOR, 90],
      ['update', DBE.ALARM, AlarmStatus.NO_ALARM, Severity.NO_ALARM, 90],
      ['update', DBE.PROPERTY, AlarmStatus.NO_ALARM, Severity.NO_ALARM, 90],
    ]);
    expect(recorder.count).toBe(3);
  });

  it('stamps ramp updates with the virtual clock at each step (server time, not the recorder’s)', async () => {
    const { clock, events, pv } = setup();
    await pv(`${L}RAMPRATE:SET`).put(60); // 6 °C per 0.1 s step
    await pv(`${L}SETPOINT:SET`).put(40);
    await pv(`${L}STARTHEAT`).put(1);
    events.length = 0;
    clock.advance(300);
    const temps = events.filter((e) => e.channel === `${L}TEMP`);
    expect(temps.map((e) => e.value)).toEqual([31, 37, 40]);
    expect(temps.map((e) => e.timestamp)).toEqual([100, 200, 300].map((d) => stampOf(START_MS + d).timestamp));
    // STATUS goes ramping (2) → at setpoint (1) when TEMP lands.
    expect(events.filter((e) => e.channel === `${L}STATUS`).map((e) => e.value)).toEqual([1]);
  });
});

describe('InProcessRecorder: markers and catch-all', () => {
  it('a write to the marker PV is a marker event: "name" (value 0) or "name=value" (number or text)', async () => {
    const { clock, twin, events } = setup();
    clock.advance(10);
    await twin.marker.put('sam.align', { origin: 'ca' });
    await twin.marker.put('sam.setOrigin=2.5', { origin: 'ca' });
    await twin.marker.put(' note = hello world ', { origin: 'ca' });
    await twin.marker.put('=orphan', { origin: 'ca' }); // no name: ignored
    expect(events.map((e) => [e.seq, e.kind, e.channel, e.value])).toEqual([
      [1, 'marker', 'sam.align', 0],
      [2, 'marker', 'sam.setOrigin', 2.5],
      [3, 'marker', 'note', 'hello world'],
    ]);
    expect(events[0]).toMatchObject(stampOf(START_MS + 10));
    // The marker PV's own update and completion stay out of the trace.
    expect(events.some((e) => e.channel === 'bt:marker')).toBe(false);
  });

  it('markers pass the channel filter; the reset control PV is never recorded', async () => {
    const { twin, events, recorder } = setup({ channels: [`${L}TEMP`] });
    recorder.marker('wsam');
    await twin.marker.put('sam.pos=1');
    await twin.resetPv.put(1);
    // The reset posts TEMP (forced) and other Linkam PVs: only TEMP passes the filter.
    expect(events.map((e) => `${e.kind} ${e.channel}`)).toEqual(['marker wsam', 'marker sam.pos', `update ${L}TEMP`]);
  });

  it('the first search of an unknown name under a catch-all prefix is a catch-all event; later ones are not', () => {
    const { twin, events } = setup();
    twin.db.lookup('T:{Det}:cam1:AcquireTime');
    twin.db.lookup('T:{Det}:cam1:AcquireTime');
    twin.db.lookup('T:{Det}:cam1:FileName');
    twin.db.lookup(`${L}TEMP`); // served by a device
    twin.db.lookup('Elsewhere:PV'); // no catch-all prefix
    expect(events.map((e) => [e.kind, e.channel, e.value, e.float])).toEqual([
      ['catch-all', 'T:{Det}:cam1:AcquireTime', 0, true],
      ['catch-all', 'T:{Det}:cam1:FileName', '', undefined],
    ]);
    expect(twin.catchAllHits.map((h) => h.name)).toEqual(['T:{Det}:cam1:AcquireTime', 'T:{Det}:cam1:FileName']);
  });
});

describe('InProcessRecorder: filters', () => {
  it('records only channels matching exact names and * / ? globs', async () => {
    const { events, pv } = setup({ channels: [`${L}SETPOINT:*`, 'T:{Shutter}', 'T:{blade?}Pos'] });
    await pv(`${L}SETPOINT:SET`).put(30);
    await pv(`${L}RAMPRATE:SET`).put(5);
    await pv('T:{Shutter}').put(1);
    const names = new Set(events.map((e) => e.channel));
    expect([...names]).toEqual([`${L}SETPOINT:SET`, 'T:{Shutter}']);
    // Filtered events take no sequence numbers.
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  });

  it('glob metacharacters of EPICS names ({ } : .) are literal', async () => {
    const { events, pv } = setup({ channels: ['T:{LINKAM}.*'] });
    await pv(`${L}SETPOINT:SET`).put(30);
    expect(events).toEqual([]);
  });

  it('records only the kinds asked for, markers included', async () => {
    const { twin, events, pv } = setup({ kinds: ['put', 'put-complete'] });
    await pv(`${L}SETPOINT:SET`).put(30);
    await twin.marker.put('m');
    twin.db.lookup('T:{New}:Thing');
    expect(events.map((e) => e.kind)).toEqual(['put', 'put-complete']);
  });
});

describe('InProcessRecorder: values', () => {
  it('writes float PVs’ integral values as 2.0 and integer PVs’ as 2', async () => {
    const { events, pv } = setup();
    await pv(`${L}SETPOINT:SET`).put(2);
    await pv(`${L}STARTHEAT`).put(1);
    const lines = events.filter((e) => e.kind === 'update').map(eventLine);
    expect(lines[0]).toContain('"value":2.0,"float":true');
    expect(lines.find((l) => l.includes('STARTHEAT'))).toMatch(/"value":1,"mask"/);
  });

  it('copies arrays (floats as 1.0) and records arrays longer than maxArray by length only', () => {
    const clock = new VirtualClock(START_MS);
    const db = new PvDatabase(clock);
    const sink = new MemorySink();
    new InProcessRecorder(db, sink, { maxArray: 4 }).start();
    const wave = db.create('wave', { type: DbrBase.DOUBLE, value: new Float64Array(4), maxCount: 100 });
    const names = db.create('names', { type: DbrBase.STRING, value: ['a'], maxCount: 10 });
    const src = new Float64Array([1, 2.5, 3, 4]);
    wave.set(src);
    src[0] = 99; // the trace keeps the posted value, not a view of the caller's buffer
    wave.set(new Float64Array(5));
    names.set(['x', 'y']);
    expect(sink.events.map((e) => [e.channel, e.value, e.length])).toEqual([
      ['wave', [1, 2.5, 3, 4], undefined],
      ['wave', null, 5],
      ['names', ['x', 'y'], undefined],
    ]);
    expect(eventLine(sink.events[0]!)).toContain('"value":[1.0,2.5,3.0,4.0],"float":true');
    expect(eventLine(sink.events[1]!)).toContain('"value":null,"length":5');
  });

  it('the default maxArray is 4096 elements', () => {
    const db = new PvDatabase(new VirtualClock());
    const sink = new MemorySink();
    new InProcessRecorder(db, sink).start();
    const wave = db.create('img', { type: DbrBase.SHORT, value: new Int16Array(1), maxCount: 1 << 20 });
    wave.set(new Int16Array(4096));
    wave.set(new Int16Array(4097));
    expect(sink.events.map((e) => (Array.isArray(e.value) ? e.value.length : e.length))).toEqual([4096, 4097]);
    expect(sink.events[1]!.value).toBeNull();
  });

  it('stop() detaches: nothing after it is recorded, and the sink is flushed', async () => {
    const { events, pv, recorder } = setup();
    await pv(`${L}SETPOINT:SET`).put(30);
    const n = events.length;
    recorder.stop();
    await pv(`${L}SETPOINT:SET`).put(31);
    expect(events.length).toBe(n);
    expect(pick(events, 'put')).toHaveLength(1);
  });
});
