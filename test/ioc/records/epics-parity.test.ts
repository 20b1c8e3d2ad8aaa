// What the side-by-side run against pythonSoftIOC (test/interop/softioc-records.test.ts) taught record
// support, pinned here in virtual time: CP links processing at start, recGbl metadata of non-value
// fields, link text as dbGetString spells it, I/O Intr without device support, a compress that only
// collected a sample, ao raw conversion.
import { describe, expect, it } from 'vitest';
import { AlarmStatus, Severity } from '../../../ioc/ca/protocol/constants.js';
import { ioc } from './helpers.js';

describe('EPICS parity of record support', () => {
  it('processes a record with a CP (or, when passive, CPP) input link once after iocInit', () => {
    const t = ioc(`record(ao, "src") { field(VAL, "4") }
      record(calc, "cp") { field(INPA, "src CP") field(CALC, "A+1") }
      record(calc, "cpp") { field(INPA, "src CPP") field(CALC, "A+2") }
      record(calc, "cppScanned") { field(SCAN, "10 second") field(INPA, "src CPP") field(CALC, "A+3") }`);
    expect([t.get('cp'), t.get('cp.SEVR')]).toEqual([5, Severity.NO_ALARM]);
    expect(t.get('cpp')).toBe(6);
    expect([t.get('cppScanned'), t.get('cppScanned.STAT')]).toEqual([0, AlarmStatus.UDF]);
  });

  it('gives non-value fields the range of their type where record support has get_graphic_double, zero elsewhere; alarm limits only on VAL', () => {
    const t = ioc(`record(ai, "a") { field(HIGH, "5") field(HSV, "MINOR") field(HOPR, "10") field(EGU, "mm") }
      record(bi, "b") {}`);
    expect(t.pv('a.DISV').limits).toMatchObject({ upperDisp: 32767, lowerDisp: -32768, upperCtrl: 32767, lowerCtrl: -32768 });
    expect(t.pv('a.ADEL').limits).toMatchObject({ upperDisp: 1e300, lowerDisp: -1e300 });
    expect(t.pv('a.ADEL').limits.upperWarning).toBeNaN();
    expect(t.pv('a.HIGH').limits).toMatchObject({ upperDisp: 10 });
    expect(t.pv('a.HIGH').limits.upperWarning).toBeNaN();
    expect(t.pv('a').limits.upperWarning).toBe(5);
    expect([t.pv('a.ADEL').units, t.pv('a.ASLO').units, t.pv('a.DISV').units]).toEqual(['mm', '', '']);
    expect(t.pv('b.DISV').limits).toMatchObject({ upperDisp: 0, lowerDisp: 0, upperCtrl: 0, lowerCtrl: 0 });
  });

  it('spells database links as dbGetString does: NAME, process and severity modifiers', () => {
    const t = ioc(`record(ao, "src") {}
      record(calc, "c") { field(INPA, "src") field(INPB, "src.VAL CP MS") field(INPC, "2.5") field(FLNK, "src") }`);
    expect([t.get('c.INPA'), t.get('c.INPB'), t.get('c.INPC'), t.get('c.FLNK')]).toEqual(['src NPP NMS', 'src.VAL CP MS', '2.5', 'src']);
  });

  it('makes an I/O Intr record without device support Passive, as scanAdd does', async () => {
    const t = ioc(`record(ao, "src") { field(VAL, "2") } record(ai, "i") { field(SCAN, "I/O Intr") field(INP, "src") }`);
    expect(t.get('i.SCAN')).toBe(0);
    await t.put('i.PROC', 1);
    expect(t.get('i')).toBe(2);
  });

  it('leaves alarms, monitors and FLNK alone while a compress only collects a sample', async () => {
    const t = ioc(`record(ao, "x") { field(VAL, "2") }
      record(compress, "c") { field(ALG, "N to 1 Average") field(N, "2") field(NSAM, "4") field(INP, "x") field(FLNK, "n") }
      record(calc, "n") { field(CALC, "VAL+1") }`);
    await t.put('c.PROC', 1);
    expect([t.get('c.STAT'), t.get('c.SEVR'), t.get('n')]).toEqual([AlarmStatus.UDF, Severity.INVALID, 0]);
    await t.put('c.PROC', 1);
    expect([t.get('c.STAT'), t.get('c.SEVR'), t.get('n'), t.get('c.NUSE')]).toEqual([AlarmStatus.NO_ALARM, Severity.NO_ALARM, 1, 1]);
  });

  it('converts ao VAL to RVAL as aoRecord convert() does: slope, offsets, rounding; ASLO 0 means none', async () => {
    const t = ioc(`record(ao, "o") {} record(ao, "s") { field(LINR, "SLOPE") field(ESLO, "2") field(EOFF, "1") field(ASLO, "0.5") }`);
    await t.put('o', 0.5);
    expect(t.get('o.RVAL')).toBe(1);
    await t.put('o', -2.5);
    expect(t.get('o.RVAL')).toBe(-3);
    await t.put('s', 7); // (7 - 1) / 2 = 3, / 0.5 = 6
    expect(t.get('s.RVAL')).toBe(6);
    expect([t.get('o.ASLO'), t.get('o.OIF')]).toEqual([0, 0]);
    expect(t.pv('o.OIF').enumStrings).toEqual(['Full', 'Incremental']);
  });
});
