// Issue 14: the twin's motor against the reference motorSim motor, operation by operation (the recording
// in test/fixtures/motorsim, replayed in virtual time): every field after each operation (exact, positions
// at PREC 5), the order of the DMOV/MOVN/MIP/LVIO/HLS/LLS transitions, and how long each operation took
// (within 10 %). The differences that remain are listed in KNOWN with their reasons (and in the motor's
// README); everything else must match.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duration, loadRecording, norm, OPS, Replay, tickPhase, transitions, type Event } from './motorsim-replay.js';

const rec = loadRecording();
const FIELDS = Object.keys(rec.operations[0]!.after);
const MRES = rec.operations[0]!.after['MRES'] as number;
const RAW = new Set(['RVAL', 'RRBV', 'RDIF']);

/** Remaining differences: operation index → what differs and why (the motor's README lists them too). */
const KNOWN: Record<number, { fields?: readonly string[]; close?: { fields: readonly string[]; within: number }; transitions?: true; duration?: true; why: string }> = {
  19: {
    close: { fields: ['VAL', 'RBV', 'DVAL', 'DRBV', 'RVAL', 'RRBV', 'DIFF', 'RDIF'], within: 0.5 },
    why:
      'motorSim advances its route by the measured time between poller wake-ups (0.1 s plus scheduling delay); at ' +
      '50 EGU/s that drift puts its ticks 0.36 EGU further along after 4 s than the twin’s exact 0.1 s steps, so the ' +
      'position where the switch is seen (VAL := RBV) and the overshoot differ by that much (in raw steps, 36)',
  },
  20: {
    fields: ['RBV', 'DRBV', 'RRBV', 'DMOV', 'MOVN', 'MIP', 'MSTA', 'DIFF', 'RDIF'],
    transitions: true,
    duration: true,
    why:
      'motorSim ran this move back at the previous move’s 50 EGU/s (and its acceleration), not at VELO 1: after ' +
      'the overshoot at the switch its route library kept the old route parameters. The twin moves at VELO as the ' +
      'record commands, so the 207 EGU take 207 s and the move is still under way when record.py gives up after 40 s',
  },
};

interface Result {
  events: Event[];
  after: Record<string, number | string>;
}
const results: Result[] = [];
let replay: Replay;

beforeAll(async () => {
  replay = new Replay();
  for (const [i, [, op]] of OPS.entries()) results.push(await replay.run(() => op(replay), FIELDS, tickPhase(rec.operations[i]!.events)));
}, 120_000);
afterAll(() => replay?.stop());

describe('the CMS sample-x motor replays the motorSim recording', () => {
  it('runs the recording’s operations', () => {
    expect(OPS.map(([name]) => name)).toEqual(rec.operations.map((o) => o.operation));
  });

  rec.operations.forEach((ref, i) => {
    const known = KNOWN[i];
    it(`#${i} ${ref.operation}: the same fields afterwards`, () => {
      const got = results[i]!.after;
      const diff: string[] = [];
      for (const f of FIELDS) {
        if (known?.fields?.includes(f)) continue;
        const a = norm(f, got[f]!);
        const b = norm(f, ref.after[f]!);
        // (a tolerance in EGU; raw fields count steps of MRES)
        const within = known?.close?.fields.includes(f) ? known.close.within / (RAW.has(f) ? MRES : 1) : 0;
        if (a !== b && !(typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= within)) diff.push(`${f}: twin ${a}, motorSim ${b}`);
      }
      expect(diff).toEqual([]);
    });

    it(`#${i} ${ref.operation}: DMOV/MOVN/MIP/LVIO/HLS/LLS change in the same order`, () => {
      if (known?.transitions) return;
      expect(transitions(results[i]!.events)).toEqual(transitions(ref.events));
    });

    it(`#${i} ${ref.operation}: takes as long (within 10 %)`, () => {
      const want = duration(ref.events);
      const got = duration(results[i]!.events);
      if (want === undefined || want < 0.05 || known?.duration) return;
      expect(got).toBeDefined();
      expect(Math.abs(got! - want)).toBeLessThanOrEqual(0.1 * want);
    });
  });

  it('finishes the move back from the hard limit (#20) at VELO, with no alarm', async () => {
    // Where record.py gave up (40 s): still on the way at 1 EGU/s from dial 200 to −7.
    expect(replay.get('DMOV')).toBe(0);
    const start = replay.clock.now();
    while (replay.get('DMOV') !== 1 && replay.clock.now() - start < 300_000) await replay.sleep(1);
    expect(replay.clock.now() - start).toBeLessThan(200_000);
    const after = Object.fromEntries(['VAL', 'RBV', 'DRBV', 'RRBV', 'MSTA', 'HLS', 'MOVN', 'MIP', 'STAT', 'SEVR'].map((f) => [f, norm(f, replay.get(f))]));
    expect(after).toEqual({ ...Object.fromEntries(Object.keys(after).map((f) => [f, rec.operations[20]!.after[f]])) });
  });
});
