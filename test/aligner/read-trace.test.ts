import { describe, expect, it } from 'vitest';
import { parseTrace, TraceFormatError } from '../../aligner/io/read-trace.js';

describe('trace readers', () => {
  it('reads EnvTrace JSON, keeping float literals apart from ints', () => {
    const t = parseTrace('{"schema_version":"1","events":[{"channel":"a","timestamp":"1.5","value":1.0,"meta":{"MRES":0.01}},{"channel":5,"timestamp":2,"value":1}]}');
    expect(t.format).toBe('envtrace');
    expect(t.events[0]).toEqual({ channel: 'a', timestamp: 1.5, value: 1, meta: { MRES: 0.01 }, pyFloat: true });
    expect(t.events[1]).toEqual({ channel: '5', timestamp: 2, value: 1 }); // str(5)
  });

  it('reads a bare list of events and a missing value as None', () => {
    const t = parseTrace('[{"channel":"a","timestamp":0}]');
    expect(t.events).toEqual([{ channel: 'a', timestamp: 0, value: null }]);
  });

  it('reads VISION [pv, timestamp, value] triples', () => {
    const t = parseTrace('[["sam.align", 10.5, 0], ["m", 11, "x"]]');
    expect(t.format).toBe('vision');
    expect(t.events.map((e) => [e.channel, e.timestamp, e.value])).toEqual([
      ['sam.align', 10.5, 0],
      ['m', 11, 'x'],
    ]);
  });

  it('reads JSON Lines with a header, kind and meta, and drops a truncated last line', () => {
    const text = [
      '{"format":"beamtwin-trace","version":1}',
      '{"channel":"T","timestamp":1,"value":20.5,"kind":"continuous"}',
      '{"channel":"m","timestamp":2,"value":3,"meta":{"MRES":0.01}}',
      '{"channel":"m","timest',
    ].join('\n');
    const t = parseTrace(text, 'run.jsonl');
    expect(t.format).toBe('jsonl');
    expect(t.events).toEqual([
      { channel: 'T', timestamp: 1, value: 20.5, kind: 'continuous' },
      { channel: 'm', timestamp: 2, value: 3, meta: { MRES: 0.01 } },
    ]);
    expect(t.warnings).toEqual(['run.jsonl: line 4 is truncated and was skipped']);
  });

  it('keeps monitor updates and markers of a recorder trace, not puts, completions or link events', () => {
    const text = [
      '{"format":"beamtwin-trace","version":1,"producer":"beamtwin","clock":"virtual","start":0,"source":"in-process"}',
      '{"seq":1,"kind":"put","channel":"m","timestamp":1,"epics":[0,0],"value":2.0,"float":true}',
      '{"seq":2,"kind":"update","channel":"m","timestamp":1.5,"epics":[0,0],"value":2.0,"float":true}',
      '{"seq":3,"kind":"put-complete","channel":"m","timestamp":2,"epics":[0,0]}',
      '{"seq":4,"kind":"marker","channel":"sam.align","timestamp":3,"epics":[0,0],"value":0}',
      '{"seq":5,"kind":"disconnect","channel":"m","timestamp":4,"epics":[0,0]}',
    ].join('\n');
    const t = parseTrace(text);
    expect(t.events.map((e) => [e.channel, e.timestamp, e.value, e.pyFloat ?? false])).toEqual([
      ['m', 1.5, 2, true],
      ['sam.align', 3, 0, false],
    ]);
    expect(t.skipped).toBe(3);
  });

  it('refuses a broken line in the middle of a JSON Lines trace', () => {
    const text = '{"format":"beamtwin-trace"}\n{"channel":"m",\n{"channel":"m","timestamp":2,"value":3}\n';
    expect(() => parseTrace(text)).toThrow(TraceFormatError);
  });

  it('refuses an object without events and a non-numeric timestamp', () => {
    expect(() => parseTrace('{"x":1}')).toThrow(/unrecognized/);
    expect(() => parseTrace('[{"channel":"a","timestamp":"soon","value":1}]')).toThrow(/timestamp/);
  });

  it("reads Python's NaN and Infinity literals", () => {
    const t = parseTrace('[{"channel":"a","timestamp":0,"value":NaN},{"channel":"a","timestamp":1,"value":-Infinity}]');
    expect(t.events[0]!.value).toBeNaN();
    expect(t.events[1]!.value).toBe(-Infinity);
  });
});
