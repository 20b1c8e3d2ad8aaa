import { describe, expect, it } from 'vitest';
import {
  DbDefinitions,
  fieldValue,
  formatDbError,
  parseDb,
  translateEscapes,
  type IncludeRequest,
  type IncludeResolution,
} from '../../../ioc/dbfile/index.js';

const ok = (text: string, macros: Record<string, string> | string = {}) => {
  const r = parseDb(text, { file: 'x.db', macros });
  expect(r.errors).toEqual([]);
  return r;
};
const bad = (text: string, macros: Record<string, string> | string = {}) => {
  const r = parseDb(text, { file: 'x.db', macros });
  expect(r.errors.length).toBeGreaterThan(0);
  return r.errors.map(formatDbError);
};

describe('parseDb: syntax forms', () => {
  it('parses a record with fields, info and alias, keeping positions', () => {
    const r = ok(
      [
        '# comment',
        'record(ai, "BL:temp") {',
        '    field(DESC, "Sample temperature")  # trailing comment',
        '    field(SCAN, "1 second")',
        '    info(autosaveFields, "VAL EGU")',
        '    alias("BL:t")',
        '}',
      ].join('\n'),
    );
    expect(r.records).toHaveLength(1);
    const rec = r.records[0]!;
    expect(rec).toMatchObject({ type: 'ai', name: 'BL:temp', file: 'x.db', line: 2, col: 1, aliases: ['BL:t'] });
    expect(rec.fields).toEqual([
      { file: 'x.db', line: 3, col: 5, name: 'DESC', value: 'Sample temperature' },
      { file: 'x.db', line: 4, col: 5, name: 'SCAN', value: '1 second' },
    ]);
    expect(rec.info).toEqual([{ file: 'x.db', line: 5, col: 5, name: 'autosaveFields', value: 'VAL EGU' }]);
    expect(r.aliases).toEqual([{ file: 'x.db', line: 6, col: 5, alias: 'BL:t', record: 'BL:temp' }]);
  });

  it('accepts bare words for type, name, field names and values', () => {
    const r = ok('record(ao, BL:x:y[1]<a>;b) { field(VAL, -1.5e3) field(EGU, mm) field(PREC, 0x1F) field(X, a_b-c+d.e) }');
    expect(r.records[0]!.name).toBe('BL:x:y[1]<a>;b');
    expect(r.records[0]!.fields.map((f) => [f.name, f.value])).toEqual([
      ['VAL', '-1.5e3'],
      ['EGU', 'mm'],
      ['PREC', '0x1F'],
      ['X', 'a_b-c+d.e'],
    ]);
  });

  it('accepts a record without body and an empty body', () => {
    const r = ok('record(ai, a)\nrecord(ai, b) {}\nrecord(bo, "c")');
    expect(r.records.map((x) => x.name)).toEqual(['a', 'b', 'c']);
  });

  it('grecord is a record', () => {
    expect(ok('grecord(ai, "g") { field(VAL, 1) }').records[0]).toMatchObject({ type: 'ai', name: 'g' });
  });

  it('translates C escapes in quoted field and info values only', () => {
    const r = ok(String.raw`record(ai, "a\b") { field(DESC, "tab\there \"q\" \$5 \x41\\") info(k, 'single "q"') }`);
    const rec = r.records[0]!;
    expect(rec.name).toBe('a\\b'); // record names keep escapes (dbRecordHead gets the raw text)
    expect(fieldValue(rec, 'DESC')).toBe('tab\there "q" $5 A\\');
    expect(rec.info[0]!.value).toBe('single "q"');
  });

  it('escaped macro reference reaches the field as a literal $(…)', () => {
    const r = ok(String.raw`record(calc, "c") { field(DESC, "\$(P) literal") field(CALC, "$(P)") }`, { P: 'A+1' });
    expect(fieldValue(r.records[0]!, 'DESC')).toBe('$(P) literal');
    expect(fieldValue(r.records[0]!, 'CALC')).toBe('A+1');
  });

  it('keeps JSON link values as canonical JSON, bare keys and values quoted', () => {
    const r = ok(
      'record(ai, a) { field(INP, {const: 3.14}) field(INPA, {pva: {pv: "x:y", proc: true}}) ' +
        'field(INPB, [1, 2, abc,]) field(INPC, {}) field(INPD, []) field(INPE, {a: null, b: [false]}) }',
    );
    const v = (n: string) => fieldValue(r.records[0]!, n);
    expect(v('INP')).toBe('{"const":3.14}');
    expect(v('INPA')).toBe('{"pva":{"pv":"x:y","proc":true}}');
    expect(v('INPB')).toBe('[1,2,"abc",]'); // trailing comma kept, as dbYacc.y does
    expect(v('INPC')).toBe('{}');
    expect(v('INPD')).toBe('[]');
    expect(v('INPE')).toBe('{"a":null,"b":[false]}');
  });

  it('alias(rec, "a") at top level, also through an alias', () => {
    const r = ok('record(ai, "r") {}\nalias(r, "a1")\nalias("a1", "a2")');
    expect(r.aliases.map((a) => [a.alias, a.record, a.line])).toEqual([
      ['a1', 'r', 2],
      ['a2', 'r', 3],
    ]);
  });

  it('reports include statements without a resolver', () => {
    const r = ok('include "a.db"\nrecord(ai, x) {\n  include "fields.dbi"\n}\n');
    expect(r.includes).toEqual([
      { file: 'x.db', line: 1, col: 1, name: 'a.db' },
      { file: 'x.db', line: 3, col: 3, name: 'fields.dbi' },
    ]);
  });

  it('skips dbd statements with no error', () => {
    const r = ok(
      [
        'menu(myMenu) { choice(myMenu_A, "A") choice(myMenu_B, "B") }',
        'recordtype(xx) {',
        '  %#include "epicsTypes.h"',
        '  field(NAME, DBF_STRING) { prompt("Record Name") size(61) special(SPC_NOMOD) }',
        '  field(VAL, DBF_DOUBLE) { promptgroup("40 - Input") asl(ASL0) pp(TRUE) }',
        '}',
        'device(ai, CONSTANT, devAiSoft, "Soft Channel")',
        'driver(drvX)',
        'link(calc, lnkCalcIf)',
        'registrar(myRegistrar)',
        'function(mySub)',
        'variable(myDebug, int)',
        'variable(otherVar)',
        'breaktable(typeK) { 0.0 0.0, 1.0 2.0 }',
        'record(ai, after) {}',
      ].join('\n'),
    );
    expect(r.records.map((x) => x.name)).toEqual(['after']);
  });

  it('path and addpath update the include search path given to the resolver', () => {
    const seen: IncludeRequest[] = [];
    parseDb('path "a:b"\naddpath "c"\ninclude "f.db"\n', {
      file: 'x.db',
      resolveInclude: (req) => {
        seen.push(req);
        return { file: 'f.db', text: '' };
      },
    });
    expect(seen[0]!.searchPath).toEqual(['a', 'b', 'c']);
  });

  it('a keyword cannot be a bare record name, but can be quoted', () => {
    expect(bad('record(ai, field) {}')[0]).toMatch(/^x\.db:1:12: syntax error: expected a record name, found keyword 'field'/);
    expect(ok('record(ai, "field") {}').records[0]!.name).toBe('field');
  });
});

describe('parseDb: merging records (EPICS semantics)', () => {
  it('merges a record defined twice with the same type; later fields win', () => {
    const r = ok('record(ai, r) { field(VAL, 1) field(EGU, mm) }\nrecord(ai, r) { field(VAL, 2) field(PREC, 3) }');
    expect(r.records).toHaveLength(1);
    const rec = r.records[0]!;
    expect(rec.fields.map((f) => [f.name, f.value, f.line])).toEqual([
      ['VAL', '2', 2],
      ['EGU', 'mm', 1],
      ['PREC', '3', 2],
    ]);
    expect(rec.line).toBe(1);
  });

  it('refuses a second definition with another type', () => {
    expect(bad('record(ai, r) {}\n\nrecord(ao, r) { field(VAL, 1) }')).toEqual([
      "x.db:3:1: record 'r' is already defined as type 'ai' (x.db:1), can't load it as 'ao'",
    ]);
  });

  it('record(*, name) extends an existing record (also by alias), and fails for an unknown one', () => {
    const r = ok('record(ai, r) { alias(al) }\nrecord("*", r) { field(EGU, mm) }\nrecord(*, al) { field(PREC, 2) }');
    expect(r.records[0]!.fields.map((f) => f.name)).toEqual(['EGU', 'PREC']);
    expect(bad('record(*, "nope") { field(VAL, 1) }')[0]).toMatch(/^x\.db:1:1: record 'nope' not found/);
  });

  it('record("#", name) deletes a record and its aliases', () => {
    const r = ok('record(ai, r) { alias(a) }\nrecord(ai, s)\nrecord("#", r)');
    expect(r.records.map((x) => x.name)).toEqual(['s']);
    expect(r.aliases).toEqual([]);
  });

  it('merges across parseDb calls sharing DbDefinitions', () => {
    const into = new DbDefinitions();
    parseDb('record(ai, r) { field(VAL, 1) }', { file: 'a.db', into });
    const r = parseDb('record(*, r) { field(EGU, mm) }', { file: 'b.db', into });
    expect(r.errors).toEqual([]);
    expect(r.records[0]!.fields.map((f) => [f.file, f.name])).toEqual([
      ['a.db', 'VAL'],
      ['b.db', 'EGU'],
    ]);
  });
});

describe('parseDb: errors with exact positions', () => {
  it('missing closing quote', () => {
    expect(bad('record(ai, r) {\n  field(DESC, "abc)\n}')).toEqual(['x.db:2:15: Newline in string, closing quote missing']);
  });

  it('unbalanced braces', () => {
    expect(bad('record(ai, r) {\n  field(VAL, 1)\n')).toEqual([
      "x.db:3:1: syntax error: expected 'field', 'info', 'alias', 'include' or '}', found end of file",
    ]);
  });

  it('invalid character', () => {
    expect(bad('record(ai, r) {\n\n   field(VAL, 1) @\n}')).toEqual(["x.db:3:18: Invalid character '@'"]);
  });

  it('unknown statement', () => {
    expect(bad('\nrecrod(ai, r) {}')[0]).toBe(
      "x.db:2:1: syntax error: expected 'record', 'grecord', 'alias', 'include', 'path' or 'addpath', found 'recrod'",
    );
  });

  it('unquoted value with a colon: says to quote it', () => {
    expect(bad('record(ai, r) {\n  field(INP, BL:x NPP)\n}')[0]).toMatch(
      /^x\.db:2:16: syntax error: expected '\)' after the value of field 'INP' .*quote the value/,
    );
  });

  it('bad characters in record and alias names', () => {
    expect(bad('record(ai, "a b") {}')).toEqual([`x.db:1:12: bad character ' ' in record name "a b"`]);
    expect(bad('record(ai, "a.VAL") {}')[0]).toMatch(/bad character '\.'/);
    expect(bad('record(ai, "") {}')).toEqual(["x.db:1:12: Record name can't be empty"]);
    expect(bad('record(ai, r) {\n alias("x y")\n}')).toEqual([`x.db:2:8: bad character ' ' in alias name "x y"`]);
  });

  it('control characters in JSON strings', () => {
    expect(bad('record(ai, r) { field(DESC, "a\tb") }')).toEqual(['x.db:1:29: Bad character in JSON string']);
  });

  it('alias conflicts', () => {
    expect(bad('record(ai, r)\nalias(q, "a")')).toEqual(["x.db:2:1: alias 'a' names an unknown record 'q'"]);
    expect(bad('record(ai, r)\nrecord(ai, s)\nalias(r, "s")')).toEqual([
      "x.db:3:1: alias 's' for record 'r' is already a record name",
    ]);
    expect(bad('record(ai, r)\nrecord(ai, s)\nalias(r, "a")\nalias(s, "a")')).toEqual([
      "x.db:4:1: alias 'a' for record 's' already aliases 'r'",
    ]);
    ok('record(ai, r)\nalias(r, "a")\nalias(r, "a")');
  });

  it("can't set NAME", () => {
    expect(bad('record(ai, r) { field(NAME, x) }')).toEqual(["x.db:1:17: can't set 'NAME' field of record 'r'"]);
  });

  it('an undefined macro gives one message at its line, not a cascade', () => {
    const errs = bad('record(ai, "$(P)a") {\n field(DESC, "$(P)")\n}\nrecord(ai, "$(P)b")\n', {});
    expect(errs).toEqual(["x.db:1:13: macro 'P' is undefined (2 more uses in this file)"]);
  });

  it('an undefined macro in an unquoted name stops at that line with that one message', () => {
    expect(bad('\nrecord(ai, $(P)a) {}\n')).toEqual(["x.db:2:12: macro 'P' is undefined"]);
  });

  it('recursive macros', () => {
    expect(bad('record(ai, "$(A)") {}', { A: '$(B)', B: '$(A)' })).toEqual([
      "x.db:1:13: macro 'A' is recursive (A → B → A)",
    ]);
  });
});

describe('parseDb: includes through a resolver', () => {
  const files: Record<string, string> = {
    'top.db': 'include "a.db"\nrecord(ai, "$(P)top") {\n  include "f.dbi"\n}\n',
    'a.db': 'record(ai, "$(P)a") {}\n',
    'f.dbi': 'field(EGU, mm)\nalias("$(P)t")\n',
    'loop1.db': 'record(ai, l1)\ninclude "loop2.db"\n',
    'loop2.db': '\n\ninclude "loop1.db"\n',
    'self.db': 'include "self.db"',
    'broken.db': 'record(ai, ok)\nrecord(ai, {\n',
  };
  const resolveInclude = (req: IncludeRequest): IncludeResolution =>
    req.name in files ? { file: req.name, text: files[req.name]! } : { error: `can't open include file '${req.name}'` };

  it('parses included files in place, with the same macros, at top level and inside a record', () => {
    const r = parseDb(files['top.db']!, { file: 'top.db', macros: 'P=BL:', resolveInclude });
    expect(r.errors).toEqual([]);
    expect(r.records.map((x) => x.name)).toEqual(['BL:a', 'BL:top']);
    expect(r.records[1]!.fields[0]).toEqual({ file: 'f.dbi', line: 1, col: 1, name: 'EGU', value: 'mm' });
    expect(r.records[0]!.file).toBe('a.db');
    expect(r.aliases[0]).toMatchObject({ alias: 'BL:t', record: 'BL:top', file: 'f.dbi', line: 2 });
    expect(r.includes.map((i) => [i.name, i.resolved])).toEqual([
      ['a.db', 'a.db'],
      ['f.dbi', 'f.dbi'],
    ]);
  });

  it('detects cyclic includes at the include that closes the cycle', () => {
    const r = parseDb(files['loop1.db']!, { file: 'loop1.db', resolveInclude });
    expect(r.errors.map(formatDbError)).toEqual([
      "loop2.db:3:1: cyclic include of 'loop1.db': loop1.db → loop2.db → loop1.db",
    ]);
    expect(parseDb(files['self.db']!, { file: 'self.db', resolveInclude }).errors.map(formatDbError)).toEqual([
      "self.db:1:1: cyclic include of 'self.db': self.db → self.db",
    ]);
  });

  it('reports a missing include and a syntax error inside an included file with its own name', () => {
    expect(parseDb('\ninclude "nope.db"', { file: 'x.db', resolveInclude }).errors.map(formatDbError)).toEqual([
      "x.db:2:1: can't open include file 'nope.db'",
    ]);
    expect(parseDb('include "broken.db"', { file: 'x.db', resolveInclude }).errors.map(formatDbError)).toEqual([
      "broken.db:2:12: syntax error: expected a record name, found '{'",
    ]);
  });
});

describe('translateEscapes (epicsStrnRawFromEscaped)', () => {
  it('translates C escapes', () => {
    expect(translateEscapes(String.raw`a\n\t\r\\\"\'\0\x41\x4z\q`)).toBe('a\n\t\r\\"\'\0A\x04zq');
  });
});
