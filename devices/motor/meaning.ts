import type { DeviceMeaning } from '../meaning.js';

/** Fields whose put starts motion (motorRecord.cc do_work): setpoints in each coordinate, relative moves, tweaks, jogs, homing. */
export const MOTOR_DRIVE_FIELDS = ['VAL', 'DVAL', 'RVAL', 'RLV', 'TWF', 'TWR', 'JOGF', 'JOGR', 'HOMF', 'HOMR'] as const;

/**
 * What matters about a motor record `pv`: a move runs from a drive put to DMOV 1, RBV reads the position,
 * HLS/LLS are the limit switches and LVIO a move refused outside the soft limits.
 */
export function motorMeaning(pv: string): DeviceMeaning {
  const f = (field: string) => `${pv}.${field}`;
  return {
    names: [pv],
    prefixes: [`${pv}.`],
    meanings: [
      { kind: 'move', drive: [pv, ...MOTOR_DRIVE_FIELDS.map(f)], setpoint: [pv, f('VAL')], readback: f('RBV'), done: { channel: f('DMOV'), value: 1 } },
      { kind: 'limit', trip: { channel: f('HLS'), value: 1 }, limit: 'hard', says: 'hit the high limit switch (HLS)' },
      { kind: 'limit', trip: { channel: f('LLS'), value: 1 }, limit: 'hard', says: 'hit the low limit switch (LLS)' },
      { kind: 'limit', trip: { channel: f('LVIO'), value: 1 }, limit: 'soft', says: 'move refused, outside the soft limits (LVIO)' },
    ],
  };
}
