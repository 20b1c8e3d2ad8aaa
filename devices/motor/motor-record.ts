// The EPICS motor record (epics-modules/motor motorRecord.cc), record type 'motor'. The processing follows
// motorRecord.cc function by function — process(), do_work(), postProcess(), maybeRetry(),
// doRetryOrDone(), doDVALchangedOrNOTdoneMoving(), special(), monitor(), alarm_sub() — with its MIP state
// bits, its MARK()ed field posting and its device-support calls (motorDevSup.c), so DMOV/MOVN, retries,
// backlash, limits, set mode and put-callback completion behave as on an IOC.
//
// Put-callback: like dbNotify, a put with completion to a process-passive field completes when the record
// next runs its forward link, which the motor record does only once DMOV is 1 (recGblFwdLink →
// dbNotifyCompletion). A second put-callback to the same record waits until the first has completed (the
// dbNotify restart list); plain puts act at once (a new VAL while moving retargets).
//
// Deliberate differences (see the notes at each):
// - VAL, DMOV and MOVN post a value change only when their value changed (EPICS re-posts a MARKed field
//   even when it holds the same value, e.g. DMOV 0 twice when a new target arrives during a move).
// - recalcLVIO sets LVIO from the readback against the new limits (as its comment intends; the C code's
//   local variable makes it clear LVIO instead).
// - RDBL readback: DRBV = RDBL × RRES (the C code divides by MRES as well).
// - The backlash leg sets RVAL = NINT(DVAL / MRES) (the C code writes NINT(DVAL)).
// - alarm_sub compares DVAL with DHLM/DLLM only when soft limits are defined.
// - Controller-supplied limits/speeds (configRO) and PID gains are not modelled; of the MFLG flags only
//   "home on limit switch" is, as a capability of the device (the simulated controller has it).
import { AlarmStatus, Severity } from '../../ioc/epics/alarm.js';
import { DBE } from '../../ioc/epics/events.js';
import type { DbrValue } from '../../ioc/epics/value.js';
import type { TimerHandle } from '../../ioc/clock.js';
import { PutError } from '../../ioc/db/errors.js';
import type { PutContext } from '../../ioc/db/pv.js';
import { isNumericDbf } from '../../ioc/records/dbf.js';
import type { FieldDef } from '../../ioc/records/field.js';
import { EpicsRecord, type FieldMeta } from '../../ioc/records/record.js';
import { dirSign, nint, softLimitsDefined, userLimitsFromDial } from './coordinates.js';
import { isMotorDeviceSupport, simMotorDeviceSupport, SIM_MOTOR_DTYPS, type MotorDevice, type MotorDeviceSupport } from './device-support.js';
import { ACCU, motorFieldTable, RMOD, SPMG, STUP, type MotorFields } from './fields.js';
import { accelerationFor } from './profile.js';
import { MIP, MIP_DELAY, MIP_HOME, MIP_JOG, MSTA } from './status.js';

const VAL_LOG = DBE.VALUE | DBE.LOG;
/** motorRecord.cc VERSION */
const MOTOR_RECORD_VERSION = 6.96;

/** CALLBACK_VALUE of motor.h */
const NOTHING_DONE = 0;
const CALLBACK_DATA = 1;
type Reason = typeof NOTHING_DONE | typeof CALLBACK_DATA;

const enum MoveMode {
  Position,
  Backlash,
}

/** Fields posted by monitor() when MARKed, in motorRecord.cc's order (mmap and nmap together). */
const FIRST = ['RBV', 'RRBV', 'DRBV', 'DIFF', 'RDIF', 'MSTA'] as const;
const REST = [
  'VAL', 'DVAL', 'RVAL', 'TDIR', 'MIP', 'HLM', 'LLM', 'SPMG', 'RCNT', 'RLV', 'OFF', 'DHLM', 'DLLM', 'HLS', 'LLS', 'ATHM',
  'MRES', 'ERES', 'UEIP', 'LVIO', 'STOP', 'SBAS', 'SREV', 'UREV', 'VELO', 'VBAS', 'MISS', 'MOVN', 'DMOV', 'STUP', 'JOGF',
  'JOGR', 'HOMF', 'HOMR', 'CDIR',
] as const;
type Markable = (typeof FIRST)[number] | (typeof REST)[number];
const MARKABLE: readonly Markable[] = [...FIRST, ...REST];
const IDX = Object.fromEntries(MARKABLE.map((n, i) => [n, i])) as Record<Markable, number>;
const REST_START = FIRST.length;

const DRIVE_FIELDS = new Set(['VAL', 'DVAL', 'RVAL', 'RLV', 'TWF', 'TWR']);
const USER_POS_FIELDS = new Set(['VAL', 'RBV', 'LVAL']);
const DIAL_POS_FIELDS = new Set(['DVAL', 'DRBV', 'LDVL']);
const RAW_POS_FIELDS = new Set(['RVAL', 'RRBV', 'LRVL']);
const SPEED_FIELDS = new Set(['VELO', 'VMAX', 'BVEL', 'VBAS', 'JVEL', 'HVEL']);

export class MotorRecord extends EpicsRecord {
  static readonly recordType = 'motor';
  static readonly table = motorFieldTable;

  /** Typed view of the field storage. */
  readonly m = this.v as unknown as MotorFields;
  private dev: MotorDevice | undefined;
  private readonly marks = new Uint8Array(MARKABLE.length);
  private anyMarked = false;
  /** priv->readBack: positions as the device reported them. */
  private readBackPosition = 0;
  private readBackEncoder = 0;
  /** priv->last.commandedDval */
  private commandedDval = 0;
  private dlyTimer: TimerHandle | undefined;
  /** Processing passes so far (a put that processed nothing completes at once). */
  private passes = 0;
  /** Put-callbacks waiting for the forward link (DMOV = 1). */
  private waiters: (() => void)[] = [];
  /** The put-callback in progress (dbNotify allows one per record). */
  private notifyActive: Promise<void> | undefined;
  /** Last posted values of the fields that post on change only. */
  private readonly posted: Record<'VAL' | 'DMOV' | 'MOVN', number> = { VAL: Number.NaN, DMOV: Number.NaN, MOVN: Number.NaN };

  /** The device (axis) this record drives, once initialised. */
  get device(): MotorDevice | undefined {
    return this.dev;
  }

  // ---- init (init_record, init_re_init) --------------------------------------------------------

  protected override initRecord(): void {
    const m = this.m;
    m.VERS = MOTOR_RECORD_VERSION;
    const support: MotorDeviceSupport | undefined = isMotorDeviceSupport(this.dset)
      ? this.dset
      : SIM_MOTOR_DTYPS.includes(m.DTYP)
        ? simMotorDeviceSupport
        : undefined;
    if (!support) {
      this.engine.log.error(`${this.name}: no motor device support for DTYP "${m.DTYP}" (S_dev_noDSET)`);
      return;
    }
    if (m.ERES === 0) m.ERES = m.MRES;
    this.checkResolution();
    // Device callbacks queue a pass like scanOnce: one arriving during processing runs right after it.
    this.dev = support.connect(this, () => this.processRecord(true));
    // A constant (or empty) DOL defines the record (recGblInitConstantLink).
    const dol = this.link('DOL');
    if (dol.kind === 'none' || dol.kind === 'constant') {
      m.UDF = 0;
      if (dol.kind === 'constant' && typeof dol.value === 'number') m.VAL = dol.value;
    }
    if (this.updateValues()) {
      this.initReInit();
      // Force a process() so alarm_sub() runs.
      this.dev.getInfo();
    } else if (dol.kind === 'none' || dol.kind === 'constant') {
      m.UDF = 1;
    }
  }

  private initReInit(): void {
    const m = this.m;
    this.checkSpeed();
    this.enforceMinRetryDeadband();
    this.processMotorInfo(true);
    if (m.OMSL !== 1) {
      m.VAL = m.RBV;
      this.mark('VAL');
      m.DVAL = m.DRBV;
      this.mark('DVAL');
      m.RVAL = nint(m.DVAL / m.MRES);
      this.mark('RVAL');
    }
    this.setDialHighLimit();
    this.setDialLowLimit();
    m.DMOV = 1;
    this.mark('DMOV');
    m.MOVN = 0;
    this.mark('MOVN');
    m.LSPG = m.SPMG = SPMG.Go;
    this.mark('SPMG');
    m.DIFF = m.DVAL - m.DRBV;
    this.mark('DIFF');
    m.LVAL = m.VAL;
    m.LDVL = m.DVAL;
    m.LRVL = m.RVAL;
    this.setLvio(0);
    this.recalcLvio();
    this.mark('MSTA');
    this.monitor(this.resetAlarms());
  }

  /**
   * A twin's reset (not a motor-record feature): the axis stands at user position `user` at once, with
   * OFF 0, no motion, no set mode, nothing pending; fields are re-initialised as init_re_init does, and
   * put-callbacks waiting on a move complete.
   */
  teleport(user = 0): void {
    const m = this.m;
    const dev = this.dev;
    if (!dev?.teleport) return;
    this.dlyTimer?.cancel();
    this.dlyTimer = undefined;
    m.OFF = 0;
    this.mark('OFF');
    if (m.SET) {
      m.SET = 0;
      this.post('SET', VAL_LOG);
    }
    m.MIP = 0;
    this.mark('MIP');
    m.RCNT = 0;
    m.STOP = 0;
    const dial = m.DIR ? -user : user;
    dev.teleport(nint(dial / m.MRES));
    this.updateValues();
    this.initReInit();
    this.fwdLink();
  }

  /** The IOC stops: let go of the axis, so no motion timer outlives it. */
  override stop(): void {
    this.dlyTimer?.cancel();
    this.dlyTimer = undefined;
    this.dev?.disconnect();
  }

  // ---- process() --------------------------------------------------------------------------------

  protected process(): void {
    const m = this.m;
    this.passes++;
    const oldLvio = m.LVIO;
    const oldMsta = m.MSTA;
    let reason: Reason = this.updateValues() ? CALLBACK_DATA : NOTHING_DONE;
    if (m.MSTA !== oldMsta) this.mark('MSTA');
    if (!this.dev) {
      this.alarmSub();
      return;
    }
    if (reason === CALLBACK_DATA && m.UDF && this.dolIsConstant()) {
      m.UDF = 0;
      this.initReInit();
    }
    let work = true;
    if (reason === CALLBACK_DATA || m.MIP & MIP.DELAY_ACK) {
      // A callback from device support: a motion update, the answer to a command, or the end of DLY.
      reason = CALLBACK_DATA;
      work = this.afterCallback();
    }
    if (work) this.enterDoWork(reason, oldLvio);
    // process_exit
    if (reason === CALLBACK_DATA && m.STUP === STUP.BUSY) {
      m.STUP = STUP.OFF;
      this.mark('STUP');
    }
    this.alarmSub();
  }

  /** The CALLBACK_DATA part of process(); false means "goto process_exit". */
  private afterCallback(): boolean {
    const m = this.m;
    const dev = this.dev!;
    this.processMotorInfo(false);
    if (m.MOVN) {
      const signRdif = m.RDIF < 0 ? 0 : 1;
      const ntmDeadband = m.NTMF * (Math.abs(m.BDST) + m.RDBD);
      const moveOrRetry = (m.MIP & (MIP.RETRY | MIP.MOVE)) !== 0;
      // Something else started the motor: DMOV tracks MOVN.
      if (m.DMOV) {
        m.DMOV = 0;
        this.mark('DMOV');
        m.MIP |= MIP.EXTERNAL;
        this.mark('MIP');
        m.PP = 1;
      }
      // New target in the opposite direction of the motion (NTM): stop, then retry from where it stops.
      if (m.NTM === 1 && signRdif !== m.CDIR && Math.abs(m.DIFF) > ntmDeadband && moveOrRetry && (m.MIP & MIP.STOP) === 0) {
        dev.stop();
        m.MIP |= MIP.STOP;
        this.mark('MIP');
        m.PP = 0;
      }
      return true;
    }
    if (m.STUP === STUP.BUSY) return true;

    // The motor has stopped.
    if (!m.DMOV) {
      m.DMOV = 1;
      this.mark('DMOV');
      const mip = m.MIP & ~MIP.JOG_REQ;
      if (mip === MIP.JOGF || mip === MIP.JOGR) {
        // Stopped while jogging and we didn't stop it.
        m.MIP = MIP.DONE;
        this.mark('MIP');
        this.clearButtons();
        m.PP = 1;
      }
    }
    const lsInDirection = (m.RHLS && m.CDIR) || (m.RLLS && !m.CDIR);
    if (m.MIP !== MIP.DONE && lsInDirection) {
      // Do another update after a limit-switch error.
      m.DMOV = 0;
      this.unmark('DMOV');
      dev.getInfo();
      m.PP = 1;
      m.MIP = MIP.DONE;
      this.mark('MIP');
      return false;
    }
    if (m.PP) {
      if (m.VAL !== m.LVAL && !(m.MIP & MIP.STOP) && !(m.MIP & MIP.JOG_STOP)) {
        m.MIP = MIP.DONE;
        return true; // goto enter_do_work: a new target arrived before the backlash leg
      }
      this.postProcess();
    }
    if (lsInDirection || m.MIP === MIP.LOAD_P) {
      m.MIP = MIP.DONE;
      this.mark('MIP');
    } else if (m.DMOV) {
      if (m.MIP & MIP.DELAY_ACK || m.DLY <= 0) {
        if ((m.MIP & MIP_DELAY) === MIP_DELAY) {
          m.MIP &= ~MIP_DELAY;
          this.mark('MIP');
        }
        if (m.MIP & MIP.DELAY_ACK && !(m.MIP & MIP.DELAY_REQ)) {
          m.MIP |= MIP_DELAY;
          dev.getInfo();
          m.DMOV = 0;
          this.unmark('DMOV');
          return false;
        } else if (m.STUP !== STUP.ON && m.MIP !== MIP.DONE) {
          if (m.MIP & (MIP_HOME | MIP.EXTERNAL)) {
            m.MIP = MIP.DONE;
            m.PP = 1;
            return false;
          }
          this.maybeRetry();
          if (m.MIP === MIP.RETRY && m.RMOD === RMOD.InPosition) {
            m.MIP |= MIP.DELAY_REQ;
            this.mark('MIP');
            this.startDelay();
          }
        }
      } else if (this.isMarked('DMOV')) {
        // Readback settle time: hold DMOV 0 for DLY seconds.
        if (!(m.MIP & MIP.DELAY_REQ)) {
          m.MIP |= MIP.DELAY_REQ;
          this.mark('MIP');
          this.startDelay();
        }
        m.DMOV = 0;
        this.unmark('DMOV');
        return false;
      }
    }
    return true;
  }

  /** enter_do_work: soft-limit checks of jogs and homes, then do_work() when there is work. */
  private enterDoWork(reason: Reason, oldLvio: number): void {
    const m = this.m;
    if (!softLimitsDefined(m.DHLM, m.DLLM)) this.setLvio(0);
    else if (m.MIP & MIP_JOG) {
      this.setLvio((m.JOGF && m.RBV > m.HLM - m.JVEL) || (m.JOGR && m.RBV < m.LLM + m.JVEL) || m.DLLM > m.DHLM ? 1 : 0);
    } else if (m.MIP & MIP_HOME) this.setLvio(0);

    if (m.LVIO !== oldLvio && m.LVIO && !m.SET && !m.IGSET) {
      m.STOP = 1;
      this.mark('STOP');
      this.clearButtons();
    }
    if (m.STOP || m.SPMG === SPMG.Stop || m.SPMG === SPMG.Pause || reason !== CALLBACK_DATA || m.DMOV || m.MIP & MIP.RETRY) {
      this.doWork(reason);
    }
    // Readback output link.
    if (this.link('RLNK').kind === 'pv') void this.writeLink('RLNK', m.RBV);
  }

  // ---- do_work() --------------------------------------------------------------------------------

  private doWork(procInd: Reason): void {
    const m = this.m;
    const dev = this.dev!;
    const dir = dirSign(m.DIR);
    const stopOrPause = m.SPMG === SPMG.Stop || m.SPMG === SPMG.Pause;

    if (m.STUP === STUP.ON) {
      m.STUP = STUP.BUSY;
      this.mark('STUP');
      dev.getInfo();
    }

    // Stop/Pause/Move/Go and STOP.
    if (m.SPMG !== m.LSPG || m.STOP !== 0) {
      const stop = m.STOP !== 0;
      if (m.SPMG !== m.LSPG) m.LSPG = m.SPMG;
      else {
        m.STOP = 0;
        this.mark('STOP');
      }
      if (stopOrPause || stop) {
        if (m.SPMG === SPMG.Stop || stop) {
          if (m.MIP === MIP.DONE || m.MIP & MIP.STOP || m.MIP & MIP.RETRY) {
            if (m.MIP & MIP.RETRY) {
              m.MIP = MIP.DONE;
              this.mark('MIP');
              m.DMOV = 1;
              this.mark('DMOV');
            }
            // Send the stop (just in case) without entering the STOP state.
            dev.stop();
            return;
          } else if (m.MOVN) {
            m.PP = 1; // make VAL agree with RBV once stopped
            this.clearButtons();
          } else this.syncTargetPosition();
        }
        if (m.MIP & MIP_HOME) this.clearButtons();
        if (!(m.MIP & MIP.DELAY_REQ)) {
          m.MIP = MIP.STOP;
          this.mark('MIP');
        }
        dev.stop();
        return;
      } else if (m.SPMG === SPMG.Go) {
        if ((m.JOGF && !m.HLS) || (m.JOGR && !m.LLS)) {
          m.MIP = MIP.JOG_REQ;
          this.mark('MIP');
        } else if (m.MIP === MIP.STOP) {
          m.MIP = MIP.DONE;
          this.mark('MIP');
        }
      } else {
        m.MIP = MIP.DONE;
        this.mark('MIP');
        m.RCNT = 0;
        this.mark('RCNT');
      }
    }

    // Changes of motor/encoder resolution and UEIP.
    if (this.isMarked('MRES') || this.isMarked('ERES') || this.isMarked('UEIP')) {
      this.newMresEresUeip();
      return;
    }

    // Collect VAL changes from all sources.
    if (m.OMSL === 1 && this.link('DOL').kind === 'pv') {
      const v = this.readLinkNumber('DOL');
      if (v === undefined) {
        m.UDF = 1;
        return;
      }
      m.VAL = v;
      m.UDF = 0;
    } else {
      if (this.homingWantedAndAllowed()) {
        if (stopOrPause) {
          m.DMOV = 0;
          this.mark('DMOV');
          return;
        }
        m.MIP = m.HOMF ? MIP.HOMF : MIP.HOMR;
        this.mark('MIP');
        m.PP = 1;
        if (m.MOVN) {
          m.MIP |= MIP.STOP;
          this.mark('MIP');
          dev.stop();
        } else {
          if (m.ERES === 0) m.ERES = m.MRES;
          this.doHomeSetCdir();
          m.DMOV = 0;
          this.mark('DMOV');
          m.RCNT = 0;
          this.mark('RCNT');
        }
        return;
      }
      // Jog: move continuously until a limit, or until the button is released.
      if (!(m.MIP & MIP_JOG) && !stopOrPause && m.MIP & MIP.JOG_REQ) {
        if (
          softLimitsDefined(m.DHLM, m.DLLM) &&
          ((m.JOGF && m.VAL > m.HLM - m.JVEL) || (m.JOGR && m.VAL < m.LLM + m.JVEL) || m.DLLM > m.DHLM)
        ) {
          this.setLvio(1);
          m.MIP &= ~MIP.JOG_REQ;
          if (m.JOGF) {
            m.JOGF = 0;
            this.mark('JOGF');
          }
          if (m.JOGR) {
            m.JOGR = 0;
            this.mark('JOGR');
          }
          return;
        }
        m.MIP = m.JOGF ? MIP.JOGF : MIP.JOGR;
        this.mark('MIP');
        if (m.MOVN) {
          m.PP = 1;
          m.MIP |= MIP.STOP;
          this.mark('MIP');
          dev.stop();
        } else {
          let jogv = m.JVEL * dir;
          m.DMOV = 0;
          this.mark('DMOV');
          m.PP = 1;
          if (m.JOGR) jogv = -jogv;
          this.jogDial(jogv, m.JAR);
        }
        return;
      }
      // Stop jogging: when stopped, process() takes out the backlash.
      if ((m.MIP & MIP.JOG_REQ) === 0 && m.MIP & (MIP.JOGF | MIP.JOGR)) {
        m.PP = 1;
        m.MIP |= MIP.JOG_STOP;
        m.MIP &= ~(MIP.JOGF | MIP.JOGR);
        this.mark('MIP');
        dev.stop();
        return;
      } else if (m.MIP & (MIP.JOG_STOP | MIP.JOG_BL1 | MIP.JOG_BL2)) return;

      // Tweak by TWV.
      if (m.TWF || m.TWR) {
        m.VAL += m.TWV * (m.TWF ? 1 : -1);
        if (m.TWF) {
          m.TWF = 0;
          this.post('TWF', VAL_LOG);
        }
        if (m.TWR) {
          m.TWR = 0;
          this.post('TWR', VAL_LOG);
        }
      }
      // Relative move.
      if (m.RLV !== m.LRLV) {
        m.VAL += m.RLV;
        m.RLV = 0;
        this.mark('RLV');
        m.LRLV = m.RLV;
      }
      // New raw value.
      if (m.RVAL !== m.LRVL) m.DVAL = m.RVAL * m.MRES;
    }

    // Collect DVAL changes.
    if (m.VAL !== m.LVAL) {
      this.mark('VAL');
      if (m.SET && !m.IGSET && !m.FOFF) {
        // Set mode, variable offset: redefine VAL by changing OFF, without moving.
        m.OFF = m.VAL - m.DVAL * dir;
        m.RBV = m.DRBV * dir + m.OFF;
        this.mark('OFF');
        this.mark('RBV');
        this.setUserLimits();
        m.LVAL = m.VAL;
        m.MIP = MIP.DONE;
        this.mark('MIP');
        m.DMOV = 1;
        this.mark('DMOV');
        return;
      }
      m.DVAL = (m.VAL - m.OFF) / dir;
    }
    if (stopOrPause) return;

    if (m.DVAL !== m.LDVL || !m.DMOV) {
      if (m.DVAL !== m.LDVL) this.mark('DVAL');
      if (m.SET) {
        if ((m.MIP & MIP.LOAD_P) === 0) this.loadPos();
        return; // device support calls back when the load is done
      }
      this.doDvalChangedOrNotDoneMoving();
    } else if (m.SYNC && m.STUP === STUP.OFF && m.MIP === MIP.DONE) {
      this.syncTargetPosition();
      m.SYNC = 0;
      this.post('SYNC', VAL_LOG);
    } else if (procInd === NOTHING_DONE && m.STUP === STUP.OFF) {
      m.STUP = STUP.BUSY;
      this.mark('STUP');
      dev.getInfo();
    }
  }

  private homingWantedAndAllowed(): boolean {
    const m = this.m;
    const onLs = this.dev?.homeOnLimitSwitch === true;
    let ret = false;
    // Not when sitting on the limit switch in the homing direction (unless the controller homes on it).
    if (m.HOMF && !(m.MIP & MIP.HOMF)) ret = onLs || !(m.DIR === 0 ? m.HLS : m.LLS);
    if (m.HOMR && !(m.MIP & MIP.HOMR)) ret = onLs || !(m.DIR === 0 ? m.LLS : m.HLS);
    return ret;
  }

  private doDvalChangedOrNotDoneMoving(): void {
    const m = this.m;
    const dir = dirSign(m.DIR);
    let preferredDir = true;
    const diff = m.DVAL - m.DRBV;
    let relpos = diff;
    let relbpos = m.DVAL - m.BDST - m.DRBV;
    const absdiff = Math.abs(diff);

    // DVAL may have been written directly: make VAL agree.
    m.VAL = m.DVAL * dir + m.OFF;
    if (m.VAL !== m.LVAL) this.mark('VAL');
    m.RVAL = nint(m.DVAL / m.MRES);
    if (m.RVAL !== m.LRVL) this.mark('RVAL');

    // Don't move if within the deadband.
    let tooSmall = false;
    if ((m.MIP & MIP.RETRY) === 0) {
      if (m.SPDB > 0) {
        if (m.DVAL - m.SPDB < m.DRBV && m.DVAL + m.SPDB > m.DRBV) tooSmall = true;
      } else if (absdiff < Math.abs(m.MRES)) tooSmall = true;
    } else if (absdiff < Math.abs(m.RDBD)) tooSmall = true;

    if (m.MISS) {
      m.MISS = 0;
      this.mark('MISS');
    }
    if (tooSmall) {
      if (!m.DMOV && (m.MIP === MIP.DONE || m.MIP === MIP.RETRY)) {
        m.DMOV = 1;
        this.mark('DMOV');
        if (m.MIP !== MIP.DONE) {
          m.MIP = MIP.DONE;
          this.mark('MIP');
        }
      }
      m.LDVL = m.DVAL;
      m.LVAL = m.VAL;
      m.LRVL = m.RVAL;
      return;
    }

    if ((m.MIP & MIP.RETRY) === 0) {
      if (m.RCNT !== 0) this.mark('RCNT');
      m.RCNT = 0;
    } else if (m.RMOD === RMOD.Arithmetic) {
      const factor = (m.RTRY - m.RCNT + 1) / m.RTRY;
      relpos *= factor;
      relbpos *= factor;
    } else if (m.RMOD === RMOD.Geometric) {
      const factor = 1 / 2 ** (m.RCNT - 1);
      relpos *= factor;
      relbpos *= factor;
    } else if (m.RMOD === RMOD.InPosition) return;

    if (m.BDST && diff > 0 !== m.BDST > 0) preferredDir = false;

    // Soft travel limits.
    if (!softLimitsDefined(m.DHLM, m.DLLM)) this.setLvio(0);
    else if ((m.DVAL > m.DHLM && m.DVAL < m.LDVL) || (m.DVAL < m.DLLM && m.DVAL > m.LDVL)) {
      this.setLvio(0); // towards the valid range from outside: allowed
    } else if (preferredDir) this.setLvio(m.DVAL > m.DHLM || m.DVAL < m.DLLM ? 1 : 0);
    else {
      const bdstpos = m.DVAL - m.BDST;
      this.setLvio(bdstpos > m.DHLM || bdstpos < m.DLLM ? 1 : 0);
    }

    const rdblOk = m.URIP === 1 ? this.readLinkNumber('RDBL') !== undefined : true;
    if (m.LVIO || !rdblOk) {
      // Refused: restore the previous targets; nothing moves.
      m.VAL = m.LVAL;
      this.mark('VAL');
      m.DVAL = m.LDVL;
      this.mark('DVAL');
      m.RVAL = m.LRVL;
      this.mark('RVAL');
      if (m.MIP & MIP.RETRY) {
        m.MIP = MIP.DONE;
        this.mark('MIP');
      }
      if (m.MIP === MIP.DONE && !m.DMOV) {
        m.DMOV = 1;
        this.mark('DMOV');
      }
      return;
    }
    if (m.MIP === MIP.DONE || m.MIP === MIP.RETRY) this.doRetryOrDone(preferredDir, relpos, relbpos);
  }

  private doRetryOrDone(preferredDir: boolean, relpos: number, relbpos: number): void {
    const m = this.m;
    const rbdst1 = Math.abs(m.BDST) + m.SPDB;
    if (m.UDF || m.STAT === AlarmStatus.LINK || m.STAT === AlarmStatus.UDF) return;
    const useRel = this.useRelativeMoves();
    if (Math.abs(relpos) < m.SPDB) relpos = relpos > 0 ? m.SPDB : -m.SPDB;
    if (Math.abs(relbpos) < m.SPDB) relbpos = relbpos > 0 ? m.SPDB : -m.SPDB;

    m.MIP |= MIP.MOVE;
    this.mark('MIP');
    if (m.DMOV) {
      m.DMOV = 0;
      this.mark('DMOV');
    }
    m.LDVL = m.DVAL;
    m.LVAL = m.VAL;
    m.LRVL = m.RVAL;

    if (Math.abs(m.BDST) < m.SPDB || (preferredDir && m.BVEL === m.VELO && m.BACC === m.ACCL)) {
      // No backlash leg needed.
      this.moveDialPosition(MoveMode.Position, m.DRBV + relpos);
    } else if (preferredDir && ((useRel && relbpos <= m.SPDB) || (!useRel && Math.abs(m.DVAL - m.DRBV) <= rbdst1))) {
      // Preferred direction and within the backlash distance: all of it at backlash speed.
      this.moveDialPosition(MoveMode.Backlash, m.DRBV + relpos);
    } else {
      // To the backlash position at slew speed; postProcess() does the backlash leg.
      this.moveDialPosition(MoveMode.Position, m.DRBV + relbpos);
      m.PP = 1;
    }
  }

  private useRelativeMoves(): boolean {
    const m = this.m;
    return m.RTRY !== 0 && m.RMOD !== RMOD.InPosition && (m.UEIP === 1 || m.URIP === 1);
  }

  private moveDialPosition(mode: MoveMode, position: number): void {
    const m = this.m;
    const useRel = this.useRelativeMoves();
    const diff = (position - m.DRBV) * m.FRAC;
    const val = useRel ? diff : position;
    let vel: number;
    let acc: number;
    if (mode === MoveMode.Position) {
      vel = m.VELO;
      acc = accelerationFor(vel, m.VBAS, m.ACCL, m.ACCS, m.ACCU === ACCU.Accs);
    } else {
      vel = m.BVEL;
      acc = vel - m.VBAS > 0 ? (vel - m.VBAS) / m.BACC : vel / m.BACC;
    }
    this.moveDialEgu(vel, acc, val, useRel);
    this.commandedDval = position;
    this.setCdirFromDialMove(diff < 0 ? 0 : 1);
  }

  /** devSupMoveDialEgu → devSupMoveAbsRaw / devSupMoveRelRaw. */
  private moveDialEgu(vel: number, accEgu: number, pos: number, relative: boolean): void {
    const m = this.m;
    const amres = Math.abs(m.MRES);
    let velRaw = vel / amres;
    const vbaseRaw = m.VBAS / amres;
    const accRaw = accEgu / amres;
    if (velRaw <= vbaseRaw) velRaw = vbaseRaw + 1;
    if (relative) this.dev!.moveRelative(pos / m.MRES, velRaw, vbaseRaw, accRaw);
    else this.dev!.moveAbsolute(pos / m.MRES, velRaw, vbaseRaw, accRaw);
  }

  /** devSupJogDial */
  private jogDial(jogv: number, jacc: number): void {
    const m = this.m;
    const jogvRaw = jogv / m.MRES;
    this.dev!.jog(jogvRaw, m.VBAS / Math.abs(m.MRES), jacc / Math.abs(m.MRES));
    m.CDIR = jogvRaw > 0 ? 1 : 0;
  }

  /** doHomeSetcdir */
  private doHomeSetCdir(): void {
    const m = this.m;
    const amres = Math.abs(m.MRES);
    const vbase = m.VBAS / amres;
    const hvel = m.HVEL / amres;
    const acc = hvel - vbase > 0 ? (hvel - vbase) / m.ACCL : hvel / m.ACCL;
    const forward = (m.MIP & MIP.HOMF && m.MRES > 0) || (m.MIP & MIP.HOMR && m.MRES < 0);
    this.dev!.home(!!forward, hvel, vbase, acc);
    m.CDIR = forward ? 1 : 0;
  }

  private setCdirFromDialMove(directionDial: number): void {
    let cdir = directionDial > 0 ? 1 : 0;
    if (this.m.MRES < 0) cdir = cdir ? 0 : 1;
    this.m.CDIR = cdir;
  }

  // ---- postProcess, backlash, retries ------------------------------------------------------------

  private postProcess(): void {
    const m = this.m;
    m.PP = 0;
    if (m.OMSL !== 1 && !(m.MIP & (MIP.MOVE | MIP.MOVE_BL | MIP.JOG_BL1 | MIP.JOG_BL2))) {
      // Make the drive values agree with the readback.
      m.VAL = m.RBV;
      m.DVAL = m.DRBV;
      this.mark('VAL');
      this.mark('DVAL');
      m.RVAL = nint(m.DVAL / m.MRES);
      this.mark('RVAL');
      m.DIFF = 0;
      this.mark('DIFF');
      m.RDIF = 0;
      this.mark('RDIF');
      if (m.MISS) {
        m.MISS = 0;
        this.mark('MISS');
      }
    }
    if (m.MIP & MIP.LOAD_P) m.MIP = MIP.DONE;
    else if (m.MIP & MIP_HOME) {
      if (m.MIP & MIP.STOP) {
        // Stopped with Hom* still pressed: now home.
        m.MIP &= ~MIP.STOP;
        m.DMOV = 0;
        this.mark('DMOV');
        m.RCNT = 0;
        this.mark('RCNT');
        this.doHomeSetCdir();
        m.PP = 1;
      } else if (m.MIP & MIP.HOMF) {
        m.HOMF = 0;
        this.mark('HOMF');
      } else if (m.MIP & MIP.HOMR) {
        m.HOMR = 0;
        this.mark('HOMR');
      }
    } else if (m.MIP & MIP.JOG_STOP || m.MIP & MIP.MOVE) {
      if (Math.abs(m.BDST) >= Math.abs(m.SPDB)) this.doBacklash();
      m.MIP &= ~(MIP.JOG_STOP | MIP.MOVE);
    } else if (m.MIP & MIP.JOG_BL1) this.doBacklash();
    m.LVAL = m.VAL;
    m.LDVL = m.DVAL;
    m.LRVL = m.RVAL;
    m.MIP &= ~MIP.STOP;
    this.mark('MIP');
  }

  private doBacklash(): void {
    const m = this.m;
    m.DMOV = 0;
    this.unmark('DMOV');
    if (m.MIP & MIP.JOG_STOP) {
      this.moveDialPosition(MoveMode.Position, m.DVAL - m.BDST);
      m.MIP = MIP.JOG_BL1;
    } else if (m.MIP & MIP.MOVE) {
      this.moveDialPosition(MoveMode.Backlash, m.DVAL);
      m.RVAL = nint(m.DVAL / m.MRES);
      m.MIP = MIP.MOVE_BL;
    } else if (m.MIP & MIP.JOG_BL1) {
      this.moveDialPosition(MoveMode.Backlash, m.DVAL);
      m.RVAL = nint(m.DVAL / m.MRES);
      m.MIP = MIP.JOG_BL2;
    }
    m.PP = 1;
  }

  private maybeRetry(): void {
    const m = this.m;
    const diff = this.commandedDval - m.DRBV;
    const userCdir = (m.DIR === 0) === m.MRES >= 0 ? m.CDIR : m.CDIR ? 0 : 1;
    if (Math.abs(diff) >= m.RDBD && !(m.HLS && userCdir) && !(m.LLS && !userCdir)) {
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
          this.mark('MISS');
        } else {
          m.DMOV = 0;
          this.unmark('DMOV');
          m.MIP = MIP.RETRY;
        }
        this.mark('RCNT');
      }
    } else {
      m.MIP &= MIP.JOG_REQ;
      if (m.MISS) {
        m.MISS = 0;
        this.mark('MISS');
      }
      // A motion started by "Move" pauses when done.
      if (m.SPMG === SPMG.Move) {
        m.SPMG = SPMG.Pause;
        this.mark('SPMG');
      }
    }
    this.mark('MIP');
  }

  private startDelay(): void {
    this.dlyTimer?.cancel();
    this.dlyTimer = this.clock.setTimeout(() => {
      this.dlyTimer = undefined;
      if (this.m.MIP & MIP.DELAY_REQ) {
        this.m.MIP = (this.m.MIP & ~MIP.DELAY_REQ) | MIP.DELAY_ACK;
        this.processRecord(true);
      }
    }, this.m.DLY * 1000);
  }

  // ---- resolution, positions, limits ------------------------------------------------------------

  private newMresEresUeip(): void {
    const m = this.m;
    const dev = this.dev!;
    let ep = 1;
    let mp = 1;
    const encoder = (m.MSTA & MSTA.EA_PRESENT) !== 0;
    if (encoder) {
      if (Math.abs(m.MRES) < 1e-9) {
        m.MRES = 1;
        this.mark('MRES');
      }
      if (m.ERES === 0) m.ERES = m.MRES;
      let n = 10_000_000;
      while (n > 1 && (Math.abs(n / m.ERES) > 1e6 || Math.abs(n / m.MRES) > 1e6)) n = Math.trunc(n / 10);
      ep = n / m.ERES;
      mp = n / m.MRES;
    }
    this.enforceMinRetryDeadband();
    if (encoder) dev.setEncoderRatio(ep, mp);
    if (m.SET) {
      m.PP = 1;
      dev.getInfo();
    } else if ((m.MIP & MIP.LOAD_P) === 0) this.loadPos();
  }

  /** load_pos: give the controller a new raw position for DVAL without moving. */
  private loadPos(): void {
    const m = this.m;
    const newpos = m.DVAL / m.MRES;
    m.LDVL = m.DVAL;
    m.LVAL = m.VAL;
    if (m.RVAL !== nint(newpos)) this.mark('RVAL');
    m.LRVL = m.RVAL = nint(newpos);
    if (m.FOFF) {
      m.VAL = m.DIR === 0 ? m.OFF + m.DVAL : m.OFF - m.DVAL;
      this.mark('VAL');
      m.LVAL = m.VAL;
    } else {
      m.OFF = m.DIR === 0 ? m.VAL - m.DVAL : m.VAL + m.DVAL;
      this.mark('OFF');
      this.setUserLimits();
    }
    m.MIP = MIP.LOAD_P;
    this.mark('MIP');
    if (m.DMOV) {
      m.DMOV = 0;
      this.mark('DMOV');
    }
    this.dev!.loadPosition(newpos);
    this.dev!.getInfo();
  }

  /** update_values of the device support: copy the axis status into RMP, REP, MSTA. */
  private updateValues(): boolean {
    const dev = this.dev;
    if (!dev) return false;
    const { status, fresh } = dev.readStatus();
    if (!fresh) return false;
    const m = this.m;
    m.RMP = nint(status.position) | 0;
    m.REP = nint(status.encoderPosition) | 0;
    m.MSTA = status.msta >>> 0;
    this.readBackPosition = status.position;
    this.readBackEncoder = status.encoderPosition;
    return true;
  }

  private processMotorInfo(initcall: boolean): void {
    const m = this.m;
    const oldDrbv = m.DRBV;
    const oldRbv = m.RBV;
    const oldRrbv = m.RRBV;
    const oldTdir = m.TDIR;
    const oldMovn = m.MOVN;
    const oldHls = m.HLS;
    const oldLls = m.LLS;
    const oldAthm = m.ATHM;
    const msta = m.MSTA;

    if (!this.readBack(initcall) && m.MIP !== MIP.DONE) {
      // Error reading RDBL: stop the move.
      this.clearButtons();
      m.STOP = 1;
      this.mark('STOP');
    }
    if (m.RRBV !== oldRrbv) this.mark('RRBV');
    if (m.DRBV !== oldDrbv) this.mark('DRBV');
    m.RBV = dirSign(m.DIR) * m.DRBV + m.OFF;
    if (m.RBV !== oldRbv) this.mark('RBV');

    m.TDIR = msta & MSTA.RA_DIRECTION ? 1 : 0;
    if (m.TDIR !== oldTdir) this.mark('TDIR');

    m.RHLS = msta & MSTA.RA_PLUS_LS ? 1 : 0;
    m.RLLS = msta & MSTA.RA_MINUS_LS ? 1 : 0;
    // A limit switch counts only when it is pressed in the direction of the commanded motion, and not
    // while homing on a controller that homes onto the switches (MF_HOME_ON_LS).
    let lsActive = (m.RHLS && m.CDIR) || (m.RLLS && !m.CDIR);
    if (m.MIP & MIP_HOME && this.dev?.homeOnLimitSwitch) lsActive = 0;
    const userMatchesRaw = (m.DIR === 0) === m.MRES >= 0;
    m.HLS = userMatchesRaw ? m.RHLS : m.RLLS;
    m.LLS = userMatchesRaw ? m.RLLS : m.RHLS;
    if (m.HLS !== oldHls) this.mark('HLS');
    if (m.LLS !== oldLls) this.mark('LLS');
    if (lsActive) {
      m.STOP = 1;
      this.mark('STOP');
      this.clearButtons();
    }
    m.MOVN = msta & MSTA.RA_DONE || lsActive ? 0 : 1;
    if (m.MOVN !== oldMovn) this.mark('MOVN');

    m.ATHM = (m.UEIP ? msta & MSTA.EA_HOME : msta & MSTA.RA_HOME) ? 1 : 0;
    if (m.ATHM !== oldAthm) this.mark('ATHM');

    m.DIFF = m.DVAL - m.DRBV;
    this.mark('DIFF');
    m.RDIF = nint(m.DIFF / m.MRES) | 0;
    this.mark('RDIF');
  }

  /** readBackPosition: RRBV/DRBV from the encoder (UEIP), the RDBL link (URIP) or the motor. */
  private readBack(initcall: boolean): boolean {
    const m = this.m;
    if (m.UEIP === 1) {
      m.RRBV = m.REP;
      m.DRBV = this.readBackEncoder ? this.readBackEncoder * m.ERES : m.RRBV * m.ERES;
    } else if (m.URIP === 1 && !initcall) {
      const v = this.readLinkNumber('RDBL');
      if (v === undefined) return false;
      m.DRBV = v * (m.RRES || 1);
      m.RRBV = nint(m.DRBV / m.MRES) | 0;
    } else {
      m.RRBV = m.RMP;
      m.DRBV = this.readBackPosition ? this.readBackPosition * m.MRES : m.RRBV * m.MRES;
    }
    return true;
  }

  private syncTargetPosition(): void {
    const m = this.m;
    this.readBack(false);
    this.mark('RRBV');
    this.mark('DRBV');
    m.RBV = m.DRBV * dirSign(m.DIR) + m.OFF;
    this.mark('RBV');
    m.VAL = m.LVAL = m.RBV;
    this.mark('VAL');
    m.DVAL = m.LDVL = m.DRBV;
    this.mark('DVAL');
    m.RVAL = m.LRVL = nint(m.DVAL / m.MRES) | 0;
    this.mark('RVAL');
  }

  private clearButtons(): void {
    const m = this.m;
    for (const f of ['JOGF', 'JOGR', 'HOMF', 'HOMR'] as const) {
      if (m[f]) {
        m[f] = 0;
        this.mark(f);
      }
    }
  }

  private setLvio(v: number): void {
    if (this.m.LVIO !== v) {
      this.m.LVIO = v;
      this.mark('LVIO');
    }
  }

  private recalcLvio(): void {
    const m = this.m;
    if (m.UDF || m.STAT === AlarmStatus.LINK || m.STAT === AlarmStatus.UDF) return;
    if (!softLimitsDefined(m.DHLM, m.DLLM)) this.setLvio(0);
    else this.setLvio(m.DRBV > m.DHLM + m.RDBD || m.DRBV < m.DLLM - m.RDBD || m.DLLM > m.DHLM ? 1 : 0);
  }

  private setDialHighLimit(): void {
    const m = this.m;
    const raw = m.DHLM / m.MRES;
    if (m.MRES < 0) this.dev?.setLowLimit(raw);
    else this.dev?.setHighLimit(raw);
    if (m.DIR === 0) {
      m.HLM = m.DHLM + m.OFF;
      this.mark('HLM');
    } else {
      m.LLM = -m.DHLM + m.OFF;
      this.mark('LLM');
    }
    this.mark('DHLM');
    this.recalcLvio();
  }

  private setDialLowLimit(): void {
    const m = this.m;
    const raw = m.DLLM / m.MRES;
    if (m.MRES < 0) this.dev?.setHighLimit(raw);
    else this.dev?.setLowLimit(raw);
    if (m.DIR === 0) {
      m.LLM = m.DLLM + m.OFF;
      this.mark('LLM');
    } else {
      m.HLM = -m.DLLM + m.OFF;
      this.mark('HLM');
    }
    this.mark('DLLM');
    this.recalcLvio();
  }

  private setUserHighLimit(): void {
    const m = this.m;
    if (m.DIR === 0) {
      m.DHLM = m.HLM - m.OFF;
      this.setDialHighLimit();
    } else {
      m.DLLM = -m.HLM + m.OFF;
      this.setDialLowLimit();
    }
    this.mark('HLM');
  }

  private setUserLowLimit(): void {
    const m = this.m;
    if (m.DIR === 0) {
      m.DLLM = m.LLM - m.OFF;
      this.setDialLowLimit();
    } else {
      m.DHLM = -m.LLM + m.OFF;
      this.setDialHighLimit();
    }
    this.mark('LLM');
  }

  /** set_userlimits: translate the dial limits into user limits. */
  private setUserLimits(): void {
    const m = this.m;
    const u = userLimitsFromDial(m.DHLM, m.DLLM, m.DIR, m.OFF);
    m.HLM = u.hlm;
    m.LLM = u.llm;
    this.mark('HLM');
    this.mark('LLM');
  }

  private rangeCheck(field: 'VELO' | 'VBAS' | 'VMAX' | 'BVEL' | 'JVEL' | 'HVEL' | 'SPDB' | 'S' | 'SBAS' | 'SBAK', min: number, max: number): void {
    const m = this.m;
    let v = m[field];
    let changed = false;
    if (v < min) {
      v = min;
      changed = true;
    }
    if (max !== 0 && v > max) {
      v = max;
      changed = true;
    }
    if (changed) {
      m[field] = v;
      this.post(field, VAL_LOG);
    }
  }

  /** Make RDBD ≥ |MRES| and 0 < SPDB ≤ RDBD (enforceMinRetryDeadband). */
  private enforceMinRetryDeadband(): void {
    const m = this.m;
    const oldSpdb = m.SPDB;
    const oldRdbd = m.RDBD;
    const minRdbd = Math.abs(m.MRES);
    if (m.RDBD < minRdbd) m.RDBD = minRdbd;
    if (!m.SPDB) m.SPDB = m.RDBD;
    if (!m.SPDB) m.SPDB = Math.abs(m.MRES);
    this.rangeCheck('SPDB', 0, m.RDBD);
    if (m.SPDB !== oldSpdb) this.post('SPDB', VAL_LOG);
    if (m.RDBD !== oldRdbd) this.post('RDBD', VAL_LOG);
  }

  private checkResolution(): void {
    const m = this.m;
    if (m.SREV <= 0) {
      m.SREV = 200;
      this.mark('SREV');
    }
    if (m.UREV !== 0) {
      m.MRES = m.UREV / m.SREV;
      this.mark('MRES');
    }
    if (m.MRES === 0) {
      m.MRES = 1;
      this.mark('MRES');
    }
    if (m.UREV !== m.MRES * m.SREV) {
      m.UREV = m.MRES * m.SREV;
      this.mark('UREV');
    }
  }

  private checkSpeed(): void {
    const m = this.m;
    const urev = Math.abs(m.UREV);
    if (m.SMAX > 0) m.VMAX = m.SMAX * urev;
    else if (m.VMAX > 0) m.SMAX = m.VMAX / urev;
    else m.SMAX = m.VMAX = 0;
    if (m.SBAS !== 0) {
      this.rangeCheck('SBAS', 0, m.SMAX);
      m.VBAS = m.SBAS * urev;
    } else {
      this.rangeCheck('VBAS', 0, m.VMAX);
      m.SBAS = m.VBAS / urev;
    }
    if (m.S !== 0) {
      this.rangeCheck('S', m.SBAS, m.SMAX);
      m.VELO = m.S * urev;
    } else {
      this.rangeCheck('VELO', m.VBAS, m.VMAX);
      m.S = m.VELO / urev;
    }
    if (m.SBAK !== 0) {
      this.rangeCheck('SBAK', m.SBAS, m.SMAX);
      m.BVEL = m.SBAK * urev;
    } else {
      this.rangeCheck('BVEL', m.VBAS, m.VMAX);
      m.SBAK = m.BVEL / urev;
    }
    if (m.ACCS && !m.ACCL) this.updateAcclFromAccs();
    if (m.ACCL === 0) m.ACCL = 0.1;
    if (m.BACC === 0) m.BACC = 0.1;
    if (m.JVEL === 0) m.JVEL = m.VELO;
    else this.rangeCheck('JVEL', m.VBAS, m.VMAX);
    if (m.JAR === 0) m.JAR = m.VELO / m.ACCL;
    if (m.HVEL === 0) m.HVEL = m.VBAS;
    else this.rangeCheck('HVEL', m.VBAS, m.VMAX);
    if (m.ACCU === ACCU.Undef) this.updateAccsFromAccl();
  }

  private updateAcclFromAccs(): void {
    const m = this.m;
    if (m.ACCU !== ACCU.Accs) {
      m.ACCU = ACCU.Accs;
      this.post('ACCU', VAL_LOG);
    }
    if (m.ACCS > 0) {
      const accl = m.VELO / m.ACCS;
      if (m.ACCL !== accl) {
        m.ACCL = accl;
        this.post('ACCL', VAL_LOG);
      }
    }
  }

  private updateAccsFromAccl(): void {
    const m = this.m;
    if (m.ACCU !== ACCU.Accl) {
      m.ACCU = ACCU.Accl;
      this.post('ACCU', VAL_LOG);
    }
    const accs = m.VELO / m.ACCL;
    if (m.ACCS !== accs) {
      m.ACCS = accs;
      this.post('ACCS', VAL_LOG);
    }
  }

  private updateAccelFromVelo(): void {
    const m = this.m;
    if (m.ACCU === ACCU.Accs) {
      if (m.ACCS > 0) {
        const accl = m.VELO / m.ACCS;
        if (m.ACCL !== accl) {
          m.ACCL = accl;
          this.post('ACCL', VAL_LOG);
        }
      }
    } else {
      const accs = m.VELO / m.ACCL;
      if (m.ACCS !== accs) {
        m.ACCS = accs;
        this.post('ACCS', VAL_LOG);
      }
    }
  }

  private dolIsConstant(): boolean {
    const k = this.link('DOL').kind;
    return k === 'none' || k === 'constant';
  }

  // ---- alarms and monitors ----------------------------------------------------------------------

  private alarmSub(): void {
    const m = this.m;
    if (m.UDF) {
      this.setSevr(AlarmStatus.UDF, Severity.INVALID);
      return;
    }
    // Limit switches and soft-limit violations (soft limits only when defined, unlike alarm_sub, which
    // raises HIGH for any DVAL > 0 when DHLM = DLLM = 0).
    const soft = softLimitsDefined(m.DHLM, m.DLLM);
    if (m.HLSV && (m.HLS || (soft && m.DVAL > m.DHLM))) {
      this.setSevr(AlarmStatus.HIGH, m.HLSV);
      return;
    }
    if (m.HLSV && (m.LLS || (soft && m.DVAL < m.DLLM))) {
      this.setSevr(AlarmStatus.LOW, m.HLSV);
      return;
    }
    if (m.MSTA & MSTA.CNTRL_COMM_ERR) {
      m.MSTA &= ~MSTA.CNTRL_COMM_ERR;
      this.mark('MSTA');
      this.setSevr(AlarmStatus.COMM, Severity.INVALID);
    }
    if (m.MSTA & (MSTA.EA_SLIP_STALL | MSTA.RA_PROBLEM)) this.setSevr(AlarmStatus.STATE, Severity.MAJOR);
    if (m.MISV && m.MISS) this.setSevr(AlarmStatus.STATE, m.MISV);
  }

  private mark(f: Markable): void {
    const i = IDX[f];
    this.marks[i] = 1;
    // monitor()'s short circuit looks at the less frequently posted fields only.
    if (i >= REST_START) this.anyMarked = true;
  }

  private unmark(f: Markable): void {
    this.marks[IDX[f]] = 0;
  }

  private isMarked(f: Markable): boolean {
    return this.marks[IDX[f]] === 1;
  }

  /** monitor(): post the MARKed fields (all of them with DBE_ALARM when the alarm changed). */
  protected override monitor(alarmMask: number): void {
    const m = this.m;
    const marks = this.marks;
    // RBV with its monitor/archive deadbands.
    const rbvMarked = marks[0] === 1;
    if (m.MDEL === 0 && m.ADEL === 0) {
      const mask = alarmMask | (rbvMarked ? VAL_LOG : 0);
      if (mask) this.post('RBV', mask);
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
      if (mask) this.post('RBV', mask);
    }
    for (let i = 1; i < REST_START; i++) {
      const mask = alarmMask | (marks[i] ? VAL_LOG : 0);
      if (!mask) continue;
      const f = MARKABLE[i]!;
      this.post(f, mask);
      if (f === 'MSTA' && m.MSTA & MSTA.GAIN_SUPPORT) {
        const cnen = m.MSTA & MSTA.EA_POSITION ? 1 : 0;
        if (cnen !== m.CNEN) {
          m.CNEN = cnen;
          this.post('CNEN', mask);
        }
      }
    }
    if (this.anyMarked) {
      for (let i = REST_START; i < MARKABLE.length; i++) {
        let mask = alarmMask | (marks[i] ? VAL_LOG : 0);
        if (!mask) continue;
        const f = MARKABLE[i]!;
        if (f === 'VAL' || f === 'DMOV' || f === 'MOVN') {
          // Post a value change only when the value changed.
          if (m[f] === this.posted[f]) mask &= ~VAL_LOG;
          else if (mask & DBE.VALUE) this.posted[f] = m[f];
          if (!mask) continue;
        }
        this.post(f, mask);
        if (f === 'HLS' || f === 'LLS') {
          const high = (f === 'HLS') === ((m.DIR === 0) === m.MRES >= 0);
          this.post(high ? 'RHLS' : 'RLLS', mask);
        }
      }
    }
    marks.fill(0);
    this.anyMarked = false;
  }

  /** DMOV changes outside process() (special's blink) post at once. */
  private postDmov(): void {
    this.posted.DMOV = this.m.DMOV;
    this.post('DMOV', VAL_LOG);
  }

  /** recGblFwdLink: only once the motion is done; put-callbacks complete here (dbNotifyCompletion). */
  override fwdLink(): Promise<void> | undefined {
    if (!this.m.DMOV) return undefined;
    if (this.waiters.length) {
      const w = this.waiters;
      this.waiters = [];
      for (const resolve of w) resolve();
    }
    return super.fwdLink();
  }

  // ---- puts (dbPutField / special) -----------------------------------------------------------------

  /**
   * A put that processes the record completes, when the client asked for completion, at the first forward
   * link after it (DMOV = 1). Put-callbacks to one record run one at a time, as dbNotify does.
   */
  override async putField(fd: FieldDef, value: DbrValue, ctx: PutContext): Promise<void> {
    const processes = fd.name === 'PROC' || (fd.pp === true && this.scanPassive);
    const waits = processes && (ctx.notify === true || (ctx.notify === undefined && ctx.origin !== 'link'));
    if (!waits) return super.putField(fd, value, ctx);
    const queued = ctx.notify === true;
    if (queued) while (this.notifyActive) await this.notifyActive;
    let release!: () => void;
    const active = new Promise<void>((r) => (release = r));
    if (queued) this.notifyActive = active;
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    this.waiters.push(resolveDone);
    const before = this.passes;
    try {
      await super.putField(fd, value, ctx);
      if (this.passes === before) return; // nothing processed (disabled, refused by special)
      await done;
    } finally {
      const i = this.waiters.indexOf(resolveDone);
      if (i >= 0) this.waiters.splice(i, 1);
      if (this.notifyActive === active) this.notifyActive = undefined;
      release();
    }
  }

  /** special(after = 0): runs before the value is stored. */
  protected override beforePut(fd: FieldDef, _value: DbrValue, _ctx: PutContext): boolean | void {
    this.specialBefore(fd, true);
    return true;
  }

  private specialBefore(fd: FieldDef, refuse: boolean): void {
    const m = this.m;
    if (DRIVE_FIELDS.has(fd.name)) {
      // Someone wrote a drive field: blink DMOV (unless disabled).
      if (this.v['DISA'] === this.v['DISV'] || m.DISP) return;
      if (m.DMOV) {
        m.DMOV = 0;
        this.postDmov();
      }
      return;
    }
    if (!refuse) return;
    if ((fd.name === 'HOMF' || fd.name === 'HOMR') && m.MIP & MIP_HOME) throw new PutError(`${this.name}: already homing`);
    if (fd.name === 'STUP' && m.STUP !== STUP.OFF) throw new PutError(`${this.name}: status update in progress`);
  }

  /** A link wrote a field (dbPutLink → dbPut): special before and after, then the usual post. */
  protected override afterLinkPut(fd: FieldDef): void {
    this.specialBefore(fd, false);
    if (this.special(fd, { origin: 'link' }) === false) return;
    super.afterLinkPut(fd);
  }

  /** special(after = 1). Returns false to prevent processing (EPICS returns ERROR). */
  protected override special(fd: FieldDef, _ctx: PutContext): boolean | void {
    const m = this.m;
    const dir = dirSign(m.DIR);
    const urev = Math.abs(m.UREV);
    switch (fd.name) {
      case 'VBAS':
        if (m.VBAS < 0) {
          m.VBAS = 0;
          this.post('VBAS', VAL_LOG);
        }
        if (m.UREV !== 0 && m.SBAS !== m.VBAS / urev) {
          m.SBAS = m.VBAS / urev;
          this.post('SBAS', VAL_LOG);
        }
        break;
      case 'SBAS':
        if (m.SBAS < 0) {
          m.SBAS = 0;
          this.post('SBAS', VAL_LOG);
        }
        if (m.VBAS !== urev * m.SBAS) {
          m.VBAS = urev * m.SBAS;
          this.post('VBAS', VAL_LOG);
        }
        break;
      case 'VMAX':
        if (m.VMAX < 0) {
          m.VMAX = 0;
          this.post('VMAX', VAL_LOG);
        }
        if (m.UREV !== 0 && m.SMAX !== m.VMAX / urev) {
          m.SMAX = m.VMAX / urev;
          this.post('SMAX', VAL_LOG);
        }
        break;
      case 'SMAX':
        if (m.SMAX < 0) {
          m.SMAX = 0;
          this.post('SMAX', VAL_LOG);
        }
        if (m.VMAX !== urev * m.SMAX) {
          m.VMAX = urev * m.SMAX;
          this.post('VMAX', VAL_LOG);
        }
        break;
      case 'VELO':
        this.rangeCheck('VELO', m.VBAS, m.VMAX);
        this.updateAccelFromVelo();
        if (m.UREV !== 0 && m.S !== m.VELO / urev) {
          m.S = m.VELO / urev;
          this.post('S', VAL_LOG);
        }
        break;
      case 'S':
        this.rangeCheck('S', m.SBAS, m.SMAX);
        if (m.VELO !== urev * m.S) {
          m.VELO = urev * m.S;
          this.post('VELO', VAL_LOG);
        }
        this.updateAccelFromVelo();
        break;
      case 'BVEL':
        this.rangeCheck('BVEL', m.VBAS, m.VMAX);
        if (m.UREV !== 0 && m.SBAK !== m.BVEL / urev) {
          m.SBAK = m.BVEL / urev;
          this.post('SBAK', VAL_LOG);
        }
        break;
      case 'SBAK':
        this.rangeCheck('SBAK', m.SBAS, m.SMAX);
        if (m.BVEL !== urev * m.SBAK) {
          m.BVEL = urev * m.SBAK;
          this.post('BVEL', VAL_LOG);
        }
        break;
      case 'ACCL':
        if (m.ACCL <= 0) {
          m.ACCL = 0.1;
          this.post('ACCL', VAL_LOG);
        }
        this.updateAccsFromAccl();
        break;
      case 'ACCS':
        this.updateAcclFromAccs();
        break;
      case 'BACC':
        if (m.BACC <= 0) {
          m.BACC = 0.1;
          this.post('BACC', VAL_LOG);
        }
        break;
      case 'SPDB':
      case 'RDBD':
      case 'BDST':
        this.enforceMinRetryDeadband();
        break;
      case 'DIR':
        if (m.FOFF) {
          m.VAL = m.DVAL * dir + m.OFF;
          this.mark('VAL');
        } else {
          m.OFF = m.VAL - m.DVAL * dir;
          this.mark('OFF');
        }
        m.RBV = m.DRBV * dir + m.OFF;
        this.mark('RBV');
        this.setUserLimits();
        this.postLimitProperties();
        break;
      case 'OFF':
        m.VAL = m.DVAL * dir + m.OFF;
        m.LVAL = m.LDVL * dir + m.OFF;
        m.RBV = m.DRBV * dir + m.OFF;
        this.mark('VAL');
        this.mark('RBV');
        this.setUserLimits();
        this.postLimitProperties();
        break;
      case 'HLM':
        this.setUserHighLimit();
        this.postLimitProperties();
        break;
      case 'LLM':
        this.setUserLowLimit();
        this.postLimitProperties();
        break;
      case 'DHLM':
        this.setDialHighLimit();
        this.postLimitProperties();
        break;
      case 'DLLM':
        this.setDialLowLimit();
        this.postLimitProperties();
        break;
      case 'FRAC': {
        const frac = Math.min(Math.max(m.FRAC, 0.1), 1.5);
        if (frac !== m.FRAC) {
          m.FRAC = Math.fround(frac);
          this.post('FRAC', VAL_LOG);
        }
        break;
      }
      case 'MRES':
        this.mark('MRES'); // remember to tell device support
        if (m.UREV !== m.MRES * m.SREV) {
          m.UREV = m.MRES * m.SREV;
          this.mark('UREV');
        }
        this.velocitiesFromSpeeds();
        break;
      case 'UREV':
        if (m.MRES !== m.UREV / m.SREV) {
          m.MRES = m.UREV / m.SREV;
          this.mark('MRES');
        }
        this.velocitiesFromSpeeds();
        break;
      case 'SREV':
        if (m.SREV <= 0) {
          m.SREV = 200;
          this.mark('SREV');
        }
        if (m.MRES !== m.UREV / m.SREV) {
          m.MRES = m.UREV / m.SREV;
          this.mark('MRES');
        }
        break;
      case 'ERES':
        if (m.ERES === 0) m.ERES = m.MRES;
        this.mark('ERES');
        break;
      case 'UEIP':
        if (m.UEIP === 1) {
          if (m.MSTA & MSTA.EA_PRESENT) {
            if (m.URIP === 1) {
              m.URIP = 0;
              this.post('URIP', VAL_LOG);
            }
          } else {
            m.UEIP = 0;
          }
        }
        this.mark('UEIP');
        break;
      case 'URIP':
        if (m.URIP === 1 && m.UEIP === 1) {
          m.UEIP = 0;
          this.mark('UEIP');
        }
        break;
      case 'SSET':
        m.SET = 1;
        this.post('SET', VAL_LOG);
        break;
      case 'SUSE':
        m.SET = 0;
        this.post('SET', VAL_LOG);
        break;
      case 'FOF':
        m.FOFF = 1;
        this.post('FOFF', VAL_LOG);
        break;
      case 'VOF':
        m.FOFF = 0;
        this.post('FOFF', VAL_LOG);
        break;
      case 'CNEN':
        if (m.MSTA & MSTA.GAIN_SUPPORT) this.dev?.setClosedLoop(m.CNEN === 1);
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
        this.rangeCheck('JVEL', m.VBAS, m.VMAX);
        if (m.MIP & (MIP.JOGF | MIP.JOGR)) {
          let jogv = (m.JVEL * dir) / m.MRES;
          if (m.JOGR) jogv = -jogv;
          this.dev?.updateJog(jogv, m.JAR / Math.abs(m.MRES));
        }
        break;
      case 'JAR':
        // Valid JAR: 0 < JAR (EGU/s²).
        if (m.JAR <= 0) m.JAR = m.JVEL / 0.1;
        break;
      case 'HVEL':
        this.rangeCheck('HVEL', m.VBAS, m.VMAX);
        break;
      case 'STUP':
        if (m.STUP !== STUP.ON) {
          m.STUP = STUP.OFF;
          this.post('STUP', VAL_LOG);
          return false;
        }
        break;
      case 'NTMF':
        if (m.NTMF < 2) {
          m.NTMF = 2;
          this.post('NTMF', VAL_LOG);
          return false;
        }
        break;
      case 'EGU':
      case 'PREC':
        this.postProperties(MARKABLE);
        break;
    }
    // Re-check the slew, backlash, jog and home speeds against VBAS/VMAX.
    switch (fd.name) {
      case 'VMAX':
      case 'SMAX':
        if (m.VMAX !== 0 && m.VMAX < m.VBAS) {
          m.VBAS = m.VMAX;
          this.mark('VBAS');
          m.SBAS = m.SMAX;
          this.mark('SBAS');
        }
        this.recheckSpeeds();
        break;
      case 'VBAS':
      case 'SBAS':
        if (m.VMAX !== 0 && m.VBAS > m.VMAX) {
          m.VMAX = m.VBAS;
          this.post('VMAX', VAL_LOG);
          m.SMAX = m.SBAS;
          this.post('SMAX', VAL_LOG);
        }
        this.recheckSpeeds();
        break;
    }
    return true;
  }

  /** velcheckB: keep the speeds in rev/s and change the velocities in EGU/s with UREV. */
  private velocitiesFromSpeeds(): void {
    const m = this.m;
    const urev = Math.abs(m.UREV);
    if (m.VELO !== urev * m.S) {
      m.VELO = urev * m.S;
      this.mark('VELO');
    }
    if (m.VBAS !== urev * m.SBAS) {
      m.VBAS = urev * m.SBAS;
      this.mark('VBAS');
    }
    if (m.BVEL !== urev * m.SBAK) {
      m.BVEL = urev * m.SBAK;
      this.post('BVEL', VAL_LOG);
    }
    if (m.VMAX !== urev * m.SMAX) {
      m.VMAX = urev * m.SMAX;
      this.post('VMAX', VAL_LOG);
    }
  }

  /** velcheckA */
  private recheckSpeeds(): void {
    const m = this.m;
    const urev = Math.abs(m.UREV);
    this.rangeCheck('VELO', m.VBAS, m.VMAX);
    if (m.UREV !== 0 && m.S !== m.VELO / urev) {
      m.S = m.VELO / urev;
      this.post('S', VAL_LOG);
    }
    this.rangeCheck('BVEL', m.VBAS, m.VMAX);
    if (m.UREV !== 0 && m.SBAK !== m.BVEL / urev) {
      m.SBAK = m.BVEL / urev;
      this.post('SBAK', VAL_LOG);
    }
    this.rangeCheck('JVEL', m.VBAS, m.VMAX);
    this.rangeCheck('HVEL', m.VBAS, m.VMAX);
  }

  /** The limits are the position fields' display/control limits: tell clients (DBE_PROPERTY). */
  private postLimitProperties(): void {
    this.postProperties(['VAL', 'RBV', 'DVAL', 'DRBV', 'RVAL', 'RRBV']);
  }

  private postProperties(fields: readonly string[]): void {
    for (const f of fields) this.post(f, DBE.PROPERTY);
  }

  // ---- CA view ------------------------------------------------------------------------------------

  /** get_units, get_precision, get_graphic_double, get_control_double, get_alarm_double. */
  override fieldMeta(fd: FieldDef): FieldMeta {
    if (fd.dbf === 'MENU' || !isNumericDbf(fd.dbf)) return super.fieldMeta(fd);
    const m = this.m;
    const name = fd.name;
    const egu = m.EGU;
    let units = egu;
    if (SPEED_FIELDS.has(name)) units = `${egu}/sec`;
    else if (name === 'JAR') units = `${egu}/s/s`;
    else if (name === 'ACCL' || name === 'BACC') units = 'sec';
    else if (name === 'S' || name === 'SBAS' || name === 'SBAK' || name === 'SMAX') units = 'rev/sec';
    else if (name === 'SREV') units = 'steps/rev';
    else if (name === 'UREV') units = `${egu}/rev`;
    const floating = fd.dbf === 'DOUBLE' || fd.dbf === 'FLOAT';
    let precision = floating ? m.PREC : 0;
    if (name === 'VERS') precision = 2;
    if (floating && (precision < 0 || precision > 15)) precision = 15;
    let hi = 0;
    let lo = 0;
    if (USER_POS_FIELDS.has(name)) [hi, lo] = [m.HLM, m.LLM];
    else if (DIAL_POS_FIELDS.has(name)) [hi, lo] = [m.DHLM, m.DLLM];
    else if (RAW_POS_FIELDS.has(name)) [hi, lo] = m.MRES >= 0 ? [m.DHLM / m.MRES, m.DLLM / m.MRES] : [m.DLLM / m.MRES, m.DHLM / m.MRES];
    else if (name === 'VELO') [hi, lo] = [m.VMAX, m.VBAS];
    const alarms = name === 'VAL' || name === 'DVAL';
    return {
      units,
      precision,
      enumStrings: [],
      limits: {
        upperDisp: hi,
        lowerDisp: lo,
        upperAlarm: alarms ? m.HIHI : 0,
        upperWarning: alarms ? m.HIGH : 0,
        lowerWarning: alarms ? m.LOW : 0,
        lowerAlarm: alarms ? m.LOLO : 0,
        upperCtrl: hi,
        lowerCtrl: lo,
      },
    };
  }
}
