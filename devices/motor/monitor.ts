// motorRecord.cc's MARK()/monitor() field posting and alarm_sub().
import { AlarmStatus, DBE, Severity } from '../../ioc/ca/protocol/constants.js';
import { softLimitsDefined } from './coordinates.js';
import type { MotorRecord } from './motor-record.js';
import { MSTA } from './status.js';

export const VAL_LOG = DBE.VALUE | DBE.LOG;

/** Fields posted by monitor() when MARKed, in motorRecord.cc's order (mmap and nmap together). */
const FIRST = ['RBV', 'RRBV', 'DRBV', 'DIFF', 'RDIF', 'MSTA'] as const;
const REST = [
  'VAL', 'DVAL', 'RVAL', 'TDIR', 'MIP', 'HLM', 'LLM', 'SPMG', 'RCNT', 'RLV', 'OFF', 'DHLM', 'DLLM', 'HLS', 'LLS', 'ATHM',
  'MRES', 'ERES', 'UEIP', 'LVIO', 'STOP', 'SBAS', 'SREV', 'UREV', 'VELO', 'VBAS', 'MISS', 'MOVN', 'DMOV', 'STUP', 'JOGF',
  'JOGR', 'HOMF', 'HOMR', 'CDIR',
] as const;
export type Markable = (typeof FIRST)[number] | (typeof REST)[number];
export const MARKABLE: readonly Markable[] = [...FIRST, ...REST];
export const IDX = Object.fromEntries(MARKABLE.map((n, i) => [n, i])) as Record<Markable, number>;
/** MARKABLE[REST_START…] are the less frequently posted fields (monitor()'s short circuit). */
export const REST_START = FIRST.length;

export function alarm_sub(pr: MotorRecord): void {
  const m = pr.m;
  if (m.UDF) {
    pr.setSevr(AlarmStatus.UDF, Severity.INVALID);
    return;
  }
  // Limit switches and soft-limit violations (soft limits only when defined, unlike alarm_sub, which
  // raises HIGH for any DVAL > 0 when DHLM = DLLM = 0).
  const soft = softLimitsDefined(m.DHLM, m.DLLM);
  if (m.HLSV && (m.HLS || (soft && m.DVAL > m.DHLM))) {
    pr.setSevr(AlarmStatus.HIGH, m.HLSV);
    return;
  }
  if (m.HLSV && (m.LLS || (soft && m.DVAL < m.DLLM))) {
    pr.setSevr(AlarmStatus.LOW, m.HLSV);
    return;
  }
  if (m.MSTA & MSTA.CNTRL_COMM_ERR) {
    m.MSTA &= ~MSTA.CNTRL_COMM_ERR;
    pr.mark('MSTA');
    pr.setSevr(AlarmStatus.COMM, Severity.INVALID);
  }
  if (m.MSTA & (MSTA.EA_SLIP_STALL | MSTA.RA_PROBLEM)) pr.setSevr(AlarmStatus.STATE, Severity.MAJOR);
  if (m.MISV && m.MISS) pr.setSevr(AlarmStatus.STATE, m.MISV);
}

/** monitor(): post the MARKed fields (all of them with DBE_ALARM when the alarm changed). */
export function monitor(pr: MotorRecord, alarmMask: number): void {
  const m = pr.m;
  const marks = pr.marks;
  // RBV with its monitor/archive deadbands.
  const rbvMarked = marks[0] === 1;
  if (m.MDEL === 0 && m.ADEL === 0) {
    const mask = alarmMask | (rbvMarked ? VAL_LOG : 0);
    if (mask) pr.post('RBV', mask);
  } else if (rbvMarked) {
    let mask = alarmMask;
    if (m.MDEL === 0 || Math.abs(m.MLST - m.RBV) > m.MDEL) {
      mask |= DBE.VALUE;
      if (m.MDEL !== 0) m.MLST = m.RBV;
    }
    if (m.ADEL === 0 || Math.abs(m.ALST - m.RBV) > m.ADEL) {
      mask |= DBE.LOG;
      if (m.ADEL !== 0) m.ALST = m.RBV;
    }
    if (mask) pr.post('RBV', mask);
  }
  for (let i = 1; i < REST_START; i++) {
    const mask = alarmMask | (marks[i] ? VAL_LOG : 0);
    if (!mask) continue;
    const f = MARKABLE[i]!;
    pr.post(f, mask);
    if (f === 'MSTA' && m.MSTA & MSTA.GAIN_SUPPORT) {
      const cnen = m.MSTA & MSTA.EA_POSITION ? 1 : 0;
      if (cnen !== m.CNEN) {
        m.CNEN = cnen;
        pr.post('CNEN', mask);
      }
    }
  }
  if (pr.anyMarked) {
    for (let i = REST_START; i < MARKABLE.length; i++) {
      let mask = alarmMask | (marks[i] ? VAL_LOG : 0);
      if (!mask) continue;
      const f = MARKABLE[i]!;
      if (f === 'VAL' || f === 'DMOV' || f === 'MOVN') {
        // Post a value change only when the value changed.
        if (m[f] === pr.posted[f]) mask &= ~VAL_LOG;
        else if (mask & DBE.VALUE) pr.posted[f] = m[f];
        if (!mask) continue;
      }
      pr.post(f, mask);
      if (f === 'HLS' || f === 'LLS') {
        const high = (f === 'HLS') === ((m.DIR === 0) === m.MRES >= 0);
        pr.post(high ? 'RHLS' : 'RLLS', mask);
      }
    }
  }
  marks.fill(0);
  pr.anyMarked = false;
}

/** DMOV changes outside process() (special's blink) post at once. */
export function postDmov(pr: MotorRecord): void {
  pr.posted.DMOV = pr.m.DMOV;
  pr.post('DMOV', VAL_LOG);
}
