// seq, fanout, dfanout and sel records: which links run, in which order, with which delays and values.
import { describe, expect, it } from 'vitest';
import { AlarmStatus, Severity } from '../../../ioc/ca/protocol/constants.js';
import { ioc, valuePosts } from './helpers.js';

/** Records that count how often they were processed: `n0` … */
const counters = (names: string[]) => names.map((n) => `record(calc, "${n}") { field(CALC, "A:=A+1;A") }`).join('\n');

describe('seq record', () => {
  it('writes DOn to LNKn for every group with SELM All, waiting DLYn on the clock between them', async () => {
    const t = ioc(`
      record(seq, "s") {
        field(DOL1, "10") field(LNK1, "a PP")
        field(DLY2, "1") field(DOL2, "src") field(LNK2, "b PP")
        field(DLY3, "2") field(DOL3, "30") field(LNK3, "c PP")
      }
      record(ao, "src") { field(VAL, "20") }
      record(ao, "a") {} record(ao, "b") {} record(ao, "c") {}`);
    let done = false;
    const p = t.put('s.PROC', 1).then(() => (done = true));
    await t.advance(10);
    expect([t.get('a'), t.get('b'), t.get('c')]).toEqual([10, 0, 0]);
    await t.advance(1000);
    expect([t.get('a'), t.get('b'), t.get('c')]).toEqual([10, 20, 0]);
    expect(done).toBe(false);
    expect(t.get('s.PACT')).toBe(1);
    await t.advance(2000);
    await p;
    expect([t.get('a'), t.get('b'), t.get('c')]).toEqual([10, 20, 30]);
    expect(t.get('s.DO2')).toBe(20);
    expect(t.get('s.PACT')).toBe(0);
  });

  it('runs only group SELN + OFFS with SELM Specified, and nothing for group 0', async () => {
    const t = ioc(`
      record(seq, "s") { field(SELM, "Specified") field(SELN, "2")
        field(DOL1, "1") field(LNK1, "a PP") field(DOL2, "2") field(LNK2, "b PP") field(DOL0, "5") field(LNK0, "z PP") }
      record(ao, "a") {} record(ao, "b") {} record(ao, "z") {}`);
    await t.putWait('s.PROC', 1);
    expect([t.get('a'), t.get('b')]).toEqual([0, 2]);
    await t.putWait('s.SELN', 0);
    expect(t.get('z')).toBe(0);
  });

  it('raises SOFT INVALID when SELN + OFFS is out of range', async () => {
    const t = ioc(`record(seq, "s") { field(SELM, "Specified") field(SELN, "16") }`);
    await t.put('s.PROC', 1);
    expect([t.rec('s').num('STAT'), t.rec('s').num('SEVR')]).toEqual([AlarmStatus.SOFT, Severity.INVALID]);
  });

  it('selects groups by the bits of SELN with SELM Mask, shifted left by one by default (SHFT -1)', async () => {
    const t = ioc(`
      record(seq, "s") { field(SELM, "Mask") field(SELN, "5")
        field(DOL1, "1") field(LNK1, "a PP") field(DOL2, "2") field(LNK2, "b PP") field(DOL3, "3") field(LNK3, "c PP") }
      record(ao, "a") {} record(ao, "b") {} record(ao, "c") {}`);
    await t.putWait('s.PROC', 1);
    expect([t.get('a'), t.get('b'), t.get('c')]).toEqual([1, 0, 3]);
  });

  it('takes SELN from SELL each time it processes and posts SELN when it changed', async () => {
    const t = ioc(`
      record(longout, "sel") { field(VAL, "1") }
      record(seq, "s") { field(SELM, "Specified") field(SELL, "sel") field(DOL1, "1") field(LNK1, "a PP") field(DOL2, "2") field(LNK2, "a PP") }
      record(ao, "a") {}`);
    const seln = t.watch('s.SELN');
    await t.putWait('s.PROC', 1);
    expect(t.get('a')).toBe(1);
    await t.put('sel', 2);
    await t.putWait('s.PROC', 1);
    expect(t.get('a')).toBe(2);
    expect(valuePosts(seln)).toEqual([2]);
  });

  it('accepts the 3.14 link names DOL1–DOLA / LNK1–LNKA (groups 1–10)', async () => {
    const t = ioc(`record(seq, "s") { field(DOLA, "7") field(LNKA, "a PP") } record(ao, "a") {}`);
    await t.putWait('s.PROC', 1);
    expect(t.get('a')).toBe(7);
  });
});

describe('fanout record', () => {
  it('forward-processes LNK0–LNKF in order with SELM All', async () => {
    const t = ioc(`record(fanout, "f") { field(LNK0, "n0") field(LNK1, "n1") field(LNKF, "n2") }\n${counters(['n0', 'n1', 'n2'])}`);
    await t.put('f.PROC', 1);
    expect([t.get('n0'), t.get('n1'), t.get('n2')]).toEqual([1, 1, 1]);
  });

  it('processes only link SELN + OFFS with SELM Specified', async () => {
    const t = ioc(`record(fanout, "f") { field(SELM, "Specified") field(SELN, "1") field(LNK0, "n0") field(LNK1, "n1") }\n${counters(['n0', 'n1'])}`);
    await t.put('f.PROC', 1);
    expect([t.get('n0'), t.get('n1')]).toEqual([0, 1]);
    await t.put('f.SELN', 0);
    await t.put('f.PROC', 1);
    expect([t.get('n0'), t.get('n1')]).toEqual([1, 1]);
  });

  it('maps SELN bit 0 to LNK1 with SELM Mask and the default SHFT, and to LNK0 with SHFT 0', async () => {
    const t = ioc(`record(fanout, "f") { field(SELM, "Mask") field(SELN, "3") field(LNK0, "n0") field(LNK1, "n1") field(LNK2, "n2") }\n${counters(['n0', 'n1', 'n2'])}`);
    await t.put('f.PROC', 1);
    expect([t.get('n0'), t.get('n1'), t.get('n2')]).toEqual([0, 1, 1]);
    await t.put('f.SHFT', 0);
    await t.put('f.PROC', 1);
    expect([t.get('n0'), t.get('n1'), t.get('n2')]).toEqual([1, 2, 1]);
  });

  it('does not process a target that is not Passive', async () => {
    const t = ioc(`record(fanout, "f") { field(LNK1, "n1") } record(calc, "n1") { field(SCAN, "10 second") field(CALC, "A:=A+1;A") }`);
    await t.put('f.PROC', 1);
    expect(t.get('n1')).toBe(0);
  });
});

describe('dfanout record', () => {
  it('writes VAL to every OUTA–OUTH with SELM All', async () => {
    const t = ioc(`record(dfanout, "d") { field(OUTA, "a PP") field(OUTH, "h PP") } record(ao, "a") {} record(ao, "h") {}`);
    await t.put('d', 4.5);
    expect([t.get('a'), t.get('h')]).toEqual([4.5, 4.5]);
  });

  it('writes only OUT(SELN) with SELM Specified and nothing for SELN 0', async () => {
    const t = ioc(`record(dfanout, "d") { field(SELM, "Specified") field(SELN, "2") field(OUTA, "a PP") field(OUTB, "b PP") } record(ao, "a") {} record(ao, "b") {}`);
    await t.put('d', 3);
    expect([t.get('a'), t.get('b')]).toEqual([0, 3]);
    await t.put('d.SELN', 0);
    await t.put('d', 4);
    expect([t.get('a'), t.get('b')]).toEqual([0, 3]);
  });

  it('writes by the bits of SELN with SELM Mask (bit 0 = OUTA)', async () => {
    const t = ioc(`record(dfanout, "d") { field(SELM, "Mask") field(SELN, "5") field(OUTA, "a PP") field(OUTB, "b PP") field(OUTC, "c PP") }
      record(ao, "a") {} record(ao, "b") {} record(ao, "c") {}`);
    await t.put('d', 2);
    expect([t.get('a'), t.get('b'), t.get('c')]).toEqual([2, 0, 2]);
  });

  it('reads DOL when closed_loop and checks limit alarms', async () => {
    const t = ioc(`record(ao, "src") { field(VAL, "9") }
      record(dfanout, "d") { field(OMSL, "closed_loop") field(DOL, "src") field(HIGH, "5") field(HSV, "MINOR") field(OUTA, "a PP") }
      record(ao, "a") {}`);
    await t.put('d.PROC', 1);
    expect(t.get('a')).toBe(9);
    expect([t.rec('d').num('STAT'), t.rec('d').num('SEVR')]).toEqual([AlarmStatus.HIGH, Severity.MINOR]);
  });
});

describe('sel record', () => {
  const sel = (selm: string, extra = '') =>
    ioc(`record(sel, "s") { field(SELM, "${selm}") field(INPA, "3") field(INPB, "9") field(INPC, "-2") field(INPD, "5") ${extra} }`);

  it('selects the input SELN (from NVL) with SELM Specified', async () => {
    const t = sel('Specified', 'field(NVL, "1")');
    await t.put('s.PROC', 1);
    expect(t.get('s')).toBe(9);
  });

  it('selects the highest input, ignoring unset (NaN) ones, with High Signal', async () => {
    const t = sel('High Signal');
    await t.put('s.PROC', 1);
    expect(t.get('s')).toBe(9);
    expect(t.get('s.SELN')).toBe(1);
  });

  it('selects the lowest input with Low Signal', async () => {
    const t = sel('Low Signal');
    await t.put('s.PROC', 1);
    expect(t.get('s')).toBe(-2);
    expect(t.get('s.SELN')).toBe(2);
  });

  it('selects the median of the set inputs with Median Signal, SELN counting them', async () => {
    const t = sel('Median Signal');
    await t.put('s.PROC', 1);
    expect(t.get('s')).toBe(5); // sorted -2 3 5 9: element 4/2
    expect(t.get('s.SELN')).toBe(4);
  });

  it('raises SOFT INVALID for SELN beyond L with SELM Specified', async () => {
    const t = sel('Specified', 'field(SELN, "12")');
    await t.put('s.PROC', 1);
    expect([t.rec('s').num('STAT'), t.rec('s').num('SEVR')]).toEqual([AlarmStatus.SOFT, Severity.INVALID]);
  });

  it('refuses puts to VAL (SPC_NOMOD)', async () => {
    const t = sel('High Signal');
    await expect(t.put('s', 1)).rejects.toThrow(/read-only/);
  });
});
