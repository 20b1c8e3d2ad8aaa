// postfix() error codes (postfix.h CALC_ERR_*) and calcErrorStr() texts, with positions.
import { describe, expect, it } from 'vitest';
import { calcErrorStr, CalcError, compile, evaluate } from '../../../../ioc/records/calc/index.js';
import { args, evalBoth } from './helpers.js';

function err(expr: string): { code: number; error: string; position: number } {
  const r = compile(expr);
  if (r.ok) throw new Error(`'${expr}' compiled`);
  return { code: r.code, error: r.error, position: r.position };
}

describe('compile errors', () => {
  it.each([
    // [expression, code, position]
    ['', CalcError.NULL_ARG, 0],
    ['   ', CalcError.INCOMPLETE, 3], // whitespace only: no element, operand still needed
    ['1;2;', CalcError.TOOMANY, 3],
    ['1;2', CalcError.INCOMPLETE, 3], // two results, caught only at the end
    ['(1,2)', CalcError.INCOMPLETE, 5],
    ['(1,2);', CalcError.TOOMANY, 5],
    ['.', CalcError.BAD_LITERAL, 0],
    ['A + 0x1FFFFFFFF', CalcError.BAD_LITERAL, 4],
    ['1e400', CalcError.BAD_LITERAL, 0],
    ['1:=2', CalcError.BAD_ASSIGNMENT, 1],
    ['VAL := 3', CalcError.BAD_ASSIGNMENT, 4],
    ['A+B:=1', CalcError.BAD_ASSIGNMENT, 3],
    ['1,2', CalcError.BAD_SEPERATOR, 1],
    ['A+1,2', CalcError.BAD_SEPERATOR, 3],
    ['1)', CalcError.PAREN_NOT_OPEN, 1],
    ['(1))', CalcError.PAREN_NOT_OPEN, 3],
    ['A+B)', CalcError.PAREN_NOT_OPEN, 3],
    ['(1', CalcError.PAREN_OPEN, 0],
    ['2*(3+(4', CalcError.PAREN_OPEN, 5],
    ['(1;2', CalcError.PAREN_OPEN, 0],
    ['1?2', CalcError.CONDITIONAL, 1],
    ['1?2;3', CalcError.CONDITIONAL, 1],
    ['A?B?C:D', CalcError.CONDITIONAL, 1],
    ['1:2', CalcError.CONDITIONAL, 1],
    ['1?2:3:4', CalcError.CONDITIONAL, 5],
    ['1+', CalcError.INCOMPLETE, 2],
    ['MAX', CalcError.INCOMPLETE, 3],
    ['SIN', CalcError.INCOMPLETE, 3],
    ['ATAN2(1)', CalcError.INCOMPLETE, 8],
    ['A:=1', CalcError.INCOMPLETE, 4], // no result expression
    ['A:=1;', CalcError.INCOMPLETE, 5],
    ['ATAN2 ATAN2 1 + 1', CalcError.UNDERFLOW, 14],
    ['*1', CalcError.SYNTAX, 0],
    ['A B', CalcError.SYNTAX, 2],
    ['A+$', CalcError.SYNTAX, 2],
    ['FOO(1)', CalcError.SYNTAX, 1], // 'F' is an input name; 'O' is not an operator
    ['MIN()', CalcError.SYNTAX, 4],
    ['MAX(1,)', CalcError.SYNTAX, 6],
    ['2(3)', CalcError.SYNTAX, 1],
    ['1!', CalcError.SYNTAX, 1],
    ['A < = B', CalcError.SYNTAX, 4],
    ['1e', CalcError.SYNTAX, 1],
    ['M', CalcError.SYNTAX, 0],
    ['INPA', CalcError.SYNTAX, 1],
  ] as const)('%j -> code %i at %i', (expr, code, position) => {
    const e = err(expr);
    expect(e).toEqual({ code, error: calcErrorStr(code), position });
  });

  it('runtime stack overflow is detected at compile time', () => {
    const deep = Array.from({ length: 80 }, () => '1').join(',');
    expect(err(`MAX(${deep})`).code).toBe(CalcError.OVERFLOW);
    const ok = Array.from({ length: 79 }, () => '1').join(',');
    expect(compile(`MAX(${ok})`).ok).toBe(true);
    expect(evalBoth(`MAX(${ok})`)).toMatchObject({ ok: true, value: 1 });
  });

  it('has the EPICS calcErrorStr texts', () => {
    expect(calcErrorStr(0)).toBe('No error');
    expect(calcErrorStr(CalcError.TOOMANY)).toBe('Too many results returned');
    expect(calcErrorStr(CalcError.BAD_LITERAL)).toBe('Badly formed numeric literal');
    expect(calcErrorStr(CalcError.BAD_ASSIGNMENT)).toBe('Bad assignment target');
    expect(calcErrorStr(CalcError.BAD_SEPERATOR)).toBe('Comma without enclosing parentheses');
    expect(calcErrorStr(CalcError.PAREN_NOT_OPEN)).toBe('Close parenthesis found without open');
    expect(calcErrorStr(CalcError.PAREN_OPEN)).toBe('Parenthesis still open at end of expression');
    expect(calcErrorStr(CalcError.CONDITIONAL)).toBe('Unbalanced conditional ?: operators');
    expect(calcErrorStr(CalcError.INCOMPLETE)).toBe('Incomplete expression, operand missing');
    expect(calcErrorStr(CalcError.UNDERFLOW)).toBe('Not enough operands provided');
    expect(calcErrorStr(CalcError.OVERFLOW)).toBe('Runtime stack overflow');
    expect(calcErrorStr(CalcError.SYNTAX)).toBe('Syntax error, unknown operator/operand');
    expect(calcErrorStr(CalcError.NULL_ARG)).toBe('NULL or empty input argument to postfix()');
    expect(calcErrorStr(14)).toBeUndefined();
  });
});

describe('runtime errors (calcPerform returning -1)', () => {
  it('fails when a conditional leaves the stack unbalanced', () => {
    // compiles (postfix.c counts depth along one path), but the false branch
    // leaves MAX one operand short, so calcPerform finds a bad stack depth
    const r = compile('MAX(A?2,3:4)');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.program.compiled).toBe(false);
    expect(evaluate(r.program, args([1]))).toEqual({ ok: true, value: 3 });
    expect(evaluate(r.program, args([0]))).toEqual({ ok: false, error: 'calcPerform failed' });
    expect(evalBoth('MAX(A?2,3:4)', [0])).toEqual({ ok: false });
  });

  it('requires 12 arguments', () => {
    const r = compile('A');
    if (!r.ok) throw new Error();
    expect(() => evaluate(r.program, new Float64Array(3))).toThrow(RangeError);
  });
});
