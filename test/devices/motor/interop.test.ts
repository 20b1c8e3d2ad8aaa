// Motor records through pyepics on Debian's libca against a CaServer on a real clock: caput with wait
// returns once the move has ended, DMOV monitors see exactly 1→0→1, RBV monitors arrive during motion,
// a move beyond HLM returns at once with LVIO = 1, and a client driving the motor the way ophyd's
// EpicsMotor does (its component PVs, set with put-completion, DMOV, stop, set_current_position).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealClock } from '../../../ioc/clock.js';
import { PvDatabase } from '../../../ioc/db/database.js';
import { RecordDatabase } from '../../../ioc/records/index.js';
import { CMS_SIM_MOTOR, createSimMotor } from '../../../devices/motor/index.js';
import { startTestServer, type TestServer } from '../../helpers/ca-server.js';
import { runPython } from '../../interop/pyepics.js';
import { py } from '../../interop/python-lib.js';

// No wall-clock durations are asserted (the machine may be loaded): the order of events says when a put
// returned, and the timing itself is tested in virtual time (motion.test.ts, motorsim.test.ts).

let srv: TestServer;
let records: RecordDatabase;

beforeAll(async () => {
  const db = new PvDatabase(new RealClock());
  records = new RecordDatabase(db);
  srv = await startTestServer(() => {}, {}, { db });
  const p = srv.prefix;
  createSimMotor(records, `${p}m1`, CMS_SIM_MOTOR);
  createSimMotor(records, `${p}m2`, { ...CMS_SIM_MOTOR, DHLM: 1, DLLM: -1 });
  createSimMotor(records, `${p}m3`, { ...CMS_SIM_MOTOR, DESC: 'ophyd-style' });
  records.start();
});

afterAll(async () => {
  records.stop();
  await srv.stop();
});

describe('motor record through pyepics', () => {
  it('returns from caput(wait=True) once the move has ended, with DMOV 1→0→1 and RBV monitors during motion', async () => {
    const res = await runPython<{
      at_return: [number, number, number];
      dmov: number[];
      rbv: number[];
      rbv_final: number;
      val_final: number;
      lvio: number;
      lvio_dmov: number;
      m2_rbv: number;
      m2_val: number;
    }>(
      String.raw`
P = ${py(srv.prefix)}
dmov, rbv = [], []
d = epics.PV(P + 'm1.DMOV', callback=lambda value=None, **kw: dmov.append(int(value)))
r = epics.PV(P + 'm1.RBV', callback=lambda value=None, **kw: rbv.append(float(value)))
v = epics.PV(P + 'm1')
d.wait_for_connection(5); r.wait_for_connection(5); v.wait_for_connection(5)
wait_until(lambda: len(dmov) >= 1 and len(rbv) >= 1, 5)
rbv.clear()
v.put(1.0, wait=True, timeout=10)
during = list(rbv)   # the RBV monitors that arrived before the put returned
# What the server says right after the put returned: the move is over.
at_return = [epics.caget(P + 'm1.DMOV', use_monitor=False), epics.caget(P + 'm1.MOVN', use_monitor=False),
             epics.caget(P + 'm1.RBV', use_monitor=False)]
wait_until(lambda: len(dmov) >= 3, 5)
res = {'at_return': at_return, 'dmov': list(dmov), 'rbv': during,
       'rbv_final': epics.caget(P + 'm1.RBV'), 'val_final': epics.caget(P + 'm1')}
epics.caput(P + 'm2', 5.0, wait=True, timeout=10)
res['lvio'] = epics.caget(P + 'm2.LVIO', use_monitor=False)
res['lvio_dmov'] = epics.caget(P + 'm2.DMOV', use_monitor=False)
res['m2_rbv'] = epics.caget(P + 'm2.RBV')
res['m2_val'] = epics.caget(P + 'm2')
out(res)
`,
      { env: srv.env, timeoutMs: 25_000 },
    );
    expect(res.at_return).toEqual([1, 0, 1]);
    expect(res.dmov).toEqual([1, 0, 1]);
    const vals = res.rbv;
    expect(vals.length).toBeGreaterThanOrEqual(8);
    expect(vals).toEqual([...vals].sort((a, b) => a - b));
    expect(vals[0]).toBeGreaterThan(0);
    expect(vals[vals.length - 1]).toBeLessThanOrEqual(1);
    expect(res.rbv_final).toBeCloseTo(1, 9);
    expect(res.val_final).toBe(1);
    expect([res.lvio, res.lvio_dmov]).toEqual([1, 1]);
    expect([res.m2_rbv, res.m2_val]).toEqual([0, 0]);
  });

  it("works the way ophyd's EpicsMotor drives it: component PVs, set with completion, DMOV, stop, set_current_position", async () => {
    const res = await runPython<Record<string, unknown>>(
      String.raw`
P = ${py(srv.prefix)} + 'm3'
FIELDS = ['VAL', 'RBV', 'DMOV', 'MOVN', 'STOP', 'SET', 'OFF', 'DIR', 'FOFF', 'VELO', 'ACCL', 'EGU', 'HLM', 'LLM',
          'HLS', 'LLS', 'TDIR', 'HOMF', 'HOMR']
pvs = {f: epics.PV(P + '.' + f, auto_monitor=True) for f in FIELDS}
pvs['setpoint'] = epics.PV(P, auto_monitor=True)   # EpicsSignal(prefix) as user_setpoint, limits=True
for k, pv in pvs.items():
    if not pv.wait_for_connection(5):
        raise RuntimeError('no connection to ' + pv.pvname)
res = {'connected': sorted(pvs.keys())}
ctrl = pvs['setpoint'].get_ctrlvars()
res['limits'] = [ctrl['lower_ctrl_limit'], ctrl['upper_ctrl_limit']]
res['egu'] = pvs['EGU'].get(as_string=True)
res['velo_accl'] = [pvs['VELO'].get(), pvs['ACCL'].get()]

# ophyd's _move_changed: started when DMOV leaves 1, finished when it returns to 1.
moves = []
state = {'moving': False}
def on_dmov(value=None, **kw):
    was = state['moving']
    state['moving'] = value != 1
    if not was and state['moving']:
        moves.append('start')
    if was and not state['moving']:
        moves.append('done')
pvs['DMOV'].add_callback(on_dmov)

def set_and_wait(target, timeout=10):
    fin = {}
    moves.clear()
    pvs['setpoint'].put(target, wait=False, use_complete=True, callback=lambda **kw: fin.setdefault('moves', list(moves)))
    ok = wait_until(lambda: 'moves' in fin and 'done' in moves, timeout)
    return ok, fin.get('moves')

ok, at_completion = set_and_wait(0.8)
res['set1'] = {'ok': ok, 'at_completion': at_completion, 'moves': list(moves), 'rbv': pvs['RBV'].get(use_monitor=False),
               'tdir': pvs['TDIR'].get(), 'hls': pvs['HLS'].get(use_monitor=False), 'lls': pvs['LLS'].get(use_monitor=False),
               'dmov': pvs['DMOV'].get(), 'movn': pvs['MOVN'].get()}

# Stop in the middle of a move (EpicsMotor.stop: STOP ← 1 without waiting).
fin = {}
pvs['setpoint'].put(-0.5, wait=False, use_complete=True, callback=lambda **kw: fin.setdefault('t', 1))
# Under way (an event, not a fixed sleep): moving, and some way from where it started.
wait_until(lambda: pvs['MOVN'].get() == 1 and pvs['RBV'].get() < 0.6, 5)
was_moving = pvs['MOVN'].get()
pvs['STOP'].put(1, wait=False)
ok = wait_until(lambda: 't' in fin and pvs['DMOV'].get() == 1, 5)
res['stop'] = {'ok': ok, 'was_moving': was_moving, 'val': pvs['setpoint'].get(use_monitor=False),
               'rbv': pvs['RBV'].get(use_monitor=False), 'stop': pvs['STOP'].get(use_monitor=False)}

# set_current_position: SET ← 1 (wait), setpoint ← pos (wait, force), SET ← 0 (wait).
drbv_before = epics.caget(P + '.DRBV')
pvs['SET'].put(1, wait=True)
pvs['setpoint'].put(10.0, wait=True)
pvs['SET'].put(0, wait=True)
res['set_position'] = {'rbv': pvs['RBV'].get(use_monitor=False), 'val': pvs['setpoint'].get(use_monitor=False),
                       'off': pvs['OFF'].get(use_monitor=False), 'drbv_before': drbv_before,
                       'drbv': epics.caget(P + '.DRBV'), 'set': pvs['SET'].get(use_monitor=False),
                       'limits': [pvs['LLM'].get(use_monitor=False), pvs['HLM'].get(use_monitor=False)]}
ok, _ = set_and_wait(10.3)
res['after_set'] = {'ok': ok, 'rbv': pvs['RBV'].get(use_monitor=False), 'moves': list(moves)}
out(res)
`,
      { env: srv.env, timeoutMs: 25_000 },
    );
    expect(res['limits']).toEqual([-20000, 20000]);
    expect(res['egu']).toBe('degrees');
    expect(res['velo_accl']).toEqual([1, 0.2]);
    const set1 = res['set1'] as Record<string, unknown>;
    expect(set1['ok']).toBe(true);
    expect(set1['moves']).toEqual(['start', 'done']);
    expect(set1['rbv']).toBeCloseTo(0.8, 9);
    // The move had started when the completion arrived (it may see 'done' or not: two messages).
    expect((set1['at_completion'] as string[])[0]).toBe('start');
    // TDIR is 0 at rest, as motorSim reports it.
    expect([set1['tdir'], set1['hls'], set1['lls'], set1['dmov'], set1['movn']]).toEqual([0, 0, 0, 1, 0]);
    const stop = res['stop'] as Record<string, number | boolean>;
    expect(stop['ok']).toBe(true);
    expect(stop['was_moving']).toBe(1);
    expect(stop['val']).toBe(stop['rbv']);
    expect(stop['rbv']).toBeGreaterThan(-0.5);
    expect(stop['rbv']).toBeLessThan(0.8);
    expect(stop['stop']).toBe(0);
    const sp = res['set_position'] as Record<string, number | number[]>;
    expect(sp['rbv']).toBe(10);
    expect(sp['val']).toBe(10);
    expect(sp['drbv']).toBe(sp['drbv_before']);
    expect(sp['off']).toBeCloseTo(10 - (sp['drbv'] as number), 9);
    expect(sp['set']).toBe(0);
    expect(sp['limits']).toEqual([-20000 + (sp['off'] as number), 20000 + (sp['off'] as number)]);
    const after = res['after_set'] as Record<string, unknown>;
    expect(after['ok']).toBe(true);
    expect(after['rbv']).toBeCloseTo(10.3, 9);
    expect(after['moves']).toEqual(['start', 'done']);
  });
});
