// Motor record features on the virtual clock: soft and hard limits, backlash, set mode, tweak, jog, home,
// user/dial coordinates, display metadata, .db declaration, MSTA and CNEN, DLY.
import { describe, expect, it } from 'vitest';
import { AlarmStatus, Severity } from '../../../ioc/ca/protocol/constants.js';
import { CMS_SIM_MOTOR, findSimController, MSTA, type SimMotorSettings } from '../../../devices/motor/index.js';
import { MotorIoc, routeDoneMs, values } from './helpers.js';

function motor(settings: SimMotorSettings = {}): MotorIoc {
  const t = new MotorIoc();
  t.motor('m', { ...CMS_SIM_MOTOR, ...settings });
  return t.start();
}

describe('soft limits', () => {
  it('refuses a move beyond HLM: LVIO 1, VAL restored, nothing moves, the put-callback completes at once', async () => {
    const t = motor({ DHLM: 2, DLLM: -2 });
    const val = t.watch('m');
    const dmov = t.watch('m.DMOV');
    const rbv = t.watch('m.RBV');
    const p = t.put('m', 2.5);
    await t.advance(0);
    expect(p.done()).toBe(true);
    expect(t.get('m.LVIO')).toBe(1);
    expect(t.get('m')).toBe(0);
    expect(values(dmov)).toEqual([0, 1]);
    await t.advance(2000);
    expect(rbv).toEqual([]);
    expect(val).toEqual([]);
    // The next valid move clears LVIO.
    const ok = t.put('m', 1);
    await t.until(ok.done, 5000);
    expect(t.get('m.LVIO')).toBe(0);
    expect(t.get('m.RBV')).toBeCloseTo(1, 12);
  });

  it('keeps user HLM/LLM and dial DHLM/DLLM in step through OFF and DIR, and serves them as the control limits of VAL', async () => {
    const t = motor({ DHLM: 10, DLLM: -5 });
    expect([t.get('m.HLM'), t.get('m.LLM')]).toEqual([10, -5]);
    await t.put('m.OFF', 1).promise;
    expect([t.get('m.HLM'), t.get('m.LLM'), t.get('m.DHLM'), t.get('m.DLLM')]).toEqual([11, -4, 10, -5]);
    await t.put('m.DIR', 1).promise;
    expect([t.get('m.HLM'), t.get('m.LLM')]).toEqual([6, -9]);
    await t.put('m.HLM', 3).promise;
    expect([t.get('m.DLLM'), t.get('m.DHLM')]).toEqual([-2, 10]);
    const lim = t.pv('m').limits;
    expect([lim.upperCtrl, lim.lowerCtrl, lim.upperDisp, lim.lowerDisp]).toEqual([3, -9, 3, -9]);
    const dlim = t.pv('m.DVAL').limits;
    expect([dlim.upperCtrl, dlim.lowerCtrl]).toEqual([10, -2]);
  });
});

describe('hard limit switches', () => {
  it('end the move where the switch is seen (HLS 1, VAL := RBV, the alarm HLSV asks for); the axis brakes past it and comes back', async () => {
    const t = motor({ highLimitSwitch: 1.5, HLSV: 'MAJOR' });
    const hls = t.watch('m.HLS');
    const p = t.put('m', 3);
    await t.until(p.done, 10_000);
    // Seen at the first tick past the switch (reached at 1.61 s), long before the 3 EGU move would end.
    expect(p.doneAt()).toBe(1700);
    expect(t.get('m.RBV')).toBeCloseTo(1.59, 12);
    expect(t.get('m')).toBe(t.get('m.RBV'));
    expect(values(hls)).toEqual([1]);
    expect(t.get('m.MSTA') & MSTA.RA_PLUS_LS).toBeTruthy();
    expect([t.get('m.STAT'), t.get('m.SEVR')]).toEqual([AlarmStatus.HIGH, Severity.MAJOR]);
    expect([t.get('m.DMOV'), t.get('m.MOVN')]).toEqual([1, 0]);
    // motorSim brakes to a stop past the switch (1 EGU/s at 4.5 EGU/s²: 0.11) and returns onto it.
    const rbv = t.watch('m.RBV');
    await t.advance(2000);
    expect(Math.max(...(values(rbv) as number[]))).toBeCloseTo(1.7, 12);
    expect(t.get('m.RBV')).toBeCloseTo(1.5, 12);
    expect(t.get('m.MSTA') & MSTA.RA_DONE).toBeTruthy();
    expect([t.get('m.HLS'), t.get('m.DMOV'), t.get('m.TDIR')]).toEqual([1, 1, 0]);
  });

  it('raise no alarm with the reference HLSV NO_ALARM', async () => {
    const t = motor({ highLimitSwitch: 1.5 });
    const p = t.put('m', 3);
    await t.until(p.done, 10_000);
    expect(t.get('m.HLS')).toBe(1);
    expect([t.get('m.STAT'), t.get('m.SEVR')]).toEqual([0, 0]);
  });

  it('refuse further motion into the switch but allow moving away, which clears switch and alarm', async () => {
    const t = motor({ lowLimitSwitch: -0.5, HLSV: 'MAJOR' });
    const p = t.put('m', -1);
    await t.until(p.done, 10_000);
    expect(t.get('m.LLS')).toBe(1);
    expect([t.get('m.STAT'), t.get('m.SEVR')]).toEqual([AlarmStatus.LOW, Severity.MAJOR]);
    await t.advance(2000); // back onto the switch
    const again = t.put('m', -2);
    await t.until(again.done, 10_000);
    expect(t.get('m.RBV')).toBeCloseTo(-0.5, 12);
    expect(t.get('m')).toBeCloseTo(-0.5, 12);
    const away = t.put('m', 0);
    await t.until(away.done, 10_000);
    expect([t.get('m.LLS'), t.get('m.RBV'), t.get('m.SEVR')]).toEqual([0, 0, 0]);
  });
});

describe('backlash', () => {
  it('takes a move against BDST past the target by BDST and back at BVEL; a short preferred-direction move goes straight at BVEL', async () => {
    const t = motor({ BDST: 0.2, BVEL: 0.5, BACC: 0.2 });
    const rbv = t.watch('m.RBV');
    const dmov = t.watch('m.DMOV');
    const neg = t.put('m', -1);
    await t.until(neg.done, 10_000);
    const lowest = Math.min(...(values(rbv) as number[]));
    expect(lowest).toBeCloseTo(-1.2, 12);
    expect(t.get('m.RBV')).toBeCloseTo(-1, 12);
    expect(values(dmov)).toEqual([0, 1]);
    // Slew leg (1.2 EGU at VELO) then the backlash leg (0.2 EGU at BVEL 0.5, a = 0.4/0.2 = 2 EGU/s²), each
    // reported done at the tick after its route ends.
    expect(neg.doneAt()).toBe(routeDoneMs(1.2, 1, 4.5) + routeDoneMs(0.2, 0.5, 2));
    rbv.length = 0;
    const pos = t.put('m', -0.9);
    await t.until(pos.done, 10_000);
    expect(Math.min(...(values(rbv) as number[]))).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...(values(rbv) as number[]))).toBeLessThanOrEqual(-0.9 + 1e-12);
    expect(pos.doneAt()! - neg.doneAt()!).toBeLessThan(1000);
  });

  it('goes straight to a far target in the preferred direction when BVEL and BACC equal VELO and ACCL', async () => {
    const t = motor({ BDST: 0.2, BVEL: 1, BACC: 0.2 });
    const p = t.put('m', 1);
    await t.until(p.done, 10_000, 1);
    expect(p.doneAt()).toBe(routeDoneMs(1, 1, 4.5));
  });
});

describe('set mode', () => {
  it('redefines the user position through OFF with SET 1 and FOFF Variable, without moving', async () => {
    const t = motor();
    const rbv = t.watch('m.RBV');
    await t.put('m.SET', 1).promise;
    const p = t.put('m', 5);
    await t.advance(0);
    expect(p.done()).toBe(true);
    expect([t.get('m.OFF'), t.get('m.RBV'), t.get('m.DRBV'), t.get('m.DMOV')]).toEqual([5, 5, 0, 1]);
    expect([t.get('m.HLM'), t.get('m.LLM')]).toEqual([20005, -19995]);
    await t.put('m.SET', 0).promise;
    const move = t.put('m', 6);
    await t.until(move.done, 5000);
    expect([t.get('m.RBV'), t.get('m.DRBV')]).toEqual([6, 1]);
    expect(values(rbv)[0]).toBe(5);
  });

  it('redefines the dial position (LOAD_POS) with SET 1 and FOFF Frozen, keeping OFF', async () => {
    const t = motor();
    await t.put('m.SSET', 1).promise;
    expect(t.get('m.SET')).toBe(1);
    await t.put('m.FOF', 1).promise;
    expect(t.get('m.FOFF')).toBe(1);
    const p = t.put('m', 2);
    await t.advance(0);
    expect(p.done()).toBe(true);
    expect([t.get('m.OFF'), t.get('m.DRBV'), t.get('m.RBV'), t.get('m.RRBV'), t.get('m.DMOV')]).toEqual([0, 2, 2, 200, 1]);
    await t.put('m.SUSE', 1).promise;
    expect(t.get('m.SET')).toBe(0);
  });
});

describe('tweak, jog and home', () => {
  it('tweaks by TWV forward and reverse with TWF/TWR, resetting the buttons', async () => {
    const t = motor({ TWV: 0.25 });
    const f = t.put('m.TWF', 1);
    await t.until(f.done, 5000);
    expect([t.get('m'), t.get('m.RBV'), t.get('m.TWF')]).toEqual([0.25, 0.25, 0]);
    const r = t.put('m.TWR', 1);
    await t.until(r.done, 5000);
    const r2 = t.put('m.TWR', 1);
    await t.until(r2.done, 5000);
    expect(t.get('m')).toBe(-0.25);
    expect(t.get('m.RBV')).toBeCloseTo(-0.25, 12);
  });

  it('jogs at JVEL with JAR while JOGF is 1, stops when released and syncs VAL to RBV', async () => {
    const t = motor({ JVEL: 0.5, JAR: 5 });
    const dmov = t.watch('m.DMOV');
    t.put('m.JOGF', 1, false);
    await t.advance(2000);
    expect(t.get('m.MOVN')).toBe(1);
    // Ramp 0.1 → 0.5 at 5 EGU/s² (0.08 s, 0.024 EGU), then 0.5 EGU/s.
    expect(t.get('m.RBV')).toBeCloseTo(Math.round((0.024 + 0.5 * (2 - 0.08)) * 100) / 100, 12);
    t.put('m.JOGF', 0, false);
    await t.advance(1000);
    expect([t.get('m.DMOV'), t.get('m.MOVN'), t.get('m.JOGF')]).toEqual([1, 0, 0]);
    expect(t.get('m')).toBe(t.get('m.RBV'));
    expect(values(dmov)).toEqual([0, 1]);
  });

  it('stops a jog at the soft limit minus JVEL with LVIO', async () => {
    const t = motor({ JVEL: 1, DHLM: 1.5, DLLM: -1.5 });
    t.put('m.JOGF', 1, false);
    await t.advance(3000);
    expect([t.get('m.DMOV'), t.get('m.JOGF'), t.get('m.LVIO')]).toEqual([1, 0, 1]);
    expect(t.get('m.RBV')).toBeLessThan(1.5);
  });

  it('homes forward to dial 0 at HVEL, posts HOMF back to 0 and reports RA_HOMED and the home bit', async () => {
    const t = motor({ start: -2, HVEL: 0.5 });
    expect(t.get('m.RBV')).toBe(-2);
    const rbv = t.watch('m.RBV');
    const p = t.put('m.HOMF', 1);
    await t.until(p.done, 20_000, 1);
    expect([t.get('m.RBV'), t.get('m'), t.get('m.HOMF')]).toEqual([0, 0, 0]);
    expect(t.get('m.MSTA') & MSTA.RA_HOMED).toBeTruthy();
    // motorSim sets the 0x80 home bit (EA_HOME in motor.h's names), so ATHM (RA_HOME without an encoder) stays 0.
    expect(t.get('m.MSTA') & MSTA.EA_HOME).toBeTruthy();
    expect(t.get('m.ATHM')).toBe(0);
    // At 0.5 EGU/s (a = 0.4/0.2 = 2 EGU/s²) it passes home (seen at the 4.2 s tick), brakes and comes back.
    expect(Math.max(...(values(rbv) as number[]))).toBeGreaterThan(0);
    expect(p.doneAt()).toBe(4900);
  });

  it('homes in reverse from below home by running to the low switch and coming back', async () => {
    const t = motor({ start: -0.5, HVEL: 1, lowLimitSwitch: -1 });
    const rbv = t.watch('m.RBV');
    const p = t.put('m.HOMR', 1);
    await t.until(p.done, 20_000);
    // Past the switch while it brakes, then back through home and onto it.
    expect(Math.min(...(values(rbv) as number[]))).toBeLessThan(-1);
    expect([t.get('m.RBV'), t.get('m.HOMR'), t.get('m.DMOV')]).toEqual([0, 0, 1]);
  });
});

describe('speeds and deadbands', () => {
  it('does not move for a change within SPDB (DMOV blinks), and moves for one beyond it', async () => {
    const t = motor({ fields: { SPDB: 0.05, RDBD: 0.05 } });
    const rbv = t.watch('m.RBV');
    const small = t.put('m', 0.03);
    await t.advance(0);
    expect(small.done()).toBe(true);
    await t.advance(1000);
    expect(rbv).toEqual([]);
    const big = t.put('m', 0.2);
    await t.until(big.done, 5000);
    expect(t.get('m.RBV')).toBeCloseTo(0.2, 12);
  });

  it('clamps VELO to VMAX and keeps ACCL and ACCS (EGU/s²) in step through ACCU', async () => {
    const t = motor({ VMAX: 0.5 });
    expect(t.get('m.VELO')).toBe(0.5);
    await t.put('m.VELO', 2).promise;
    expect(t.get('m.VELO')).toBe(0.5);
    expect(t.get('m.ACCS')).toBeCloseTo(0.5 / 0.2, 12);
    await t.put('m.ACCS', 10).promise;
    expect(t.get('m.ACCU')).toBe(2); // Accs
    expect(t.get('m.ACCL')).toBeCloseTo(0.05, 12);
    // The move now ramps at ACCS: 0 → 0.5 EGU/s at 10 EGU/s².
    const p = t.put('m', 1);
    await t.until(p.done, 10_000, 1);
    expect(p.doneAt()).toBe(routeDoneMs(1, 0.5, 10));
  });
});

describe('coordinates', () => {
  it('maps user = −dial + OFF with DIR Neg and moves the dial the other way', async () => {
    const t = motor({ DIR: 'Neg', OFF: 10 });
    expect([t.get('m'), t.get('m.RBV'), t.get('m.DRBV')]).toEqual([10, 10, 0]);
    const p = t.put('m', 11);
    await t.until(p.done, 5000);
    expect([t.get('m.RBV'), t.get('m.DRBV'), t.get('m.DVAL'), t.get('m.RRBV')]).toEqual([11, -1, -1, -100]);
    expect(t.get('m.TDIR')).toBe(0);
  });

  it('keeps S, SBAS and UREV consistent with VELO, VBAS and MRES × SREV', () => {
    const t = motor();
    expect(t.get('m.UREV')).toBeCloseTo(2, 12);
    expect(t.get('m.S')).toBeCloseTo(0.5, 12);
    expect(t.get('m.SBAS')).toBeCloseTo(0.05, 12);
    expect(t.get('m.JVEL')).toBe(1);
    expect(t.get('m.JAR')).toBe(5);
    expect(t.get('m.RDBD')).toBe(0.01);
    // enforceMinRetryDeadband leaves SPDB at 0 (no setpoint deadband), as on the reference IOC.
    expect(t.get('m.SPDB')).toBe(0);
  });

  it('serves EGU, PREC and velocity units over CA metadata', async () => {
    const t = motor({ DESC: 'sample x' });
    const val = t.pv('m');
    expect([val.units, val.precision]).toEqual(['degrees', 5]);
    expect(t.pv('m.VELO').units).toBe('degrees/sec');
    expect(t.pv('m.ACCL').units).toBe('sec');
    expect([t.pv('m.VELO').limits.upperCtrl, t.pv('m.VELO').limits.lowerCtrl]).toEqual([0, 0.1]);
    expect(t.pv('m.RRBV').precision).toBe(0);
    expect(t.str('m.DESC')).toBe('sample x');
    await t.put('m.HOPR', 7).promise;
    expect(t.get('m.HOPR')).toBe(7);
  });
});

describe('declaration, status and settling', () => {
  it('runs a record(motor) from a .db with DTYP asynMotor and an @asyn(PORT,AXIS) link', async () => {
    const t = new MotorIoc();
    t.load(`
      record(motor, "db:m1") {
        field(DTYP, "asynMotor") field(OUT, "@asyn(motorSim1,2)")
        field(VELO, "2") field(VBAS, "0") field(ACCL, "0.5") field(MRES, "0.001") field(PREC, "3") field(EGU, "mm")
        field(DHLM, "100") field(DLLM, "-100")
      }`);
    t.start();
    expect(findSimController(t.rdb, 'motorSim1')?.axis(2)).toBeDefined();
    const p = t.put('db:m1', 4);
    await t.until(p.done, 10_000, 1);
    // Triangle-free trapezoid from 0: 2·0.5 s of ramps (1 mm) + 3 mm at 2 mm/s.
    expect(p.doneAt()).toBe(2500);
    expect(t.get('db:m1.RBV')).toBe(4);
    expect(t.get('db:m1.RRBV')).toBe(4000);
  });

  it('reports MSTA with motorSim’s bits only: done, moving, direction while moving up, home; CNEN untouched', async () => {
    const t = motor();
    const msta = () => t.get('m.MSTA');
    expect(msta()).toBe(MSTA.RA_DONE | MSTA.EA_HOME); // 130
    expect(t.get('m.CNEN')).toBe(0);
    t.put('m', -1);
    await t.advance(300);
    expect(msta()).toBe(MSTA.RA_MOVING);
    await t.advance(2000);
    expect(msta()).toBe(MSTA.RA_DONE);
    t.put('m', 0);
    await t.advance(300);
    expect([msta(), t.get('m.TDIR')]).toEqual([MSTA.RA_MOVING | MSTA.RA_DIRECTION, 1]);
    await t.advance(2000);
    // At rest the direction bit is 0 again, so TDIR is 0.
    expect([msta(), t.get('m.TDIR')]).toEqual([MSTA.RA_DONE | MSTA.EA_HOME, 0]);
    await t.put('m.CNEN', 1).promise;
    expect(msta() & MSTA.EA_POSITION).toBe(0);
  });

  it('holds DMOV at 0 for DLY seconds after the motor stops', async () => {
    const t = motor({ fields: { DLY: 0.5 } });
    const dmov = t.watch('m.DMOV');
    const p = t.put('m', 1);
    await t.until(p.done, 5000, 1);
    expect(dmov.map((e) => [e.t, e.value])).toEqual([
      [0, 0],
      [routeDoneMs(1, 1, 4.5) + 500, 1],
    ]);
  });

  it('reaches a new target behind the motor with RTRY 0 too: it is a new target, not a retry', async () => {
    const t = motor({ RTRY: 0 });
    const first = t.put('m', 3);
    await t.advance(1000);
    t.put('m', 0.5, false);
    await t.until(first.done, 20_000);
    expect(t.get('m.RCNT')).toBe(0);
    expect(t.get('m.RBV')).toBeCloseTo(0.5, 12);
  });
});
