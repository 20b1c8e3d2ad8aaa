// ai, ao, bi, bo, busy, mbbi, mbbo, longin, longout, int64in/out: processing, conversions, alarms,
// deadbands and metadata as the EPICS record support routines give them.
import { describe, expect, it } from 'vitest';
import { AlarmStatus, DBE, Severity } from '../../../ioc/ca/protocol/constants.js';
import { DbrBase } from '../../../ioc/ca/protocol/dbr-types.js';
import { ioc, logPosts, valuePosts } from './helpers.js';

const alarm = (t: ReturnType<typeof ioc>, name: string) => [t.rec(name).num('STAT'), t.rec(name).num('SEVR')];

describe('ai record', () => {
  it('reads INP into VAL and serves EGU, PREC, HOPR/LOPR and the alarm limits as metadata', async () => {
    const t = ioc(`record(ao, "src") { field(VAL, "12.5") }
      record(ai, "a") { field(INP, "src") field(EGU, "mm") field(PREC, "2") field(HOPR, "100") field(LOPR, "-100")
        field(HIGH, "50") field(HSV, "MINOR") field(LOLO, "-90") field(LLSV, "MAJOR") }`);
    await t.put('a.PROC', 1);
    const pv = t.pv('a');
    expect(pv.value).toBe(12.5);
    expect([pv.units, pv.precision]).toEqual(['mm', 2]);
    expect(pv.limits).toMatchObject({ upperDisp: 100, lowerDisp: -100, upperCtrl: 100, lowerCtrl: -100, upperWarning: 50, lowerAlarm: -90 });
    expect(Number.isNaN(pv.limits.upperAlarm)).toBe(true);
  });

  it('converts RVAL with ASLO/AOFF and LINR SLOPE (ESLO/EOFF) under Raw Soft Channel', async () => {
    const t = ioc(`record(longout, "raw") { field(VAL, "100") }
      record(ai, "a") { field(DTYP, "Raw Soft Channel") field(INP, "raw") field(ASLO, "0.5") field(AOFF, "1") field(LINR, "SLOPE") field(ESLO, "2") field(EOFF, "-3") }`);
    await t.put('a.PROC', 1);
    expect(t.get('a.RVAL')).toBe(100);
    expect(t.get('a')).toBe((100 * 0.5 + 1) * 2 - 3);
  });

  it('smooths with SMOO after the first reading', async () => {
    const t = ioc(`record(ao, "src") { field(VAL, "10") } record(ai, "a") { field(INP, "src") field(SMOO, "0.5") }`);
    await t.put('a.PROC', 1);
    expect(t.get('a')).toBe(10);
    await t.put('src', 20);
    await t.put('a.PROC', 1);
    expect(t.get('a')).toBe(15);
  });

  it('keeps a value put into VAL when INP is a constant (read once at init)', async () => {
    const t = ioc(`record(ai, "a") { field(INP, "5") }`);
    expect(t.get('a')).toBe(5);
    await t.put('a', 7);
    expect(t.get('a')).toBe(7);
  });

  it('is in UDF INVALID until it first gets a value', async () => {
    const t = ioc(`record(ai, "a") {}`);
    expect(alarm(t, 'a')).toEqual([AlarmStatus.UDF, Severity.INVALID]);
    await t.put('a', 1);
    expect(alarm(t, 'a')).toEqual([AlarmStatus.NO_ALARM, Severity.NO_ALARM]);
  });

  it('posts DBE_ALARM with the value when the alarm changes, even inside the deadband', async () => {
    const t = ioc(`record(ai, "a") { field(MDEL, "10") field(HIGH, "5") field(HSV, "MINOR") field(VAL, "0") }`);
    await t.put('a', 0);
    const posts = t.watch('a');
    await t.put('a', 6);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.mask & DBE.ALARM).toBeTruthy();
    expect(posts[0]!.mask & DBE.VALUE).toBe(0);
    expect(posts[0]!.severity).toBe(Severity.MINOR);
  });

  it('posts VAL beyond MDEL and archives beyond ADEL', async () => {
    const t = ioc(`record(ai, "a") { field(MDEL, "0.5") field(ADEL, "2") }`);
    const posts = t.watch('a');
    for (const v of [1, 1.2, 1.6, 2.2, 3.5]) await t.put('a', v);
    expect(valuePosts(posts)).toEqual([1, 1.6, 2.2, 3.5]);
    expect(logPosts(posts)).toEqual([2.2]); // ALST 0 → 2.2; 3.5 is within 2 of it
  });
});

describe('ao record', () => {
  it('clips VAL to DRVL/DRVH and serves them as the control limits', async () => {
    const t = ioc(`record(ao, "o") { field(DRVH, "10") field(DRVL, "-10") field(HOPR, "20") field(LOPR, "-20") }`);
    await t.put('o', 15);
    expect(t.get('o')).toBe(10);
    expect(t.pv('o').limits).toMatchObject({ upperCtrl: 10, lowerCtrl: -10, upperDisp: 20, lowerDisp: -20 });
  });

  it('limits the output change per processing with OROC', async () => {
    const t = ioc(`record(ao, "o") { field(OROC, "2") field(OUT, "dst PP") } record(ao, "dst") {}`);
    await t.put('o', 5);
    expect(t.get('o.OVAL')).toBe(2);
    expect(t.get('dst')).toBe(2);
    await t.put('o.PROC', 1);
    expect(t.get('dst')).toBe(4);
  });

  it('reads DOL when OMSL is closed_loop, adding to VAL with OIF Incremental', async () => {
    const t = ioc(`record(ao, "src") { field(VAL, "3") } record(ao, "o") { field(OMSL, "closed_loop") field(DOL, "src") field(OIF, "1") field(VAL, "1") }`);
    await t.put('o.PROC', 1);
    expect(t.get('o')).toBe(4);
  });

  it('does not drive its output on INVALID with IVOA Don\'t drive outputs', async () => {
    const t = ioc(`record(ao, "o") { field(HIHI, "5") field(HHSV, "INVALID") field(IVOA, "Don't drive outputs") field(OUT, "dst PP") } record(ao, "dst") {}`);
    await t.put('o', 3);
    await t.put('o', 7);
    expect(t.get('dst')).toBe(3);
  });

  it('posts OVAL only when it changed', async () => {
    const t = ioc(`record(ao, "o") {}`);
    const oval = t.watch('o.OVAL');
    await t.put('o', 1);
    await t.put('o', 1);
    expect(valuePosts(oval)).toEqual([1]);
  });
});

describe('bi, bo and busy records', () => {
  it('serve ZNAM/ONAM as enum strings and raise ZSV/OSV state alarms', async () => {
    const t = ioc(`record(bo, "b") { field(ZNAM, "Off") field(ONAM, "On") field(OSV, "MAJOR") }`);
    expect(t.pv('b').enumStrings).toEqual(['Off', 'On']);
    expect(t.pv('b').nativeType).toBe(DbrBase.ENUM);
    await t.put('b', 1);
    expect(alarm(t, 'b')).toEqual([AlarmStatus.STATE, Severity.MAJOR]);
    await t.put('b', 0);
    expect(alarm(t, 'b')).toEqual([AlarmStatus.NO_ALARM, Severity.NO_ALARM]);
  });

  it('raise a change-of-state alarm with COSV for one processing', async () => {
    const t = ioc(`record(bi, "b") { field(COSV, "MINOR") field(INP, "src") } record(bo, "src") {}`);
    await t.put('b.PROC', 1);
    await t.put('src', 1);
    await t.put('b.PROC', 1);
    expect(alarm(t, 'b')).toEqual([AlarmStatus.COS, Severity.MINOR]);
    await t.put('b.PROC', 1);
    expect(alarm(t, 'b')).toEqual([AlarmStatus.NO_ALARM, Severity.NO_ALARM]);
  });

  it('bi reads any non-zero input as 1, and RVAL under MASK with Raw Soft Channel', async () => {
    const t = ioc(`record(longout, "src") { field(VAL, "6") }
      record(bi, "b") { field(INP, "src") }
      record(bi, "r") { field(DTYP, "Raw Soft Channel") field(INP, "src") field(MASK, "1") }`);
    await t.put('b.PROC', 1);
    await t.put('r.PROC', 1);
    expect(t.get('b')).toBe(1);
    expect([t.get('r'), t.get('r.RVAL')]).toEqual([0, 0]);
  });

  it('bo returns to 0 HIGH seconds after a 1 (momentary output) on the clock', async () => {
    const t = ioc(`record(bo, "b") { field(HIGH, "1.5") }`);
    await t.put('b', 1);
    await t.advance(1000);
    expect(t.get('b')).toBe(1);
    await t.advance(600);
    expect(t.get('b')).toBe(0);
  });

  it('busy completes a put-callback of 1 only when VAL returns to 0', async () => {
    const t = ioc(`record(busy, "acq") { field(ZNAM, "Done") field(ONAM, "Busy") }`);
    let done = false;
    const p = t.put('acq', 1).then(() => (done = true));
    await t.advance(100);
    expect(done).toBe(false);
    await t.rec('acq').putField(t.rec('acq').table.get('VAL')!, 0, { origin: 'internal' });
    await p;
    expect(done).toBe(true);
  });
});

describe('mbbi and mbbo records', () => {
  const states = ['ZR', 'ON', 'TW', 'TH', 'FR', 'FV', 'SX', 'SV', 'EI', 'NI', 'TE', 'EL', 'TV', 'TT', 'FT', 'FF'];
  const all16 = states.map((s, i) => `field(${s}ST, "s${i}") field(${s}VL, "${i * 10}")`).join(' ');

  it('serve all 16 state strings ZRST…FFST as enum strings', () => {
    const t = ioc(`record(mbbo, "m") { ${all16} }`);
    expect(t.pv('m').enumStrings).toEqual(states.map((_, i) => `s${i}`));
  });

  it('serve the strings up to the last defined state', () => {
    const t = ioc(`record(mbbi, "m") { field(ZRST, "A") field(TWST, "C") }`);
    expect(t.pv('m').enumStrings).toEqual(['A', '', 'C']);
  });

  it('map a raw value to its state through ZRVL…FFVL with Raw Soft Channel, and an unknown one to UNSV', async () => {
    const t = ioc(`record(longout, "raw") { field(VAL, "150") }
      record(mbbi, "m") { field(DTYP, "Raw Soft Channel") field(INP, "raw") field(UNSV, "MAJOR") ${all16} }`);
    await t.put('m.PROC', 1);
    expect(t.get('m')).toBe(15);
    await t.put('raw', 151);
    await t.put('m.PROC', 1);
    expect(alarm(t, 'm')).toEqual([AlarmStatus.STATE, Severity.MAJOR]);
  });

  it('raise the severity of the state (ZRSV…FFSV)', async () => {
    const t = ioc(`record(mbbo, "m") { field(ZRST, "ok") field(ONST, "warn") field(ONSV, "MINOR") field(TWST, "bad") field(TWSV, "MAJOR") }`);
    await t.put('m', 2);
    expect(alarm(t, 'm')).toEqual([AlarmStatus.STATE, Severity.MAJOR]);
    await t.put('m', 1);
    expect(alarm(t, 'm')).toEqual([AlarmStatus.STATE, Severity.MINOR]);
  });

  it('mbbo writes the state value (VL) as RVAL once any state is defined (a string counts), else VAL itself', async () => {
    const t = ioc(`record(mbbo, "m") { field(ZRST, "a") field(ONST, "b") field(ONVL, "7") }
      record(mbbo, "named") { field(ZRST, "a") field(ONST, "b") }
      record(mbbo, "plain") {}`);
    await t.put('m', 1);
    await t.put('named', 1);
    await t.put('plain', 1);
    expect(t.get('m.RVAL')).toBe(7);
    expect([t.get('named.SDEF'), t.get('named.RVAL')]).toEqual([1, 0]);
    expect([t.get('plain.SDEF'), t.get('plain.RVAL')]).toEqual([0, 1]);
  });
});

describe('longin, longout, int64in and int64out records', () => {
  it('longout clips to DRVL/DRVH and writes OUT', async () => {
    const t = ioc(`record(longout, "o") { field(DRVL, "1") field(DRVH, "16") field(OUT, "i PP") } record(longin, "i") {}`);
    await t.put('o', 40);
    expect([t.get('o'), t.get('i')]).toEqual([16, 16]);
    expect(t.pv('o').nativeType).toBe(DbrBase.LONG);
  });

  it('longin applies limit alarms and MDEL', async () => {
    const t = ioc(`record(longin, "i") { field(HIHI, "100") field(HHSV, "MAJOR") field(MDEL, "5") }`);
    const posts = t.watch('i');
    for (const v of [1, 3, 7, 120]) await t.put('i', v);
    expect(valuePosts(posts)).toEqual([7, 120]); // MLST 0: 1 and 3 are within 5
    expect(alarm(t, 'i')).toEqual([AlarmStatus.HIHI, Severity.MAJOR]);
  });

  it('int64in is served as DOUBLE and keeps integers beyond 32 bits', async () => {
    const t = ioc(`record(int64in, "i") {}`);
    await t.put('i', 2 ** 40 + 1);
    expect(t.get('i')).toBe(2 ** 40 + 1);
    expect(t.pv('i').nativeType).toBe(DbrBase.DOUBLE);
  });
});
