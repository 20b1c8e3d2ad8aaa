// Issue 12 items 7 and 8 for the motor: a NaN or ±Inf written to a motor field is refused and never leaves the
// motor "moving" (DMOV 0 / MOVN 1), and no update a put causes carries a time stamp from before the put.
import { describe, expect, it } from 'vitest';
import { ECA } from '../../../ioc/ca/protocol/constants.js';
import { PutError } from '../../../ioc/db/errors.js';
import type { PvUpdate } from '../../../ioc/db/pv.js';
import { epicsTimeFromMs } from '../../../ioc/ca/protocol/time.js';
import { CMS_SIM_MOTOR } from '../../../devices/motor/index.js';
import { MotorIoc } from './helpers.js';

function motor(): MotorIoc {
  const t = new MotorIoc();
  t.motor('m', CMS_SIM_MOTOR);
  return t.start();
}

const BAD = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 'nan', 'abc'];
const FIELDS = ['m', 'm.VAL', 'm.DVAL', 'm.RVAL', 'm.RLV', 'm.TWV', 'm.VELO', 'm.VBAS', 'm.VMAX', 'm.BVEL', 'm.JVEL', 'm.HVEL', 'm.ACCL', 'm.BDST', 'm.OFF', 'm.HLM', 'm.DLLM', 'm.MRES', 'm.RDBD'];

describe('non-finite numbers written to a motor', () => {
  it('are refused (ECA_PUTFAIL) on every numeric field, the field keeps its value and nothing moves', async () => {
    const t = motor();
    for (const f of FIELDS) {
      const before = t.get(f);
      for (const v of BAD) {
        const p = t.put(f, v);
        await t.advance(0);
        expect(p.done(), `${f} ← ${v}`).toBe(true);
        expect(p.error(), `${f} ← ${v}`).toBeInstanceOf(PutError);
        expect((p.error() as PutError).status).toBe(ECA.PUTFAIL);
        expect(t.get(f), `${f} ← ${v}`).toBe(before);
      }
    }
    await t.advance(2000);
    expect([t.get('m.DMOV'), t.get('m.MOVN'), t.get('m.RBV'), t.get('m')]).toEqual([1, 0, 0, 0]);
    // The motor still answers to a real target.
    const ok = t.put('m', 0.5);
    await t.until(ok.done, 5000);
    expect(t.get('m.RBV')).toBeCloseTo(0.5, 12);
  });

  it('during a move leave the move alone: it ends at its target with DMOV 1', async () => {
    const t = motor();
    const move = t.put('m', 1);
    await t.advance(300);
    for (const v of BAD) t.put('m', v, false);
    t.put('m.VELO', Number.NaN, false);
    await t.until(move.done, 5000);
    expect([t.get('m.DMOV'), t.get('m.MOVN'), t.get('m.RBV'), t.get('m.VELO')]).toEqual([1, 0, 1, 1]);
  });
});

describe('time stamps of what a put causes', () => {
  it('DMOV 1→0 and every other update of a move carry the put’s time or later, never the previous processing’s', async () => {
    const t = motor();
    await t.advance(5000); // the record last processed at start-up, 5 s ago
    const updates: { f: string; u: PvUpdate }[] = [];
    for (const f of ['m', 'm.DMOV', 'm.MOVN', 'm.MIP', 'm.RBV', 'm.DIFF', 'm.TWV', 'm.VELO']) t.pv(f).updates.subscribe((u) => updates.push({ f, u }));
    const putAt = epicsTimeFromMs(t.clock.now());
    const move = t.put('m', 0.5);
    await t.until(move.done, 5000);
    await t.put('m.TWV', 0.3).promise;
    await t.put('m.VELO', 2).promise;
    const dmov0 = updates.find(({ f, u }) => f === 'm.DMOV' && u.value === 0);
    expect(dmov0).toBeDefined();
    for (const { f, u } of updates) {
      const early = u.secPastEpoch < putAt.secPastEpoch || (u.secPastEpoch === putAt.secPastEpoch && u.nsec < putAt.nsec);
      expect(early, `${f} = ${String(u.value)}`).toBe(false);
    }
    expect([dmov0!.u.secPastEpoch, dmov0!.u.nsec]).toEqual([putAt.secPastEpoch, putAt.nsec]);
  });
});
