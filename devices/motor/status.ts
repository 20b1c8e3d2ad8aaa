// Motor status (MSTA) bits as motor.h's msta_field defines them (LSB first), and the record's
// motion-in-progress (MIP) state bits of motorDevSup.h.

/** MSTA bits (motor.h `msta_field`, little-endian bit order). */
export const MSTA = {
  /** (last) raw direction: 0 negative, 1 positive */
  RA_DIRECTION: 1 << 0,
  /** a motion is complete */
  RA_DONE: 1 << 1,
  /** plus limit switch has been hit */
  RA_PLUS_LS: 1 << 2,
  /** the home signal is on */
  RA_HOME: 1 << 3,
  EA_SLIP: 1 << 4,
  /** position maintenance (closed loop) enabled */
  EA_POSITION: 1 << 5,
  EA_SLIP_STALL: 1 << 6,
  /** encoder home signal on */
  EA_HOME: 1 << 7,
  /** an encoder is present */
  EA_PRESENT: 1 << 8,
  /** driver stopped polling */
  RA_PROBLEM: 1 << 9,
  /** non-zero velocity present */
  RA_MOVING: 1 << 10,
  /** the axis supports closed-loop position control (CNEN) */
  GAIN_SUPPORT: 1 << 11,
  CNTRL_COMM_ERR: 1 << 12,
  /** minus limit switch has been hit */
  RA_MINUS_LS: 1 << 13,
  /** the axis has been homed */
  RA_HOMED: 1 << 14,
} as const;

/** MIP: which motion the record is sequencing (motorDevSup.h). */
export const MIP = {
  DONE: 0x0000,
  JOGF: 0x0001,
  JOGR: 0x0002,
  /** done jogging; first phase of taking out backlash */
  JOG_BL1: 0x0004,
  HOMF: 0x0008,
  HOMR: 0x0010,
  /** a move not resulting from Jog* or Hom* */
  MOVE: 0x0020,
  RETRY: 0x0040,
  LOAD_P: 0x0080,
  /** done moving; now take out backlash */
  MOVE_BL: 0x0100,
  /** stopping; combined with a JOG or HOME bit, that motion starts once stopped */
  STOP: 0x0200,
  DELAY_REQ: 0x0400,
  DELAY_ACK: 0x0800,
  JOG_REQ: 0x1000,
  JOG_STOP: 0x2000,
  /** done jogging; second phase of taking out backlash */
  JOG_BL2: 0x4000,
  /** motion started by someone else (the controller moved on its own) */
  EXTERNAL: 0x8000,
} as const;

export const MIP_JOG = MIP.JOGF | MIP.JOGR | MIP.JOG_BL1 | MIP.JOG_BL2;
export const MIP_HOME = MIP.HOMF | MIP.HOMR;
export const MIP_DELAY = MIP.DELAY_REQ | MIP.DELAY_ACK;

/** The MSTA bits that are set, by name (for diagnostics and tests). */
export function mstaBits(msta: number): (keyof typeof MSTA)[] {
  return (Object.keys(MSTA) as (keyof typeof MSTA)[]).filter((k) => (msta & MSTA[k]) !== 0);
}
