// The EPICS motor record (epics-modules/motor motorRecord.cc), record type 'motor'. The processing follows
// motorRecord.cc function by function, one file per part of it: process() and what ends a motion
// (process.ts), do_work() (do-work.ts), readbacks and positions (positions.ts), soft limits (limits.ts),
// speeds (speeds.ts), special() (special.ts), MARK()/monitor() and alarm_sub() (monitor.ts) — with its MIP
// state bits and device-support calls (motorDevSup.c), so DMOV/MOVN, retries, backlash, limits, set mode
// and put-callback completion behave as on an IOC.
//
// Put-callback: like dbNotify, a put with completion to a process-passive field completes when the record
// next runs its forward link, which the motor record does only once DMOV is 1 (recGblFwdLink →
// dbNotifyCompletion). A second put-callback to the same record waits until the first has completed (the
// dbNotify restart list); plain puts act at once (a new VAL while moving retargets).
//
// The rules are those of motor R7's motorRecord.cc, the version of the reference motorSim IOC (README.md
// here lists how the twin is checked against it); features of later versions (ACCS/ACCU, MFLG's home on a
// limit switch) are kept where they leave R7's behaviour as it is.
//
// Deliberate differences (see the notes at each):
// - VAL, DMOV and MOVN post a value change only when their value changed (EPICS re-posts a MARKed field
//   even when it holds the same value, e.g. DMOV 0 twice when a new target arrives during a move).
// - recalcLVIO sets LVIO from the readback against the new limits (as its comment intends; the C code's
//   local variable makes it clear LVIO instead).
// - RDBL readback: DRBV = RDBL × RRES (the C code divides by MRES as well).
// - A put of a number that is not finite is refused, and a put stamps the record (beforePut).
// - alarm_sub compares DVAL with DHLM/DLLM only when soft limits are defined.
// - Controller-supplied limits/speeds (configRO) and PID gains are not modelled; of the MFLG flags only
//   "home on limit switch" is, as a capability of the device (the simulated controller has it).
import type { DbrValue } from '../../ioc/ca/protocol/snapshot.js';
import type { TimerHandle } from '../../ioc/clock.js';
import { ECA } from '../../ioc/ca/protocol/constants.js';
import { PutError } from '../../ioc/db/errors.js';
import type { PutContext } from '../../ioc/db/pv.js';
import { isNumericDbf } from '../../ioc/records/dbf.js';
import type { FieldDef } from '../../ioc/records/field.js';
import { EpicsRecord, type FieldMeta } from '../../ioc/records/record.js';
import { nint } from './coordinates.js';
import { isMotorDeviceSupport, simMotorDeviceSupport, SIM_MOTOR_DTYPS, type MotorDevice, type MotorDeviceSupport } from './device-support.js';
import { motorFieldTable, type MotorFields } from './fields.js';
import { IDX, MARKABLE, monitor, REST_START, VAL_LOG, type Markable } from './monitor.js';
import { update_values } from './positions.js';
import { init_re_init, process } from './process.js';
import { special, specialBefore } from './special.js';
import { check_resolution } from './speeds.js';

/** motorRecord.cc VERSION */
const MOTOR_RECORD_VERSION = 6.96;

const USER_POS_FIELDS = new Set(['VAL', 'RBV', 'LVAL']);
const DIAL_POS_FIELDS = new Set(['DVAL', 'DRBV', 'LDVL']);
const RAW_POS_FIELDS = new Set(['RVAL', 'RRBV', 'LRVL']);
const SPEED_FIELDS = new Set(['VELO', 'VMAX', 'BVEL', 'VBAS', 'JVEL', 'HVEL']);

/**
 * The record: its fields, the private state motorRecord.cc keeps in motor_priv and the record support
 * entry points. The processing itself lives in process.ts, do-work.ts, positions.ts, limits.ts, speeds.ts,
 * special.ts and monitor.ts as functions over the record (their members marked internal are theirs).
 */
export class MotorRecord extends EpicsRecord {
  static readonly recordType = 'motor';
  static readonly table = motorFieldTable;

  /** Typed view of the field storage. */
  readonly m = this.v as unknown as MotorFields;
  /** @internal */
  dev: MotorDevice | undefined;
  /** @internal MARK()ed fields (mmap/nmap), indexed like MARKABLE. */
  readonly marks = new Uint8Array(MARKABLE.length);
  /** @internal a field of MARKABLE[REST_START…] is marked */
  anyMarked = false;
  /** @internal priv->readBack: positions as the device reported them. */
  readBackPosition = 0;
  /** @internal */
  readBackEncoder = 0;
  /** @internal the DLY settle timer */
  dlyTimer: TimerHandle | undefined;
  /** @internal Processing passes so far (a put that processed nothing completes at once). */
  passes = 0;
  /** Put-callbacks waiting for the forward link (DMOV = 1). */
  private waiters: (() => void)[] = [];
  /** The put-callback in progress (dbNotify allows one per record). */
  private notifyActive: Promise<void> | undefined;
  /** @internal Last posted values of the fields that post on change only. */
  readonly posted: Record<'VAL' | 'DMOV' | 'MOVN', number> = { VAL: Number.NaN, DMOV: Number.NaN, MOVN: Number.NaN };

  /** The device (axis) this record drives, once initialised. */
  get device(): MotorDevice | undefined {
    return this.dev;
  }

  /** MARK(field) */
  mark(f: Markable): void {
    const i = IDX[f];
    this.marks[i] = 1;
    // monitor()'s short circuit looks at the less frequently posted fields only.
    if (i >= REST_START) this.anyMarked = true;
  }

  /** UNMARK(field) */
  unmark(f: Markable): void {
    this.marks[IDX[f]] = 0;
  }

  /** MARKED(field) */
  isMarked(f: Markable): boolean {
    return this.marks[IDX[f]] === 1;
  }

  // ---- init_record ------------------------------------------------------------------------------

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
    check_resolution(this);
    // Device callbacks queue a pass like scanOnce: one arriving during processing runs right after it.
    this.dev = support.connect(this, () => this.processRecord(true));
    // A constant (or empty) DOL defines the record (recGblInitConstantLink).
    const dol = this.link('DOL');
    if (dol.kind === 'none' || dol.kind === 'constant') {
      m.UDF = 0;
      if (dol.kind === 'constant' && typeof dol.value === 'number') m.VAL = dol.value;
    }
    if (update_values(this)) {
      init_re_init(this);
      // Force a process() so alarm_sub() runs.
      this.dev.getInfo();
    } else if (dol.kind === 'none' || dol.kind === 'constant') {
      m.UDF = 1;
    }
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
    update_values(this);
    init_re_init(this);
    this.fwdLink();
  }

  /** The IOC stops: let go of the axis, so no motion timer outlives it. */
  override stop(): void {
    this.dlyTimer?.cancel();
    this.dlyTimer = undefined;
    this.dev?.disconnect();
  }

  // ---- record support entry points ---------------------------------------------------------------

  protected process(): void {
    process(this);
  }

  protected override monitor(alarmMask: number): void {
    monitor(this, alarmMask);
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

  /**
   * special(after = 0): runs before the value is stored. Two things the C record does not do: a number that
   * is not finite (NaN, ±Inf, or text that is no number) is refused, since a NaN target would start a move
   * that never ends; and the put stamps the record, so what it posts at once (DMOV 1→0) carries the put's
   * time, not the previous processing's.
   */
  protected override beforePut(fd: FieldDef, value: DbrValue, _ctx: PutContext): boolean | void {
    if (isNumericDbf(fd.dbf) && fd.dbf !== 'MENU' && !fd.array && !Number.isFinite(firstNumber(value))) {
      throw new PutError(`${this.name}.${fd.name}: ${String(value)} is not a finite number`, ECA.PUTFAIL);
    }
    this.getTimeStamp();
    specialBefore(this, fd, true);
    return true;
  }

  /** A link wrote a field (dbPutLink → dbPut): special before and after, then the usual post. */
  protected override afterLinkPut(fd: FieldDef): void {
    specialBefore(this, fd, false);
    if (special(this, fd) === false) return;
    super.afterLinkPut(fd);
  }

  /** special(after = 1). Returns false to prevent processing (EPICS returns ERROR). */
  protected override special(fd: FieldDef, _ctx: PutContext): boolean | void {
    return special(this, fd);
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

/** The number a put carries, as storeField reads it (the first element of an array, text parsed). */
function firstNumber(value: DbrValue): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Number(value);
  const first = (value as ArrayLike<unknown>)[0];
  return typeof first === 'number' ? first : typeof first === 'string' ? Number(first) : Number.NaN;
}
