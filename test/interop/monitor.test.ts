// camonitor and put-callback through libca: every change once and in order (values and alarms), enum
// monitors as strings, count-0 monitors following the array length, a 100 000-element waveform monitor,
// put-callback completing only after a slow put handler settles, and a client vanishing mid-monitor.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AlarmStatus, Severity } from '../../ioc/ca/protocol/constants.js';
import { DbrBase } from '../../ioc/ca/protocol/dbr-types.js';
import { startTestServer, quietLogger, type TestServer } from '../helpers/ca-server.js';
import { createInteropPvs, ENUM_STRINGS, scalars, WAVEFORM_LENGTH, waveformValue } from './fixtures.js';
import { PythonSession, runPython } from './pyepics.js';
import { py } from './python-lib.js';

const tick = () => new Promise<void>((r) => setImmediate(r));

/** A python client with subscriptions; commands: wait (for a last value), count, get, quit. */
const MONITOR_SCRIPT = (prefix: string, subs: { key: string; pv: string; ftype?: string; time?: boolean; count?: number; summary?: boolean }[]) => String.raw`
import numpy as np
P = ${py(prefix)}
SUBS = ${py(subs)}
events = {s['key']: [] for s in SUBS}
lock = threading.Lock()
keep = []

def make_cb(s):
    def cb(value=None, status=None, severity=None, **kw):
        if s.get('summary'):
            a = np.asarray(value)
            v = [int(a.size), float(a[0]), float(a[-1])]
        else:
            v = value.tolist() if hasattr(value, 'tolist') else value
        with lock:
            events[s['key']].append([v, status, severity] if s.get('time') else v)
    return cb

for s in SUBS:
    chid = connect(P + s['pv'])
    ftype = getattr(dbr, s['ftype']) if s.get('ftype') else None
    keep.append(ca.create_subscription(chid, use_time=bool(s.get('time')), ftype=ftype, count=s.get('count', 0), callback=make_cb(s)))

wait_until(lambda: all(len(v) > 0 for v in events.values()), 10)
out({'ready': {k: len(v) for k, v in events.items()}})

def last_value(key):
    ev = events[key]
    if not ev:
        return None
    e = ev[-1]
    return e[0] if any(s['key'] == key and s.get('time') for s in SUBS) else e

while True:
    c = cmd()
    op = c['op']
    if op == 'wait':
        ok = wait_until(lambda: last_value(c['key']) == c['last'], 20)
        with lock:
            out({'key': c['key'], 'ok': ok, 'events': list(events[c['key']])})
    elif op == 'wait_count':
        ok = wait_until(lambda: len(events[c['key']]) >= c['n'], 20)
        with lock:
            ev = list(events[c['key']])
        out({'key': c['key'], 'ok': ok, 'n': len(ev), 'increasing': all(a < b for a, b in zip(ev, ev[1:])), 'last': ev[-1] if ev else None})
    elif op == 'get':
        out({'get': c['pv'], 'value': ca.get(connect(P + c['pv']))})
    elif op == 'quit':
        break
`;

describe('camonitor through libca (pyepics)', () => {
  let s: TestServer;
  const sessions: PythonSession[] = [];
  const serverLog: string[] = [];

  beforeAll(async () => {
    s = await startTestServer(
      (db, p) => {
        createInteropPvs(db, p);
        db.create(p + 'mon', { type: DbrBase.DOUBLE, value: 0.5, precision: 2 });
        db.create(p + 'lmon', { type: DbrBase.LONG, value: 0 });
        db.create(p + 'fast', { type: DbrBase.LONG, value: 0 });
      },
      {},
      { log: quietLogger(serverLog) },
    );
  });
  afterEach(async () => {
    for (const p of sessions.splice(0)) {
      p.kill();
      await p.exited;
    }
  });
  afterAll(() => s?.stop());

  const start = async (script: string) => {
    const p = await PythonSession.start(script, { env: s.env, timeoutMs: 40_000 });
    sessions.push(p);
    return p;
  };

  it('receives every change once and in order, with alarms, enum strings, count-0 arrays and the big waveform', async () => {
    const p = await start(
      MONITOR_SCRIPT(s.prefix, [
        { key: 'mon', pv: 'mon', time: true },
        { key: 'lmon', pv: 'lmon' },
        { key: 'enm', pv: 'enm', ftype: 'STRING' },
        { key: 'dyn', pv: 'dyn', count: 0 },
        { key: 'wf', pv: 'wf', time: true, count: 0, summary: true },
      ]),
    );
    const ready = await p.next<{ ready: Record<string, number> }>();
    // One initial update per subscription, whatever the mask.
    expect(ready.ready).toEqual({ mon: 1, lmon: 1, enm: 1, dyn: 1, wf: 1 });

    const mon = s.db.get(s.prefix + 'mon')!;
    const lmon = s.db.get(s.prefix + 'lmon')!;
    const expectedMon: [number, number, number][] = [[0.5, 0, 0]];
    const expectedL: number[] = [0];
    for (let i = 1; i <= 300; i++) {
      mon.set(i / 4);
      expectedMon.push([i / 4, mon.status, mon.severity]);
      lmon.set(i);
      expectedL.push(i);
      if (i % 100 === 50) {
        mon.setAlarm(AlarmStatus.HIHI, Severity.MAJOR);
        expectedMon.push([i / 4, AlarmStatus.HIHI, Severity.MAJOR]);
      } else if (i % 100 === 70) {
        // Value and alarm in one post.
        mon.set(-i, { status: AlarmStatus.NO_ALARM, severity: Severity.NO_ALARM });
        expectedMon.push([-i, 0, 0]);
      }
      if (i % 10 === 0) await tick();
    }
    mon.set(-1);
    expectedMon.push([-1, 0, 0]);

    const enm = s.db.get(s.prefix + 'enm')!;
    enm.set(2);
    enm.set(0);
    enm.set(1);
    const dyn = s.db.get(s.prefix + 'dyn')!;
    dyn.set([1, 2, 3]);
    dyn.set([1, 2, 3, 4, 5, 6, 7]);
    dyn.set(Array.from({ length: 20 }, (_, i) => i * 10));
    const wf = s.db.get(s.prefix + 'wf')!;
    wf.set(new Float64Array(WAVEFORM_LENGTH).fill(1));
    wf.set(new Float64Array(50).fill(2));
    wf.set(new Float64Array(WAVEFORM_LENGTH).fill(3));

    p.send({ op: 'wait', key: 'mon', last: -1 });
    const gotMon = await p.next<{ ok: boolean; events: unknown[] }>();
    expect(gotMon.ok).toBe(true);
    expect(gotMon.events).toEqual(expectedMon);

    p.send({ op: 'wait', key: 'lmon', last: 300 });
    expect(await p.next()).toEqual({ key: 'lmon', ok: true, events: expectedL });

    p.send({ op: 'wait', key: 'enm', last: 'On' });
    expect(await p.next()).toEqual({ key: 'enm', ok: true, events: ['On', 'Fault', 'Off', 'On'] });
    expect(ENUM_STRINGS[1]).toBe('On');

    p.send({ op: 'wait', key: 'dyn', last: Array.from({ length: 20 }, (_, i) => i * 10) });
    expect(await p.next()).toEqual({
      key: 'dyn',
      ok: true,
      events: [[1, 2, 3, 4, 5], [1, 2, 3], [1, 2, 3, 4, 5, 6, 7], Array.from({ length: 20 }, (_, i) => i * 10)],
    });

    p.send({ op: 'wait', key: 'wf', last: [WAVEFORM_LENGTH, 3, 3] });
    const gotWf = await p.next<{ ok: boolean; events: [number[], number, number][] }>();
    expect(gotWf.ok).toBe(true);
    expect(gotWf.events.map((e) => e[0])).toEqual([
      [WAVEFORM_LENGTH, waveformValue(0), waveformValue(WAVEFORM_LENGTH - 1)],
      [WAVEFORM_LENGTH, 1, 1],
      [50, 2, 2],
      [WAVEFORM_LENGTH, 3, 3],
    ]);
    p.send({ op: 'quit' });
    await p.finish();
    expect(serverLog.filter((l) => l.startsWith('ERROR'))).toEqual([]);
  });

  it('monitors every native type (TIME form): each change once, in order, with its alarm', async () => {
    const posts: Record<string, (number | string)[]> = {
      dbl: [2.5, -3.75, 1e300],
      flt: [0.5, -2.25, 1024],
      lng: [-5, 7, 2147483647],
      sht: [-32768, 0, 32767],
      chr: [0, 127, 255],
      enm: [2, 0, 1],
      str: ['a', 'bb b', 'last one'],
    };
    const p = await start(MONITOR_SCRIPT(s.prefix, scalars.map((x) => ({ key: x.suffix, pv: x.suffix, time: true }))));
    await p.next();
    const expected: Record<string, unknown[]> = {};
    for (const spec of scalars) {
      const pv = s.db.get(s.prefix + spec.suffix)!;
      const ev: unknown[] = [[pv.value, 0, 0]];
      posts[spec.suffix]!.forEach((v, i) => {
        // The middle change carries a MAJOR alarm, the last one clears it.
        const alarm = i === 1 ? { status: AlarmStatus.STATE, severity: Severity.MAJOR } : { status: 0, severity: 0 };
        pv.set(v, alarm);
        ev.push([v, alarm.status, alarm.severity]);
      });
      expected[spec.suffix] = ev;
    }
    for (const spec of scalars) {
      p.send({ op: 'wait', key: spec.suffix, last: posts[spec.suffix]!.at(-1) });
      const got = await p.next<{ key: string; ok: boolean; events: unknown[] }>();
      expect(got).toEqual({ key: spec.suffix, ok: true, events: expected[spec.suffix] });
    }
    p.send({ op: 'quit' });
    await p.finish();
  });

  it('a client vanishing mid-monitor does not disturb another client', async () => {
    const fast = s.db.get(s.prefix + 'fast')!;
    let n = 0;
    const timer = setInterval(() => {
      for (let i = 0; i < 5; i++) fast.set(++n);
    }, 1);
    try {
      const script = MONITOR_SCRIPT(s.prefix, [{ key: 'fast', pv: 'fast' }]);
      const [a, b] = await Promise.all([start(script), start(script)]);
      await Promise.all([a.next(), b.next()]);
      const circuitsBefore = s.server.circuitCount;
      expect(circuitsBefore).toBeGreaterThanOrEqual(2);
      for (const x of [a, b]) x.send({ op: 'wait_count', key: 'fast', n: 50 });
      const [ra, rb] = await Promise.all([a.next(), b.next()]);
      expect(ra).toMatchObject({ ok: true, increasing: true });
      expect(rb).toMatchObject({ ok: true, increasing: true });

      a.kill('SIGKILL');
      await a.exited;
      // The server notices the dead circuit and forgets it.
      await vi.waitFor(() => expect(s.server.circuitCount).toBe(circuitsBefore - 1), { timeout: 10_000, interval: 20 });

      // B keeps receiving, in order, and can still do everything.
      b.send({ op: 'wait_count', key: 'fast', n: (rb['n'] as number) + 200 });
      const rb2 = await b.next();
      expect(rb2).toMatchObject({ ok: true, increasing: true });
      expect(rb2['last'] as number).toBeGreaterThan(rb['last'] as number);
      b.send({ op: 'get', pv: 'ro' });
      expect(await b.next()).toEqual({ get: 'ro', value: 42 });
      b.send({ op: 'quit' });
      await b.finish();

      // And a fresh client gets served.
      const fresh = await runPython<{ v: number }>(`out({'v': ca.get(connect(${py(s.prefix + 'alarmed')}))})`, { env: s.env });
      expect(fresh.v).toBe(8.5);
    } finally {
      clearInterval(timer);
    }
    expect(serverLog.filter((l) => l.startsWith('ERROR'))).toEqual([]);
  });
});

describe('put-callback through libca (pyepics)', () => {
  let s: TestServer;
  let session: PythonSession | undefined;
  const order: string[] = [];
  let releaseSlow: (() => void) | undefined;
  let slowCalled: Promise<void>;
  let markSlowCalled: () => void;
  let releaseStuck: (() => void) | undefined;

  beforeAll(async () => {
    slowCalled = new Promise((r) => (markSlowCalled = r));
    s = await startTestServer((db, p) => {
      db.create(p + 'slow', {
        type: DbrBase.DOUBLE,
        value: 0,
        put: async (pv, value) => {
          order.push(`handler called ${String(value)}`);
          markSlowCalled();
          await new Promise<void>((r) => (releaseSlow = r));
          pv.set(value);
          order.push('handler settled');
        },
      });
      db.create(p + 'stuck', {
        type: DbrBase.DOUBLE,
        value: 0,
        put: async (pv, value) => {
          order.push('stuck handler called');
          await new Promise<void>((r) => (releaseStuck = r));
          pv.set(value);
        },
      });
    });
  });
  afterAll(async () => {
    releaseSlow?.();
    releaseStuck?.();
    session?.kill();
    await session?.exited;
    await s?.stop();
  });

  it('caput(wait=True) returns only after the put handler settles; caput without wait does not wait', async () => {
    session = await PythonSession.start(
      String.raw`
P = ${py(s.prefix)}
slow = connect(P + 'slow')
stuck = connect(P + 'stuck')
state = {}
def bg():
    state['ret'] = ca.put(slow, 7.0, wait=True, timeout=30)
    out({'event': 'returned', 'ret': state['ret'], 'value': ca.get(slow)})
out({'event': 'ready'})
while True:
    c = cmd()
    if c['op'] == 'put_wait':
        ca.CAThread(target=bg, daemon=True).start()
        out({'event': 'started'})
    elif c['op'] == 'status':
        out({'event': 'status', 'returned': 'ret' in state})
    elif c['op'] == 'put_nowait':
        out({'event': 'nowait_returned', 'ret': ca.put(stuck, 3.0)})
    elif c['op'] == 'quit':
        break
`,
      { env: s.env, timeoutMs: 40_000 },
    );
    const p = session;
    await p.next((m) => m['event'] === 'ready');
    p.send({ op: 'put_wait' });
    await p.next((m) => m['event'] === 'started');
    await slowCalled;
    // The server has the WRITE_NOTIFY and the handler is running: the client must still be waiting.
    p.send({ op: 'status' });
    expect(await p.next((m) => m['event'] === 'status')).toEqual({ event: 'status', returned: false });

    // A put without completion returns at once although its handler has not settled.
    p.send({ op: 'put_nowait' });
    expect(await p.next((m) => m['event'] === 'nowait_returned')).toEqual({ event: 'nowait_returned', ret: 1 });
    await vi.waitFor(() => expect(order).toContain('stuck handler called'));
    expect(s.db.get(s.prefix + 'stuck')!.value).toBe(0);

    p.send({ op: 'status' });
    expect(await p.next((m) => m['event'] === 'status')).toEqual({ event: 'status', returned: false });
    expect(order).not.toContain('handler settled');

    releaseSlow!();
    const returned = await p.next((m) => m['event'] === 'returned');
    order.push('client returned');
    expect(returned).toEqual({ event: 'returned', ret: 1, value: 7 });
    expect(order.filter((o) => o !== 'stuck handler called')).toEqual(['handler called 7', 'handler settled', 'client returned']);
    p.send({ op: 'quit' });
    await p.finish();
  });
});
