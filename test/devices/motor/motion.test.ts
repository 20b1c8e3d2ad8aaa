// Motor record moves on the virtual clock: trapezoid timing, readbacks, DMOV/MOVN, completion, retarget,
// stop, pause/go. Motors are the CMS sample-stage settings (VELO 1, VBAS 0.1, ACCL 0.2, MRES 0.01) unless
// a test says otherwise.
import { describe, expect, it } from 'vitest';
import { DBE } from '../../../ioc/ca/protocol/constants.js';
import { CMS_SIM_MOTOR, MIP, MSTA } from '../../../devices/motor/index.js';
import { MotorIoc, values } from './helpers.js';

// Hand-derived for VELO 1, VBAS 0.1, ACCL 0.2 on motorSim: the record commands a = (1 − 0.1)/0.2 = 4.5 EGU/s²;
// motorSim ramps from 0 (it ignores VBAS), so each ramp takes 1/4.5 = 0.222 s and covers 0.111 EGU, and the
// end of a move is reported at the 0.1 s tick after its route ends.
const T_1 = 1.3; // route 1.222 s
const T_5 = 5.3; // route 5.222 s
const T_01 = 0.3; // triangle, 2·√(0.1/4.5) = 0.298 s

function cms(): MotorIoc {
  const t = new MotorIoc();
  t.motor('m', CMS_SIM_MOTOR);
  return t.start();
}

/** Position along the 1-EGU route at time s (hand formula, independent of route.ts). */
function along1(s: number): number {
  const r = 1 / 4.5;
  if (s <= r) return 0.5 * 4.5 * s * s;
  if (s <= 1) return 1 / 9 + (s - r);
  const d = Math.min(s, 1 + r) - 1;
  return 1 - 1 / 9 + d - 0.5 * 4.5 * d * d;
}

describe('motor record moves', () => {
  it('starts idle at the start position with DMOV 1, no alarm, and user limits from the dial limits', () => {
    const t = cms();
    expect([t.get('m'), t.get('m.RBV'), t.get('m.DMOV'), t.get('m.MOVN')]).toEqual([0, 0, 1, 0]);
    expect([t.get('m.STAT'), t.get('m.SEVR'), t.get('m.LVIO')]).toEqual([0, 0, 0]);
    expect([t.get('m.HLM'), t.get('m.LLM')]).toEqual([20000, -20000]);
    expect(t.get('m.MSTA') & MSTA.RA_DONE).toBeTruthy();
  });

  it('takes exactly the trapezoid time from VELO, VBAS and ACCL, for long and short (triangular) moves', async () => {
    for (const [dist, secs] of [
      [1, T_1],
      [5, T_5],
      [0.1, T_01],
      [-1, T_1],
    ] as const) {
      const t = cms();
      const dmov = t.watch('m.DMOV');
      t.put('m', dist);
      await t.advance(10_000);
      expect(values(dmov)).toEqual([0, 1]);
      expect(dmov[0]!.t).toBe(0);
      expect(dmov[1]!.t).toBeCloseTo(secs * 1000, 3);
      expect(t.get('m.RBV')).toBeCloseTo(dist, 9);
    }
  });

  it('posts RBV, DRBV and RRBV every 0.1 s while moving, quantised to MRES, and once at the end', async () => {
    const t = cms();
    const rbv = t.watch('m.RBV');
    const rrbv = t.watch('m.RRBV');
    t.put('m', 1);
    await t.advance(3000);
    const ticks = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100, 1200];
    const expected = ticks.map((ms) => Math.round(along1(ms / 1000) * 100));
    expect(rbv.map((p) => p.t)).toEqual(ticks);
    expect(values(rrbv)).toEqual(expected);
    expect(expected.at(-1)).toBe(100);
    rbv.forEach((p, i) => expect(p.value).toBeCloseTo((rrbv[i]!.value as number) * 0.01, 12));
    expect(t.get('m.DRBV')).toBeCloseTo(1, 12);
  });

  it('takes the readback period from the settings', async () => {
    const t = new MotorIoc();
    t.motor('m', { ...CMS_SIM_MOTOR, updatePeriodMs: 250 });
    t.start();
    const rbv = t.watch('m.RBV');
    t.put('m', 1);
    await t.advance(3000);
    expect(rbv.map((p) => p.t)).toEqual([250, 500, 750, 1000, 1250]);
  });

  it('turns DMOV 1→0 once at the start and 0→1 once at the end, with MOVN the inverse and TDIR the direction', async () => {
    const t = cms();
    const dmov = t.watch('m.DMOV');
    const movn = t.watch('m.MOVN');
    const tdir = t.watch('m.TDIR');
    t.put('m', -2);
    await t.advance(4000);
    expect(dmov.map((p) => [p.t, p.value])).toEqual([
      [0, 0],
      [2300, 1],
    ]);
    expect(movn.map((p) => [p.t, p.value])).toEqual([
      [0, 1],
      [2300, 0],
    ]);
    // motorSim reports the direction bit only while moving up: TDIR stays 0 on the way down…
    expect(values(tdir)).toEqual([]);
    expect(t.get('m.TDIR')).toBe(0);
    // …and is 1 while moving up, 0 again at rest.
    t.put('m', 0);
    await t.advance(1000);
    expect(t.get('m.TDIR')).toBe(1);
    await t.advance(2000);
    expect(values(tdir)).toEqual([1, 0]);
    expect(t.get('m.MIP')).toBe(MIP.DONE);
  });

  it('completes a put-callback on VAL when the move is done, and a plain put at once', async () => {
    const t = cms();
    const withCb = t.put('m', 1);
    await t.until(withCb.done, 5000, 1);
    expect(withCb.doneAt()).toBe(Math.round(T_1 * 1000));
    const plain = t.put('m', 0, false);
    await t.advance(0);
    expect(plain.done()).toBe(true);
    expect(t.get('m.DMOV')).toBe(0);
  });

  it('posts VAL only when it changes; a put of the current setpoint blinks DMOV and moves nothing', async () => {
    const t = cms();
    const val = t.watch('m');
    const dmov = t.watch('m.DMOV');
    const rbv = t.watch('m.RBV');
    const p = t.put('m', 0);
    await t.advance(500);
    expect(p.done()).toBe(true);
    expect(val).toEqual([]);
    expect(values(dmov)).toEqual([0, 1]);
    expect(rbv).toEqual([]);
    t.put('m', 0.5);
    await t.advance(2000);
    t.put('m', 0.5);
    await t.advance(2000);
    expect(values(val)).toEqual([0.5]);
  });

  it('computes DIFF = DVAL − DRBV and RDIF in steps during a move', async () => {
    const t = cms();
    t.put('m', 1);
    await t.advance(500);
    expect(t.get('m.DIFF')).toBeCloseTo(1 - t.get('m.DRBV'), 12);
    expect(t.get('m.RDIF')).toBe(100 - t.get('m.RRBV'));
    await t.advance(1000);
    expect([t.get('m.DIFF'), t.get('m.RDIF')]).toEqual([0, 0]);
  });

  it('moves from DVAL, RVAL and RLV puts as from VAL, keeping VAL in user coordinates', async () => {
    const t = cms();
    const d = t.put('m.DVAL', 0.5);
    await t.until(d.done, 5000);
    expect(t.get('m')).toBe(0.5);
    const r = t.put('m.RVAL', 80);
    await t.until(r.done, 5000);
    expect(t.get('m.RBV')).toBeCloseTo(0.8, 12);
    const rel = t.put('m.RLV', -0.3);
    await t.until(rel.done, 5000);
    expect(t.get('m')).toBeCloseTo(0.5, 12);
    expect(t.get('m.RBV')).toBeCloseTo(0.5, 12);
    expect(t.get('m.RLV')).toBe(0);
  });
});

describe('motor record retargeting, stop and pause', () => {
  it('retargets to a farther VAL put while moving: ends there with a single DMOV cycle', async () => {
    const t = cms();
    const dmov = t.watch('m.DMOV');
    const first = t.put('m', 1);
    await t.advance(300);
    t.put('m', 2, false);
    await t.until(first.done, 10_000);
    expect(t.get('m.RBV')).toBeCloseTo(2, 12);
    expect(t.get('m')).toBe(2);
    expect(values(dmov)).toEqual([0, 1]);
  });

  it('retargets to a VAL behind the motor: the new-target monitor stops it and a retry brings it back', async () => {
    const t = cms();
    const dmov = t.watch('m.DMOV');
    const tdir = t.watch('m.TDIR');
    const first = t.put('m', 3);
    await t.advance(1000);
    t.put('m', 0.5, false);
    await t.until(first.done, 20_000);
    expect(t.get('m.RBV')).toBeCloseTo(0.5, 12);
    expect(values(dmov)).toEqual([0, 1]);
    expect(values(tdir)).toEqual([1, 0]);
    expect(t.get('m.RCNT')).toBe(1);
  });

  it('makes a second put-callback wait for the first to complete, as dbNotify does', async () => {
    const t = cms();
    const a = t.put('m', 1);
    await t.advance(100);
    const b = t.put('m', 0.5);
    await t.until(a.done, 5000, 1);
    expect(t.get('m.RBV')).toBeCloseTo(1, 12);
    expect(b.done()).toBe(false);
    await t.until(b.done, 5000, 1);
    expect(t.get('m.RBV')).toBeCloseTo(0.5, 12);
  });

  it('stops on STOP: VAL := RBV, DMOV 1, and the pending put-callback completes', async () => {
    const t = cms();
    const val = t.watch('m');
    const move = t.put('m', 5);
    await t.advance(1000);
    t.put('m.STOP', 1, false);
    await t.until(move.done, 2000);
    const rbv = t.get('m.RBV');
    expect(rbv).toBeGreaterThan(0.8);
    expect(rbv).toBeLessThan(1.2);
    expect(t.get('m')).toBe(rbv);
    expect(t.get('m.DMOV')).toBe(1);
    expect(t.get('m.STOP')).toBe(0);
    expect(values(val)).toEqual([5, rbv]);
    await t.advance(2000);
    expect(t.get('m.RBV')).toBe(rbv);
  });

  it('ramps down at the commanded acceleration when stopped at full speed', async () => {
    const t = cms();
    t.put('m', 5);
    await t.advance(2000); // cruising at 1 EGU/s, at 1/9 + (2 − 2/9) = 1.889 (the tick at 2 s)
    t.put('m.STOP', 1, false);
    const spent = await t.until(() => t.get('m.DMOV') === 1, 2000, 1);
    // Brakes from the last tick's state for 1/4.5 s (1/9 EGU): done at the tick after.
    expect(spent).toBe(300);
    expect(t.get('m.RBV')).toBeCloseTo(2, 9);
  });

  it('resumes to the target on Go after a Pause that came during the acceleration', async () => {
    const t = cms();
    const mip = t.watch('m.MIP');
    const move = t.put('m', 3);
    await t.advance(100); // still ramping up (0.222 s)
    t.put('m.SPMG', 1 /* Pause */, false);
    await t.advance(1000);
    // Stopped short of the target: the record holds DMOV 0 and a retry pending (MIP_RETRY), as motorSim's IOC does.
    expect([t.get('m.DMOV'), t.get('m.MOVN'), t.get('m.MIP')]).toEqual([0, 0, MIP.RETRY]);
    expect(t.get('m.RBV')).toBeLessThan(0.2);
    expect(move.done()).toBe(false);
    t.put('m.SPMG', 3 /* Go */, false);
    await t.until(move.done, 10_000);
    expect([t.get('m.RBV'), t.get('m'), t.get('m.DMOV'), t.get('m.RCNT')]).toEqual([3, 3, 1, 1]);
    expect(values(mip)).toEqual([MIP.MOVE, MIP.STOP, MIP.RETRY, MIP.RETRY | MIP.MOVE, MIP.DONE]);
  });

  it('pauses with SPMG Pause (DMOV stays 0, VAL kept) and finishes the move on Go', async () => {
    const t = cms();
    const move = t.put('m', 3);
    await t.advance(1000);
    t.put('m.SPMG', 1 /* Pause */, false);
    await t.advance(2000);
    const held = t.get('m.RBV');
    expect(t.get('m.MOVN')).toBe(0);
    expect(t.get('m.DMOV')).toBe(0);
    expect(t.get('m')).toBe(3);
    expect(move.done()).toBe(false);
    await t.advance(1000);
    expect(t.get('m.RBV')).toBe(held);
    t.put('m.SPMG', 3 /* Go */, false);
    await t.until(move.done, 10_000);
    expect(t.get('m.RBV')).toBeCloseTo(3, 12);
  });

  it('stops with SPMG Stop and syncs VAL to RBV; moves wait for Go', async () => {
    const t = cms();
    const move = t.put('m', 3);
    await t.advance(1000);
    t.put('m.SPMG', 0 /* Stop */, false);
    await t.until(move.done, 2000);
    const rbv = t.get('m.RBV');
    expect(t.get('m')).toBe(rbv);
    const next = t.put('m', 0);
    await t.advance(2000);
    expect(t.get('m.RBV')).toBe(rbv);
    expect(next.done()).toBe(false);
    t.put('m.SPMG', 3 /* Go */, false);
    await t.until(next.done, 10_000);
    expect(t.get('m.RBV')).toBe(0);
  });

  it('switches SPMG from Move to Pause once a move is done', async () => {
    const t = cms();
    t.put('m.SPMG', 2 /* Move */, false);
    const move = t.put('m', 0.5);
    await t.until(move.done, 5000);
    expect(t.get('m.SPMG')).toBe(1);
  });
});

describe('motor record DBE masks', () => {
  it('posts DMOV with DBE_VALUE and DBE_LOG', async () => {
    const t = cms();
    const dmov = t.watch('m.DMOV', DBE.VALUE | DBE.LOG | DBE.ALARM);
    t.put('m', 0.2);
    await t.advance(2000);
    expect(dmov.map((p) => p.mask)).toEqual([DBE.VALUE | DBE.LOG, DBE.VALUE | DBE.LOG]);
  });
});
