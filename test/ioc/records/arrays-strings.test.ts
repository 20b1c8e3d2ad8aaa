// waveform, aai, aao, subArray, compress; stringin, stringout, lsi, lso (with VAL$ long-string access).
import { describe, expect, it } from 'vitest';
import { AlarmStatus, DBE, ECA, Severity } from '../../../ioc/ca/protocol/constants.js';
import { DbrBase } from '../../../ioc/ca/protocol/dbr-types.js';
import { ioc, logPosts, valuePosts } from './helpers.js';

describe('waveform, aai and aao records', () => {
  it('serves VAL as FTVL with NELM capacity and NORD elements', async () => {
    const t = ioc(`record(waveform, "w") { field(FTVL, "LONG") field(NELM, "8") field(EGU, "cts") field(PREC, "1") }`);
    const pv = t.pv('w');
    expect(pv.nativeType).toBe(DbrBase.LONG);
    expect(pv.maxCount).toBe(8);
    await t.put('w', [1, 2, 3]);
    expect(t.get('w')).toEqual([1, 2, 3]);
    expect(t.get('w.NORD')).toBe(3);
    expect(pv.units).toBe('cts');
  });

  it('clips a put longer than NELM', async () => {
    const t = ioc(`record(waveform, "w") { field(NELM, "2") }`);
    await t.put('w', [1, 2, 3]);
    expect(t.get('w')).toEqual([1, 2]);
  });

  it('reads another array through INP and posts every processing with MPST Always (the default)', async () => {
    const t = ioc(`record(waveform, "src") { field(NELM, "4") }
      record(waveform, "w") { field(NELM, "4") field(INP, "src") }`);
    await t.put('src', [4, 5]);
    const posts = t.watch('w');
    await t.put('w.PROC', 1);
    await t.put('w.PROC', 1);
    expect(t.get('w')).toEqual([4, 5]);
    expect(valuePosts(posts)).toEqual([[4, 5], [4, 5]]);
  });

  it('posts only changed data with MPST On Change (hash of the data)', async () => {
    const t = ioc(`record(waveform, "w") { field(NELM, "4") field(MPST, "On Change") field(APST, "On Change") }`);
    const posts = t.watch('w');
    await t.put('w', [1, 2]);
    await t.put('w', [1, 2]);
    await t.put('w', [1, 3]);
    expect(valuePosts(posts)).toEqual([[1, 2], [1, 3]]);
    expect(logPosts(posts)).toEqual([[1, 2], [1, 3]]);
    expect(t.pv('w.MPST').enumStrings).toEqual(['Always', 'On Change']);
  });

  it('initialises VAL from a constant array INP', () => {
    const t = ioc(`record(waveform, "w") { field(NELM, "5") field(INP, [1, 2, 3]) }`);
    expect(t.get('w')).toEqual([1, 2, 3]);
  });

  it('writes an aao array to its OUT link', async () => {
    const t = ioc(`record(aao, "o") { field(NELM, "3") field(OUT, "w PP") } record(waveform, "w") { field(NELM, "3") }`);
    await t.put('o', [7, 8, 9]);
    expect(t.get('w')).toEqual([7, 8, 9]);
  });
});

describe('subArray record', () => {
  const sa = () =>
    ioc(`record(waveform, "src") { field(NELM, "10") }
      record(subArray, "s") { field(INP, "src") field(MALM, "10") field(NELM, "3") field(INDX, "2") }`);

  it('keeps NELM elements of its input starting at INDX', async () => {
    const t = sa();
    await t.put('src', [0, 1, 2, 3, 4, 5, 6]);
    await t.put('s.PROC', 1);
    expect(t.get('s')).toEqual([2, 3, 4]);
    expect(t.get('s.NORD')).toBe(3);
    expect(t.pv('s').maxCount).toBe(10);
  });

  it('returns fewer elements near the end of the input and none (UDF alarm) past it', async () => {
    const t = sa();
    await t.put('src', [0, 1, 2, 3]);
    await t.put('s.PROC', 1);
    expect(t.get('s')).toEqual([2, 3]);
    await t.put('s.INDX', 5); // pp: processes
    expect(t.get('s.NORD')).toBe(0);
    expect([t.rec('s').num('STAT'), t.rec('s').num('SEVR')]).toEqual([AlarmStatus.UDF, Severity.INVALID]);
  });
});

describe('compress record', () => {
  it('keeps the last NSAM values oldest first as a Circular Buffer', async () => {
    const t = ioc(`record(ao, "x") {}
      record(compress, "c") { field(ALG, "Circular Buffer") field(NSAM, "3") field(INP, "x") }`);
    for (const v of [1, 2, 3, 4]) {
      await t.put('x', v);
      await t.put('c.PROC', 1);
    }
    expect(t.get('c')).toEqual([2, 3, 4]);
    expect(t.get('c.NUSE')).toBe(3);
    expect(t.pv('c').maxCount).toBe(3);
  });

  it('shows the newest value first with BALG LIFO', async () => {
    const t = ioc(`record(ao, "x") {}
      record(compress, "c") { field(ALG, "Circular Buffer") field(BALG, "LIFO Buffer") field(NSAM, "3") field(INP, "x") }`);
    for (const v of [1, 2]) {
      await t.put('x', v);
      await t.put('c.PROC', 1);
    }
    expect(t.get('c')).toEqual([2, 1]);
  });

  it('reduces N scalar inputs to their average, posting and forward-linking only when one value is complete', async () => {
    const t = ioc(`record(ao, "x") {}
      record(compress, "c") { field(ALG, "N to 1 Average") field(N, "2") field(NSAM, "4") field(INP, "x") field(FLNK, "n") }
      record(calc, "n") { field(CALC, "A:=A+1;A") }`);
    const posts = t.watch('c');
    for (const v of [1, 3, 10, 20]) {
      await t.put('x', v);
      await t.put('c.PROC', 1);
    }
    expect(t.get('c')).toEqual([2, 15]);
    expect(valuePosts(posts)).toEqual([[2], [2, 15]]);
    expect(t.get('n')).toBe(2);
  });

  it('reduces an array input N to 1 with High Value and Low Value', async () => {
    const t = ioc(`record(waveform, "w") { field(NELM, "6") }
      record(compress, "hi") { field(ALG, "N to 1 High Value") field(N, "3") field(NSAM, "4") field(INP, "w") }
      record(compress, "lo") { field(ALG, "N to 1 Low Value") field(N, "3") field(NSAM, "4") field(INP, "w") }`);
    await t.put('w', [1, 5, 2, 8, 0, 3]);
    await t.put('hi.PROC', 1);
    await t.put('lo.PROC', 1);
    expect(t.get('hi')).toEqual([5, 8]);
    expect(t.get('lo')).toEqual([1, 0]);
  });

  it('clears the buffer on a put to RES', async () => {
    const t = ioc(`record(ao, "x") { field(VAL, "1") } record(compress, "c") { field(ALG, "Circular Buffer") field(NSAM, "3") field(INP, "x") }`);
    await t.put('c.PROC', 1);
    await t.put('c.RES', 1);
    expect(t.get('c')).toEqual([]);
  });

  it('raises LINK INVALID without an input', async () => {
    const t = ioc(`record(compress, "c") { field(NSAM, "3") }`);
    await t.put('c.PROC', 1);
    expect([t.rec('c').num('STAT'), t.rec('c').num('SEVR')]).toEqual([AlarmStatus.LINK, Severity.INVALID]);
  });
});

describe('stringin and stringout records', () => {
  it('reads a string through INP and posts it only when it changed (MPST On Change)', async () => {
    const t = ioc(`record(stringout, "src") { field(VAL, "a") } record(stringin, "s") { field(INP, "src") }`);
    const posts = t.watch('s');
    await t.put('s.PROC', 1);
    await t.put('s.PROC', 1);
    await t.put('src', 'b');
    await t.put('s.PROC', 1);
    expect(valuePosts(posts)).toEqual(['a', 'b']);
  });

  it('posts every processing with MPST Always', async () => {
    const t = ioc(`record(stringin, "s") { field(VAL, "x") field(MPST, "Always") }`);
    const posts = t.watch('s');
    await t.put('s.PROC', 1);
    await t.put('s.PROC', 1);
    expect(valuePosts(posts)).toEqual(['x', 'x']);
  });

  it('writes VAL to OUT, and IVOV on INVALID with IVOA Set output to IVOV', async () => {
    const t = ioc(`record(stringout, "o") { field(OUT, "dst PP") field(IVOA, "Set output to IVOV") field(IVOV, "fallback") } record(stringin, "dst") {}`);
    await t.put('o', 'hello');
    expect(t.get('dst')).toBe('hello');
  });

  it('serves a constant INP as the initial value', () => {
    const t = ioc(`record(stringin, "s") { field(INP, "\\"from db\\"") }`);
    expect(t.get('s')).toBe('from db');
  });
});

describe('lsi and lso records', () => {
  const long = 'x'.repeat(60) + '-end';

  it('hold strings longer than 40 characters up to SIZV − 1 bytes', async () => {
    const t = ioc(`record(lso, "o") { field(SIZV, "128") }`);
    await t.put('o.VAL$', Array.from(Buffer.from(long + '\0')));
    expect(t.rec('o').str('VAL')).toBe(long);
    expect(t.get('o.LEN')).toBe(long.length + 1);
  });

  it('serve VAL$ as a CHAR array of SIZV elements with the terminating NUL, and plain VAL as a STRING', async () => {
    const t = ioc(`record(lsi, "i") { field(SIZV, "100") }`);
    await t.put('i.VAL$', Array.from(Buffer.from('hello')));
    const chars = t.pv('i.VAL$');
    expect(chars.nativeType).toBe(DbrBase.CHAR);
    expect(chars.maxCount).toBe(100);
    expect(t.get('i.VAL$')).toEqual([...Buffer.from('hello'), 0]);
    expect(t.pv('i').nativeType).toBe(DbrBase.STRING);
    expect(t.get('i')).toBe('hello');
  });

  it('clip a value to SIZV − 1 bytes (SIZV at least 16)', async () => {
    const t = ioc(`record(lso, "o") { field(SIZV, "4") }`);
    expect(t.get('o.SIZV')).toBe(16);
    await t.put('o', 'abcdefghijklmnopqrstuvwxyz');
    expect(t.get('o')).toBe('abcdefghijklmno');
  });

  it('post a changed value on VAL and on VAL$', async () => {
    const t = ioc(`record(lso, "o") { field(SIZV, "64") }`);
    const plain = t.watch('o');
    const chars = t.watch('o.VAL$');
    await t.put('o', 'one');
    await t.put('o', 'one');
    await t.put('o', 'two');
    expect(valuePosts(plain)).toEqual(['one', 'two']);
    expect(valuePosts(chars).length).toBe(2);
  });

  it('lso writes its long string to OUT, and raises UDF INVALID while never set', async () => {
    const t = ioc(`record(lso, "o") { field(SIZV, "128") field(OUT, "i PP") } record(lsi, "i") { field(SIZV, "128") }`);
    await t.put('o.PROC', 1);
    expect([t.rec('o').num('STAT'), t.rec('o').num('SEVR')]).toEqual([AlarmStatus.UDF, Severity.INVALID]);
    await t.put('o', long);
    expect(t.rec('i').str('VAL')).toBe(long);
    expect(t.rec('o').num('SEVR')).toBe(Severity.NO_ALARM);
  });

  it('lsi reads a long string through INP', async () => {
    const t = ioc(`record(lso, "src") { field(SIZV, "128") } record(lsi, "i") { field(SIZV, "128") field(INP, "src") }`);
    await t.put('src', long);
    await t.put('i.PROC', 1);
    expect(t.rec('i').str('VAL')).toBe(long);
  });

  it('serve any string field as CHAR through $, and link fields with their text', () => {
    const t = ioc(`record(ai, "a") { field(DESC, "a description") field(INP, "b.VAL NPP MS") } record(ai, "b") {}`);
    expect(Buffer.from(t.get('a.DESC$') as number[]).toString('latin1')).toBe('a description\0');
    expect(Buffer.from(t.get('a.INP$') as number[]).toString('latin1')).toBe('b.VAL NPP MS\0');
    expect(t.pv('a.HOPR$')).toBe(t.pv('a.HOPR')); // $ ignored on a numeric field
  });

  it('refuse a $ put to a read-only field with no write access', async () => {
    const t = ioc(`record(lsi, "i") {}`);
    expect(t.pv('i.OVAL$').writable).toBe(false);
    await expect(t.put('i.OVAL$', [65, 0])).rejects.toMatchObject({ status: ECA.NOWTACCESS });
  });

  it('post VAL$ with the same mask as VAL', async () => {
    const t = ioc(`record(lsi, "i") {}`);
    const chars = t.watch('i.VAL$');
    await t.put('i', 'z');
    expect(chars.some((p) => p.mask & DBE.VALUE)).toBe(true);
  });
});
