// The explicit catch-all (CMS note §5): unknown names under configured prefixes are made on first search,
// typed by name, recorded in order; simulated devices' prefixes are never fabricated; strict turns it off.
import { describe, expect, it } from 'vitest';
import { guessPvType, installCatchAll } from '../../devices/catch-all/catch-all.js';
import { loadProfile } from '../../devices/profile/profile.js';
import { Twin } from '../../devices/twin.js';
import { DbrBase } from '../../ioc/ca/protocol/dbr-types.js';
import { VirtualClock } from '../../ioc/clock.js';
import { PvDatabase } from '../../ioc/db/database.js';
import { setLogSink } from '../../ioc/log.js';

describe('guessPvType: the note’s string / enum / double rules', () => {
  it.each([
    ['XF:11BMB-ES{Det:PIL800K}:TIFF1:PortName_RBV', 'string'],
    ['XF:11BMB-ES{Det:PIL800K}:TIFF1:FileName', 'string'],
    ['XF:11BMB-ES{Det:PIL800K}:TIFF1:FilePath', 'string'],
    ['XF:11BMB-ES{Det:PIL800K}:TIFF1:FullFileName_RBV', 'string'],
    ['XF:11BMB-ES{Det:PIL800K}:cam1:Model_name', 'string'],
    ['XF:11BMB-ES{Det:PIL800K}:TIFF1:EnableCallbacks', 'enum'],
    ['XF:11BMB-ES{Det:PIL800K}:cam1:ImageMode', 'enum'],
    ['XF:11BMB-ES{Det:PIL800K}:TIFF1:FileWriteMode', 'enum'], // "file" is a string rule, but the enum is the record's type
    ['XF:11BMB-ES{Det:PIL800K}:cam1:TriggerMode', 'enum'],
    ['XF:11BMB-ES{Det:PIL800K}:cam1:ArrayCallbacks', 'enum'],
    ['XF:11BMA-OP{Mir:Tor-Ax:XU}Mtr', 'double'],
    ['XF:11BMA-OP{Mir:Tor-Ax:XU}Mtr.RBV', 'double'],
    ['XF:11BMB-ES{Det:PIL800K}:cam1:AcquireTime', 'double'],
    ['XF:11BMB-ES{Det:PIL800K}:TIFF1:NumCapture', 'double'],
    ['XF:11BMB-ES{Det:PIL800K}:TIFF1:NumCaptured_RBV', 'double'],
    ['XF:11BMB-ES{Det:PIL800K}:cam1:NumImages', 'double'],
  ])('%s → %s', (name, type) => {
    expect(guessPvType(name).type).toBe(type);
  });

  it('strings are empty, enums start at their first choice, doubles at 0.0; a fabricated DMOV reads 1', () => {
    expect(guessPvType('X:FileName').options).toMatchObject({ type: DbrBase.STRING, value: '' });
    expect(guessPvType('X:ImageMode').options).toMatchObject({ type: DbrBase.ENUM, value: 0, enumStrings: ['Single', 'Multiple', 'Continuous'] });
    expect(guessPvType('X:EnableCallbacks').options).toMatchObject({ type: DbrBase.ENUM, value: 0, enumStrings: ['Disable', 'Enable'] });
    expect(guessPvType('X:Whatever').options).toMatchObject({ type: DbrBase.DOUBLE, value: 0 });
    expect(guessPvType('XF:11BMA-OP{Mir:Tor-Ax:XU}Mtr.DMOV').options).toMatchObject({ value: 1 });
  });
});

describe('installCatchAll', () => {
  function setup(exclude: string[] = []) {
    const clock = new VirtualClock(1000);
    const db = new PvDatabase(clock);
    db.create('XF:11BMB-ES{Real}Pv', { type: DbrBase.DOUBLE, value: 7 });
    const ca = installCatchAll(db, { prefixes: ['XF:11BM', 'SR:'], exclude });
    return { clock, db, ca };
  }

  it('makes an unknown name under a prefix on first lookup, typed by name, and records the hit with its time', () => {
    const { clock, db, ca } = setup();
    const pv = db.lookup('XF:11BMA-OP{Mir:Tor-Ax:XU}Mtr')!;
    expect(pv.value).toBe(0);
    expect(pv.nativeType).toBe(DbrBase.DOUBLE);
    expect(ca.isCatchAll(pv)).toBe(true);
    clock.advance(500);
    db.lookup('SR:C03-BI{DCCT:1}I:Real-I');
    db.lookup('XF:11BMB-ES{Det:PIL800K}:TIFF1:FileName');
    expect(ca.hits).toEqual([
      { name: 'XF:11BMA-OP{Mir:Tor-Ax:XU}Mtr', firstMs: 1000, type: 'double' },
      { name: 'SR:C03-BI{DCCT:1}I:Real-I', firstMs: 1500, type: 'double' },
      { name: 'XF:11BMB-ES{Det:PIL800K}:TIFF1:FileName', firstMs: 1500, type: 'string' },
    ]);
  });

  it('a second lookup returns the same PV and is not a second hit; a write sticks', async () => {
    const { db, ca } = setup();
    const a = db.lookup('XF:11BMA-OP{Mir:Tor-Ax:XU}Mtr')!;
    await a.put(3.25);
    expect(db.lookup('XF:11BMA-OP{Mir:Tor-Ax:XU}Mtr')).toBe(a);
    expect(a.value).toBe(3.25);
    expect(ca.hits).toHaveLength(1);
  });

  it('names the database serves are not hits; names outside the prefixes and odd names stay unknown', () => {
    const { db, ca } = setup();
    expect(db.lookup('XF:11BMB-ES{Real}Pv')!.value).toBe(7);
    expect(ca.isCatchAll(db.lookup('XF:11BMB-ES{Real}Pv')!)).toBe(false);
    expect(db.lookup('XF:12ID-ES{Other}')).toBeUndefined();
    expect(db.lookup('XF:11BM has a space')).toBeUndefined();
    expect(db.lookup(`XF:11BM${'x'.repeat(300)}`)).toBeUndefined();
    expect(ca.hits).toEqual([]);
  });

  it('never fabricates under an excluded prefix', () => {
    const { db, ca } = setup(['XF:11BMB-ES{Det:PIL2M}', 'XF:11BM-ES:{LINKAM}:']);
    expect(db.lookup('XF:11BMB-ES{Det:PIL2M}:cam1:NoSuchParam')).toBeUndefined();
    expect(db.lookup('XF:11BM-ES:{LINKAM}:NOPE')).toBeUndefined();
    expect(db.lookup('XF:11BMB-ES{Det:PIL800K}:cam1:Acquire')).toBeDefined();
    expect(ca.hits.map((h) => h.name)).toEqual(['XF:11BMB-ES{Det:PIL800K}:cam1:Acquire']);
  });
});

describe('the CMS twin’s catch-all', () => {
  const make = (strict = false) => new Twin(loadProfile('cms'), { clock: new VirtualClock(0), strict }).start();

  it('fabricates unknown XF:11BM names, in order of first search', () => {
    const twin = make();
    expect(twin.db.lookup('XF:11BMA-OP{Mir:Tor-Ax:XU}Mtr')!.value).toBe(0);
    expect(twin.db.lookup('XF:11BMB-ES{Det:PIL800K}:TIFF1:EnableCallbacks')!.nativeType).toBe(DbrBase.ENUM);
    expect(twin.catchAllHits.map((h) => [h.name, h.type])).toEqual([
      ['XF:11BMA-OP{Mir:Tor-Ax:XU}Mtr', 'double'],
      ['XF:11BMB-ES{Det:PIL800K}:TIFF1:EnableCallbacks', 'enum'],
    ]);
    expect(twin.isCatchAllPv(twin.db.lookup('XF:11BMA-OP{Mir:Tor-Ax:XU}Mtr')!)).toBe(true);
    twin.stop();
  });

  it('never under the simulated devices: detector, Linkam (both spellings), shutter, blades, motors, control PVs', () => {
    const twin = make();
    for (const name of [
      'XF:11BMB-ES{Det:PIL2M}:cam1:NoSuchThing',
      'XF:11BMB-ES{Det:PIL2M}:Stats9:Total_RBV',
      'XF:11BM-ES:{LINKAM}:NOPE',
      'XF:11BM-ES:LINKAM:NOPE',
      'XF:11BM-ES{Shutter}:Extra',
      'XF:11BM-ES{Psh_blade1}Pos:Extra',
      'XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr.NOSUCHFIELD',
      'XF:11BMB-ES{Chm:Smpl-Ax:Y}Mtr:Extra',
      'beamtwin:nothing',
    ]) {
      expect(twin.db.lookup(name), name).toBeUndefined();
    }
    expect(twin.catchAllHits).toEqual([]);
    // The devices' own names are served, not fabricated.
    expect(twin.isCatchAllPv(twin.db.lookup('XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr.RBV')!)).toBe(false);
    expect(twin.isCatchAllPv(twin.db.lookup('XF:11BMB-ES{Det:PIL2M}:cam1:Acquire')!)).toBe(false);
    twin.stop();
  });

  it('strict: unknown names stay unknown and nothing is recorded', () => {
    const twin = make(true);
    expect(twin.db.lookup('XF:11BMA-OP{Mir:Tor-Ax:XU}Mtr')).toBeUndefined();
    expect(twin.catchAllHits).toEqual([]);
    expect(twin.db.lookup('XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr')).toBeDefined();
    twin.stop();
  });
});

describe('catch-all bound', () => {
  it('fabricates at most maxPvs names; later unknown names stay unknown (said once), earlier ones keep working', () => {
    const db = new PvDatabase(new VirtualClock());
    const ca = installCatchAll(db, { prefixes: ['X:'], maxPvs: 3 });
    const warnings: string[] = [];
    const prev = setLogSink((level, _name, msg) => level === 'warn' && warnings.push(msg));
    try {
      for (const n of ['X:a', 'X:b', 'X:c']) expect(db.lookup(n)).toBeDefined();
      expect(db.lookup('X:d')).toBeUndefined();
      expect(db.lookup('X:e')).toBeUndefined();
      expect(db.lookup('X:a')).toBeDefined();
    } finally {
      setLogSink(prev);
    }
    expect(ca.hits.map((h) => h.name)).toEqual(['X:a', 'X:b', 'X:c']);
    expect(warnings).toEqual([expect.stringMatching(/catch-all limit of 3/)]);
  });
});
