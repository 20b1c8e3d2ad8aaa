// What dbProcess, dbScan and the link layer do for every record type: SCAN (Passive, periodic, PINI),
// FLNK, PP/NPP/MS/NMS/CP links, DISA/DISV/SDIS, UDF, TSE/TSEL, PROC, read-only fields, put-callback.
import { describe, expect, it } from 'vitest';
import { AlarmStatus, DBE, ECA, Severity } from '../../../ioc/ca/protocol/constants.js';
import { epicsTimeFromMs } from '../../../ioc/ca/protocol/time.js';
import { PutError } from '../../../ioc/db/errors.js';
import { ioc, valuePosts } from './helpers.js';

const count = (name: string, extra = '') => `record(calc, "${name}") { field(CALC, "A:=A+1;A") ${extra} }`;

describe('scanning', () => {
  it('processes a periodic record every period on the clock, and a Passive one never', async () => {
    const t = ioc(`${count('fast', 'field(SCAN, ".1 second")')} ${count('slow', 'field(SCAN, "2 second")')} ${count('passive')}`);
    await t.advance(2000, 50);
    expect(t.get('fast')).toBe(20);
    expect(t.get('slow')).toBe(1);
    expect(t.get('passive')).toBe(0);
  });

  it('offers the standard SCAN choices as enum strings', () => {
    const t = ioc(count('c'));
    expect(t.pv('c.SCAN').enumStrings).toEqual(['Passive', 'Event', 'I/O Intr', '10 second', '5 second', '2 second', '1 second', '.5 second', '.2 second', '.1 second']);
  });

  it('processes PINI records once at start', () => {
    const t = ioc(`${count('once', 'field(PINI, "YES")')} ${count('never')}`);
    expect(t.get('once')).toBe(1);
    expect(t.get('never')).toBe(0);
  });

  it('processes a record whenever the source of a CP input link posts', async () => {
    const t = ioc(`record(ao, "src") {} record(calc, "c") { field(INPA, "src CP") field(CALC, "A*10") }`);
    await t.put('src', 2);
    expect(t.get('c')).toBe(20);
  });

  it('moves a record to its new scan period when SCAN is put at run time', async () => {
    const t = ioc(count('c', 'field(SCAN, "1 second")'));
    await t.advance(2000, 100);
    expect(t.get('c')).toBe(2);
    await t.put('c.SCAN', 0); // Passive
    await t.advance(2000, 100);
    expect(t.get('c')).toBe(2);
    await t.put('c.SCAN', 9); // .1 second
    await t.advance(1000, 50);
    expect(t.get('c')).toBe(12);
  });

  it('stops periodic scans when the database stops', async () => {
    const t = ioc(count('fast', 'field(SCAN, ".1 second")'));
    t.stop();
    await t.advance(1000, 100);
    expect(t.get('fast')).toBe(0);
  });
});

describe('forward links and PROC', () => {
  it('processes a chain of Passive records through FLNK in order', async () => {
    const t = ioc(`record(ao, "a") { field(FLNK, "b") }
      record(calc, "b") { field(INPA, "a") field(CALC, "A+1") field(FLNK, "c") }
      record(calc, "c") { field(INPA, "b") field(CALC, "A*2") }`);
    await t.put('a', 4);
    expect([t.get('b'), t.get('c')]).toEqual([5, 10]);
  });

  it('does not forward-process a target that is not Passive, except through .PROC', async () => {
    const t = ioc(`record(ao, "a") { field(FLNK, "p") } record(ao, "b") { field(FLNK, "q.PROC") }
      ${count('p', 'field(SCAN, "10 second")')} ${count('q', 'field(SCAN, "10 second")')}`);
    await t.put('a', 1);
    await t.put('b', 1);
    expect([t.get('p'), t.get('q')]).toEqual([0, 1]);
  });

  it('processes a record on a put to PROC whatever its SCAN', async () => {
    const t = ioc(count('c', 'field(SCAN, "10 second")'));
    await t.put('c.PROC', 1);
    expect(t.get('c')).toBe(1);
  });

  it('processes on a put to a pp field only when SCAN is Passive', async () => {
    const t = ioc(`${count('passive')} ${count('scanned', 'field(SCAN, "10 second")')}`);
    await t.put('passive.B', 1);
    await t.put('scanned.B', 1);
    expect([t.get('passive'), t.get('scanned')]).toEqual([1, 0]);
    await t.put('passive.EGU', 'x'); // not pp
    expect(t.get('passive')).toBe(1);
  });

  it('completes a put-callback only after an asynchronous record in the FLNK chain finished', async () => {
    const t = ioc(`record(ao, "a") { field(FLNK, "co") } record(calcout, "co") { field(ODLY, "1") field(CALC, "1") field(OUT, "z PP") } record(ao, "z") {}`);
    let done = false;
    const p = t.put('a', 1).then(() => (done = true));
    await t.advance(500);
    expect(done).toBe(false);
    await t.advance(600);
    await p;
    expect(t.get('z')).toBe(1);
  });
});

describe('input and output links', () => {
  it('processes a Passive source first through a PP input link, not through NPP', async () => {
    const t = ioc(`${count('src')}
      record(calc, "pp") { field(INPA, "src PP") field(CALC, "A") }
      record(calc, "npp") { field(INPA, "src NPP") field(CALC, "A") }`);
    await t.put('pp.PROC', 1);
    expect(t.get('pp')).toBe(1);
    await t.put('npp.PROC', 1);
    expect(t.get('npp')).toBe(1);
    expect(t.get('src')).toBe(1);
  });

  it('takes the severity of the source with MS (LINK status) and MSS (its status), not with NMS', async () => {
    const t = ioc(`record(ai, "src") { field(HIGH, "1") field(HSV, "MINOR") }
      record(calc, "ms") { field(INPA, "src MS") field(CALC, "A") }
      record(calc, "mss") { field(INPA, "src MSS") field(CALC, "A") }
      record(calc, "nms") { field(INPA, "src NMS") field(CALC, "A") }`);
    await t.put('src', 5);
    for (const r of ['ms', 'mss', 'nms']) await t.put(`${r}.PROC`, 1);
    expect([t.rec('ms').num('STAT'), t.rec('ms').num('SEVR')]).toEqual([AlarmStatus.LINK, Severity.MINOR]);
    expect([t.rec('mss').num('STAT'), t.rec('mss').num('SEVR')]).toEqual([AlarmStatus.HIGH, Severity.MINOR]);
    expect(t.rec('nms').num('SEVR')).toBe(Severity.NO_ALARM);
  });

  it('raises LINK INVALID for an input link to nothing', async () => {
    const t = ioc(`record(calc, "c") { field(INPA, "nowhere") field(CALC, "1") }`);
    await t.put('c.PROC', 1);
    expect([t.rec('c').num('STAT'), t.rec('c').num('SEVR')]).toEqual([AlarmStatus.LINK, Severity.INVALID]);
  });

  it('writes through an output link to any field, processing the target only with PP', async () => {
    const t = ioc(`record(ao, "o1") { field(OUT, "t1 PP") } record(ao, "o2") { field(OUT, "t2 NPP") } record(ao, "o3") { field(OUT, "t3.HOPR") }
      record(calc, "t1") { field(CALC, "A:=A+1;A") } record(calc, "t2") { field(CALC, "A:=A+1;A") } record(ai, "t3") {}`);
    await t.put('o1', 5);
    await t.put('o2', 5);
    await t.put('o3', 42);
    expect([t.get('t1'), t.get('t2')]).toEqual([1, 5]); // t2: VAL written, not processed
    expect(t.pv('t3').limits.upperDisp).toBe(42);
  });

  it('reads and writes PVs of device models that are not records', async () => {
    const { DbrBase } = await import('../../../ioc/ca/protocol/dbr-types.js');
    const t = ioc(`record(ao, "o") { field(OUT, "dev:set") } record(ai, "i") { field(INP, "dev:rbv") }`);
    t.pvs.create('dev:set', { type: DbrBase.DOUBLE });
    t.pvs.create('dev:rbv', { type: DbrBase.DOUBLE, value: 3.25 });
    await t.put('o', 9);
    await t.put('i.PROC', 1);
    expect(t.pvs.get('dev:set')!.value).toBe(9);
    expect(t.get('i')).toBe(3.25);
  });
});

describe('disable, UDF and alarms', () => {
  it('skips processing while DISA equals DISV and shows DISABLE with DISS', async () => {
    const t = ioc(count('c', 'field(DISS, "MINOR")'));
    await t.put('c.DISA', 1);
    await t.put('c.PROC', 1);
    expect(t.get('c')).toBe(0);
    expect([t.rec('c').num('STAT'), t.rec('c').num('SEVR')]).toEqual([AlarmStatus.DISABLE, Severity.MINOR]);
    await t.put('c.DISA', 0);
    await t.put('c.PROC', 1);
    expect(t.get('c')).toBe(1);
    expect(t.rec('c').num('SEVR')).toBe(Severity.NO_ALARM);
  });

  it('takes DISA from SDIS each time before deciding', async () => {
    const t = ioc(`record(bo, "gate") {} ${count('c', 'field(SDIS, "gate") field(DISV, "1")')}`);
    await t.put('gate', 1);
    await t.put('c.PROC', 1);
    expect(t.get('c')).toBe(0);
    await t.put('gate', 0);
    await t.put('c.PROC', 1);
    expect(t.get('c')).toBe(1);
  });

  it('serves the alarm status and severity strings of EPICS on STAT and SEVR', () => {
    const t = ioc(count('c'));
    expect(t.pv('c.STAT').enumStrings.slice(0, 4)).toEqual(['NO_ALARM', 'READ', 'WRITE', 'HIHI']);
    expect(t.pv('c.STAT').enumStrings[17]).toBe('UDF');
    expect(t.pv('c.SEVR').enumStrings).toEqual(['NO_ALARM', 'MINOR', 'MAJOR', 'INVALID']);
    expect(t.get('c.STAT')).toBe(AlarmStatus.UDF);
    expect(t.get('c.SEVR')).toBe(Severity.INVALID);
  });

  it('posts STAT and SEVR when the alarm changes, and the value with DBE_ALARM', async () => {
    const t = ioc(`record(ai, "a") { field(HIGH, "5") field(HSV, "MINOR") }`);
    await t.put('a', 1);
    const sevr = t.watch('a.SEVR');
    const val = t.watch('a');
    await t.put('a', 6);
    expect(valuePosts(sevr)).toEqual([Severity.MINOR]);
    expect(val.at(-1)!.mask & DBE.ALARM).toBeTruthy();
  });

  it('treats a VAL set in the database as defined: STAT UDF with NO_ALARM until the first processing (iocInit gives UDFS only while UDF)', async () => {
    const t = ioc(`record(ao, "o") { field(VAL, "2") } record(ao, "u") {} record(ao, "d") { field(DOL, "3") }`);
    expect(t.get('o.UDF')).toBe(0);
    expect([t.get('o.STAT'), t.get('o.SEVR')]).toEqual([AlarmStatus.UDF, Severity.NO_ALARM]);
    expect([t.get('u.STAT'), t.get('u.SEVR')]).toEqual([AlarmStatus.UDF, Severity.INVALID]);
    // A constant DOL defines VAL in init_record, after iocInit chose the UDF severity.
    expect([t.get('d'), t.get('d.UDF'), t.get('d.SEVR')]).toEqual([3, 0, Severity.INVALID]);
    await t.put('o.PROC', 1);
    expect([t.get('o.STAT'), t.get('o.SEVR')]).toEqual([AlarmStatus.NO_ALARM, Severity.NO_ALARM]);
  });

  it('clears UDF on a put to VAL and keeps UDFS as the severity of an undefined value', async () => {
    const t = ioc(`record(ao, "o") { field(UDFS, "MAJOR") }`);
    await t.put('o.PROC', 1);
    expect([t.rec('o').num('STAT'), t.rec('o').num('SEVR')]).toEqual([AlarmStatus.UDF, Severity.MAJOR]);
    await t.put('o', 1);
    expect(t.get('o.UDF')).toBe(0);
    expect(t.rec('o').num('SEVR')).toBe(Severity.NO_ALARM);
  });
});

describe('time stamps', () => {
  it('stamps a record with the clock when it processes (TSE 0)', async () => {
    const t = ioc(count('c'));
    await t.advance(1500);
    await t.put('c.PROC', 1);
    const want = epicsTimeFromMs(t.clock.now());
    expect([t.pv('c').secPastEpoch, t.pv('c').nsec]).toEqual([want.secPastEpoch, want.nsec]);
  });

  it('keeps the time set by device support with TSE -2', async () => {
    const t = ioc(count('c', 'field(TSE, "-2")'));
    const r = t.rec('c');
    r.sec = 1234;
    r.nsec = 5;
    await t.put('c.PROC', 1);
    expect([t.pv('c').secPastEpoch, t.pv('c').nsec]).toEqual([1234, 5]);
  });

  it('takes the time stamp of the record named by TSEL', async () => {
    const t = ioc(`${count('src')} ${count('c', 'field(TSEL, "src.TIME")')}`);
    await t.put('src.PROC', 1);
    const srcTime = [t.pv('src').secPastEpoch, t.pv('src').nsec];
    await t.advance(2000);
    await t.put('c.PROC', 1);
    expect([t.pv('c').secPastEpoch, t.pv('c').nsec]).toEqual(srcTime);
  });
});

describe('puts clients may not make', () => {
  it('refuses puts to read-only fields with ECA_NOWTACCESS and marks their channels not writable', async () => {
    const t = ioc(`record(ai, "a") {} record(calc, "c") {} record(waveform, "w") {}`);
    for (const f of ['a.STAT', 'a.SEVR', 'a.NAME', 'a.PACT', 'c.LA', 'c.LALM', 'w.NORD', 'w.NELM', 'w.FTVL']) {
      expect(t.pv(f).writable, f).toBe(false);
      const err = await t.put(f, 1).catch((e: unknown) => e);
      expect(err, f).toBeInstanceOf(PutError);
      expect((err as PutError).status, f).toBe(ECA.NOWTACCESS);
    }
  });

  it('serves menu fields as enums that accept the choice strings from a database', () => {
    const t = ioc(`record(calcout, "c") { field(OOPT, "Transition To Zero") field(DOPT, "1") }`);
    expect(t.get('c.OOPT')).toBe(4);
    expect(t.get('c.DOPT')).toBe(1);
    expect(t.pv('c.OOPT').enumStrings[4]).toBe('Transition To Zero');
  });
});
