import { describe, expect, it } from 'vitest';
import { expandMacros, macroValue, parseMacroList, rawFromQuoted } from '../../../ioc/dbfile/index.js';

const M = { P: 'BL13:', R: 'cam1:', N: '1', ch1: 'first', Q: '"a b"', E: 'x\\"y', S: "'$(P)'" };
const exp = (t: string, m: Record<string, string> = M) => expandMacros(t, m, { file: 't.db' });

describe('expandMacros: macLib semantics', () => {
  it('expands $(M) and ${M}', () => {
    expect(exp('$(P)$(R)Acquire').text).toBe('BL13:cam1:Acquire');
    expect(exp('${P}x${R}').text).toBe('BL13:xcam1:');
  });

  it('leaves text without references unchanged (same string)', () => {
    const t = 'record(ai, "x") { field(VAL, 1) }\n';
    expect(exp(t).text).toBe(t);
    expect(exp('cost: $ 5 and $x').text).toBe('cost: $ 5 and $x');
  });

  it('uses $(M=default) only when M is undefined; defaults are expanded', () => {
    expect(exp('$(U=dflt)').text).toBe('dflt');
    expect(exp('$(P=dflt)').text).toBe('BL13:');
    expect(exp('$(U=$(P)x)').text).toBe('BL13:x');
    expect(exp('$(U=)').text).toBe('');
    expect(exp('${U=a}').text).toBe('a');
  });

  it('expands nested references in names', () => {
    expect(exp('$(ch$(N))').text).toBe('first');
    expect(exp('$(ch$(U=1))').text).toBe('first');
  });

  it('expands references inside macro values', () => {
    expect(exp('$(A)', { A: '$(B)-$(B)', B: 'b' }).text).toBe('b-b');
  });

  it('removes quotes and escapes from macro values (level 1), keeps them in the text (level 0)', () => {
    expect(exp('$(Q)').text).toBe('a b');
    expect(exp('$(E)').text).toBe('x"y');
    expect(exp('"$(P)"').text).toBe('"BL13:"');
  });

  it('does not expand an escaped reference and keeps the backslash (the .db lexer removes it)', () => {
    expect(exp('\\$(P)').text).toBe('\\$(P)');
    expect(exp('a\\\\$(P)').text).toBe('a\\\\BL13:');
  });

  it('does not expand inside single quotes, until the end of the line', () => {
    expect(exp("'$(P)' $(P)").text).toBe("'$(P)' BL13:");
    expect(exp("it's $(P)\n$(P)").text).toBe("it's $(P)\nBL13:");
    // a single quote inside double quotes does not count
    expect(exp('"it\'s $(P)"').text).toBe('"it\'s BL13:"');
    // inside a value the single quotes protect, then are removed
    expect(exp('$(S)').text).toBe('$(P)');
  });

  it('supports scoped definitions $(M,X=v)', () => {
    expect(exp('$(A,X=7)', { A: 'x$(X)' }).text).toBe('x7');
    expect(exp('$(U,U=5)').text).toBe('5');
  });

  it('reports an undefined macro with its line and column and writes $(M,undefined)', () => {
    const r = exp('record(ai, "$(P)a")\n  field(DESC, "$(NOPE)")\n');
    expect(r.text).toBe('record(ai, "BL13:a")\n  field(DESC, "$(NOPE,undefined)")\n');
    expect(r.errors).toEqual([
      { file: 't.db', line: 2, col: 16, macro: 'NOPE', kind: 'undefined', msg: "macro 'NOPE' is undefined" },
    ]);
  });

  it('names the macro whose value refers to an undefined one', () => {
    const r = exp('\n\n$(A)', { A: 'x$(B)' });
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ line: 3, col: 1, macro: 'B', msg: "macro 'B' is undefined (expanding macro 'A')" });
  });

  it('treats $(M,undefined) in input as a reference to M', () => {
    expect(exp('$(P,undefined)').text).toBe('BL13:');
    expect(exp('$(U,undefined)').errors[0]!.macro).toBe('U');
  });

  it('detects recursion and writes $(M,recursive)', () => {
    const r = exp('$(A)', { A: '$(B)', B: 'x$(A)' });
    expect(r.text).toBe('x$(A,recursive)');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ kind: 'recursive', macro: 'A', msg: "macro 'A' is recursive (A → B → A)" });
    expect(exp('$(S)', { S: '$(S)' }).errors[0]!.kind).toBe('recursive');
  });

  it('does not report undefined macros that sit in a default that is not used', () => {
    expect(exp('$(P=$(NOPE))').errors).toEqual([]);
  });

  it('reports an unterminated reference', () => {
    const r = exp('a\nfield(VAL, $(P\n)');
    expect(r.errors[0]).toMatchObject({ line: 2, col: 12, kind: 'unterminated' });
    // a quote inside a reference is dropped, the reference is still closed by ')' (as macLib)
    expect(exp('$(P")').text).toBe('BL13:');
  });

  it('reports each use, on its own line', () => {
    const r = exp('$(X)\n$(X)\n\n$(Y)');
    expect(r.errors.map((e) => [e.macro, e.line])).toEqual([
      ['X', 1],
      ['X', 2],
      ['Y', 4],
    ]);
  });

  it('macroValue gives the expanded value of one macro', () => {
    expect(macroValue('Q', M).text).toBe('a b');
    expect(macroValue('A', { A: '$(P)1', P: 'p' }).text).toBe('p1');
  });
});

describe('parseMacroList: macParseDefns semantics', () => {
  it('parses P=a,R=b with white space around names and values', () => {
    expect(parseMacroList('P=a,R=b').macros).toEqual({ P: 'a', R: 'b' });
    expect(parseMacroList('  P = a , R= b c ,').macros).toEqual({ P: 'a', R: 'b c' });
  });

  it('keeps quotes and escapes in values (removed on expansion), removes them from names', () => {
    const { macros } = parseMacroList('"Q"="x,y",E=a\\,b,F=\'s p\'');
    expect(macros).toEqual({ Q: '"x,y"', E: 'a\\,b', F: "'s p'" });
    expect(expandMacros('$(Q)|$(E)|$(F)', macros).text).toBe('x,y|a,b|s p');
  });

  it('empty values and names without "=" (undefine)', () => {
    const r = parseMacroList('A=,B,C=1');
    expect(r.macros).toEqual({ A: '', C: '1' });
    expect(r.undefine).toEqual(['B']);
    expect(parseMacroList('A=').macros).toEqual({ A: '' });
    expect(parseMacroList('').macros).toEqual({});
  });

  it('a later definition wins', () => {
    expect(parseMacroList('P=a,P=b').macros).toEqual({ P: 'b' });
  });

  it('values may hold references to other macros', () => {
    const { macros } = parseMacroList('P=BL,R=$(P):cam');
    expect(expandMacros('$(R)', macros).text).toBe('BL:cam');
  });

  it('rawFromQuoted wraps a quoted substitution value as dbLoadTemplate does', () => {
    const cases: [string, string][] = [
      ['plain', 'plain'],
      ['a b', 'a b'],
      ["it's", "it's"],
      ['\\"cc\\"', '"cc"'],
      ['$(P)x', 'BL13:x'],
      ['say "hi"', 'say hi'], // an unescaped " inside '…' ends the quoting, as in EPICS
    ];
    for (const [inner, value] of cases) expect(expandMacros('$(V)', { ...M, V: rawFromQuoted(inner) }).text).toBe(value);
  });
});
