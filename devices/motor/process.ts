// motorRecord.cc process() and what it calls when a motion ends: init_re_init(), postProcess(), doBackLash(),
// maybeRetry() and the DLY settle timer, as functions over the record.
import { nint, softLimitsDefined } from './coordinates.js';
import { do_work, doHomeSetcdir, MoveMode, moveRaw, use_rel } from './do-work.js';
import { RMOD, SPMG, STUP } from './fields.js';
import { enforceMinRetryDeadband, recalcLVIO, set_dial_highlimit, set_dial_lowlimit, setLVIO } from './limits.js';
import { alarm_sub, monitor } from './monitor.js';
import type { MotorRecord } from './motor-record.js';
import { process_motor_info, update_values } from './positions.js';
import { check_speed } from './speeds.js';
import { MIP, MIP_DELAY, MIP_HOME, MIP_JOG } from './status.js';

/** CALLBACK_VALUE of motor.h */
export const NOTHING_DONE = 0;
export const CALLBACK_DATA = 1;
export type Reason = typeof NOTHING_DONE | typeof CALLBACK_DATA;

export function init_re_init(pr: MotorRecord): void {
  const m = pr.m;
  check_speed(pr);
  enforceMinRetryDeadband(pr);
  process_motor_info(pr, true);
  if (m.OMSL !== 1) {
    m.VAL = m.RBV;
    pr.mark('VAL');
    m.DVAL = m.DRBV;
    pr.mark('DVAL');
    m.RVAL = nint(m.DVAL / m.MRES);
    pr.mark('RVAL');
  }
  set_dial_highlimit(pr);
  set_dial_lowlimit(pr);
  m.DMOV = 1;
  pr.mark('DMOV');
  m.MOVN = 0;
  pr.mark('MOVN');
  m.LSPG = m.SPMG = SPMG.Go;
  pr.mark('SPMG');
  m.DIFF = m.DVAL - m.DRBV;
  pr.mark('DIFF');
  m.LVAL = m.VAL;
  m.LDVL = m.DVAL;
  m.LRVL = m.RVAL;
  setLVIO(pr, 0);
  recalcLVIO(pr);
  pr.mark('MSTA');
  monitor(pr, pr.resetAlarms());
}

export function process(pr: MotorRecord): void {
  const m = pr.m;
  pr.passes++;
  const oldLvio = m.LVIO;
  const oldMsta = m.MSTA;
  let reason: Reason = update_values(pr) ? CALLBACK_DATA : NOTHING_DONE;
  if (m.MSTA !== oldMsta) pr.mark('MSTA');
  if (!pr.dev) {
    alarm_sub(pr);
    return;
  }
  if (reason === CALLBACK_DATA && m.UDF && dolIsConstant(pr)) {
    m.UDF = 0;
    init_re_init(pr);
  }
  let work = true;
  if (reason === CALLBACK_DATA || m.MIP & MIP.DELAY_ACK) {
    // A callback from device support: a motion update, the answer to a command, or the end of DLY.
    reason = CALLBACK_DATA;
    work = processCallback(pr);
  }
  if (work) enterDoWork(pr, reason, oldLvio);
  // process_exit
  if (reason === CALLBACK_DATA && m.STUP === STUP.BUSY) {
    m.STUP = STUP.OFF;
    pr.mark('STUP');
  }
  alarm_sub(pr);
}

/** The CALLBACK_DATA part of process(); false means "goto process_exit". */
export function processCallback(pr: MotorRecord): boolean {
  const m = pr.m;
  const dev = pr.dev!;
  process_motor_info(pr, false);
  if (m.MOVN) {
    const signRdif = m.RDIF < 0 ? 0 : 1;
    const ntmDeadband = m.NTMF * (Math.abs(m.BDST) + m.RDBD);
    const moveOrRetry = (m.MIP & (MIP.RETRY | MIP.MOVE)) !== 0;
    // Something else started the motor: DMOV tracks MOVN.
    if (m.DMOV) {
      m.DMOV = 0;
      pr.mark('DMOV');
      m.MIP |= MIP.EXTERNAL;
      pr.mark('MIP');
      m.PP = 1;
    }
    // New target in the opposite direction of the motion (NTM): stop, then retry from where it stops.
    if (m.NTM === 1 && signRdif !== m.CDIR && Math.abs(m.DIFF) > ntmDeadband && moveOrRetry && (m.MIP & MIP.STOP) === 0) {
      dev.stop();
      m.MIP |= MIP.STOP;
      pr.mark('MIP');
      m.PP = 0;
    }
    return true;
  }
  if (m.STUP === STUP.BUSY) return true;

  // The motor has stopped.
  if (!m.DMOV) {
    m.DMOV = 1;
    pr.mark('DMOV');
    const mip = m.MIP & ~MIP.JOG_REQ;
    if (mip === MIP.JOGF || mip === MIP.JOGR) {
      // Stopped while jogging and we didn't stop it.
      m.MIP = MIP.DONE;
      pr.mark('MIP');
      clear_buttons(pr);
      m.PP = 1;
    }
  }
  const lsInDirection = (m.RHLS && m.CDIR) || (m.RLLS && !m.CDIR);
  if (m.MIP !== MIP.DONE && lsInDirection) {
    // Do another update after a limit-switch error.
    m.DMOV = 0;
    pr.unmark('DMOV');
    dev.getInfo();
    m.PP = 1;
    m.MIP = MIP.DONE;
    pr.mark('MIP');
    return false;
  }
  if (m.PP) {
    if (m.VAL !== m.LVAL && !(m.MIP & MIP.STOP) && !(m.MIP & MIP.JOG_STOP)) {
      m.MIP = MIP.DONE;
      return true; // goto enter_do_work: a new target arrived before the backlash leg
    }
    postProcess(pr);
  }
  if (lsInDirection || m.MIP === MIP.LOAD_P) {
    m.MIP = MIP.DONE;
    pr.mark('MIP');
  } else if (m.DMOV) {
    if (m.MIP & MIP.DELAY_ACK || m.DLY <= 0) {
      if ((m.MIP & MIP_DELAY) === MIP_DELAY) {
        m.MIP &= ~MIP_DELAY;
        pr.mark('MIP');
      }
      if (m.MIP & MIP.DELAY_ACK && !(m.MIP & MIP.DELAY_REQ)) {
        m.MIP |= MIP_DELAY;
        dev.getInfo();
        m.DMOV = 0;
        pr.unmark('DMOV');
        return false;
      } else if (m.STUP !== STUP.ON && m.MIP !== MIP.DONE) {
        if (m.MIP & (MIP_HOME | MIP.EXTERNAL)) {
          m.MIP = MIP.DONE;
          m.PP = 1;
          return false;
        }
        maybeRetry(pr);
        if (m.MIP === MIP.RETRY && m.RMOD === RMOD.InPosition) {
          m.MIP |= MIP.DELAY_REQ;
          pr.mark('MIP');
          startDelay(pr);
        }
      }
    } else if (pr.isMarked('DMOV')) {
      // Readback settle time: hold DMOV 0 for DLY seconds.
      if (!(m.MIP & MIP.DELAY_REQ)) {
        m.MIP |= MIP.DELAY_REQ;
        pr.mark('MIP');
        startDelay(pr);
      }
      m.DMOV = 0;
      pr.unmark('DMOV');
      return false;
    }
  }
  return true;
}

/** enter_do_work: soft-limit checks of jogs and homes, then do_work() when there is work. */
export function enterDoWork(pr: MotorRecord, reason: Reason, oldLvio: number): void {
  const m = pr.m;
  if (!softLimitsDefined(m.DHLM, m.DLLM)) setLVIO(pr, 0);
  else if (m.MIP & MIP_JOG) {
    setLVIO(pr, (m.JOGF && m.RBV > m.HLM - m.JVEL) || (m.JOGR && m.RBV < m.LLM + m.JVEL) || m.DLLM > m.DHLM ? 1 : 0);
  } else if (m.MIP & MIP_HOME) setLVIO(pr, 0);

  if (m.LVIO !== oldLvio && m.LVIO && !m.SET && !m.IGSET) {
    m.STOP = 1;
    pr.mark('STOP');
    clear_buttons(pr);
  }
  if (m.STOP || m.SPMG === SPMG.Stop || m.SPMG === SPMG.Pause || reason !== CALLBACK_DATA || m.DMOV || m.MIP & MIP.RETRY) {
    do_work(pr, reason);
  }
  // Readback output link.
  if (pr.link('RLNK').kind === 'pv') void pr.writeLink('RLNK', m.RBV);
}

export function postProcess(pr: MotorRecord): void {
  const m = pr.m;
  m.PP = 0;
  if (m.OMSL !== 1 && !(m.MIP & (MIP.MOVE | MIP.MOVE_BL | MIP.JOG_BL1 | MIP.JOG_BL2))) {
    // Make the drive values agree with the readback.
    m.VAL = m.RBV;
    m.DVAL = m.DRBV;
    pr.mark('VAL');
    pr.mark('DVAL');
    m.RVAL = nint(m.DVAL / m.MRES);
    pr.mark('RVAL');
    m.DIFF = 0;
    pr.mark('DIFF');
    m.RDIF = 0;
    pr.mark('RDIF');
    if (m.MISS) {
      m.MISS = 0;
      pr.mark('MISS');
    }
  }
  if (m.MIP & MIP.LOAD_P) m.MIP = MIP.DONE;
  else if (m.MIP & MIP_HOME) {
    if (m.MIP & MIP.STOP) {
      // Stopped with Hom* still pressed: now home.
      m.MIP &= ~MIP.STOP;
      m.DMOV = 0;
      pr.mark('DMOV');
      m.RCNT = 0;
      pr.mark('RCNT');
      doHomeSetcdir(pr);
      m.PP = 1;
    } else if (m.MIP & MIP.HOMF) {
      m.HOMF = 0;
      pr.mark('HOMF');
    } else if (m.MIP & MIP.HOMR) {
      m.HOMR = 0;
      pr.mark('HOMR');
    }
  } else if (m.MIP & MIP.JOG_STOP || m.MIP & MIP.MOVE) {
    if (Math.abs(m.BDST) >= Math.abs(m.MRES)) doBackLash(pr);
    m.MIP &= ~(MIP.JOG_STOP | MIP.MOVE);
  } else if (m.MIP & MIP.JOG_BL1) doBackLash(pr);
  m.LVAL = m.VAL;
  m.LDVL = m.DVAL;
  m.LRVL = m.RVAL;
  m.MIP &= ~MIP.STOP;
  pr.mark('MIP');
}

/** The backlash leg after a move or a jog (postProcess() in motorRecord.cc does it inline). */
export function doBackLash(pr: MotorRecord): void {
  const m = pr.m;
  const useRel = use_rel(pr);
  const bpos = (m.DVAL - m.BDST) / m.MRES;
  const currpos = m.DVAL / m.MRES;
  let relpos = m.DIFF / m.MRES;
  const relbpos = (m.DVAL - m.BDST - m.DRBV) / m.MRES;
  m.DMOV = 0;
  pr.unmark('DMOV');
  if (m.MIP & MIP.JOG_STOP) {
    // First part of a jog done: to one backlash distance short of where it stopped, at slew speed.
    moveRaw(pr, MoveMode.Position, useRel ? relbpos : bpos, useRel);
    m.MIP = MIP.JOG_BL1;
  } else {
    // The last leg, at backlash speed.
    if (m.MIP & MIP.JOG_BL1 && useRel) relpos -= relbpos;
    relpos *= m.FRAC;
    const newpos = bpos + m.FRAC * (currpos - bpos);
    if (!useRel) m.RVAL = nint(newpos);
    moveRaw(pr, MoveMode.Backlash, useRel ? relpos : newpos, useRel);
    m.MIP = m.MIP & MIP.MOVE ? MIP.MOVE_BL : MIP.JOG_BL2;
  }
  m.CDIR = relpos < 0 ? 0 : 1;
  m.PP = 1;
}

export function maybeRetry(pr: MotorRecord): void {
  const m = pr.m;
  const userCdir = (m.DIR === 0) === m.MRES >= 0 ? m.CDIR : m.CDIR ? 0 : 1;
  if (Math.abs(m.DIFF) >= m.RDBD && !(m.HLS && userCdir) && !(m.LLS && !userCdir)) {
    // Not close enough.
    if (m.RTRY === 0) m.MIP &= MIP.JOG_REQ;
    else {
      if (++m.RCNT > m.RTRY) {
        m.MIP = MIP.DONE;
        if ((m.JOGF && !m.HLS) || (m.JOGR && !m.LLS)) m.MIP |= MIP.JOG_REQ;
        m.LVAL = m.VAL;
        m.LDVL = m.DVAL;
        m.LRVL = m.RVAL;
        m.MISS = 1; // alarm per MISV in alarm_sub()
        pr.mark('MISS');
      } else {
        m.DMOV = 0;
        pr.unmark('DMOV');
        m.MIP = MIP.RETRY;
      }
      pr.mark('RCNT');
    }
  } else {
    m.MIP &= MIP.JOG_REQ;
    if (m.MISS) {
      m.MISS = 0;
      pr.mark('MISS');
    }
    // A motion started by "Move" pauses when done.
    if (m.SPMG === SPMG.Move) {
      m.SPMG = SPMG.Pause;
      pr.mark('SPMG');
    }
  }
  pr.mark('MIP');
}

export function startDelay(pr: MotorRecord): void {
  pr.dlyTimer?.cancel();
  pr.dlyTimer = pr.clock.setTimeout(() => {
    pr.dlyTimer = undefined;
    if (pr.m.MIP & MIP.DELAY_REQ) {
      pr.m.MIP = (pr.m.MIP & ~MIP.DELAY_REQ) | MIP.DELAY_ACK;
      pr.processRecord(true);
    }
  }, pr.m.DLY * 1000);
}

export function clear_buttons(pr: MotorRecord): void {
  const m = pr.m;
  for (const f of ['JOGF', 'JOGR', 'HOMF', 'HOMR'] as const) {
    if (m[f]) {
      m[f] = 0;
      pr.mark(f);
    }
  }
}

export function dolIsConstant(pr: MotorRecord): boolean {
  const k = pr.link('DOL').kind;
  return k === 'none' || k === 'constant';
}
