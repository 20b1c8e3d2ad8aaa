// analyzeRun on hand-made traces: what validate says about a move, without a twin.
import { describe, expect, it } from 'vitest';
import { analyzeRun } from '../../../harness/validate/analyze.js';
import type { Profile } from '../../../devices/profile/profile.js';
import type { TraceEvent } from '../../../recorder/event.js';

const X = 'XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr';
const profile: Profile = { name: 't', devices: [{ kind: 'motor', name: 'smx', pv: X }] };
let seq = 0;
const ev = (kind: TraceEvent['kind'], channel: string, timestamp: number, value: number): TraceEvent => ({ seq: ++seq, kind, channel, timestamp, epics: [0, 0], value });

describe('validate: motor moves', () => {
  it('a move lasts from the setpoint write to the last readback, not from an earlier write of another field', () => {
    const events = [
      ev('put', `${X}.VELO`, 100, 2), // speed set 10 s before the move: not part of it
      ev('put', X, 110, 1),
      ev('update', `${X}.RBV`, 110.3, 0.5),
      ev('update', `${X}.RBV`, 110.6, 1),
    ];
    const r = analyzeRun({ command: ['x'], events, profile, before: { [`${X}.RBV`]: 0 }, after: { [`${X}.RBV`]: 1 }, exitCode: 0, timedOut: false, catchAllHits: [] });
    expect(r.moves).toHaveLength(1);
    expect(r.moves[0]!.setpoints).toEqual([1]);
    expect(r.moves[0]!.seconds).toBeCloseTo(0.6, 9);
  });
});

describe('validate: moves by other commands and exposures', () => {
  it('a tweak is a move that starts at the tweak', () => {
    const events = [ev('put', `${X}.TWV`, 100, 0.5), ev('put', `${X}.TWF`, 105, 1), ev('update', `${X}.RBV`, 105.4, 0.5)];
    const r = analyzeRun({ command: ['x'], events, profile, before: { [`${X}.RBV`]: 0 }, after: { [`${X}.RBV`]: 0.5 }, exitCode: 0, timedOut: false, catchAllHits: [] });
    expect(r.moves[0]!.seconds).toBeCloseTo(0.4, 9);
  });

  it('counts every image of a Multiple acquisition, each with its exposure time', () => {
    const cam = 'D{1}:cam1:';
    const det: Profile = { name: 't', devices: [{ kind: 'areaDetector', name: 'det', prefix: 'D{1}' }] };
    const events = [
      ev('update', `${cam}AcquireTime`, 100, 0.5),
      ev('update', `${cam}Acquire`, 101, 1),
      ev('update', `${cam}ArrayCounter_RBV`, 101.5, 8),
      ev('update', `${cam}ArrayCounter_RBV`, 102, 9),
      ev('update', `${cam}ArrayCounter_RBV`, 102.5, 10),
      ev('update', `${cam}Acquire`, 102.5, 0),
    ];
    const r = analyzeRun({ command: ['x'], events, profile: det, before: { [`${cam}AcquireTime`]: 0.1, [`${cam}ArrayCounter_RBV`]: 7 }, after: {}, exitCode: 0, timedOut: false, catchAllHits: [] });
    expect(r.exposures[0]).toMatchObject({ count: 1, images: 3, totalSeconds: 1.5 });
  });
});
