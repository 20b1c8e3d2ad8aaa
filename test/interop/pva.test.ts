import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealClock } from '../../ioc/clock.js';
import { PvDatabase } from '../../ioc/db/database.js';
import { DbrBase } from '../../ioc/epics/field-type.js';
import { AlarmStatus, Severity } from '../../ioc/epics/alarm.js';
import { PvaServer } from '../../ioc/pva/server/server.js';
import { runP4p } from './p4p.js';

describe('p4p (pvxs) against the PVA server', () => {
  const db = new PvDatabase(new RealClock());
  const server = new PvaServer({ source: db, config: { tcpPort: 0, udpPort: 0, interfaces: ['127.0.0.1'], beaconAddrs: [] } });
  beforeAll(async () => {
    db.create('t:ai', { type: DbrBase.DOUBLE, value: 1.5, units: 'mm', precision: 3, limits: { lowerDisp: -10, upperDisp: 10, lowerCtrl: -5, upperCtrl: 5, upperAlarm: 8 } });
    db.create('t:long', { type: DbrBase.LONG, value: 7 });
    db.create('t:str', { type: DbrBase.STRING, value: 'hello' });
    db.create('t:enum', { type: DbrBase.ENUM, value: 1, enumStrings: ['Off', 'On'] });
    db.create('t:wf', { type: DbrBase.DOUBLE, value: [1, 2, 3], maxCount: 8 });
    db.create('t:ro', { type: DbrBase.DOUBLE, value: 0, writable: false });
    await server.start();
  });
  afterAll(() => server.stop());

  it('gets NTScalar, NTEnum, NTScalarArray with their metadata', async () => {
    db.get('t:ai')!.setAlarm(AlarmStatus.HIHI, Severity.MAJOR);
    const [m] = await runP4p(
      String.raw`
r = {}
for n in ['t:ai', 't:long', 't:str', 't:enum', 't:wf']:
    v = ctx.get(n, timeout=5)
    r[n] = {'id': v.getID(), 'v': plain(v)}
out(r)
`,
      server.clientEnv(),
    );
    const r = m as Record<string, { id: string; v: Record<string, any> }>;
    expect(r['t:ai']!.id).toBe('epics:nt/NTScalar:1.0');
    expect(r['t:ai']!.v['value']).toBe(1.5);
    expect(r['t:ai']!.v['display']).toMatchObject({ units: 'mm', precision: 3, limitLow: -10, limitHigh: 10 });
    expect(r['t:ai']!.v['control']).toMatchObject({ limitLow: -5, limitHigh: 5 });
    expect(r['t:ai']!.v['valueAlarm']).toMatchObject({ active: true, highAlarmLimit: 8 });
    expect(r['t:ai']!.v['alarm']).toEqual({ severity: 2, status: 3, message: 'HIHI' });
    expect(r['t:ai']!.v['timeStamp']['secondsPastEpoch']).toBeGreaterThan(1_600_000_000);
    expect(r['t:long']!.v['value']).toBe(7);
    expect(r['t:str']!.v['value']).toBe('hello');
    expect(r['t:enum']!.id).toBe('epics:nt/NTEnum:1.0');
    expect(r['t:enum']!.v['value']).toEqual({ index: 1, choices: ['Off', 'On'] });
    expect(r['t:wf']!.id).toBe('epics:nt/NTScalarArray:1.0');
    expect(r['t:wf']!.v['value']).toEqual([1, 2, 3]);
  });

  it('puts go through Pv.put with origin pva; refused puts report the reason', async () => {
    const seen: string[] = [];
    const sub = db.events.subscribe((e) => {
      if (e.kind === 'put') seen.push(`${e.pv.name}=${String(e.value)} ${e.ctx.origin}`);
    });
    const [m] = await runP4p(
      String.raw`
ctx.put('t:ai', 2.5, timeout=5)
ctx.put('t:enum', {'value.index': 0}, timeout=5)
ctx.put('t:str', 'world', timeout=5)
ctx.put('t:wf', numpy.array([4.0, 5.0]), timeout=5)
err = None
try:
    ctx.put('t:ro', 1.0, timeout=5)
except Exception as e:
    err = str(e)
out({'ai': ctx.get('t:ai').value, 'enum': ctx.get('t:enum').value.index, 'str': ctx.get('t:str').value, 'wf': ctx.get('t:wf').value, 'err': err})
`,
      server.clientEnv(),
    );
    sub.unsubscribe();
    expect(m).toEqual({ ai: 2.5, enum: 0, str: 'world', wf: [4, 5], err: expect.stringMatching(/write access denied/) });
    expect(seen).toEqual(['t:ai=2.5 pva', 't:enum=0 pva', 't:str=world pva', 't:wf=4,5 pva']);
  });

  it('pvRequest field selection: only the selected fields arrive', async () => {
    const [m] = await runP4p(
      String.raw`
v = ctx.get('t:ai', 'field(value,alarm)', timeout=5)
out({'fields': sorted(v.keys()), 'value': v.value})
`,
      server.clientEnv(),
    );
    expect(m).toEqual({ fields: ['alarm', 'value'], value: expect.any(Number) });
  });

  it('monitors: the initial value, then each posted change, in order', async () => {
    const pv = db.get('t:long')!;
    const msgs = await runP4p(
      String.raw`
got = []
ev = threading.Event()
def cb(v):
    got.append(v.value)
    if len(got) == 1: out({'ready': True})
    if v.value == 103: ev.set()
sub = ctx.monitor('t:long', cb, request='record[queueSize=8,pipeline=true]field(value)')
ev.wait(10)
sub.close()
out({'got': got})
`,
      server.clientEnv(),
      // The first update arrived: the subscription is live, post the changes now.
      { onMessage: (m) => m['ready'] && [100, 101, 102, 103].forEach((v) => pv.set(v)) },
    );
    expect((msgs.at(-1) as { got: number[] }).got).toEqual([7, 100, 101, 102, 103]);
  });
});
