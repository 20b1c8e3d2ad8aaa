import { describe, expect, it } from 'vitest';
import { expandMacros, formatDbError, parseSubstitutions } from '../../../ioc/dbfile/index.js';

const parse = (t: string) => parseSubstitutions(t, { file: 's.subs' });

describe('parseSubstitutions (dbLoadTemplate / msi)', () => {
  it('pattern form with quoted and bare values', () => {
    const r = parse('file "x.db" {\n  pattern {P, R}\n  {"BL:", cam1:}\n  {BL2: "cam 2"}\n}\n');
    expect(r.errors).toEqual([]);
    expect(r.sets).toEqual([
      { file: 'x.db', macros: { P: 'BL:', R: 'cam1:' }, line: 3, col: 3, fileLine: 1 },
      { file: 'x.db', macros: { P: 'BL2:', R: 'cam 2' }, line: 4, col: 3, fileLine: 1 },
    ]);
  });

  it('name=value form, bare file name, commas optional', () => {
    const r = parse('file x.template {\n{P=a, R="b c"}\n{ R=d P=e }\n}');
    expect(r.sets.map((s) => [s.file, s.macros])).toEqual([
      ['x.template', { P: 'a', R: 'b c' }],
      ['x.template', { R: 'd', P: 'e' }],
    ]);
  });

  it('global definitions hold for the rest of the file and are overridden by the set', () => {
    const r = parse(
      'global {P=G:, Q=q}\nfile a.db { {R=1} {P=own:} }\nfile b.db {\n pattern {R}\n {2}\n global {Q=q2}\n {3}\n}\n',
    );
    expect(r.sets.map((s) => s.macros)).toEqual([
      { P: 'G:', Q: 'q', R: '1' },
      { P: 'own:', Q: 'q' },
      { P: 'G:', Q: 'q', R: '2' },
      { P: 'G:', Q: 'q2', R: '3' },
    ]);
  });

  it('several pattern blocks in one file block (msi)', () => {
    const r = parse('file t {\npattern {first,last}\n{Marty,Kraimer}\npattern {last,first}\n{Smith,Bill}\n}');
    expect(r.sets.map((s) => s.macros)).toEqual([
      { first: 'Marty', last: 'Kraimer' },
      { last: 'Smith', first: 'Bill' },
    ]);
  });

  it('empty blocks: file x {} gives no set, {} gives a set of globals only', () => {
    expect(parse('file x {}').sets).toEqual([]);
    expect(parse('global {A=1}\nfile x { {} }').sets.map((s) => s.macros)).toEqual([{ A: '1' }]);
    expect(parse('file x { pattern {} {} }').sets).toHaveLength(1);
  });

  it('quoted values keep escapes and quoting as raw macLib values', () => {
    const r = parse(String.raw`file x { {c="\"cc\"", d='single', e="$(P)x", f=""} }`);
    const m = r.sets[0]!.macros;
    expect(expandMacros('$(c)|$(d)|$(e)|[$(f)]', { ...m, P: 'BL' }).text).toBe('"cc"|single|BLx|[]');
  });

  it('unquoted $(…) references are accepted in values and file names (msi)', () => {
    const r = parse('file $(TOP)/db/x.db { {P=$(PREFIX):, R=$(R=cam)} }');
    expect(r.errors).toEqual([]);
    expect(r.sets[0]).toMatchObject({ file: '$(TOP)/db/x.db', macros: { P: '$(PREFIX):', R: '$(R=cam)' } });
  });

  it('comments anywhere, also after values', () => {
    const r = parse('# header\nfile x { # here\n pattern {A} # names\n {1} # one\n}\n');
    expect(r.sets.map((s) => s.macros)).toEqual([{ A: '1' }]);
  });

  it('warns about too many pattern values and about the deprecated word before {', () => {
    const r = parse('file x {\npattern {A}\n{1, 2}\n}\nfile y { name {A=1} }');
    expect(r.errors).toEqual([]);
    expect(r.sets.map((s) => s.macros)).toEqual([{ A: '1' }, { A: '1' }]);
    expect(r.warnings.map(formatDbError)).toEqual([
      's.subs:3:5: too many values given (pattern has 1)',
      "s.subs:5:10: deprecated syntax: the word 'name' before '{' is extraneous and should be removed",
    ]);
  });

  it('errors with positions', () => {
    expect(parse('file x {\n {A=1\n').errors.map(formatDbError)).toEqual([
      "s.subs:3:1: syntax error: expected a macro name, ',' or '}', found end of file",
    ]);
    expect(parse('\n\npattern {A}').errors.map(formatDbError)).toEqual([
      "s.subs:3:1: syntax error: expected 'file' or 'global', found 'pattern'",
    ]);
    expect(parse('file x {\n {A 1}\n}').errors.map(formatDbError)).toEqual([
      "s.subs:2:5: syntax error: expected '=' after 'A', found '1'",
    ]);
    expect(parse('file x {\n {A="open}\n}').errors.map(formatDbError)).toEqual([
      's.subs:2:5: Newline in string, closing quote missing',
    ]);
    expect(parse('file x { {A=(}}').errors.map(formatDbError)).toEqual(["s.subs:1:13: invalid character '('"]);
    expect(parse('file { {A=1} }').errors.map(formatDbError)).toEqual([
      "s.subs:1:6: syntax error: expected a template file name, found '{'",
    ]);
  });
});
