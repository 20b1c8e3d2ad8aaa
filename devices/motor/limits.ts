// Soft travel limits of motorRecord.cc: dial/user limit translation (set_dial_highlimit() …), LVIO, and the
// retry deadband (enforceMinRetryDeadband()).
import { AlarmStatus } from '../../ioc/ca/protocol/constants.js';
import { softLimitsDefined, userLimitsFromDial } from './coordinates.js';
import { VAL_LOG } from './monitor.js';
import type { MotorRecord } from './motor-record.js';

export function setLVIO(pr: MotorRecord, v: number): void {
  if (pr.m.LVIO !== v) {
    pr.m.LVIO = v;
    pr.mark('LVIO');
  }
}

export function recalcLVIO(pr: MotorRecord): void {
  const m = pr.m;
  if (m.UDF || m.STAT === AlarmStatus.LINK || m.STAT === AlarmStatus.UDF) return;
  if (!softLimitsDefined(m.DHLM, m.DLLM)) setLVIO(pr, 0);
  else setLVIO(pr, m.DRBV > m.DHLM + m.RDBD || m.DRBV < m.DLLM - m.RDBD || m.DLLM > m.DHLM ? 1 : 0);
}

export function set_dial_highlimit(pr: MotorRecord): void {
  const m = pr.m;
  const raw = m.DHLM / m.MRES;
  if (m.MRES < 0) pr.dev?.setLowLimit(raw);
  else pr.dev?.setHighLimit(raw);
  if (m.DIR === 0) {
    m.HLM = m.DHLM + m.OFF;
    pr.mark('HLM');
  } else {
    m.LLM = -m.DHLM + m.OFF;
    pr.mark('LLM');
  }
  pr.mark('DHLM');
  recalcLVIO(pr);
}

export function set_dial_lowlimit(pr: MotorRecord): void {
  const m = pr.m;
  const raw = m.DLLM / m.MRES;
  if (m.MRES < 0) pr.dev?.setHighLimit(raw);
  else pr.dev?.setLowLimit(raw);
  if (m.DIR === 0) {
    m.LLM = m.DLLM + m.OFF;
    pr.mark('LLM');
  } else {
    m.HLM = -m.DLLM + m.OFF;
    pr.mark('HLM');
  }
  pr.mark('DLLM');
  recalcLVIO(pr);
}

export function set_user_highlimit(pr: MotorRecord): void {
  const m = pr.m;
  if (m.DIR === 0) {
    m.DHLM = m.HLM - m.OFF;
    set_dial_highlimit(pr);
  } else {
    m.DLLM = -m.HLM + m.OFF;
    set_dial_lowlimit(pr);
  }
  pr.mark('HLM');
}

export function set_user_lowlimit(pr: MotorRecord): void {
  const m = pr.m;
  if (m.DIR === 0) {
    m.DLLM = m.LLM - m.OFF;
    set_dial_lowlimit(pr);
  } else {
    m.DHLM = -m.LLM + m.OFF;
    set_dial_highlimit(pr);
  }
  pr.mark('LLM');
}

/** set_userlimits: translate the dial limits into user limits. */
export function set_userlimits(pr: MotorRecord): void {
  const m = pr.m;
  const u = userLimitsFromDial(m.DHLM, m.DLLM, m.DIR, m.OFF);
  m.HLM = u.hlm;
  m.LLM = u.llm;
  pr.mark('HLM');
  pr.mark('LLM');
}

/** enforceMinRetryDeadband: RDBD ≥ |MRES| (SPDB is left as set: 0 means "no setpoint deadband"). */
export function enforceMinRetryDeadband(pr: MotorRecord): void {
  const m = pr.m;
  const minRdbd = Math.abs(m.MRES);
  if (m.RDBD < minRdbd) {
    m.RDBD = minRdbd;
    pr.post('RDBD', VAL_LOG);
  }
}
