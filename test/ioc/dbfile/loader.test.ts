import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fieldValue, loadDatabase, type DbRecordDef } from '../../../ioc/dbfile/index.js';

const FIX = path.resolve(__dirname, '../../fixtures/db');
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'beamtwin-dbfile-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

/** Write files into a fresh temp dir; returns the dir. */
function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(tmpRoot, 't-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const byName = (recs: DbRecordDef[]) => new Map(recs.map((r) => [r.name, r]));

describe('loadDatabase: fixtures', () => {
  it('expands the areaDetector-like template through its substitutions file', () => {
    const r = loadDatabase({ substitutions: path.join(FIX, 'NDParam.substitutions'), cwd: FIX });
    expect(r.errors).toEqual([]);
    const recs = byName(r.records);
    expect(r.records).toHaveLength(4 * 8);
    expect(recs.get('BL13:cam1:Acquire')!.type).toBe('busy');
    expect(fieldValue(recs.get('BL13:cam1:AcquireTime')!, 'VAL')).toBe('0.1');
    expect(fieldValue(recs.get('BL13:cam2:AcquireTime')!, 'VAL')).toBe('0.5');
    expect(fieldValue(recs.get('BL13:stats1:AcquireTime')!, 'VAL')).toBe('2');
    expect(fieldValue(recs.get('BL13:image1:AcquireTime')!, 'VAL')).toBe('1.0'); // template default
    expect(fieldValue(recs.get('BL13:cam1:ArraySizeX_RBV')!, 'VAL')).toBe('2048');
    expect(fieldValue(recs.get('BL13:image1:Manufacturer_RBV')!, 'VAL')).toBe('Beamtwin plugins');
    expect(fieldValue(recs.get('BL13:cam1:AcquireTime_RBV')!, 'INP')).toBe('BL13:cam1:AcquireTime NPP NMS');
    expect(r.aliases.map((a) => a.alias)).toContain('BL13:cam2:Vendor_RBV');
    expect(recs.get('BL13:cam1:Acquire')).toMatchObject({ file: 'NDParam.template', line: 5 });
  });

  it('loads the calc chain and the periodic ai with macros from a string', () => {
    const r = loadDatabase({
      files: [
        { path: path.join(FIX, 'calc-chain.db'), macros: 'P=TST:' },
        { path: path.join(FIX, 'periodic-ai.db'), macros: { P: 'TST:' } },
      ],
    });
    expect(r.errors).toEqual([]);
    const recs = byName(r.records);
    expect([...recs.keys()]).toEqual(['TST:seed', 'TST:double', 'TST:sum', 'TST:limit', 'TST:clamped', 'TST:ramp', 'TST:temperature']);
    expect(fieldValue(recs.get('TST:sum')!, 'INPC')).toBe('10');
    expect(fieldValue(recs.get('TST:limit')!, 'OUT')).toBe('TST:clamped PP');
    expect(fieldValue(recs.get('TST:temperature')!, 'HIHI')).toBe('90');
    expect(r.aliases).toEqual([expect.objectContaining({ alias: 'TST:temp', record: 'TST:temperature' })]);
  });

  it('resolves includes relative to the including file, at top level and inside a record', () => {
    const r = loadDatabase({ files: [{ path: path.join(FIX, 'with-include.db'), macros: 'P=I:' }], cwd: FIX });
    expect(r.errors).toEqual([]);
    expect(r.records.map((x) => x.name)).toEqual(['I:version', 'I:x']);
    expect(r.records[0]).toMatchObject({ file: path.join('inc', 'common.db'), line: 2 });
    expect(r.records[1]!.fields.map((f) => [f.name, f.value, f.file, f.line])).toEqual([
      ['EGU', 'mm', 'fields.dbi', 1],
      ['PREC', '3', 'fields.dbi', 2],
    ]);
    expect(r.files).toEqual(['with-include.db', path.join('inc', 'common.db'), 'fields.dbi']);
  });
});

describe('loadDatabase: include path and cycles', () => {
  it('searches includePath and path/addpath directories', () => {
    const dir = tree({
      'main.db': 'include "lib.db"\naddpath "extra"\ninclude "more.db"\n',
      'libs/lib.db': 'record(ai, lib)\n',
      'extra/more.db': 'record(ai, more)\n',
    });
    const r = loadDatabase({ files: [{ path: path.join(dir, 'main.db') }], includePath: [path.join(dir, 'libs')] });
    expect(r.errors).toEqual([]);
    expect(r.records.map((x) => x.name)).toEqual(['lib', 'more']);
  });

  it('reports a missing include with the directories searched, and nothing is loaded', () => {
    const dir = tree({ 'main.db': 'record(ai, a)\n\ninclude "nope.db"\n' });
    const r = loadDatabase({ files: [{ path: path.join(dir, 'main.db') }], cwd: dir });
    expect(r.records).toEqual([]);
    expect(r.errors).toEqual([`main.db:3:1: can't open include file 'nope.db' (searched .)`]);
  });

  it('detects cyclic includes', () => {
    const dir = tree({ 'a.db': 'record(ai, a)\ninclude "b.db"\n', 'b.db': '# b\ninclude "a.db"\n' });
    const r = loadDatabase({ files: [{ path: path.join(dir, 'a.db') }], cwd: dir });
    expect(r.records).toEqual([]);
    expect(r.errors).toEqual(["b.db:2:1: cyclic include of 'a.db': a.db → b.db → a.db"]);
  });
});

describe('loadDatabase: all-or-nothing', () => {
  it('one bad file among good ones: errors only, no records', () => {
    const dir = tree({
      'good.db': 'record(ai, good) { field(VAL, 1) }\n',
      'bad.db': 'record(ai, bad) {\n  field(VAL, 1)\n  field(EGU "mm")\n}\n',
    });
    const r = loadDatabase({ files: [{ path: path.join(dir, 'good.db') }, { path: path.join(dir, 'bad.db') }], cwd: dir });
    expect(r.records).toEqual([]);
    expect(r.aliases).toEqual([]);
    expect(r.errors).toEqual([`bad.db:3:13: syntax error: expected ',', found "mm"`]);
  });

  it('undefined macros in a template instance name the instance', () => {
    const dir = tree({
      't.db': 'record(ai, "$(P)$(R)x")\n',
      's.subs': 'file t.db {\n pattern {P}\n {A:}\n {B:}\n}\n',
    });
    const r = loadDatabase({ substitutions: path.join(dir, 's.subs'), cwd: dir });
    expect(r.records).toEqual([]);
    expect(r.errors).toEqual([
      "t.db:1:17: macro 'R' is undefined (instance at s.subs:3) (repeated 2 times)",
    ]);
  });

  it('substitutions: caller macros are overridden by globals and set values; template search', () => {
    const dir = tree({
      'db/t.db': 'record(ai, "$(P)$(R)")\n',
      'iocBoot/s.subs': 'global {R=g}\nfile "$(TOPDIR)/db/t.db" { {P=$(PRE):} {P=x:, R=own} }\nfile t.db { {P=y:} }\n',
    });
    const r = loadDatabase({
      substitutions: { path: path.join(dir, 'iocBoot/s.subs'), macros: 'PRE=BL,R=caller' },
      includePath: [path.join(dir, 'db')],
      env: { TOPDIR: dir },
    });
    expect(r.errors).toEqual([]);
    expect(r.records.map((x) => x.name)).toEqual(['BL:g', 'x:own', 'y:g']);
  });

  it('a template file that cannot be found is an error at the file statement', () => {
    const dir = tree({ 's.subs': '\nfile missing.db { {A=1} }\n' });
    const r = loadDatabase({ substitutions: path.join(dir, 's.subs'), cwd: dir });
    expect(r.errors).toEqual([`s.subs:2:1: can't open template file 'missing.db' (searched ., .)`]);
  });

  it('a missing top-level file', () => {
    const dir = tree({});
    const r = loadDatabase({ files: [{ path: 'none.db' }], cwd: dir });
    expect(r.errors).toEqual(["none.db: can't open file: ENOENT"]);
  });

  it('validate hook: errors at the record or at the field, and nothing loaded', () => {
    const dir = tree({ 'v.db': 'record(ai, a) {\n  field(VAL, 1)\n  field(BOGUS, 2)\n}\n\nrecord(nosuch, b)\n' });
    const r = loadDatabase({
      files: [{ path: path.join(dir, 'v.db') }],
      cwd: dir,
      validate: (rec) => {
        if (rec.type !== 'ai') return [`record type '${rec.type}' of record '${rec.name}' is unknown`];
        return rec.fields
          .filter((f) => f.name === 'BOGUS')
          .map((f) => ({ field: f.name, message: `ai record '${rec.name}' has no field '${f.name}'` }));
      },
    });
    expect(r.records).toEqual([]);
    expect(r.errors).toEqual([
      "v.db:3:3: ai record 'a' has no field 'BOGUS'",
      "v.db:6:1: record type 'nosuch' of record 'b' is unknown",
    ]);
  });

  it('records of the same name merge across files; a type clash is an error', () => {
    const dir = tree({
      'a.db': 'record(ai, r) { field(VAL, 1) }\n',
      'b.db': 'record(ai, r) { field(EGU, mm) }\n',
      'c.db': '\nrecord(bo, r)\n',
    });
    const ok = loadDatabase({ files: [{ path: path.join(dir, 'a.db') }, { path: path.join(dir, 'b.db') }], cwd: dir });
    expect(ok.records).toHaveLength(1);
    expect(ok.records[0]!.fields.map((f) => [f.file, f.name])).toEqual([
      ['a.db', 'VAL'],
      ['b.db', 'EGU'],
    ]);
    const clash = loadDatabase({ files: [{ path: path.join(dir, 'a.db') }, { path: path.join(dir, 'c.db') }], cwd: dir });
    expect(clash.records).toEqual([]);
    expect(clash.errors).toEqual(["c.db:2:1: record 'r' is already defined as type 'ai' (a.db:1), can't load it as 'bo'"]);
  });

  it('caps the number of errors listed', () => {
    const dir = tree({ 'm.db': Array.from({ length: 20 }, (_, i) => `record(ai, "$(M${i})")`).join('\n') });
    const r = loadDatabase({ files: [{ path: path.join(dir, 'm.db') }], cwd: dir, maxErrors: 5 });
    expect(r.errors).toHaveLength(6);
    expect(r.errors[5]).toBe('15 more errors not shown');
    expect(r.diagnostics).toHaveLength(5);
  });
});
