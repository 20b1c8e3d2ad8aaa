// analyzeRun on hand-made traces: what validate says about moves, exposures, limits and alarms, without a twin.
import { describe, expect, it } from 'vitest';
import { analyzeRun } from '../../../harness/validate/analyze.js';
import { profileMeanings } from '../../../devices/profile/meanings.js';
import type { Profile } from '../../../devices/profile/profile.js';
import type { TraceEvent } from '../../../recorder/event.js';
import { AlarmStatus, Severity } from '../../../ioc/epics/alarm.js';

const X = 'XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr';
const profile: Profile = { name: 't', devices: [{ kind: 'motor', name: 'smx', pv: X }] };
let seq = 0;
const ev = (kind: TraceEvent['kind'], channel: string, timestamp: number, value: number, alarm?: { severity: number; status: number }): TraceEvent => ({
  seq: ++seq,
  kind,
  channel,
  timestamp,
  epics: [0, 0],
  value,
  ...(alarm ?? {}),
});
const analyze = (events: TraceEvent[], before: Record<string, unknown>, after: Record<string, unknown> = {}, p: Profile = profile, exitCode = 0) =>
  analyzeRun({ command: ['x'], events, devices: profileMeanings(p), before, after, exitCode, timedOut: false, catchAllHits: [], startTs: 100 });

describe('validate: motor moves', () => {
  it('a move lasts from the setpoint write to DMOV 1, not from an earlier write of another field', () => {
    const events = [
      ev('put', `${X}.VELO`, 100, 2), // speed set 10 s before the move: not part of it
      ev('put', X, 110, 1),
      ev('update', `${X}.DMOV`, 110, 0),
      ev('update', `${X}.RBV`, 110.3, 0.5),
      ev('update', `${X}.RBV`, 110.6, 1),
      ev('update', `${X}.DMOV`, 110.7, 1),
    ];
    const r = analyze(events, { [`${X}.RBV`]: 0 }, { [`${X}.RBV`]: 1 });
    expect(r.moves).toHaveLength(1);
    expect(r.moves[0]).toMatchObject({ motor: 'smx', pv: X, from: 0, to: 1, net: 1, path: 1, setpoints: [1], done: true, at: 10 });
    expect(r.moves[0]!.seconds).toBeCloseTo(0.7, 9);
  });

  it('a reversal: 0 → 5 → 2 in one move has net 2 and path 8', () => {
    const events = [
      ev('put', X, 101, 5),
      ev('update', `${X}.DMOV`, 101, 0),
      ev('update', `${X}.RBV`, 102, 2.5),
      ev('update', `${X}.RBV`, 103, 5),
      ev('put', X, 103, 2), // a new target before the first was reached: the motor turns round
      ev('update', `${X}.RBV`, 104, 3.5),
      ev('update', `${X}.RBV`, 105, 2),
      ev('update', `${X}.DMOV`, 105, 1),
    ];
    const r = analyze(events, { [`${X}.RBV`]: 0 }, { [`${X}.RBV`]: 2 });
    expect(r.moves).toHaveLength(1);
    expect(r.moves[0]).toMatchObject({ from: 0, to: 2, net: 2, path: 8, setpoints: [5, 2] });
  });

  it('a backlash approach travels past the target and back: net −1, path 3', () => {
    // BDST 1: a move down from 3 to 2 goes to 1 first, then up to 2.
    const events = [ev('put', X, 101, 2), ev('update', `${X}.RBV`, 101.5, 1.5), ev('update', `${X}.RBV`, 102, 1), ev('update', `${X}.RBV`, 102.5, 2), ev('update', `${X}.DMOV`, 102.6, 1)];
    const r = analyze(events, { [`${X}.RBV`]: 3 }, { [`${X}.RBV`]: 2 });
    expect(r.moves[0]).toMatchObject({ from: 3, to: 2, net: -1, path: 3 });
  });

  it('two moves are two entries, each with its own setpoint; a move the run ends in is not done', () => {
    const events = [
      ev('put', X, 101, 1),
      ev('update', `${X}.RBV`, 101.5, 1),
      ev('update', `${X}.DMOV`, 101.5, 1),
      ev('put', `${X}.TWR`, 102, 1), // a tweak is a move too
      ev('update', `${X}.RBV`, 102.5, 0.5),
    ];
    const r = analyze(events, { [`${X}.RBV`]: 0 }, { [`${X}.RBV`]: 0.25 });
    expect(r.moves.map((m) => [m.from, m.to, m.path, m.done])).toEqual([
      [0, 1, 1, true],
      [1, 0.25, 0.75, false],
    ]);
    expect(r.moves[1]!.setpoints).toEqual([]);
    expect(r.moves[1]!.seconds).toBeCloseTo(0.5, 9);
  });
});

describe('validate: exposures', () => {
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
    const r = analyze(events, { [`${cam}AcquireTime`]: 0.1, [`${cam}ArrayCounter_RBV`]: 7 }, {}, det);
    expect(r.exposures[0]).toMatchObject({ detector: 'det', count: 1, images: 3, totalSeconds: 1.5 });
  });
});

describe('validate: findings without noise', () => {
  const major = { severity: Severity.MAJOR, status: AlarmStatus.HIGH };
  const clear = { severity: 0, status: 0 };
  /** What the motor record posts when it runs into its high limit switch with HLSV MAJOR: every monitored field carries the alarm. */
  const hitHighLimit = (t: number) => [
    ...['RBV', 'VAL', 'OFF', 'LLS', 'LVIO', 'STOP', 'MOVN'].map((f) => ev('update', f === 'VAL' ? X : `${X}.${f}`, t, 0, major)),
    ev('update', `${X}.HLS`, t, 1, major),
    ev('update', `${X}.DMOV`, t, 1, major),
  ];

  it('a hard-limit hit is exactly one finding naming the motor, the limit and the alarm by name', () => {
    const events = [ev('put', X, 101, 300), ev('update', `${X}.DMOV`, 101, 0), ev('update', `${X}.RBV`, 101.5, 150), ...hitHighLimit(102)];
    const r = analyze(events, { [`${X}.RBV`]: 0 });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ kind: 'hard-limit', pv: X, device: 'smx', alarm: { severity: 'MAJOR', status: 'HIGH' }, breaks: true, at: 2 });
    expect(r.findings[0]!.message).toBe('smx: hit the high limit switch (HLS); MAJOR alarm (HIGH)');
    expect(r.ok).toBe(false);
  });

  it('a motor hitting its limit twice gives two findings; leaving the switch and the alarm in between ends the first', () => {
    const leave = (t: number) => [ev('update', `${X}.HLS`, t, 0, clear), ...['RBV', 'VAL', 'OFF', 'LLS', 'LVIO', 'STOP', 'MOVN', 'DMOV'].map((f) => ev('update', f === 'VAL' ? X : `${X}.${f}`, t, 0, clear))];
    const r = analyze([...hitHighLimit(102), ...leave(103), ...hitHighLimit(104)], { [`${X}.RBV`]: 0 });
    expect(r.findings.map((f) => [f.kind, f.at, f.alarm?.severity])).toEqual([
      ['hard-limit', 2, 'MAJOR'],
      ['hard-limit', 4, 'MAJOR'],
    ]);
  });

  it('an alarm with no limit hit is one finding per device, its severity and status by name', () => {
    const stalled = { severity: Severity.MAJOR, status: AlarmStatus.STATE };
    const events = [ev('update', `${X}.RBV`, 101, 1, stalled), ev('update', X, 101, 1, stalled), ev('update', `${X}.DMOV`, 101, 1, stalled), ev('update', 'OTHER:rec.VAL', 102, 3, { severity: Severity.MINOR, status: AlarmStatus.HIHI }), ev('update', 'OTHER:rec', 102, 3, { severity: Severity.MINOR, status: AlarmStatus.HIHI })];
    const r = analyze(events, { [`${X}.RBV`]: 1 });
    expect(r.findings).toEqual([
      { kind: 'alarm', pv: X, device: 'smx', alarm: { severity: 'MAJOR', status: 'STATE' }, message: `smx: ${X}.RBV went into MAJOR alarm (STATE)`, at: 1, breaks: false },
      { kind: 'alarm', pv: 'OTHER:rec', alarm: { severity: 'MINOR', status: 'HIHI' }, message: 'OTHER:rec.VAL went into MINOR alarm (HIHI)', at: 2, breaks: false },
    ]);
  });

  it('a script that exits non-zero is a finding that breaks, even when the beamline saw nothing wrong', () => {
    const r = analyze([], {}, {}, profile, 3);
    expect(r.findings).toEqual([{ kind: 'exit', pv: '', message: 'the script exited with status 3', at: 0, breaks: true }]);
    expect(r.ok).toBe(false);
  });
});
