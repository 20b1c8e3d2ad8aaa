// The Twin and its profiles in virtual time: the CMS profile's devices, reset (the 15 tracked PVs of the
// CMS note §7 back to their defaults at once), the control PVs, profile files (YAML, JSON, validation
// errors) and databases mixed into a profile.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProfile, validateProfile, type Profile } from '../../devices/profile/profile.js';
import { Twin } from '../../devices/twin.js';
import { VirtualClock } from '../../ioc/clock.js';
import { DbLoadError } from '../../ioc/records/load-db.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-twin-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const M = {
  X: 'XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr',
  Z: 'XF:11BMB-ES{Chm:Smpl-Ax:Z}Mtr',
  TH: 'XF:11BMB-ES{Chm:Smpl-Ax:theta}Mtr',
  BSX: 'XF:11BMB-ES{BS-Ax:X}Mtr',
  BSY: 'XF:11BMB-ES{BS-Ax:Y}Mtr',
  BSPHI: 'XF:11BMB-ES{BS-Ax:Phi}Mtr',
  ROT: 'XF:11BMB-ES{SM:1-Ax:Srot}Mtr',
};
const CAM = 'XF:11BMB-ES{Det:PIL2M}:cam1:';
const L = 'XF:11BM-ES:{LINKAM}:';

/** CMS note §7: the tracked channels and their reset defaults. */
const RESET_DEFAULTS: Record<string, number> = {
  ...Object.fromEntries(Object.values(M).map((m) => [m, 0])),
  [`${CAM}AcquireTime`]: 0,
  [`${CAM}AcquirePeriod`]: 0,
  [`${CAM}NumImages`]: 0,
  [`${CAM}Acquire`]: 0,
  [`${L}STARTHEAT`]: 0,
  [`${L}SETPOINT:SET`]: 25,
  [`${L}RAMPRATE:SET`]: 10,
  [`${L}TEMP`]: 25,
};

function cms(opts: { strict?: boolean } = {}) {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const twin = new Twin(loadProfile('cms'), { clock, ...opts }).start();
  const pv = (name: string) => {
    const p = twin.db.lookup(name);
    if (!p) throw new Error(`no PV ${name}`);
    return p;
  };
  const values = () => Object.fromEntries(twin.tracked.map((n) => [n, pv(n).value]));
  return { clock, twin, pv, values };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('the CMS profile', () => {
  it('tracks the 15 channels of the reference trace, and its reset values are the note’s defaults', () => {
    const { twin } = cms();
    expect([...twin.tracked].sort()).toEqual(Object.keys(RESET_DEFAULTS).sort());
    expect(twin.profile.reset).toEqual(RESET_DEFAULTS);
    twin.stop();
  });

  it('serves every motor of the note (with the three the reference left out) with the reference record settings', () => {
    const { twin, pv } = cms();
    const all = [...Object.values(M), 'XF:11BMB-ES{Chm:Smpl-Ax:chi}Mtr', 'XF:11BMB-ES{Chm:Smpl-Ax:phi}Mtr', 'XF:11BMB-ES{Chm:Smpl-Ax:Y}Mtr'];
    for (const m of all) {
      expect(pv(m).recordType, m).toBe('motor');
      expect([pv(`${m}.EGU`).value, pv(`${m}.VELO`).value, pv(`${m}.VBAS`).value, pv(`${m}.ACCL`).value, pv(`${m}.MRES`).value, pv(`${m}.PREC`).value], m).toEqual([
        'degrees',
        1,
        0.1,
        0.2,
        0.01,
        5,
      ]);
      expect([pv(`${m}.DHLM`).value, pv(`${m}.DLLM`).value, pv(`${m}.DIR`).value, pv(`${m}.RBV`).value, pv(`${m}.DMOV`).value], m).toEqual([20000, -20000, 0, 0, 1]);
    }
    twin.stop();
  });

  it('starts in the profile’s start-up state (AcquireTime 0.1) until reset', () => {
    const { twin, pv } = cms();
    expect(pv(`${CAM}AcquireTime`).value).toBe(0.1);
    twin.reset();
    expect(pv(`${CAM}AcquireTime`).value).toBe(0);
    expect(pv(`${CAM}AcquireTime_RBV`).value).toBe(0);
    twin.stop();
  });
});

describe('Twin.reset', () => {
  it('returns the 15 tracked PVs to their defaults at once: motors teleport, the ramp stops, the exposure ends', async () => {
    const { clock, twin, pv, values } = cms();
    twin.reset();
    // Disturb everything: a motor mid-move with a put-callback pending, two moved motors, a ramp, an exposure.
    const move = pv(M.X).put(5, { notify: true });
    let moveDone = false;
    void move.then(() => (moveDone = true));
    const thDone = pv(M.TH).put(0.15, { notify: true });
    await pv(`${L}RAMPRATE:SET`).put(50);
    await pv(`${L}SETPOINT:SET`).put(80);
    await pv(`${L}STARTHEAT`).put(1);
    await pv(`${CAM}AcquireTime`).put(3);
    await pv(`${CAM}NumImages`).put(4);
    await pv(`${CAM}AcquirePeriod`).put(0.5);
    const exposure = pv(`${CAM}Acquire`).put(1, { notify: true });
    let exposureDone = false;
    void exposure.then(() => (exposureDone = true));
    clock.advance(1500);
    await flush();
    expect(pv(`${M.X}.DMOV`).value).toBe(0);
    expect(pv(`${M.X}.RBV`).value as number).toBeGreaterThan(0.5);
    expect(pv(`${L}TEMP`).value).toBe(30);
    expect(pv(`${CAM}Acquire`).value).toBe(1);
    expect(moveDone).toBe(false);

    const t = clock.now();
    twin.reset();
    expect(clock.now()).toBe(t);
    expect(values()).toEqual(RESET_DEFAULTS);
    // The motor stands at 0 at once, done, without a move.
    expect([pv(`${M.X}.RBV`).value, pv(`${M.X}.DMOV`).value, pv(`${M.X}.MOVN`).value, pv(`${M.X}.VAL`).value, pv(`${M.X}.OFF`).value]).toEqual([0, 1, 0, 0, 0]);
    await flush();
    expect(moveDone).toBe(true);
    await move;
    await thDone;
    expect(exposureDone).toBe(true);
    // The readbacks follow.
    expect(pv(`${CAM}AcquireTime_RBV`).value).toBe(0);
    expect(pv(`${CAM}NumImages_RBV`).value).toBe(0);
    expect(pv(`${CAM}AcquirePeriod_RBV`).value).toBe(0);
    expect(pv(`${L}STATUS`).value).toBe(0);
    // Nothing moves on afterwards: no ramp, no motion.
    clock.advance(10_000);
    await flush();
    expect(values()).toEqual(RESET_DEFAULTS);
    expect(pv(`${M.X}.RBV`).value).toBe(0);
    twin.stop();
  });

  it('a reset posts the motors’ new values with the reset’s time stamp', async () => {
    const { clock, twin, pv } = cms();
    twin.reset();
    const move = pv(M.Z).put(0.2, { notify: true });
    clock.advance(5000);
    await move;
    expect(pv(`${M.Z}.RBV`).value).toBe(0.2);
    clock.advance(60_000);
    const posts: { name: string; sec: number; value: unknown }[] = [];
    twin.db.events.subscribe((e) => {
      if (e.kind === 'update' && e.update.pv.name.startsWith(M.Z)) posts.push({ name: e.update.pv.name, sec: e.update.secPastEpoch, value: e.update.value });
    });
    const t = clock.now();
    twin.reset();
    const val = posts.find((p) => p.name === M.Z);
    expect(val?.value).toBe(0);
    expect(pv(M.Z).secPastEpoch).toBe(Math.floor(t / 1000) - 631152000);
    expect(posts.every((p) => p.sec === Math.floor(t / 1000) - 631152000)).toBe(true);
    twin.stop();
  });

  it('stop() leaves no timer behind, even with a motor moving, an exposure, the shutter and a ramp under way', async () => {
    // A pending motor timer kept `beamtwin serve` alive after Ctrl-C until the move ended.
    const { clock, twin, pv } = cms();
    twin.reset();
    void pv(M.X).put(100);
    void pv(`${CAM}AcquireTime`).put(5).then(() => pv(`${CAM}Acquire`).put(1));
    void pv('XF:11BM-ES{Shutter}').put(1);
    void pv(`${L}STARTHEAT`).put(1);
    await flush();
    clock.advance(50);
    expect(clock.pending).toBeGreaterThanOrEqual(4);
    twin.stop();
    expect(clock.pending).toBe(0);
  });

  it('the control PV beamtwin:reset resets; beamtwin:marker takes any text and posts every write', async () => {
    const { clock, twin, pv, values } = cms();
    twin.reset();
    await pv(`${L}SETPOINT:SET`).put(60);
    await pv(`${L}STARTHEAT`).put(1);
    const move = pv(M.ROT).put(3, { notify: true });
    clock.advance(1000);
    await pv('beamtwin:reset').put(1);
    await move;
    expect(values()).toEqual(RESET_DEFAULTS);
    await pv('beamtwin:reset').put(0); // 0 does nothing
    const markers: unknown[] = [];
    twin.marker.updates.subscribe((u) => markers.push(u.value));
    await pv('beamtwin:marker').put('sam.align');
    await pv('beamtwin:marker').put('sam.align');
    expect(markers).toEqual(['sam.align', 'sam.align']);
    twin.stop();
  });
});

describe('profiles as data', () => {
  const mini = {
    name: 'tiny',
    controlPrefix: 'tt:',
    defaults: { linkam: { stepPeriod: 0.5 } },
    devices: [
      { kind: 'linkam', prefix: 'TT:{LINKAM}:', aliases: ['TT:LINKAM:'] },
      { kind: 'shutter', pv: 'TT:{Shutter}', blades: ['TT:{b1}Pos'] },
      { kind: 'motor', pv: 'TT:m1', VELO: 2, MRES: 0.001 },
    ],
    catchAll: { prefixes: ['TT:'] },
    tracked: ['TT:{LINKAM}:TEMP', 'TT:m1'],
    reset: { 'TT:{LINKAM}:TEMP': 25, 'TT:m1': 0 },
  };

  function check(profile: Profile) {
    const clock = new VirtualClock(0);
    const twin = new Twin(profile, { clock }).start();
    expect(twin.profile.name).toBe('tiny');
    expect(twin.db.lookup('TT:LINKAM:TEMP')).toBe(twin.db.lookup('TT:{LINKAM}:TEMP'));
    expect(twin.db.lookup('TT:m1.VELO')!.value).toBe(2);
    expect(twin.db.lookup('TT:m1.MRES')!.value).toBe(0.001);
    expect(twin.db.lookup('tt:reset')).toBeDefined();
    expect(twin.db.lookup('TT:{Nope}')!.value).toBe(0);
    expect(twin.catchAllHits.map((h) => h.name)).toEqual(['TT:{Nope}']);
    twin.stop();
  }

  it('loads the same profile from YAML and from JSON', () => {
    const json = path.join(dir, 'tiny.json');
    fs.writeFileSync(json, JSON.stringify(mini));
    check(loadProfile(json));
    const yaml = path.join(dir, 'tiny.yaml');
    fs.writeFileSync(
      yaml,
      `name: tiny
controlPrefix: "tt:"
defaults:
  linkam: { stepPeriod: 0.5 }
devices:
  - { kind: linkam, prefix: "TT:{LINKAM}:", aliases: ["TT:LINKAM:"] }
  - { kind: shutter, pv: "TT:{Shutter}", blades: ["TT:{b1}Pos"] }
  - { kind: motor, pv: "TT:m1", VELO: 2, MRES: 0.001 }
catchAll: { prefixes: ["TT:"] }
tracked: ["TT:{LINKAM}:TEMP", "TT:m1"]
reset: { "TT:{LINKAM}:TEMP": 25, "TT:m1": 0 }
`,
    );
    expect(loadProfile(yaml)).toEqual(loadProfile(json));
    check(loadProfile(yaml));
  });

  it('a reset value for a name the twin does not serve neither fabricates it nor counts as a catch-all hit', () => {
    const twin = new Twin(validateProfile({ ...mini, reset: { ...mini.reset, 'TT:{Typo}TEMP': 25, 'TT:m1.VAL': 0 } }), { clock: new VirtualClock(0) }).start();
    twin.reset();
    expect(twin.catchAllHits).toEqual([]);
    expect(twin.db.get('TT:{Typo}TEMP')).toBeUndefined();
    twin.stop();
  });

  it('device defaults merge under each device of that kind (the device wins)', async () => {
    const clock = new VirtualClock(0);
    const twin = new Twin(validateProfile(mini), { clock }).start();
    await twin.db.lookup('TT:{LINKAM}:SETPOINT:SET')!.put(26);
    await twin.db.lookup('TT:{LINKAM}:STARTHEAT')!.put(1);
    clock.advance(500); // stepPeriod 0.5 from the defaults
    expect(twin.db.lookup('TT:{LINKAM}:TEMP')!.value).toBe(26);
    twin.stop();
  });

  it.each([
    [null, /tiny\.yaml: the file must be a mapping/],
    [{ devices: [] }, /tiny\.yaml: "name" is missing/],
    [{ name: 'x' }, /tiny\.yaml: "devices" is missing/],
    [{ name: '', devices: [] }, /tiny\.yaml: "name" must be a non-empty string/],
    [{ name: 'x', devices: {} }, /tiny\.yaml: "devices" must be a list/],
    [{ name: 'x', devices: [{ prefix: 'A:' }] }, /tiny\.yaml: "devices\[0\]\.kind" is missing/],
    [{ name: 'x', devices: [], tracked: 'A' }, /"tracked" must be a list of PV names/],
    [{ name: 'x', devices: [], db: [{ macros: 'P=1' }] }, /"db\[0\]\.file" is missing/],
    [{ name: 'x', devices: [], catchAll: { prefixes: 'XF:11BM' } }, /tiny\.yaml: "catchAll\.prefixes" must be a list of name prefixes/],
    [{ name: 'x', devices: [], catchAll: { prefixes: ['A:'], exclude: 'A:B' } }, /"catchAll\.exclude" must be a list/],
    [{ name: 'x', devices: [], reset: ['A', 0] }, /"reset" must be a mapping from PV names to values/],
    [{ name: 'x', devices: [], reset: { A: [1] } }, /"reset\.A" must be a number or a string/],
    [{ name: 'x', devices: [], trackd: ['A'] }, /tiny\.yaml: unknown key "trackd"/],
    [{ name: 'x', devices: [], catchAll: { prefixes: ['A:'], exlude: ['B'] } }, /tiny\.yaml: unknown key "exlude" in catchAll/],
    [{ name: 'x', devices: [], db: [{ file: 'a.db', macro: 'P=1' }] }, /tiny\.yaml: unknown key "macro" in db\[0\]/],
    [{ name: 'x', devices: [], defaults: { motor: 1 } }, /"defaults\.motor" must be a mapping of settings/],
  ])('validation: %j → a clear error naming the file', (data, message) => {
    expect(() => validateProfile(data, 'tiny.yaml')).toThrow(message);
  });

  it('device errors name the device and the setting; unknown kinds list the known ones', () => {
    const bad = (devices: unknown[]) => () => new Twin(validateProfile({ name: 'x', devices }), { clock: new VirtualClock(0) });
    expect(bad([{ kind: 'laser', name: 'l1' }])).toThrow(/unknown device kind "laser" \(known: .*motor.*\)/);
    expect(bad([{ kind: 'linkam', name: 'lk' }])).toThrow('device lk: missing "prefix"');
    expect(bad([{ kind: 'linkam', name: 'lk', prefix: 'A:', rampRate: 'fast' }])).toThrow('device lk: "rampRate" must be a number');
    expect(bad([{ kind: 'shutter', name: 'sh', pv: 'A:', blades: 'B' }])).toThrow('device sh: "blades" must be a list');
  });

  it('a missing profile file names the built-in profiles', () => {
    expect(() => loadProfile(path.join(dir, 'none.yaml'))).toThrow(/no profile ".*none\.yaml" \(built-in: cms; or give a \.yaml\/\.json file\)/);
  });

  it('a file that does not parse is an error naming the file and the place', () => {
    const f = path.join(dir, 'broken.yaml');
    fs.writeFileSync(f, 'name: x\ndevices: [\n');
    expect(() => loadProfile(f)).toThrow(`${f}: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 3, column 1:`);
    const j = path.join(dir, 'broken.json');
    fs.writeFileSync(j, '{"name": ');
    expect(() => loadProfile(j)).toThrow(`${j}: not valid JSON: `);
  });
});

describe('databases mixed into a profile', () => {
  it('serves a .db file’s records beside the devices (paths relative to the profile, macros applied)', async () => {
    fs.mkdirSync(path.join(dir, 'db'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'db', 'extra.db'),
      `record(ao, "$(P)setpoint") {\n  field(VAL, "1.5")\n  field(FLNK, "$(P)double")\n}\nrecord(calc, "$(P)double") {\n  field(INPA, "$(P)setpoint NPP")\n  field(CALC, "A*2")\n}\n`,
    );
    const file = path.join(dir, 'with-db.yaml');
    fs.writeFileSync(file, `name: mixed\ndevices:\n  - { kind: linkam, prefix: "MX:{LINKAM}:" }\ndb:\n  - { file: db/extra.db, macros: "P=MX:" }\ncatchAll: { prefixes: ["MX:"] }\n`);
    const profile = loadProfile(file);
    expect(profile.db).toEqual([{ file: path.join(dir, 'db', 'extra.db'), macros: 'P=MX:' }]);
    const twin = new Twin(profile, { clock: new VirtualClock(0) }).start();
    expect(twin.db.lookup('MX:setpoint')!.recordType).toBe('ao');
    expect(twin.db.lookup('MX:{LINKAM}:TEMP')!.value).toBe(25);
    await twin.db.lookup('MX:setpoint')!.put(4);
    expect(twin.db.lookup('MX:double')!.value).toBe(8);
    // Record names and their fields are served, not fabricated.
    expect(twin.isCatchAllPv(twin.db.lookup('MX:double.CALC')!)).toBe(false);
    expect(twin.catchAllHits).toEqual([]);
    twin.stop();
  });

  it('a bad .db fails the whole start with file:line', () => {
    fs.writeFileSync(path.join(dir, 'good.db'), 'record(ao, "BD:ok") {}\n');
    fs.writeFileSync(path.join(dir, 'bad.db'), 'record(ao, "BD:a") {\n  field(VAL, "1")\n  field(NOPE, "2")\n}\n');
    const file = path.join(dir, 'bad-db.yaml');
    fs.writeFileSync(file, 'name: bad\ndevices: []\ndb:\n  - { file: good.db }\n  - { file: bad.db }\n');
    const twin = new Twin(loadProfile(file), { clock: new VirtualClock(0) });
    let err: unknown;
    try {
      twin.start();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DbLoadError);
    expect((err as Error).message).toContain(`${path.join(dir, 'bad.db')}:3`);
    expect((err as Error).message).toMatch(/no field NOPE/);
    // All or nothing: the good file's record is not served either.
    expect(twin.db.lookup('BD:ok')).toBeUndefined();
    twin.stop();
  });
});
