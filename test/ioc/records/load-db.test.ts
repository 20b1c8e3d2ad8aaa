// .db files into records: the fixtures load and behave, bad input is one clear message with file and
// line and loads nothing, and `beamtwin serve --db` wires it (demo PVs off).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/run-cli.js';
import type { CliIo } from '../../../cli/io.js';
import { AlarmStatus, Severity } from '../../../ioc/ca/protocol/constants.js';
import { DbLoadError, loadDb } from '../../../ioc/records/load-db.js';
import { TestIoc } from './helpers.js';

const FIX = path.resolve(__dirname, '../../fixtures/db');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'beamtwin-loaddb-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, text);
  return p;
}

function loadError(t: TestIoc, opts: Parameters<typeof loadDb>[1]): DbLoadError {
  try {
    loadDb(t.rdb, opts);
  } catch (e) {
    if (e instanceof DbLoadError) return e;
    throw e;
  }
  throw new Error('expected a DbLoadError');
}

describe('loading databases into records', () => {
  it('loads the areaDetector-like template through its substitutions file with every record working', async () => {
    const t = new TestIoc();
    const r = loadDb(t.rdb, { substitutions: path.join(FIX, 'NDParam.substitutions'), cwd: FIX });
    t.start();
    expect(r.records).toHaveLength(32);
    expect(t.get('BL13:cam1:AcquireTime')).toBe(0.1);
    expect(t.get('BL13:cam1:AcquireTime_RBV')).toBe(0.1); // PINI → FLNK
    expect(t.pv('BL13:cam1:AcquireTime').units).toBe('s');
    expect(t.pv('BL13:cam1:AcquireTime').precision).toBe(3);
    expect(t.pv('BL13:cam1:AcquireTime').limits).toMatchObject({ upperCtrl: 1000, lowerCtrl: 0, upperDisp: 10, lowerDisp: 0 });
    expect(t.pv('BL13:cam2:ImageMode').enumStrings).toEqual(['Single', 'Multiple', 'Continuous']);
    expect(t.get('BL13:cam2:Vendor_RBV')).toBe('Beamtwin');
    expect(t.get('BL13:image1:Manufacturer_RBV')).toBe('Beamtwin plugins');
    expect(t.get('BL13:cam1:ArraySizeX_RBV')).toBe(2048);
    await t.put('BL13:cam1:AcquireTime', 2000);
    expect(t.get('BL13:cam1:AcquireTime_RBV')).toBe(1000); // DRVH
  });

  it('runs the calc chain with forward links from a file with macros', async () => {
    const t = new TestIoc();
    loadDb(t.rdb, { files: [{ path: path.join(FIX, 'calc-chain.db'), macros: 'P=TST:' }] });
    t.start();
    await t.put('TST:seed', 2);
    expect([t.get('TST:double'), t.get('TST:sum'), t.get('TST:limit'), t.get('TST:clamped')]).toEqual([4, 16, 0, 0]);
    await t.put('TST:seed', 5);
    expect([t.get('TST:double'), t.get('TST:sum'), t.get('TST:limit'), t.get('TST:clamped')]).toEqual([10, 25, 1, 25]);
  });

  it('scans the periodic ai and raises its limit alarms with hysteresis', async () => {
    const t = new TestIoc();
    loadDb(t.rdb, { files: [{ path: path.join(FIX, 'periodic-ai.db'), macros: 'P=TST:' }] });
    t.start();
    await t.advance(3050, 50); // ramp at 10 Hz; temperature reads it once a second
    expect(t.get('TST:temperature')).toBeGreaterThanOrEqual(29);
    expect(t.get('TST:temperature')).toBeLessThanOrEqual(30);
    // Drive the ramp by hand from here: a VAL put processes it once (VAL = VAL + 1).
    await t.put('TST:ramp.SCAN', 0);
    const at = async (v: number) => {
      await t.put('TST:ramp', v - 1);
      await t.advance(1000, 100);
      return [t.get('TST:temperature'), t.rec('TST:temp').num('STAT'), t.rec('TST:temp').num('SEVR')];
    };
    expect(await at(70)).toEqual([70, AlarmStatus.HIGH, Severity.MINOR]);
    expect(await at(68)).toEqual([68, AlarmStatus.HIGH, Severity.MINOR]); // within HYST 2 of HIGH
    expect(await at(67)).toEqual([67, AlarmStatus.NO_ALARM, Severity.NO_ALARM]);
    expect(await at(95)).toEqual([95, AlarmStatus.HIHI, Severity.MAJOR]);
    expect(await at(3)).toEqual([3, AlarmStatus.LOLO, Severity.MAJOR]);
  });

  it('reports an unknown record type with file and line, and loads nothing', () => {
    const t = new TestIoc();
    const db = file('badtype.db', 'record(ai, "ok") {}\n\nrecord(aix, "bad") {\n}\n');
    const e = loadError(t, { files: [{ path: db }] });
    expect(e.errors).toHaveLength(1);
    expect(e.message).toMatch(/badtype\.db:3:\d+: unknown record type "aix"/);
    expect(t.rdb.records.size).toBe(0);
  });

  it('reports an unknown field at its own line', () => {
    const t = new TestIoc();
    const db = file('badfield.db', 'record(ai, "a") {\n  field(EGU, "mm")\n  field(BOGUS, "1")\n}\n');
    const e = loadError(t, { files: [{ path: db }] });
    expect(e.message).toMatch(/badfield\.db:3:\d+: record type ai has no field BOGUS/);
  });

  it('reports a value that is not a choice of a menu field or not a number', () => {
    const t = new TestIoc();
    const db = file('badvalue.db', 'record(ai, "a") {\n  field(SCAN, "3 second")\n  field(PREC, "three")\n}\n');
    const e = loadError(t, { files: [{ path: db }] });
    expect(e.errors).toHaveLength(2);
    expect(e.errors[0]).toMatch(/badvalue\.db:2:\d+: .*"3 second" is not a choice of SCAN/);
    expect(e.errors[1]).toMatch(/badvalue\.db:3:\d+: .*"three" is not a number/);
  });

  it('reports syntax errors and undefined macros from the parser with file and line', () => {
    const t = new TestIoc();
    const syntax = file('syntax.db', 'record(ai, "a") {\n  field(EGU "mm")\n}\n');
    expect(loadError(t, { files: [{ path: syntax }] }).message).toMatch(/syntax\.db:2:/);
    const macro = file('macro.db', 'record(ai, "$(P)a") {}\n');
    expect(loadError(t, { files: [{ path: macro }] }).message).toMatch(/macro\.db:1:\d+: .*P/);
  });

  it('refuses a record name that is already served', () => {
    const t = new TestIoc();
    t.load('record(ai, "taken") {}');
    const db = file('dup.db', 'record(ao, "fresh") {}\nrecord(ao, "taken") {}\n');
    const e = loadError(t, { files: [{ path: db }] });
    expect(e.message).toMatch(/dup\.db:2:\d+: record "taken" is already defined/);
    expect(t.rdb.findRecord('fresh')).toBeUndefined();
  });

  it('loads nothing from any file when one of several files is bad', () => {
    const t = new TestIoc();
    const good = file('good.db', 'record(ai, "g") {}\n');
    const bad = file('bad.db', 'record(ai, "b") { field(NOPE, "") }\n');
    loadError(t, { files: [{ path: good }, { path: bad }] });
    expect(t.rdb.records.size).toBe(0);
  });
});

function captured(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, out: () => out, err: () => err };
}

describe('beamtwin serve --db', () => {
  it('serves the records of --db files with --macros and of --substitutions files, without the demo PVs', async () => {
    const io = captured();
    const code = await runCli(
      ['serve', '--db', path.join(FIX, 'calc-chain.db'), '--macros', 'P=X:', '--substitutions', path.join(FIX, 'NDParam.substitutions'), '--list-pvs'],
      io,
    );
    expect(code).toBe(0);
    const names = io.out().trim().split('\n');
    expect(names).toContain('X:sum');
    expect(names).toContain('BL13:cam2:AcquireTime');
    expect(names).toContain('BL13:cam2:Vendor_RBV');
    expect(names.some((n) => n.startsWith('demo:'))).toBe(false);
  });

  it('fails with one message naming the file and line of a bad database', async () => {
    const io = captured();
    const db = file('cli-bad.db', 'record(ai, "a") {\n  field(WHAT, "1")\n}\n');
    const code = await runCli(['serve', '--db', db, '--list-pvs'], io);
    expect(code).toBe(1);
    expect(io.err()).toMatch(/^beamtwin: cannot load the database: .*cli-bad\.db:2:\d+: record type ai has no field WHAT/);
    expect(io.err().trim().split('\n')).toHaveLength(1);
  });
});
