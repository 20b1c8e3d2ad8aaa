// calc and calcout records (calcRecord.c, calcoutRecord.c): inputs, CALC errors, limit alarms with
// HYST, deadbands, the six OOPT choices, DOPT/OCAL, ODLY on the clock, IVOA, INAV.
import { describe, expect, it } from 'vitest';
import { AlarmStatus, ECA, Severity } from '../../../ioc/ca/protocol/constants.js';
import { PutError } from '../../../ioc/db/errors.js';
import { ioc, logPosts, valuePosts } from './helpers.js';

describe('calc record', () => {
  it('computes VAL from its inputs, reading linked records and keeping constants', async () => {
    const t = ioc(`
      record(ao, "x") { field(VAL, "3") }
      record(calc, "c") { field(INPA, "x") field(INPB, "4") field(CALC, "A*B+1") }`);
    await t.put('c.PROC', 1);
    expect(t.get('c')).toBe(13);
    expect(t.get('c.A')).toBe(3);
    expect(t.get('c.B')).toBe(4);
    await t.put('x', 5);
    await t.put('c.PROC', 1);
    expect(t.get('c')).toBe(21);
  });

  it('keeps a value put into an argument whose input link is a constant', async () => {
    const t = ioc(`record(calc, "c") { field(INPA, "2") field(CALC, "A+1") }`);
    await t.put('c.A', 10); // A is pp: the put processes the record
    expect(t.get('c')).toBe(11);
  });

  it('stores := assignments back into the arguments', async () => {
    const t = ioc(`record(calc, "counter") { field(CALC, "A:=A+1;A") }`);
    for (let i = 0; i < 3; i++) await t.put('counter.PROC', 1);
    expect(t.get('counter')).toBe(3);
    expect(t.get('counter.A')).toBe(3);
  });

  it('reads its own previous VAL in the expression', async () => {
    const t = ioc(`record(calc, "acc") { field(INPA, "2") field(CALC, "VAL+A") }`);
    await t.put('acc.PROC', 1);
    await t.put('acc.PROC', 1);
    expect(t.get('acc')).toBe(4);
  });

  it('refuses a bad CALC put but keeps the text, and then raises CALC_ALARM INVALID when processed', async () => {
    const t = ioc(`record(calc, "c") { field(CALC, "1+1") }`);
    await t.put('c.PROC', 1);
    expect(t.get('c')).toBe(2);
    const err = await t.put('c.CALC', '1+*2').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PutError);
    expect((err as PutError).status).toBe(ECA.PUTFAIL);
    expect(t.get('c.CALC')).toBe('1+*2');
    await t.put('c.PROC', 1);
    expect(t.rec('c').num('STAT')).toBe(AlarmStatus.CALC);
    expect(t.rec('c').num('SEVR')).toBe(Severity.INVALID);
    expect(t.get('c')).toBe(2); // VAL unchanged
  });

  it('raises CALC_ALARM INVALID for an expression that never compiled', async () => {
    const t = ioc(`record(calc, "c") { field(CALC, "A+") }`);
    await t.put('c.PROC', 1);
    expect([t.rec('c').num('STAT'), t.rec('c').num('SEVR')]).toEqual([AlarmStatus.CALC, Severity.INVALID]);
  });

  it('sets UDF when the result is NaN and raises the UDF alarm with UDFS', async () => {
    const t = ioc(`record(calc, "c") { field(CALC, "0/0") field(UDFS, "MAJOR") }`);
    await t.put('c.PROC', 1);
    expect(t.rec('c').num('UDF')).toBe(1);
    expect([t.rec('c').num('STAT'), t.rec('c').num('SEVR')]).toEqual([AlarmStatus.UDF, Severity.MAJOR]);
  });

  it('applies HIHI/HIGH/LOW/LOLO with hysteresis as calcRecord checkAlarms', async () => {
    const t = ioc(`record(calc, "c") { field(CALC, "A") field(HIGH, "10") field(HSV, "MINOR") field(HIHI, "20") field(HHSV, "MAJOR")
      field(LOW, "-10") field(LSV, "MINOR") field(HYST, "1") }`);
    const sevr = async (a: number) => {
      await t.put('c.A', a);
      return [t.rec('c').num('STAT'), t.rec('c').num('SEVR')];
    };
    expect(await sevr(5)).toEqual([AlarmStatus.NO_ALARM, Severity.NO_ALARM]);
    expect(await sevr(10)).toEqual([AlarmStatus.HIGH, Severity.MINOR]);
    expect(await sevr(9.5)).toEqual([AlarmStatus.HIGH, Severity.MINOR]); // within HYST of HIGH
    expect(await sevr(8.9)).toEqual([AlarmStatus.NO_ALARM, Severity.NO_ALARM]);
    expect(await sevr(25)).toEqual([AlarmStatus.HIHI, Severity.MAJOR]);
    expect(await sevr(19.5)).toEqual([AlarmStatus.HIHI, Severity.MAJOR]);
    expect(await sevr(18)).toEqual([AlarmStatus.HIGH, Severity.MINOR]);
    expect(await sevr(-11)).toEqual([AlarmStatus.LOW, Severity.MINOR]);
  });

  it('posts VAL only beyond MDEL and archives only beyond ADEL', async () => {
    const t = ioc(`record(calc, "c") { field(CALC, "A") field(MDEL, "1") field(ADEL, "3") }`);
    const posts = t.watch('c');
    for (const a of [0.5, 1.5, 2, 2.6, 5]) await t.put('c.A', a);
    expect(valuePosts(posts)).toEqual([1.5, 2.6, 5]);
    expect(logPosts(posts)).toEqual([5]);
  });

  it('posts every value when MDEL is negative and arguments when they change', async () => {
    const t = ioc(`record(calc, "c") { field(CALC, "A") field(MDEL, "-1") }`);
    const posts = t.watch('c');
    const a = t.watch('c.A');
    await t.put('c.A', 1);
    await t.put('c.PROC', 1);
    expect(valuePosts(posts)).toEqual([1, 1]);
    expect(valuePosts(a)).toEqual([1, 1]); // the put's own post, then processing (LA changed) — not on the repeat
  });

  it('serves EGU, PREC and HOPR/LOPR and alarm limits as the metadata of VAL', () => {
    const t = ioc(`record(calc, "c") { field(EGU, "mm") field(PREC, "3") field(HOPR, "100") field(LOPR, "-5") field(HIHI, "90") field(HHSV, "MAJOR") }`);
    const pv = t.pv('c');
    expect(pv.units).toBe('mm');
    expect(pv.precision).toBe(3);
    expect(pv.limits).toMatchObject({ upperDisp: 100, lowerDisp: -5, upperCtrl: 100, lowerCtrl: -5, upperAlarm: 90 });
    expect(Number.isNaN(pv.limits.upperWarning)).toBe(true);
  });

  it('gives an argument the units of the field its input link reads', () => {
    const t = ioc(`record(ai, "temp") { field(EGU, "degC") field(PREC, "1") }
      record(calc, "c") { field(INPA, "temp") field(EGU, "K") }`);
    expect(t.pv('c.A').units).toBe('degC');
    expect(t.pv('c.B').units).toBe('K');
  });
});

describe('calcout record', () => {
  const oopt = async (choice: string, inputs: number[]) => {
    const t = ioc(`record(calcout, "co") { field(CALC, "A") field(OOPT, "${choice}") field(OUT, "dst PP") }
      record(ao, "dst") { field(MDEL, "-1") }`);
    const writes = t.watch('dst');
    for (const a of inputs) await t.put('co.A', a);
    return valuePosts(writes);
  };

  it('writes every time with OOPT Every Time', async () => {
    expect(await oopt('Every Time', [1, 1, 0])).toEqual([1, 1, 0]);
  });
  it('writes on a change beyond MDEL with OOPT On Change', async () => {
    expect(await oopt('On Change', [1, 1, 2, 0])).toEqual([1, 2, 0]);
  });
  it('writes when the result is zero with OOPT When Zero', async () => {
    expect(await oopt('When Zero', [1, 0, 0, 2])).toEqual([0, 0]);
  });
  it('writes when the result is non-zero with OOPT When Non-zero', async () => {
    expect(await oopt('When Non-zero', [1, 0, 3, 3])).toEqual([1, 3, 3]);
  });
  it('writes on a transition to zero with OOPT Transition To Zero', async () => {
    expect(await oopt('Transition To Zero', [1, 0, 0, 2, 0])).toEqual([0, 0]);
  });
  it('writes on a transition to non-zero with OOPT Transition To Non-zero', async () => {
    expect(await oopt('Transition To Non-zero', [1, 2, 0, 5])).toEqual([1, 5]);
  });

  it('writes OCAL into OVAL with DOPT Use OCAL, reading VAL as the result of CALC', async () => {
    const t = ioc(`record(calcout, "co") { field(CALC, "A*2") field(DOPT, "Use OCAL") field(OCAL, "VAL+100") field(OUT, "dst PP") }
      record(ao, "dst") {}`);
    await t.put('co.A', 3);
    expect(t.get('co')).toBe(6);
    expect(t.get('co.OVAL')).toBe(106);
    expect(t.get('dst')).toBe(106);
  });

  it('keeps a bad CALC put and reports it in CLCV', async () => {
    const t = ioc(`record(calcout, "co") { field(CALC, "1") }`);
    await t.put('co.CALC', 'A+');
    expect(t.get('co.CLCV')).not.toBe(0);
    await t.put('co.PROC', 1);
    expect([t.rec('co').num('STAT'), t.rec('co').num('SEVR')]).toEqual([AlarmStatus.CALC, Severity.INVALID]);
    await t.put('co.CALC', 'A');
    expect(t.get('co.CLCV')).toBe(0);
  });

  it('delays the write by ODLY seconds on the clock, with DLYA and PACT set meanwhile, and completes the put afterwards', async () => {
    const t = ioc(`record(calcout, "co") { field(CALC, "A") field(ODLY, "2") field(OUT, "dst PP") field(FLNK, "after") }
      record(ao, "dst") {}
      record(calc, "after") { field(CALC, "B:=B+1;B") }`);
    let done = false;
    const p = t.put('co.A', 7).then(() => (done = true));
    await t.advance(1000);
    expect(t.get('co.DLYA')).toBe(1);
    expect(t.get('co.PACT')).toBe(1);
    expect(t.get('dst')).toBe(0);
    expect(t.get('after')).toBe(0);
    expect(done).toBe(false);
    await t.advance(1100);
    await p;
    expect(t.get('co.DLYA')).toBe(0);
    expect(t.get('co.PACT')).toBe(0);
    expect(t.get('dst')).toBe(7);
    expect(t.get('after')).toBe(1); // FLNK after the delayed output
  });

  it('does not drive the output on INVALID with IVOA "Don\'t drive outputs"', async () => {
    const t = ioc(`record(calcout, "co") { field(CALC, "A") field(HIHI, "5") field(HHSV, "INVALID") field(IVOA, "Don't drive outputs") field(OUT, "dst PP") }
      record(ao, "dst") {}`);
    await t.put('co.A', 3);
    await t.put('co.A', 9);
    expect(t.get('dst')).toBe(3);
    expect(t.rec('co').num('SEVR')).toBe(Severity.INVALID);
  });

  it('writes IVOV on INVALID with IVOA "Set output to IVOV"', async () => {
    const t = ioc(`record(calcout, "co") { field(CALC, "A") field(HIHI, "5") field(HHSV, "INVALID") field(IVOA, "Set output to IVOV") field(IVOV, "-1") field(OUT, "dst PP") }
      record(ao, "dst") {}`);
    await t.put('co.A', 9);
    expect(t.get('dst')).toBe(-1);
    expect(t.get('co.OVAL')).toBe(-1);
  });

  it('reports each input link as Constant, Local PV or Ext PV in INAV…INLV and OUTV', () => {
    const t = new TestIocWithPv();
    expect(t.t.get('co.INAV')).toBe(2); // Local PV
    expect(t.t.get('co.INBV')).toBe(3); // Constant
    expect(t.t.get('co.INCV')).toBe(1); // Ext PV OK (a device PV)
    expect(t.t.get('co.INDV')).toBe(0); // Ext PV NC (nothing by that name)
    expect(t.t.get('co.INEV')).toBe(3); // empty: constant
    expect(t.t.get('co.OUTV')).toBe(2);
    expect(t.t.pv('co.INAV').enumStrings).toEqual(['Ext PV NC', 'Ext PV OK', 'Local PV', 'Constant']);
  });

  it('gives ODLY units of seconds and two decimals', () => {
    const t = ioc(`record(calcout, "co") {}`);
    expect(t.pv('co.ODLY').units).toBe('s');
    expect(t.pv('co.ODLY').precision).toBe(2);
  });
});

import { DbrBase } from '../../../ioc/ca/protocol/dbr-types.js';
import { TestIoc } from './helpers.js';

class TestIocWithPv {
  readonly t = new TestIoc();
  constructor() {
    this.t.pvs.create('device:rbv', { type: DbrBase.DOUBLE, value: 1 });
    this.t.load(`record(ao, "local") {}
      record(calcout, "co") { field(INPA, "local") field(INPB, "1.5") field(INPC, "device:rbv") field(INPD, "nowhere") field(OUT, "local") }`);
    this.t.start();
  }
}
