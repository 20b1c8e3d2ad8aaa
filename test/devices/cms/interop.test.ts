// The CMS twin (issue 5's proof) through pyepics on Debian's libca, against `TwinSession.start({ profile:
// 'cms' })` on the real clock: the 15 tracked PVs at their reset defaults, an exposure of 2 s with a
// put-callback, a Linkam ramp, the shutter blades, the catch-all and strict mode.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwinSession } from '../../../harness/twin-session.js';
import { runPython } from '../../interop/pyepics.js';
import { py } from '../../interop/python-lib.js';

const CAM = 'XF:11BMB-ES{Det:PIL2M}:cam1:';
const L = 'XF:11BM-ES:{LINKAM}:';
const L2 = 'XF:11BM-ES:LINKAM:';
const SHUTTER = 'XF:11BM-ES{Shutter}';
const BLADES = ['XF:11BM-ES{Psh_blade1}Pos', 'XF:11BM-ES{Psh_blade2}Pos'];
const UNKNOWN = 'XF:11BMA-OP{Mir:Tor-Ax:XU}Mtr';

/** CMS note §7: the 15 tracked channels and their reset defaults. */
const TRACKED_DEFAULTS: Record<string, number> = {
  'XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr': 0,
  'XF:11BMB-ES{Chm:Smpl-Ax:Z}Mtr': 0,
  'XF:11BMB-ES{Chm:Smpl-Ax:theta}Mtr': 0,
  'XF:11BMB-ES{BS-Ax:X}Mtr': 0,
  'XF:11BMB-ES{BS-Ax:Y}Mtr': 0,
  'XF:11BMB-ES{BS-Ax:Phi}Mtr': 0,
  'XF:11BMB-ES{SM:1-Ax:Srot}Mtr': 0,
  [`${CAM}AcquireTime`]: 0,
  [`${CAM}AcquirePeriod`]: 0,
  [`${CAM}NumImages`]: 0,
  [`${CAM}Acquire`]: 0,
  [`${L}STARTHEAT`]: 0,
  [`${L}SETPOINT:SET`]: 25,
  [`${L}RAMPRATE:SET`]: 10,
  [`${L}TEMP`]: 25,
};

let session: TwinSession;
beforeAll(async () => {
  session = await TwinSession.start({ profile: 'cms' });
});
afterAll(async () => {
  await session?.stop();
});

const run = <T = Record<string, unknown>>(script: string) => runPython<T>(script, { env: session.clientEnv(), timeoutMs: 30_000 });

describe('the CMS twin through pyepics', () => {
  it('serves the 15 tracked PVs at their reset defaults (and the Linkam under both spellings)', async () => {
    const res = await run<{ values: Record<string, number>; alias: Record<string, number>; extra: Record<string, unknown> }>(String.raw`
names = ${py(Object.keys(TRACKED_DEFAULTS))}
values = {n: epics.caget(n, timeout=5, use_monitor=False) for n in names}
alias = {s: epics.caget(${py(L2)} + s, timeout=5, use_monitor=False) for s in ['SETPOINT:SET', 'RAMPRATE:SET', 'STARTHEAT', 'TEMP', 'STATUS']}
extra = {n: epics.caget(n, timeout=5, use_monitor=False) for n in [
    'XF:11BMB-ES{Chm:Smpl-Ax:chi}Mtr.RBV', 'XF:11BMB-ES{Chm:Smpl-Ax:phi}Mtr.DMOV', 'XF:11BMB-ES{Chm:Smpl-Ax:Y}Mtr.EGU',
    ${py(`${CAM}AcquireTime_RBV`)}, ${py(`${L}STATUS`)}, ${py(SHUTTER)}, ${py(BLADES[0])}, ${py(BLADES[1])}]}
out({'values': values, 'alias': alias, 'extra': extra})
`);
    expect(res.values).toEqual(TRACKED_DEFAULTS);
    expect(res.alias).toEqual({ 'SETPOINT:SET': 25, 'RAMPRATE:SET': 10, STARTHEAT: 0, TEMP: 25, STATUS: 0 });
    expect(res.extra).toEqual({
      'XF:11BMB-ES{Chm:Smpl-Ax:chi}Mtr.RBV': 0,
      'XF:11BMB-ES{Chm:Smpl-Ax:phi}Mtr.DMOV': 1,
      'XF:11BMB-ES{Chm:Smpl-Ax:Y}Mtr.EGU': 'degrees',
      [`${CAM}AcquireTime_RBV`]: 0,
      [`${L}STATUS`]: 0,
      [SHUTTER]: 0,
      [BLADES[0]!]: 0,
      [BLADES[1]!]: 0,
    });
  });

  it('AcquireTime 2 then Acquire 1 with wait returns once the 2 s exposure is over; a monitor sees Acquire 0→1→0; ArrayCounter_RBV +1', async () => {
    const res = await run<{ ret: number; stamps: number[]; events: number[]; before: number; acquire_at_return: number; after: number; acquire: number; rbv: number }>(String.raw`
CAM = ${py(CAM)}
events = []
stamps = []
mon = epics.PV(CAM + 'Acquire', form='time', callback=lambda value=None, timestamp=None, **kw: (events.append(int(value)), stamps.append(timestamp)), auto_monitor=True)
mon.wait_for_connection(5)
wait_until(lambda: len(events) >= 1, 5)
epics.caput(CAM + 'AcquireTime', 2, wait=True)
wait_until(lambda: epics.caget(CAM + 'AcquireTime_RBV', use_monitor=False) == 2, 5)
before = epics.caget(CAM + 'ArrayCounter_RBV', use_monitor=False)
ret = epics.caput(CAM + 'Acquire', 1, wait=True, timeout=20)
acquire_at_return = epics.caget(CAM + 'Acquire', use_monitor=False)
wait_until(lambda: len(events) >= 3, 5)
out({'ret': ret, 'stamps': stamps, 'events': events, 'before': before, 'acquire_at_return': acquire_at_return,
     'after': epics.caget(CAM + 'ArrayCounter_RBV', use_monitor=False),
     'acquire': epics.caget(CAM + 'Acquire', use_monitor=False),
     'rbv': epics.caget(CAM + 'AcquireTime_RBV', use_monitor=False)})
`);
    expect(res.ret).toBe(1);
    // The put-callback completes when the exposure ends: Acquire is back to 0 when caput returns, and the
    // exposure lasted 2 s of twin time (server time stamps, load-independent), not of this machine's time.
    expect(res.acquire_at_return).toBe(0);
    expect(res.events).toEqual([0, 1, 0]);
    expect(res.stamps[2]! - res.stamps[1]!).toBeCloseTo(2, 1);
    expect(res.after).toBe(res.before + 1);
    expect(res.acquire).toBe(0);
    expect(res.rbv).toBe(2);
  });

  it('a Linkam ramp at RAMPRATE 20 from 25 to 30 °C: TEMP 27, 29, 30 about 1 s apart, STATUS 2 then 1', async () => {
    const res = await run<{ temps: [number, number][]; status: number[]; final: number; heat_ts: number }>(String.raw`
L = ${py(L)}
temps = []
status = []
t = epics.PV(L + 'TEMP', form='time', callback=lambda value=None, timestamp=None, **kw: temps.append([value, timestamp]), auto_monitor=True)
s = epics.PV(L + 'STATUS', callback=lambda value=None, **kw: status.append(int(value)), auto_monitor=True)
t.wait_for_connection(5)
s.wait_for_connection(5)
wait_until(lambda: len(temps) >= 1 and len(status) >= 1, 5)
epics.caput(L + 'RAMPRATE:SET', 20, wait=True)
epics.caput(L + 'SETPOINT:SET', 30, wait=True)
epics.caput(L + 'STARTHEAT', 1, wait=True)
heat = epics.PV(L + 'STARTHEAT', form='time', auto_monitor=False)
heat.get(timeout=5, use_monitor=False)
wait_until(lambda: temps[-1][0] == 30 and status[-1] == 1, 10)
time.sleep(1.2)  # nothing more once there
epics.caput(L + 'STARTHEAT', 0, wait=True)
wait_until(lambda: status[-1] == 0, 5)
out({'temps': temps, 'status': status, 'final': epics.caget(L + 'TEMP', use_monitor=False), 'heat_ts': heat.timestamp})
`);
    expect(res.temps.map(([v]) => v)).toEqual([25, 27, 29, 30]);
    expect(res.final).toBe(30); // exactly on the setpoint
    // 1 s apart in server (twin) time: the first step a period after the heater came on. The twin's clock
    // stamps each step at its due time, so this holds however late the machine ran the timers.
    const stamps = [res.heat_ts, ...res.temps.slice(1).map(([, ts]) => ts)];
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]! - stamps[i - 1]!, `step ${i}`).toBeCloseTo(1, 2);
    expect(res.status).toEqual([0, 2, 1, 0]);
  });

  it('the shutter blades follow a write 0.1 s later (server time stamps)', async () => {
    const res = await run<{ blades: Record<string, [number, number][]>; cmd_ts: number[] }>(String.raw`
SHUTTER = ${py(SHUTTER)}
BLADES = ${py(BLADES)}
blades = {b: [] for b in BLADES}
mons = [epics.PV(b, form='time', callback=lambda pvname=None, value=None, timestamp=None, **kw: blades[pvname].append([value, timestamp]), auto_monitor=True) for b in BLADES]
for m in mons:
    m.wait_for_connection(5)
wait_until(lambda: all(len(v) >= 1 for v in blades.values()), 5)
cmd = epics.PV(SHUTTER, form='time', auto_monitor=False)
cmd_ts = []
for v in [1, 0]:
    epics.caput(SHUTTER, v, wait=True)
    cmd.get(timeout=5, use_monitor=False)
    cmd_ts.append(cmd.timestamp)
    wait_until(lambda: all(x[-1][0] == v for x in blades.values()), 5)
out({'blades': blades, 'cmd_ts': cmd_ts})
`);
    for (const b of BLADES) {
      const seen = res.blades[b]!;
      expect(seen.map(([v]) => v), b).toEqual([0, 1, 0]);
      for (let i = 0; i < 2; i++) {
        // The blade delay (0.1 s) in twin time, whatever the load.
        expect(seen[i + 1]![1] - res.cmd_ts[i]!, b).toBeCloseTo(0.1, 2);
      }
    }
  });

  it(`an unknown ${UNKNOWN} answers 0.0 and is listed as a catch-all hit`, async () => {
    const res = await run<{ value: number; put: number; after: number }>(String.raw`
name = ${py(UNKNOWN)}
v = epics.caget(name, timeout=5, use_monitor=False)
p = epics.caput(name, 1.25, wait=True, timeout=5)
out({'value': v, 'put': p, 'after': epics.caget(name, use_monitor=False)})
`);
    expect(res).toEqual({ value: 0, put: 1, after: 1.25 });
    expect(session.twin.catchAllHits.map((h) => h.name)).toContain(UNKNOWN);
    expect(session.twin.catchAllHits.find((h) => h.name === UNKNOWN)?.type).toBe('double');
  });
});

describe('the CMS twin with strict: true', () => {
  it('an unknown name is unknown (caget returns None) while the profile’s PVs answer', async () => {
    const strict = await TwinSession.start({ profile: 'cms', strict: true });
    try {
      const res = await runPython<{ unknown: unknown; known: number }>(
        String.raw`
out({'unknown': epics.caget(${py(UNKNOWN)}, timeout=1.5), 'known': epics.caget('XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr', timeout=5)})
`,
        { env: strict.clientEnv(), timeoutMs: 30_000 },
      );
      expect(res).toEqual({ unknown: null, known: 0 });
      expect(strict.twin.catchAllHits).toEqual([]);
    } finally {
      await strict.stop();
    }
  });
});
