// The line tracer's server side without Python: pairing announced lines with puts, merging a process's
// records into the PV events, reading the tracer's files, and the E.T. export forms.
import { describe, expect, it } from 'vitest';
import type { PutContext } from '../../ioc/db/pv.js';
import type { TraceEvent, TraceHeader } from '../../recorder/event.js';
import { etRecord } from '../../recorder/lines/et-export.js';
import { readLineRecords, type LineRecord } from '../../recorder/lines/line-records.js';
import { mergeLines, type PvItem } from '../../recorder/lines/merge.js';
import { parseAnnouncement, PutLines } from '../../recorder/lines/put-lines.js';

const ann = (line: number, step: number) => Buffer.from(`${JSON.stringify({ file: 'plan.py', line, function: 'f', via: 'stack', step, pid: 7 })}\0`);
const ca = (circuit: number, write: number): PutContext => ({ origin: 'ca', circuit, write });

describe('PutLines pairs an announced line with exactly the next write request of its circuit', () => {
  it('the put right after its announcement gets the line; the announcement pairs once', () => {
    const p = new PutLines();
    p.announce(ann(5, 11), ca(1, 1));
    expect(p.lineOf(ca(1, 2))).toEqual({ line: { file: 'plan.py', line: 5, function: 'f', via: 'stack', step: 11 }, pid: 7 });
    expect(p.lineOf(ca(1, 2))).toBeUndefined();
  });

  it('a put on another circuit, or one request later (its own put was refused), gets nothing', () => {
    const p = new PutLines();
    p.announce(ann(5, 11), ca(1, 1));
    expect(p.lineOf(ca(2, 2))).toBeUndefined();
    expect(p.lineOf(ca(1, 3))).toBeUndefined();
    expect(p.lineOf({ origin: 'internal' })).toBeUndefined();
  });

  it('a put-callback queued behind a busy channel still gets its own line when it reaches the database', () => {
    const p = new PutLines();
    p.announce(ann(5, 11), ca(1, 1)); // put #2 waits for the channel
    p.announce(ann(9, 20), ca(1, 3)); // put #4 runs first
    expect(p.lineOf(ca(1, 4))?.line.line).toBe(9);
    expect(p.lineOf(ca(1, 2))?.line.line).toBe(5);
  });

  it('writes to the line PV that are not announcements are ignored', () => {
    expect(parseAnnouncement('hello')).toBeUndefined();
    expect(parseAnnouncement(Buffer.from('{"via":"elsewhere"}\0'))).toBeUndefined();
    expect(parseAnnouncement('{"via":"none","pid":3}')).toEqual({ line: { via: 'none' }, pid: 3 });
  });
});

describe('mergeLines', () => {
  const rec = (step: number, ms: number, kind: TraceEvent['kind'] = 'line'): LineRecord => ({ pid: 7, step, ms, event: { kind, channel: `s${step}`, timestamp: ms / 1000, epics: [0, 0] } });
  const pv = (name: string, ms: number, putStep?: number) => ({ name, item: { ms, ...(putStep !== undefined ? { putPid: 7, putStep } : {}) } as PvItem });
  const merged = (pvs: ReturnType<typeof pv>[], recs: LineRecord[]) => {
    const out: string[] = [];
    mergeLines(pvs, (e) => e.item, [recs], (e) => out.push('name' in e ? e.name : e.event.channel));
    return out;
  };

  it('interleaves by time between anchors', () => {
    expect(merged([pv('u1', 15), pv('u2', 35)], [rec(1, 10), rec(2, 20), rec(3, 30), rec(4, 40)])).toEqual(['s1', 'u1', 's2', 's3', 'u2', 's4']);
  });

  it("a put follows its step's line and precedes the next, whatever the clocks say", () => {
    // The process's clock runs ahead: by time, steps 2 and 3 would come before the put of step 1.
    expect(merged([pv('put', 50, 1), pv('u', 60)], [rec(1, 10), rec(2, 20), rec(3, 30)])).toEqual(['s1', 'put', 's2', 's3', 'u']);
    // … or behind: step 2 is stamped after the update, the put of step 2 still pulls it forward.
    expect(merged([pv('u', 5), pv('put', 6, 2)], [rec(1, 10), rec(2, 20), rec(3, 30)])).toEqual(['u', 's1', 's2', 'put', 's3']);
  });

  it('records of a step (output printed by the line) stay with it', () => {
    expect(merged([pv('put', 50, 2)], [rec(1, 10), rec(2, 20), rec(2, 21, 'output'), rec(3, 30)])).toEqual(['s1', 's2', 's2', 'put', 's3']);
  });
});

describe('readLineRecords', () => {
  it('reads the tracer file: header, source, lines, output, limit, end; a cut last line ends it', () => {
    const text = [
      '{"pid": 7, "ppid": 1, "start": 100.0, "cwd": "/w", "python": "3.11.2", "maxSteps": 2, "maxRepr": 80}',
      '{"source": "p.py", "text": "x = 1\\n", "step": 0, "t": 100.5}',
      '{"s":1,"t":101.0,"f":"p.py","fn":"<module>","l":1,"d":0,"fr":1}',
      '{"s":2,"t":101.5,"f":"p.py","fn":"g","l":4,"d":1,"fr":2,"v":{"x":"1"},"cut":["x"],"th":2}',
      '{"out": "hi\\n", "step": 2, "t": 101.6}',
      '{"limit": "steps", "max": 2, "step": 2, "t": 101.7}',
      '{"end": 102.0, "steps": 2, "argv": ["p.py", "-v"], "truncatedValues": 1}',
      '{"s":3,"t":10',
    ].join('\n');
    const r = readLineRecords(text, (t) => t * 1000 + 5);
    expect(r.map((x) => x.event.kind)).toEqual(['source', 'line', 'line', 'output', 'line-limit', 'process']);
    expect(r.every((x) => x.pid === 7)).toBe(true);
    const second = r[2]!;
    expect(second.ms).toBe(101505);
    expect(second.event).toMatchObject({ channel: 'p.py', line: { file: 'p.py', line: 4, function: 'g' }, step: 2, depth: 1, frame: 2, locals: { x: '1' }, cut: ['x'], thread: 2, pid: 7 });
    expect(r[5]!.event.value).toEqual(['p.py', '-v']);
  });

  it('a process killed before its end record (a timeout) still ends, marked truncated, with its argv', () => {
    const text = ['{"pid": 9, "start": 100.0, "argv": ["hang.py"]}', '{"s":1,"t":101.0,"f":"hang.py","fn":"<module>","l":1,"d":0,"fr":1}'].join('\n');
    const r = readLineRecords(text, (t) => t * 1000);
    expect(r.map((x) => x.event.kind)).toEqual(['line', 'process']);
    expect(r[1]!.event).toMatchObject({ pid: 9, value: ['hang.py'], step: 1, truncated: true });
    expect(r[1]!.ms).toBe(101000);
  });
});

describe('etRecord', () => {
  const header: TraceHeader = { format: 'beamtwin-trace', version: 1, producer: 'test', clock: 'virtual', start: 0, source: 'in-process', command: ['python3', 'p.py'], initial: { M: 0 } };
  let seq = 0;
  const ev = (e: Partial<TraceEvent> & Pick<TraceEvent, 'kind'>): TraceEvent => ({ seq: ++seq, channel: 'p.py', timestamp: seq, epics: [seq, 0], pid: 7, ...e });
  const line = (n: number, step: number, frame: number, locals?: Record<string, string>) =>
    ev({ kind: 'line', line: { file: 'p.py', line: n, function: frame === 1 ? '<module>' : 'go' }, step, depth: frame - 1, frame, ...(locals ? { locals } : {}) });
  const events: TraceEvent[] = [
    ev({ kind: 'source', value: 'for i in range(2):\n    go(i)\n' }),
    line(1, 1, 1),
    line(2, 2, 1, { i: '0' }),
    line(5, 3, 2, { x: '0' }),
    ev({ kind: 'put', channel: 'M', value: 0, float: true, origin: 'ca', line: { file: 'p.py', line: 5, function: 'go', via: 'stack', step: 3 } }),
    ev({ kind: 'update', channel: 'M', value: 0.5, float: true }),
    line(1, 4, 1),
    line(2, 5, 1, { i: '1' }),
    line(5, 6, 2, { x: '1' }),
    ev({ kind: 'put', channel: 'M', value: 1, float: true, origin: 'ca', line: { file: 'p.py', line: 5, function: 'go', via: 'stack', step: 6 } }),
    ev({ kind: 'update', channel: 'M', value: 1, float: true }),
    ev({ kind: 'output', channel: 'stdout', value: 'done\n' }),
    ev({ kind: 'process', channel: 'p.py', value: ['p.py'] }),
  ];
  const record = (format: 'et-scratchpad' | 'et-compact' | 'et-dynamic', granularity: 'line' | 'put' = 'line') =>
    JSON.parse(etRecord(header, events, { format, granularity, id: 'p', channels: ['M'] })) as Record<string, any>;

  it('holds the code, inputs, output to predict and truncation', () => {
    const r = record('et-compact');
    expect(Object.keys(r)).toEqual(['id', 'format', 'granularity', 'code', 'entry', 'inputs', 'steps', 'output', 'truncated']);
    expect(r.code).toEqual({ 'p.py': 'for i in range(2):\n    go(i)\n' });
    expect(r.inputs).toEqual({ argv: ['p.py'], command: ['python3', 'p.py'], beamline: { M: 0 } });
    expect(r.output).toEqual({ beamline: { M: 1 }, stdout: 'done\n' });
    expect(r.truncated).toEqual({ steps: false, values: 0, stdout: false, code: false });
  });

  it('compact: what changed, and the puts each line issued', () => {
    const steps = record('et-compact').steps;
    expect(steps).toHaveLength(6);
    expect(steps[2]).toEqual({ file: 'p.py', line: 5, function: 'go', depth: 1, locals: { x: '0' }, puts: [{ pv: 'M', value: 0 }] });
    expect(steps[3]).toEqual({ file: 'p.py', line: 1, function: '<module>', depth: 0, beamline: { M: 0.5 } });
    expect(steps[4].locals).toEqual({ i: '1' });
  });

  it("scratchpad: the frame's whole locals and the whole beamline at every step", () => {
    const steps = record('et-scratchpad').steps;
    expect(steps[4]).toMatchObject({ line: 2, locals: { i: '1' }, beamline: { M: 0.5 } });
    expect(steps[5]).toMatchObject({ line: 5, locals: { x: '1' }, puts: [{ pv: 'M', value: 1 }] });
  });

  it('dynamic: one state rewritten; lines that change nothing fold into the next rewrite', () => {
    const steps = record('et-dynamic').steps;
    expect(steps.map((s: any) => s.lines)).toEqual([[['p.py', 1]], [['p.py', 2]], [['p.py', 5]], [['p.py', 1]], [['p.py', 2]], [['p.py', 5]]]);
    expect(steps[3].state).toEqual({ locals: { i: '0' }, beamline: { M: 0.5 } });
  });

  it('per put: one step per client write with its line', () => {
    const steps = record('et-compact', 'put').steps;
    expect(steps).toHaveLength(2);
    expect(steps[1]).toEqual({ line: { file: 'p.py', line: 5, function: 'go', via: 'stack', step: 6 }, pv: 'M', value: 1, locals: { x: '1' }, beamline: { M: 0.5 } });
  });

  it('is reproducible byte for byte', () => {
    const a = etRecord(header, events, { format: 'et-dynamic', granularity: 'line', id: 'p' });
    expect(etRecord(header, events, { format: 'et-dynamic', granularity: 'line', id: 'p' })).toBe(a);
  });
});
