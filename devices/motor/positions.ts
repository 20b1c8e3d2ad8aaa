// Readback and position bookkeeping of motorRecord.cc: update_values (device support), process_motor_info(),
// readBackPosition(), syncTargetPosition(), load_pos() and newMRES_ERES_UEIP().
import { dirSign, nint } from './coordinates.js';
import { enforceMinRetryDeadband, set_userlimits } from './limits.js';
import type { MotorRecord } from './motor-record.js';
import { clear_buttons } from './process.js';
import { MIP, MIP_HOME, MSTA } from './status.js';

export function newMRES_ERES_UEIP(pr: MotorRecord): void {
  const m = pr.m;
  const dev = pr.dev!;
  let ep = 1;
  let mp = 1;
  const encoder = (m.MSTA & MSTA.EA_PRESENT) !== 0;
  if (encoder) {
    if (Math.abs(m.MRES) < 1e-9) {
      m.MRES = 1;
      pr.mark('MRES');
    }
    if (m.ERES === 0) m.ERES = m.MRES;
    let n = 10_000_000;
    while (n > 1 && (Math.abs(n / m.ERES) > 1e6 || Math.abs(n / m.MRES) > 1e6)) n = Math.trunc(n / 10);
    ep = n / m.ERES;
    mp = n / m.MRES;
  }
  enforceMinRetryDeadband(pr);
  if (encoder) dev.setEncoderRatio(ep, mp);
  if (m.SET) {
    m.PP = 1;
    dev.getInfo();
  } else if ((m.MIP & MIP.LOAD_P) === 0) load_pos(pr);
}

/** load_pos: give the controller a new raw position for DVAL without moving. */
export function load_pos(pr: MotorRecord): void {
  const m = pr.m;
  const newpos = m.DVAL / m.MRES;
  m.LDVL = m.DVAL;
  m.LVAL = m.VAL;
  if (m.RVAL !== nint(newpos)) pr.mark('RVAL');
  m.LRVL = m.RVAL = nint(newpos);
  if (m.FOFF) {
    m.VAL = m.DIR === 0 ? m.OFF + m.DVAL : m.OFF - m.DVAL;
    pr.mark('VAL');
    m.LVAL = m.VAL;
  } else {
    m.OFF = m.DIR === 0 ? m.VAL - m.DVAL : m.VAL + m.DVAL;
    pr.mark('OFF');
    set_userlimits(pr);
  }
  m.MIP = MIP.LOAD_P;
  pr.mark('MIP');
  if (m.DMOV) {
    m.DMOV = 0;
    pr.mark('DMOV');
  }
  pr.dev!.loadPosition(newpos);
  pr.dev!.getInfo();
}

/** update_values of the device support: copy the axis status into RMP, REP, MSTA. */
export function update_values(pr: MotorRecord): boolean {
  const dev = pr.dev;
  if (!dev) return false;
  const { status, fresh } = dev.readStatus();
  if (!fresh) return false;
  const m = pr.m;
  m.RMP = nint(status.position) | 0;
  m.REP = nint(status.encoderPosition) | 0;
  m.MSTA = status.msta >>> 0;
  pr.readBackPosition = status.position;
  pr.readBackEncoder = status.encoderPosition;
  return true;
}

export function process_motor_info(pr: MotorRecord, initcall: boolean): void {
  const m = pr.m;
  const oldDrbv = m.DRBV;
  const oldRbv = m.RBV;
  const oldRrbv = m.RRBV;
  const oldTdir = m.TDIR;
  const oldMovn = m.MOVN;
  const oldHls = m.HLS;
  const oldLls = m.LLS;
  const oldAthm = m.ATHM;
  const msta = m.MSTA;

  if (!readBackPosition(pr, initcall) && m.MIP !== MIP.DONE) {
    // Error reading RDBL: stop the move.
    clear_buttons(pr);
    m.STOP = 1;
    pr.mark('STOP');
  }
  if (m.RRBV !== oldRrbv) pr.mark('RRBV');
  if (m.DRBV !== oldDrbv) pr.mark('DRBV');
  m.RBV = dirSign(m.DIR) * m.DRBV + m.OFF;
  if (m.RBV !== oldRbv) pr.mark('RBV');

  m.TDIR = msta & MSTA.RA_DIRECTION ? 1 : 0;
  if (m.TDIR !== oldTdir) pr.mark('TDIR');

  m.RHLS = msta & MSTA.RA_PLUS_LS ? 1 : 0;
  m.RLLS = msta & MSTA.RA_MINUS_LS ? 1 : 0;
  // A limit switch counts only when it is pressed in the direction of the commanded motion, and not
  // while homing on a controller that homes onto the switches (MF_HOME_ON_LS).
  let lsActive = (m.RHLS && m.CDIR) || (m.RLLS && !m.CDIR);
  if (m.MIP & MIP_HOME && pr.dev?.homeOnLimitSwitch) lsActive = 0;
  const userMatchesRaw = (m.DIR === 0) === m.MRES >= 0;
  m.HLS = userMatchesRaw ? m.RHLS : m.RLLS;
  m.LLS = userMatchesRaw ? m.RLLS : m.RHLS;
  if (m.HLS !== oldHls) pr.mark('HLS');
  if (m.LLS !== oldLls) pr.mark('LLS');
  // The record does not stop the motor at a switch (the controller does); it stops waiting for it.
  if (lsActive || msta & MSTA.RA_PROBLEM) clear_buttons(pr);
  m.MOVN = msta & MSTA.RA_DONE || msta & MSTA.RA_PROBLEM || lsActive ? 0 : 1;
  if (m.MOVN !== oldMovn) pr.mark('MOVN');

  m.ATHM = (m.UEIP ? msta & MSTA.EA_HOME : msta & MSTA.RA_HOME) ? 1 : 0;
  if (m.ATHM !== oldAthm) pr.mark('ATHM');

  m.DIFF = m.DVAL - m.DRBV;
  pr.mark('DIFF');
  m.RDIF = nint(m.DIFF / m.MRES) | 0;
  pr.mark('RDIF');
}

/** readBackPosition: RRBV/DRBV from the encoder (UEIP), the RDBL link (URIP) or the motor. */
export function readBackPosition(pr: MotorRecord, initcall: boolean): boolean {
  const m = pr.m;
  if (m.UEIP === 1) {
    m.RRBV = m.REP;
    m.DRBV = pr.readBackEncoder ? pr.readBackEncoder * m.ERES : m.RRBV * m.ERES;
  } else if (m.URIP === 1 && !initcall) {
    const v = pr.readLinkNumber('RDBL');
    if (v === undefined) return false;
    m.DRBV = v * (m.RRES || 1);
    m.RRBV = nint(m.DRBV / m.MRES) | 0;
  } else {
    m.RRBV = m.RMP;
    m.DRBV = pr.readBackPosition ? pr.readBackPosition * m.MRES : m.RRBV * m.MRES;
  }
  return true;
}

export function syncTargetPosition(pr: MotorRecord): void {
  const m = pr.m;
  readBackPosition(pr, false);
  pr.mark('RRBV');
  pr.mark('DRBV');
  m.RBV = m.DRBV * dirSign(m.DIR) + m.OFF;
  pr.mark('RBV');
  m.VAL = m.LVAL = m.RBV;
  pr.mark('VAL');
  m.DVAL = m.LDVL = m.DRBV;
  pr.mark('DVAL');
  m.RVAL = m.LRVL = nint(m.DVAL / m.MRES) | 0;
  pr.mark('RVAL');
}
