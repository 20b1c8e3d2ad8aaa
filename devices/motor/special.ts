// motorRecord.cc special(): the record's reaction to a put of one field, before (after = 0) and after
// (after = 1) the value is stored.
import { DBE } from '../../ioc/ca/protocol/constants.js';
import { PutError } from '../../ioc/db/errors.js';
import type { FieldDef } from '../../ioc/records/field.js';
import { dirSign } from './coordinates.js';
import { STUP } from './fields.js';
import { enforceMinRetryDeadband, set_dial_highlimit, set_dial_lowlimit, set_user_highlimit, set_user_lowlimit, set_userlimits } from './limits.js';
import { MARKABLE, postDmov, VAL_LOG } from './monitor.js';
import type { MotorRecord } from './motor-record.js';
import { range_check, specialSpeed, specialVelocity, speedPairOf, updateACCLfromACCS, updateACCSfromACCL, velcheckA, velcheckB } from './speeds.js';
import { MIP, MIP_HOME, MSTA } from './status.js';

const DRIVE_FIELDS = new Set(['VAL', 'DVAL', 'RVAL', 'RLV', 'TWF', 'TWR']);

/** special(after = 1). Returns false to prevent processing (EPICS returns ERROR). */
export function special(pr: MotorRecord, fd: FieldDef): boolean | void {
  const m = pr.m;
  const dir = dirSign(m.DIR);
  const pair = speedPairOf(fd.name);
  if (pair) {
    if (fd.name === pair.velo) specialVelocity(pr, pair);
    else specialSpeed(pr, pair);
  }
  switch (fd.name) {
    case 'ACCL':
      if (m.ACCL <= 0) {
        m.ACCL = 0.1;
        pr.post('ACCL', VAL_LOG);
      }
      updateACCSfromACCL(pr);
      break;
    case 'ACCS':
      updateACCLfromACCS(pr);
      break;
    case 'BACC':
      if (m.BACC <= 0) {
        m.BACC = 0.1;
        pr.post('BACC', VAL_LOG);
      }
      break;
    case 'SPDB':
    case 'RDBD':
    case 'BDST':
      enforceMinRetryDeadband(pr);
      break;
    case 'DIR':
      if (m.FOFF) {
        m.VAL = m.DVAL * dir + m.OFF;
        pr.mark('VAL');
      } else {
        m.OFF = m.VAL - m.DVAL * dir;
        pr.mark('OFF');
      }
      m.RBV = m.DRBV * dir + m.OFF;
      pr.mark('RBV');
      set_userlimits(pr);
      postLimitProperties(pr);
      break;
    case 'OFF':
      m.VAL = m.DVAL * dir + m.OFF;
      m.LVAL = m.LDVL * dir + m.OFF;
      m.RBV = m.DRBV * dir + m.OFF;
      pr.mark('VAL');
      pr.mark('RBV');
      set_userlimits(pr);
      postLimitProperties(pr);
      break;
    case 'HLM':
      set_user_highlimit(pr);
      postLimitProperties(pr);
      break;
    case 'LLM':
      set_user_lowlimit(pr);
      postLimitProperties(pr);
      break;
    case 'DHLM':
      set_dial_highlimit(pr);
      postLimitProperties(pr);
      break;
    case 'DLLM':
      set_dial_lowlimit(pr);
      postLimitProperties(pr);
      break;
    case 'FRAC': {
      const frac = Math.min(Math.max(m.FRAC, 0.1), 1.5);
      if (frac !== m.FRAC) {
        m.FRAC = Math.fround(frac);
        pr.post('FRAC', VAL_LOG);
      }
      break;
    }
    case 'MRES':
      pr.mark('MRES'); // remember to tell device support
      if (m.UREV !== m.MRES * m.SREV) {
        m.UREV = m.MRES * m.SREV;
        pr.mark('UREV');
      }
      velcheckB(pr);
      break;
    case 'UREV':
      if (m.MRES !== m.UREV / m.SREV) {
        m.MRES = m.UREV / m.SREV;
        pr.mark('MRES');
      }
      velcheckB(pr);
      break;
    case 'SREV':
      if (m.SREV <= 0) {
        m.SREV = 200;
        pr.mark('SREV');
      }
      if (m.MRES !== m.UREV / m.SREV) {
        m.MRES = m.UREV / m.SREV;
        pr.mark('MRES');
      }
      break;
    case 'ERES':
      if (m.ERES === 0) m.ERES = m.MRES;
      pr.mark('ERES');
      break;
    case 'UEIP':
      if (m.UEIP === 1) {
        if (m.MSTA & MSTA.EA_PRESENT) {
          if (m.URIP === 1) {
            m.URIP = 0;
            pr.post('URIP', VAL_LOG);
          }
        } else {
          m.UEIP = 0;
        }
      }
      pr.mark('UEIP');
      break;
    case 'URIP':
      if (m.URIP === 1 && m.UEIP === 1) {
        m.UEIP = 0;
        pr.mark('UEIP');
      }
      break;
    case 'SSET':
      m.SET = 1;
      pr.post('SET', VAL_LOG);
      break;
    case 'SUSE':
      m.SET = 0;
      pr.post('SET', VAL_LOG);
      break;
    case 'FOF':
      m.FOFF = 1;
      pr.post('FOFF', VAL_LOG);
      break;
    case 'VOF':
      m.FOFF = 0;
      pr.post('FOFF', VAL_LOG);
      break;
    case 'CNEN':
      if (m.MSTA & MSTA.GAIN_SUPPORT) pr.dev?.setClosedLoop(m.CNEN === 1);
      break;
    case 'JOGF':
      if (m.JOGF === 0) m.MIP &= ~MIP.JOG_REQ;
      else if (m.MIP === MIP.DONE && !m.HLS) m.MIP |= MIP.JOG_REQ;
      break;
    case 'JOGR':
      if (m.JOGR === 0) m.MIP &= ~MIP.JOG_REQ;
      else if (m.MIP === MIP.DONE && !m.LLS) m.MIP |= MIP.JOG_REQ;
      break;
    case 'JVEL':
      range_check(pr, 'JVEL', m.VBAS, m.VMAX);
      if (m.MIP & (MIP.JOGF | MIP.JOGR)) {
        let jogv = (m.JVEL * dir) / m.MRES;
        if (m.JOGR) jogv = -jogv;
        pr.dev?.updateJog(jogv, m.JAR / Math.abs(m.MRES));
      }
      break;
    case 'JAR':
      // Valid JAR: 0 < JAR (EGU/s²).
      if (m.JAR <= 0) m.JAR = m.JVEL / 0.1;
      break;
    case 'HVEL':
      range_check(pr, 'HVEL', m.VBAS, m.VMAX);
      break;
    case 'STUP':
      if (m.STUP !== STUP.ON) {
        m.STUP = STUP.OFF;
        pr.post('STUP', VAL_LOG);
        return false;
      }
      break;
    case 'NTMF':
      if (m.NTMF < 2) {
        m.NTMF = 2;
        pr.post('NTMF', VAL_LOG);
        return false;
      }
      break;
    case 'EGU':
    case 'PREC':
      postProperties(pr, MARKABLE);
      break;
  }
  // Re-check the slew, backlash, jog and home speeds against VBAS/VMAX.
  switch (fd.name) {
    case 'VMAX':
    case 'SMAX':
      if (m.VMAX !== 0 && m.VMAX < m.VBAS) {
        m.VBAS = m.VMAX;
        pr.mark('VBAS');
        m.SBAS = m.SMAX;
        pr.mark('SBAS');
      }
      velcheckA(pr);
      break;
    case 'VBAS':
    case 'SBAS':
      if (m.VMAX !== 0 && m.VBAS > m.VMAX) {
        m.VMAX = m.VBAS;
        pr.post('VMAX', VAL_LOG);
        m.SMAX = m.SBAS;
        pr.post('SMAX', VAL_LOG);
      }
      velcheckA(pr);
      break;
  }
  return true;
}

export function specialBefore(pr: MotorRecord, fd: FieldDef, refuse: boolean): void {
  const m = pr.m;
  if (DRIVE_FIELDS.has(fd.name)) {
    // Someone wrote a drive field: blink DMOV (unless disabled).
    if (pr.v['DISA'] === pr.v['DISV'] || m.DISP) return;
    if (m.DMOV) {
      m.DMOV = 0;
      postDmov(pr);
    }
    return;
  }
  if (!refuse) return;
  if ((fd.name === 'HOMF' || fd.name === 'HOMR') && m.MIP & MIP_HOME) throw new PutError(`${pr.name}: already homing`);
  if (fd.name === 'STUP' && m.STUP !== STUP.OFF) throw new PutError(`${pr.name}: status update in progress`);
}

/** The limits are the position fields' display/control limits: tell clients (DBE_PROPERTY). */
export function postLimitProperties(pr: MotorRecord): void {
  postProperties(pr, ['VAL', 'RBV', 'DVAL', 'DRBV', 'RVAL', 'RRBV']);
}

export function postProperties(pr: MotorRecord, fields: readonly string[]): void {
  for (const f of fields) pr.post(f, DBE.PROPERTY);
}
