// motorRecord.cc do_work(): turn a new target, jog, home, tweak, stop or pause into device-support commands
// (doDVALchangedOrNOTdoneMoving(), doRetryOrDone(), the devSup* move helpers), as functions over the record.
import { AlarmStatus } from '../../ioc/ca/protocol/constants.js';
import { dirSign, nint, softLimitsDefined } from './coordinates.js';
import { ACCU, RMOD, SPMG, STUP } from './fields.js';
import { set_userlimits, setLVIO } from './limits.js';
import { VAL_LOG } from './monitor.js';
import type { MotorRecord } from './motor-record.js';
import { load_pos, newMRES_ERES_UEIP, syncTargetPosition } from './positions.js';
import { clear_buttons, NOTHING_DONE, type Reason } from './process.js';
import { accelerationFor } from './profile.js';
import { MIP, MIP_HOME, MIP_JOG } from './status.js';

/** How moveRaw() moves: at slew speed (VELO/ACCL) or at backlash speed (BVEL/BACC). */
export const MoveMode = { Position: 0, Backlash: 1 } as const;
export type MoveMode = (typeof MoveMode)[keyof typeof MoveMode];

export function do_work(pr: MotorRecord, procInd: Reason): void {
  const m = pr.m;
  const dev = pr.dev!;
  const dir = dirSign(m.DIR);
  const stopOrPause = m.SPMG === SPMG.Stop || m.SPMG === SPMG.Pause;

  if (m.STUP === STUP.ON) {
    m.STUP = STUP.BUSY;
    pr.mark('STUP');
    dev.getInfo();
  }

  // Stop/Pause/Move/Go and STOP.
  if (m.SPMG !== m.LSPG || m.STOP !== 0) {
    const stop = m.STOP !== 0;
    if (m.SPMG !== m.LSPG) m.LSPG = m.SPMG;
    else {
      m.STOP = 0;
      pr.mark('STOP');
    }
    if (stopOrPause || stop) {
      if (m.SPMG === SPMG.Stop || stop) {
        if (m.MIP === MIP.DONE || m.MIP & MIP.STOP || m.MIP & MIP.RETRY) {
          if (m.MIP & MIP.RETRY) {
            m.MIP = MIP.DONE;
            pr.mark('MIP');
            m.DMOV = 1;
            pr.mark('DMOV');
          }
          // Send the stop (just in case) without entering the STOP state.
          dev.stop();
          return;
        } else if (m.MOVN) {
          m.PP = 1; // make VAL agree with RBV once stopped
          clear_buttons(pr);
        } else syncTargetPosition(pr);
      }
      if (m.MIP & MIP_HOME) clear_buttons(pr);
      if (!(m.MIP & MIP.DELAY_REQ)) {
        m.MIP = MIP.STOP;
        pr.mark('MIP');
      }
      dev.stop();
      return;
    } else if (m.SPMG === SPMG.Go) {
      if ((m.JOGF && !m.HLS) || (m.JOGR && !m.LLS)) {
        m.MIP = MIP.JOG_REQ;
        pr.mark('MIP');
      } else if (m.MIP === MIP.STOP) {
        m.MIP = MIP.DONE;
        pr.mark('MIP');
      }
    } else {
      m.MIP = MIP.DONE;
      pr.mark('MIP');
      m.RCNT = 0;
      pr.mark('RCNT');
    }
  }

  // Changes of motor/encoder resolution and UEIP.
  if (pr.isMarked('MRES') || pr.isMarked('ERES') || pr.isMarked('UEIP')) {
    newMRES_ERES_UEIP(pr);
    return;
  }

  // Collect VAL changes from all sources.
  if (m.OMSL === 1 && pr.link('DOL').kind === 'pv') {
    const v = pr.readLinkNumber('DOL');
    if (v === undefined) {
      m.UDF = 1;
      return;
    }
    m.VAL = v;
    m.UDF = 0;
  } else {
    if (homing_wanted_and_allowed(pr)) {
      if (stopOrPause) {
        m.DMOV = 0;
        pr.mark('DMOV');
        return;
      }
      m.MIP = m.HOMF ? MIP.HOMF : MIP.HOMR;
      pr.mark('MIP');
      m.PP = 1;
      if (m.MOVN) {
        m.MIP |= MIP.STOP;
        pr.mark('MIP');
        dev.stop();
      } else {
        if (m.ERES === 0) m.ERES = m.MRES;
        doHomeSetcdir(pr);
        m.DMOV = 0;
        pr.mark('DMOV');
        m.RCNT = 0;
        pr.mark('RCNT');
      }
      return;
    }
    // Jog: move continuously until a limit, or until the button is released.
    if (!(m.MIP & MIP_JOG) && !stopOrPause && m.MIP & MIP.JOG_REQ) {
      if (
        softLimitsDefined(m.DHLM, m.DLLM) &&
        ((m.JOGF && m.VAL > m.HLM - m.JVEL) || (m.JOGR && m.VAL < m.LLM + m.JVEL) || m.DLLM > m.DHLM)
      ) {
        setLVIO(pr, 1);
        m.MIP &= ~MIP.JOG_REQ;
        if (m.JOGF) {
          m.JOGF = 0;
          pr.mark('JOGF');
        }
        if (m.JOGR) {
          m.JOGR = 0;
          pr.mark('JOGR');
        }
        return;
      }
      m.MIP = m.JOGF ? MIP.JOGF : MIP.JOGR;
      pr.mark('MIP');
      if (m.MOVN) {
        m.PP = 1;
        m.MIP |= MIP.STOP;
        pr.mark('MIP');
        dev.stop();
      } else {
        let jogv = m.JVEL * dir;
        m.DMOV = 0;
        pr.mark('DMOV');
        m.PP = 1;
        if (m.JOGR) jogv = -jogv;
        devSupJogDial(pr, jogv, m.JAR);
      }
      return;
    }
    // Stop jogging: when stopped, process() takes out the backlash.
    if ((m.MIP & MIP.JOG_REQ) === 0 && m.MIP & (MIP.JOGF | MIP.JOGR)) {
      m.PP = 1;
      m.MIP |= MIP.JOG_STOP;
      m.MIP &= ~(MIP.JOGF | MIP.JOGR);
      dev.stop(); // (MIP is not MARKed here: motorRecord.cc posts it once the jog has stopped)
      return;
    } else if (m.MIP & (MIP.JOG_STOP | MIP.JOG_BL1 | MIP.JOG_BL2)) return;

    // Tweak by TWV.
    if (m.TWF || m.TWR) {
      m.VAL += m.TWV * (m.TWF ? 1 : -1);
      if (m.TWF) {
        m.TWF = 0;
        pr.post('TWF', VAL_LOG);
      }
      if (m.TWR) {
        m.TWR = 0;
        pr.post('TWR', VAL_LOG);
      }
    }
    // Relative move.
    if (m.RLV !== m.LRLV) {
      m.VAL += m.RLV;
      m.RLV = 0;
      pr.mark('RLV');
      m.LRLV = m.RLV;
    }
    // New raw value.
    if (m.RVAL !== m.LRVL) m.DVAL = m.RVAL * m.MRES;
  }

  // Collect DVAL changes.
  if (m.VAL !== m.LVAL) {
    pr.mark('VAL');
    if (m.SET && !m.IGSET && !m.FOFF) {
      // Set mode, variable offset: redefine VAL by changing OFF, without moving.
      m.OFF = m.VAL - m.DVAL * dir;
      m.RBV = m.DRBV * dir + m.OFF;
      pr.mark('OFF');
      pr.mark('RBV');
      set_userlimits(pr);
      m.LVAL = m.VAL;
      m.MIP = MIP.DONE;
      pr.mark('MIP');
      m.DMOV = 1;
      pr.mark('DMOV');
      return;
    }
    m.DVAL = (m.VAL - m.OFF) / dir;
  }
  if (stopOrPause) return;

  if (m.DVAL !== m.LDVL || !m.DMOV) {
    if (m.DVAL !== m.LDVL) pr.mark('DVAL');
    doDVALchangedOrNOTdoneMoving(pr);
  } else if (m.SYNC && m.STUP === STUP.OFF && m.MIP === MIP.DONE) {
    syncTargetPosition(pr);
    m.SYNC = 0;
    pr.post('SYNC', VAL_LOG);
  } else if (procInd === NOTHING_DONE && m.STUP === STUP.OFF) {
    m.STUP = STUP.BUSY;
    pr.mark('STUP');
    dev.getInfo();
  }
}

export function homing_wanted_and_allowed(pr: MotorRecord): boolean {
  const m = pr.m;
  const onLs = pr.dev?.homeOnLimitSwitch === true;
  let ret = false;
  // Not when sitting on the limit switch in the homing direction (unless the controller homes on it).
  if (m.HOMF && !(m.MIP & MIP.HOMF)) ret = onLs || !(m.DIR === 0 ? m.HLS : m.LLS);
  if (m.HOMR && !(m.MIP & MIP.HOMR)) ret = onLs || !(m.DIR === 0 ? m.LLS : m.HLS);
  return ret;
}

/**
 * The "DVAL changed, or not done moving" part of do_work(): DIFF/RDIF, the deadband, retries, the soft travel
 * limits and the (backlash-corrected) move. Positions in raw steps, as motorRecord.cc computes them.
 */
export function doDVALchangedOrNOTdoneMoving(pr: MotorRecord): void {
  const m = pr.m;
  const dir = dirSign(m.DIR);
  const amres = Math.abs(m.MRES);
  const localDiff = m.DVAL - m.DRBV;
  if (m.DIFF !== localDiff) {
    m.DIFF = localDiff;
    pr.mark('DIFF');
  }
  m.RDIF = nint(m.DIFF / m.MRES) | 0;
  pr.mark('RDIF');
  if (m.SET && !m.IGSET) {
    if ((m.MIP & MIP.LOAD_P) === 0) load_pos(pr);
    return; // device support calls back when the load is done
  }
  const rbvpos = m.DRBV / m.MRES;
  const newpos = m.DVAL / m.MRES;
  let relpos = m.DIFF / m.MRES;
  let relbpos = (m.DVAL - m.BDST - m.DRBV) / m.MRES;
  const useRel = use_rel(pr);

  // DVAL may have been written directly: make VAL agree.
  m.VAL = m.DVAL * dir + m.OFF;
  if (m.VAL !== m.LVAL) pr.mark('VAL');
  m.RVAL = nint(m.DVAL / m.MRES);
  if (m.RVAL !== m.LRVL) pr.mark('RVAL');

  // Don't move if within the retry deadband (or, on a first move, the same step or within SPDB).
  const steps = Math.abs(nint(newpos) - nint(rbvpos));
  let tooSmall = false;
  if ((m.MIP & MIP.RETRY) === 0) {
    if (steps < 1) tooSmall = true;
    else if (m.SPDB > 0 && m.DVAL - m.SPDB < m.DRBV && m.DVAL + m.SPDB > m.DRBV) tooSmall = true;
  } else if (steps < nint(m.RDBD / amres)) tooSmall = true;

  if (tooSmall) {
    if (!m.DMOV && (m.MIP === MIP.DONE || m.MIP === MIP.RETRY)) {
      m.DMOV = 1;
      pr.mark('DMOV');
      if (m.MIP !== MIP.DONE) {
        m.MIP = MIP.DONE;
        pr.mark('MIP');
      }
    }
    m.LDVL = m.DVAL;
    m.LVAL = m.VAL;
    m.LRVL = m.RVAL;
    return;
  }

  // A retry goes part of the way (RMOD), at least one step.
  const atLeastAStep = (x: number): number => (Math.abs(x) < 1 ? (x > 0 ? 1 : -1) : x);
  if ((m.MIP & MIP.RETRY) === 0) {
    if (m.RCNT !== 0) pr.mark('RCNT');
    m.RCNT = 0;
  } else if (m.RMOD === RMOD.Arithmetic || m.RMOD === RMOD.Geometric) {
    const factor = m.RMOD === RMOD.Arithmetic ? (m.RTRY - m.RCNT + 1) / m.RTRY : 1 / 2 ** (m.RCNT - 1);
    relpos = atLeastAStep(relpos * factor);
    relbpos = atLeastAStep(relbpos * factor);
  } else if (m.RMOD === RMOD.InPosition) return;

  // The preferred direction is the sign of BDST: compared with the move from the last target (absolute
  // moves) or with DIFF (relative moves).
  const preferredDir = useRel ? m.DIFF > 0 === m.BDST > 0 : m.DVAL > m.LDVL === m.BDST > 0;

  // Soft travel limits.
  if (!softLimitsDefined(m.DHLM, m.DLLM)) setLVIO(pr, 0);
  else if (m.DLLM > m.DHLM) setLVIO(pr, 1);
  else if ((m.DVAL > m.DHLM && m.DVAL < m.LDVL) || (m.DVAL < m.DLLM && m.DVAL > m.LDVL)) {
    setLVIO(pr, 0); // towards the valid range from outside: allowed
  } else if (preferredDir) setLVIO(pr, m.DVAL > m.DHLM || m.DVAL < m.DLLM ? 1 : 0);
  else {
    const bdstpos = m.DVAL - m.BDST;
    setLVIO(pr, bdstpos > m.DHLM || bdstpos < m.DLLM ? 1 : 0);
  }

  const rdblOk = m.URIP === 1 ? pr.readLinkNumber('RDBL') !== undefined : true;
  if (m.LVIO || !rdblOk) {
    // Refused: restore the previous targets; nothing moves (DIFF keeps the refused target's difference).
    m.VAL = m.LVAL;
    pr.mark('VAL');
    m.DVAL = m.LDVL;
    pr.mark('DVAL');
    m.RVAL = m.LRVL;
    pr.mark('RVAL');
    if (m.MIP & MIP.RETRY) {
      m.MIP = MIP.DONE;
      pr.mark('MIP');
    }
    if (m.MIP === MIP.DONE && !m.DMOV) {
      m.DMOV = 1;
      pr.mark('DMOV');
    }
    return;
  }
  if (m.MIP === MIP.DONE || m.MIP === MIP.RETRY) doRetryOrDone(pr, preferredDir, relpos, relbpos);
}

/** The move itself: straight, all at backlash speed, or to the backlash position first (postProcess() does the rest). */
export function doRetryOrDone(pr: MotorRecord, preferredDir: boolean, relpos: number, relbpos: number): void {
  const m = pr.m;
  if (m.UDF || m.STAT === AlarmStatus.LINK || m.STAT === AlarmStatus.UDF) return;
  const useRel = use_rel(pr);
  const currpos = m.LDVL / m.MRES;
  const newpos = m.DVAL / m.MRES;
  const rbdst1 = 1 + Math.abs(m.BDST) / Math.abs(m.MRES);

  m.MIP |= MIP.MOVE;
  pr.mark('MIP');
  if (m.DMOV) {
    m.DMOV = 0;
    pr.mark('DMOV');
  }
  m.LDVL = m.DVAL;
  m.LVAL = m.VAL;
  m.LRVL = m.RVAL;

  const straight = useRel ? relpos * m.FRAC : currpos + m.FRAC * (newpos - currpos);
  if (Math.abs(m.BDST) < Math.abs(m.MRES) || (preferredDir && m.BVEL === m.VELO && m.BACC === m.ACCL)) {
    // No backlash leg needed.
    moveRaw(pr, MoveMode.Position, straight, useRel);
  } else if (preferredDir && ((useRel && relbpos <= 1) || (!useRel && Math.abs(newpos - currpos) <= rbdst1))) {
    // Preferred direction and within the backlash distance: all of it at backlash speed.
    moveRaw(pr, MoveMode.Backlash, straight, useRel);
  } else {
    // To the backlash position at slew speed; postProcess() does the backlash leg.
    moveRaw(pr, MoveMode.Position, useRel ? relbpos : (m.DVAL - m.BDST) / m.MRES, useRel);
    m.PP = 1;
  }
  m.CDIR = m.RDIF < 0 ? 0 : 1;
}

export function use_rel(pr: MotorRecord): boolean {
  const m = pr.m;
  return m.RTRY !== 0 && m.RMOD !== RMOD.InPosition && (m.UEIP === 1 || m.URIP === 1);
}

/** SET_VELOCITY, SET_VEL_BASE, SET_ACCEL and MOVE_ABS/MOVE_REL of a position in raw steps. */
export function moveRaw(pr: MotorRecord, mode: MoveMode, position: number, relative: boolean): void {
  const m = pr.m;
  const amres = Math.abs(m.MRES);
  const vbase = m.VBAS / amres;
  let vel: number;
  let acc: number;
  if (mode === MoveMode.Position) {
    vel = m.VELO / amres;
    acc = accelerationFor(m.VELO, m.VBAS, m.ACCL, m.ACCS, m.ACCU === ACCU.Accs) / amres;
  } else {
    vel = m.BVEL / amres;
    acc = vel - vbase > 0 ? (vel - vbase) / m.BACC : vel / m.BACC;
  }
  if (vel <= vbase) vel = vbase + 1;
  if (relative) pr.dev!.moveRelative(position, vel, vbase, acc);
  else pr.dev!.moveAbsolute(position, vel, vbase, acc);
}

/** devSupJogDial */
export function devSupJogDial(pr: MotorRecord, jogv: number, jacc: number): void {
  const m = pr.m;
  const jogvRaw = jogv / m.MRES;
  pr.dev!.jog(jogvRaw, m.VBAS / Math.abs(m.MRES), jacc / Math.abs(m.MRES));
  m.CDIR = jogvRaw > 0 ? 1 : 0;
}

/** doHomeSetcdir */
export function doHomeSetcdir(pr: MotorRecord): void {
  const m = pr.m;
  const amres = Math.abs(m.MRES);
  const vbase = m.VBAS / amres;
  const hvel = m.HVEL / amres;
  const acc = hvel - vbase > 0 ? (hvel - vbase) / m.ACCL : hvel / m.ACCL;
  const forward = (m.MIP & MIP.HOMF && m.MRES > 0) || (m.MIP & MIP.HOMR && m.MRES < 0);
  pr.dev!.home(!!forward, hvel, vbase, acc);
  m.CDIR = forward ? 1 : 0;
}
