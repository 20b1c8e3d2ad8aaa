// analyzeRun on hand-made traces: what validate says about a move, without a twin.
import { describe, expect, it } from 'vitest';
import { analyzeRun } from '../../../cli/validate/analyze.js';
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
