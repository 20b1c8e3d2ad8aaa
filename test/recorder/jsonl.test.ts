import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseTrace } from '../../aligner/io/read-trace.js';
import { EPICS_EPOCH_OFFSET } from '../../ioc/ca/protocol/constants.js';
import type { TraceEvent, TraceHeader } from '../../recorder/event.js';
import { eventLine, JsonlTraceWriter, MemorySink, TeeSink, timestampText } from '../../recorder/jsonl.js';
import { parseJsonLines, readJsonLines } from '../../aligner/io/read-trace.js';

const header: TraceHeader = { format: 'beamtwin-trace', version: 1, producer: 'test', profile: 'mini', clock: 'virtual', start: 1767268800, channels: ['a*'], source: 'in-process' };

const dirs: string[] = [];
function tmpFile(name = 't.jsonl'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-jsonl-'));
  dirs.push(dir);
  return path.join(dir, name);
}
afterEach(() => {
  vi.useRealTimers();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function at(seq: number, ms: number): Pick<TraceEvent, 'seq' | 'timestamp' | 'epics'> {
  const sec = Math.floor(ms / 1000);
  const nsec = Math.round((ms - sec * 1000) * 1e6);
  return { seq, timestamp: sec + nsec / 1e9, epics: [sec - EPICS_EPOCH_OFFSET, nsec] };
}

const T0 = Date.UTC(2026, 0, 1, 12);
/** One event of every kind and value shape, the awkward ones included. */
const sample: TraceEvent[] = [
  { ...at(1, T0), kind: 'put', channel: 'a:{Dev}:SP', value: 2, float: true, host: 'ws1', user: 'alice', cid: 7, notify: true, origin: 'ca' },
  { ...at(2, T0 + 0.5), kind: 'update', channel: 'a:{Dev}:SP', value: 2, float: true, mask: 3, status: 0, severity: 0 },
  { ...at(3, T0 + 1), kind: 'put-complete', channel: 'a:{Dev}:SP', eca: 1, durationMs: 0.25, origin: 'ca' },
  { ...at(4, T0 + 2), kind: 'update', channel: 'a:nan', value: Number.NaN, float: true, mask: 7, status: 17, severity: 3 },
  { ...at(5, T0 + 3), kind: 'update', channel: 'a:inf', value: Number.POSITIVE_INFINITY, float: true, mask: 1 },
  { ...at(6, T0 + 4), kind: 'update', channel: 'a:-inf', value: [1, Number.NEGATIVE_INFINITY, Number.NaN, 2.5], float: true, mask: 1 },
  { ...at(7, T0 + 5), kind: 'update', channel: 'a:str', value: 'NaN', mask: 1 }, // a string that looks like a number
  { ...at(8, T0 + 6), kind: 'update', channel: 'a:"quoted"\\ \u00e9 ✓', value: 'line\nbreak "Infinity" \u0000', mask: 1 },
  { ...at(9, T0 + 7), kind: 'update', channel: 'a:strings', value: ['x', 'NaN', ''], mask: 1 },
  { ...at(10, T0 + 8), kind: 'update', channel: 'a:big', value: null, length: 1048576, float: true, mask: 1 },
  { ...at(11, T0 + 9), kind: 'marker', channel: 'sam.align', value: 0 },
  { ...at(12, T0 + 10), kind: 'catch-all', channel: 'a:{X}:FileName', value: '' },
  { ...at(13, T0 + 11), kind: 'put-complete', channel: 'a:bad', eca: 160, durationMs: 0, message: 'out of range' },
  { seq: 14, timestamp: 1767268800.125, epics: [1136116800, 125000000], kind: 'disconnect', channel: 'a:gone', message: 'NaN' },
  { ...at(15, T0 + 12), kind: 'update', channel: 'a:big-float', value: 1e21, float: true, mask: 1 },
];

/** JSON round trip loses nothing but NaN identity: compare with NaN-aware equality. */
const same = (a: unknown, b: unknown) => expect(a).toEqual(b); // toEqual treats NaN as equal to NaN

describe('JSON Lines writer and reader', () => {
  it('round-trips every kind of event, NaN and ±Infinity as numbers, look-alike strings as strings', () => {
    const file = tmpFile();
    const w = new JsonlTraceWriter(file, header);
    for (const e of sample) w.write(e);
    w.close();
    const r = readJsonLines(file);
    expect(r.truncated).toBe(false);
    expect(r.header).toEqual(header);
    same(r.events, sample);
    expect(w.count).toBe(sample.length);
    expect(typeof r.events[6]!.value).toBe('string');
    expect(r.events[13]!.message).toBe('NaN');
  });

  it('writes NaN/Infinity as Python json does, so the aligner reads them as floats', () => {
    const text = sample.slice(3, 6).map(eventLine).join('');
    expect(text).toContain('"value":NaN,');
    expect(text).toContain('"value":Infinity,');
    expect(text).toContain('"value":[1.0,-Infinity,NaN,2.5]');
    const t = parseTrace(JSON.stringify(header) + '\n' + text, 'x.jsonl');
    expect(t.events[0]!.value).toBeNaN();
    expect(t.events[1]!.value).toBe(Number.POSITIVE_INFINITY);
    expect(t.events[2]!.value).toEqual([1, Number.NEGATIVE_INFINITY, Number.NaN, 2.5]);
  });

  it('writes float values with a decimal point, except where JS prints an exponent', () => {
    expect(eventLine(sample[1]!)).toContain('"value":2.0,"float":true');
    expect(eventLine(sample[14]!)).toContain('"value":1e+21,');
  });

  it('writes the time stamp as the exact decimal of the EPICS stamp, which reads back as the same double', () => {
    const e = { timestamp: 1767268800 + 1953125 / 1e9, epics: [1767268800 - EPICS_EPOCH_OFFSET, 1953125] as const };
    expect(timestampText(e)).toBe('1767268800.001953125');
    expect(timestampText({ timestamp: 1767268800, epics: [1767268800 - EPICS_EPOCH_OFFSET, 0] })).toBe('1767268800');
    expect(timestampText({ timestamp: 1767268800.5, epics: [1767268800 - EPICS_EPOCH_OFFSET, 500000000] })).toBe('1767268800.5');
    // A stamp that does not match its epics pair is printed as the double it is.
    expect(timestampText({ timestamp: 12.25, epics: [0, 0] })).toBe('12.25');
    // Property: for any nanosecond, the text parses back to sec + nsec / 1e9 exactly.
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 20000; i++) {
      const sec = Math.floor(rand() * (2 ** 31 - EPICS_EPOCH_OFFSET));
      const nsec = i < 1000 ? i * 1953125 % 1e9 : Math.floor(rand() * 1e9);
      const ts = sec + EPICS_EPOCH_OFFSET + nsec / 1e9;
      const text = timestampText({ timestamp: ts, epics: [sec, nsec] });
      if (Number(text) !== ts) expect.fail(`${sec} ${nsec}: ${text} reads as ${Number(text)}, not ${ts}`);
    }
  });

  it('a killed recorder leaves a readable file: the cut last line is reported as truncated, the rest kept', () => {
    const file = tmpFile();
    const w = new JsonlTraceWriter(file, header);
    for (const e of sample) w.write(e);
    w.close();
    const full = fs.readFileSync(file);
    // Cut inside the last line, at every offset of it: always the same result.
    const lastStart = full.lastIndexOf('\n', full.length - 2) + 1;
    for (let cut = lastStart + 1; cut < full.length - 1; cut++) {
      fs.writeFileSync(file, full.subarray(0, cut));
      const r = readJsonLines(file);
      expect(r.truncated, `cut at ${cut}`).toBe(true);
      same(r.events, sample.slice(0, -1));
    }
    // The scoring reader agrees.
    fs.writeFileSync(file, full.subarray(0, lastStart + 20));
    const t = parseTrace(fs.readFileSync(file, 'utf8'), 'cut.jsonl');
    expect(t.warnings).toEqual([expect.stringMatching(/line 16 is truncated/)]);
  });

  it('a file cut exactly at a line end is complete, not truncated', () => {
    const text = JSON.stringify(header) + '\n' + sample.slice(0, 3).map(eventLine).join('');
    const r = parseJsonLines(text);
    expect(r.truncated).toBe(false);
    expect(r.events).toHaveLength(3);
  });

  it('damage before the last line is an error naming the file and line', () => {
    const lines = [JSON.stringify(header), ...sample.slice(0, 4).map((e) => eventLine(e).trimEnd())];
    lines[2] = lines[2]!.slice(0, 30);
    expect(() => parseJsonLines(lines.join('\n') + '\n', 'run.jsonl')).toThrow(/^run\.jsonl line 3: /);
    lines[2] = '[1, 2]';
    expect(() => parseJsonLines(lines.join('\n') + '\n', 'run.jsonl')).toThrow('run.jsonl line 3: expected an event object');
  });

  it('reads a file without a header line (events only)', () => {
    const r = parseJsonLines(sample.slice(0, 2).map(eventLine).join(''));
    expect(r.header).toBeUndefined();
    expect(r.events).toHaveLength(2);
  });
});

describe('JsonlTraceWriter blocks', () => {
  const onDisk = (file: string) => parseJsonLines(fs.readFileSync(file, 'utf8'));

  it('holds events in memory until a block fills, then everything up to that point is on disk', () => {
    const file = tmpFile();
    const line = eventLine(sample[1]!).length;
    const w = new JsonlTraceWriter(file, header, { blockBytes: line * 10, flushMs: 60_000 });
    for (let i = 1; i <= 9; i++) w.write({ ...sample[1]!, seq: i });
    expect(onDisk(file).events).toHaveLength(0); // header only: the block is not full
    w.write({ ...sample[1]!, seq: 10 });
    expect(onDisk(file).events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    w.write({ ...sample[1]!, seq: 11 });
    expect(onDisk(file).events).toHaveLength(10); // a crash now would lose only event 11
    w.flush();
    const r = onDisk(file);
    expect(r.events).toHaveLength(11);
    expect(r.truncated).toBe(false);
    w.close();
  });

  it('flushes a partial block flushMs after its first event', () => {
    vi.useFakeTimers();
    const file = tmpFile();
    const w = new JsonlTraceWriter(file, header, { flushMs: 200 });
    w.write(sample[0]!);
    vi.advanceTimersByTime(150);
    w.write(sample[1]!);
    expect(onDisk(file).events).toHaveLength(0);
    vi.advanceTimersByTime(50);
    expect(onDisk(file).events).toHaveLength(2);
    w.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('writes a line larger than a block, and non-ASCII text, intact', () => {
    const file = tmpFile();
    const w = new JsonlTraceWriter(file, header, { blockBytes: 64 });
    const long = Array.from({ length: 100_000 }, (_, i) => i + 0.5);
    w.write({ ...sample[1]!, seq: 1, value: long });
    w.write({ ...sample[7]!, seq: 2 });
    w.write({ ...sample[1]!, seq: 3, value: 'é'.repeat(40_000) });
    w.close();
    const r = onDisk(file);
    expect(r.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(r.events[0]!.value).toEqual(long);
    expect(r.events[1]!.channel).toBe(sample[7]!.channel);
    expect(r.events[2]!.value).toBe('é'.repeat(40_000));
  });

  it('ignores writes after close; TeeSink fans out to every sink', () => {
    const file = tmpFile();
    const w = new JsonlTraceWriter(file, header);
    const m = new MemorySink();
    const tee = new TeeSink([w, m]);
    tee.write(sample[0]!);
    tee.close();
    tee.write(sample[1]!);
    expect(onDisk(file).events).toHaveLength(1);
    expect(m.events).toHaveLength(2);
  });
});
