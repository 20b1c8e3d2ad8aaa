import { AlarmStatus, DBE, ECA, Severity } from '../ca/protocol/constants.js';
import { noLimits, type DbrValue, type Limits } from '../ca/protocol/snapshot.js';
import { epicsTimeFromMs } from '../ca/protocol/time.js';
import type { Clock } from '../clock.js';
import type { Pv, PutContext } from '../db/pv.js';
import { PutError } from '../db/errors.js';
import type { Logger } from '../log.js';
import { isLinkDbf, isNumericDbf, narrow, type Dbf } from './dbf.js';
import type { FieldDef, FieldTable, FieldValue } from './field.js';
import { parseLink, type Link } from './link.js';

/** What records need from the engine that holds them. */
export interface RecordEngine {
  readonly clock: Clock;
  readonly log: Logger;
  findRecord(name: string): EpicsRecord | undefined;
  /** A PV that is not a record field (served by a device model), for links to it. */
  lookupPv(name: string): Pv | undefined;
  /** The field PV if a client or link ever asked for it (posting needs nothing otherwise). */
  existingFieldPv(record: EpicsRecord, field: string): Pv | undefined;
  fieldPv(record: EpicsRecord, field: string): Pv | undefined;
  deviceSupport(recordType: string, dtyp: string): DeviceSupport | undefined;
  /** SCAN changed at run time (SPC_SCAN): move the record to its new scan list. */
  scanChanged?(record: EpicsRecord): void;
}

/**
 * Device support (EPICS dset): how a record with a given DTYP talks to "hardware" — here, a device model.
 * read/write may return a Promise for asynchronous completion (PACT stays 1 until it settles).
 */
export interface DeviceSupport {
  init?(rec: EpicsRecord): void;
  read?(rec: EpicsRecord): void | Promise<void>;
  write?(rec: EpicsRecord): void | Promise<void>;
  /** Return true to tell an ai/ao record not to convert (value already in VAL). */
  readonly noConvert?: boolean;
}

export interface FieldMeta {
  readonly units: string;
  readonly precision: number;
  readonly limits: Limits;
  readonly enumStrings: readonly string[];
}

const noMeta: FieldMeta = { units: '', precision: 0, limits: noLimits, enumStrings: [] };
const PERIODS = [0, 0, 0, 10, 5, 2, 1, 0.5, 0.2, 0.1];

/** A record type class: the static side. */
export interface RecordClass {
  readonly recordType: string;
  readonly table: FieldTable;
  new (name: string, engine: RecordEngine): EpicsRecord;
}

/**
 * An EPICS record: fields in one storage object (prototype = the type's defaults, so a record holds only
 * what differs), processing with PACT/RPRO, alarms (NSTA/NSEV → STAT/SEVR), monitors with deadbands,
 * links and forward links. Record types override `process` and, where needed, `special` and `fieldMeta`.
 */
export abstract class EpicsRecord {
  readonly v: Record<string, FieldValue>;
  sec = 0;
  nsec = 0;
  protected dset: DeviceSupport | undefined;
  private running: Promise<void> | undefined;
  /** Parsed link fields, made on first use (most records never parse most of their links). */
  private links: Map<string, Link> | undefined;

  constructor(
    readonly name: string,
    readonly engine: RecordEngine,
  ) {
    this.v = Object.create(this.table.defaults) as Record<string, FieldValue>;
    this.v['NAME'] = name;
    this.stamp();
  }

  get recordType(): string {
    return (this.constructor as RecordClass).recordType;
  }
  get table(): FieldTable {
    return (this.constructor as RecordClass).table;
  }
  get clock(): Clock {
    return this.engine.clock;
  }

  num(field: string): number {
    return this.v[field] as number;
  }
  str(field: string): string {
    return this.v[field] as string;
  }
  /** A DTYP with device support registered (soft channel has none here). */
  get hasDeviceSupport(): boolean {
    return this.dset !== undefined;
  }
  get pact(): boolean {
    return this.v['PACT'] === 1;
  }
  get scanPassive(): boolean {
    return this.v['SCAN'] === 0;
  }
  /** Period in seconds of a periodic SCAN, else 0. */
  get scanPeriod(): number {
    return PERIODS[this.num('SCAN')] ?? 0;
  }

  stamp(ms = this.clock.now()): void {
    const t = epicsTimeFromMs(ms);
    this.sec = t.secPastEpoch;
    this.nsec = t.nsec;
  }

  /**
   * recGblGetTimeStamp: TSE 0 → now; TSE -2 → device support set sec/nsec, keep them; a TSEL link to
   * another record's TIME field (or any field) → that record's time stamp. Event-based TSE values (> 0,
   * -1) have no event system here and fall back to now.
   */
  getTimeStamp(): void {
    if (this.num('TSE') === -2) return;
    const l = this.link('TSEL');
    if (l.kind === 'pv') {
      const src = this.engine.findRecord(l.record);
      if (src && src !== this) {
        this.sec = src.sec;
        this.nsec = src.nsec;
        return;
      }
    }
    this.stamp();
  }

  // ---- configuration ------------------------------------------------------------------------

  /** Set a field from database-file text (before init). Throws on an unknown field or bad value. */
  setFromText(field: string, text: string): void {
    const fd = this.table.get(field);
    if (!fd) throw new Error(`record type ${this.recordType} has no field ${field}`);
    this.v[field] = fieldFromText(fd, text);
    if (isLinkDbf(fd.dbf)) this.links?.delete(field);
    // dbStaticLib dbPutString: setting VAL in a database defines the record (UDF = 0); STAT/SEVR stay
    // UDF/INVALID until it first processes.
    if (field === 'VAL') this.v['UDF'] = 0;
  }

  /** Called once after all fields are loaded: device support, constant links, type setup. */
  init(): void {
    // iocInit (doInitRecord0): a record still undefined starts with the UDF severity; one whose VAL the
    // database set keeps STAT UDF with NO_ALARM until it first processes.
    if (this.v['UDF'] && this.v['STAT'] === AlarmStatus.UDF) this.v['SEVR'] = this.num('UDFS');
    const dtyp = this.str('DTYP');
    this.dset = dtyp ? this.engine.deviceSupport(this.recordType, dtyp) : undefined;
    this.dset?.init?.(this);
    this.initRecord();
  }

  /** Type-specific init (EPICS init_record). */
  protected initRecord(): void {}

  /** The IOC is stopping: release device timers (a record with a moving device overrides this). */
  stop(): void {}

  link(field: string): Link {
    let l = this.links?.get(field);
    if (!l) {
      l = parseLink(String(this.v[field] ?? ''));
      (this.links ??= new Map()).set(field, l);
    }
    return l;
  }

  // ---- processing ---------------------------------------------------------------------------

  /**
   * Process the record (dbProcess). Synchronous record types finish before this returns; asynchronous
   * ones return a Promise that settles when processing completes (PACT back to 0, FLNK done).
   * With `requeue` (puts, device callbacks: dbPutField, scanOnce) a request while PACT sets RPRO and the
   * record processes once more when the current pass ends; other requests (scans, links, FLNK) skip it.
   */
  processRecord(requeue = false): Promise<void> | undefined {
    if (this.pact) {
      if (requeue) this.v['RPRO'] = 1;
      return this.running;
    }
    if (this.isDisabled()) return undefined;
    this.v['PACT'] = 1;
    this.getTimeStamp();
    let result: void | Promise<void>;
    try {
      result = this.process();
    } catch (e) {
      this.v['PACT'] = 0;
      this.engine.log.error(`${this.name}: process failed: ${(e as Error).stack ?? e}`);
      return undefined;
    }
    if (result && typeof (result as Promise<void>).then === 'function') {
      const running = (result as Promise<void>).then(
        () => this.finish(),
        (e: unknown) => {
          this.engine.log.error(`${this.name}: async process failed: ${(e as Error)?.stack ?? e}`);
          this.setSevr(AlarmStatus.SOFT, Severity.INVALID);
          return this.finish();
        },
      );
      this.running = running;
      return running;
    }
    return this.finish();
  }

  private finish(): Promise<void> | undefined {
    this.v['PACT'] = 0;
    this.running = undefined;
    if (this.withoutEpilogue) return undefined;
    const alarmMask = this.resetAlarms();
    this.monitor(alarmMask);
    const fwd = this.fwdLink();
    if (this.v['RPRO'] === 1) {
      this.v['RPRO'] = 0;
      return this.processRecord();
    }
    return fwd;
  }

  /**
   * True after a process() that returned before its epilogue (a compress still collecting N samples): as
   * in EPICS no alarm reset, no monitors and no forward link follow.
   */
  protected get withoutEpilogue(): boolean {
    return false;
  }

  /** The record's own processing (EPICS process()). Return a Promise for asynchronous completion. */
  protected abstract process(): void | Promise<void>;

  /** Post VAL (and whatever else changed) after processing; default: VAL with MDEL/ADEL deadbands. */
  protected monitor(alarmMask: number): void {
    this.postValue('VAL', alarmMask);
  }

  /** DISA == DISV: skip processing, raise DISABLE with DISS severity (dbProcess). */
  private isDisabled(): boolean {
    const sdis = this.link('SDIS');
    if (sdis.kind !== 'none') {
      const v = this.readLinkValue('SDIS');
      if (typeof v === 'number') this.v['DISA'] = narrow('SHORT', v);
    }
    if (this.v['DISA'] !== this.v['DISV']) return false;
    const diss = this.num('DISS');
    if (this.v['STAT'] !== AlarmStatus.DISABLE || this.v['SEVR'] !== diss) {
      this.v['STAT'] = AlarmStatus.DISABLE;
      this.v['SEVR'] = diss;
      this.v['NSTA'] = 0;
      this.v['NSEV'] = 0;
      this.post('STAT', DBE.VALUE);
      this.post('SEVR', DBE.VALUE);
      this.post('VAL', DBE.VALUE | DBE.ALARM); // dbProcess posts the value field with VALUE|ALARM
    }
    return true;
  }

  // ---- alarms ---------------------------------------------------------------------------------

  /** recGblSetSevr: raise the pending alarm if more severe. True if it changed. */
  setSevr(stat: number, sevr: number): boolean {
    if (sevr > this.num('NSEV')) {
      this.v['NSTA'] = stat;
      this.v['NSEV'] = sevr;
      return true;
    }
    return false;
  }

  /**
   * recGblResetAlarms: NSTA/NSEV become STAT/SEVR; returns DBE_ALARM when they changed. SEVR is posted with
   * DBE_VALUE; STAT with DBE_ALARM when the severity changed and DBE_VALUE when the status did; ACKS
   * follows the severity when ACKT is NO, else latches the highest unacknowledged one.
   */
  resetAlarms(): number {
    const stat = this.num('NSTA');
    const sevr = this.num('NSEV');
    this.v['NSTA'] = 0;
    this.v['NSEV'] = 0;
    let statMask = 0;
    if (sevr !== this.v['SEVR']) {
      this.v['SEVR'] = sevr;
      this.post('SEVR', DBE.VALUE);
      statMask = DBE.ALARM;
    }
    if (stat !== this.v['STAT']) {
      this.v['STAT'] = stat;
      statMask |= DBE.VALUE;
    }
    if (!statMask) return 0;
    this.post('STAT', statMask);
    if (this.v['ACKT'] === 0 || sevr >= this.num('ACKS')) {
      this.v['ACKS'] = sevr;
      this.post('ACKS', DBE.VALUE);
    }
    return DBE.ALARM;
  }

  /** UDF alarm when the value was never set (recGblCheckUDF-ish). */
  checkUdf(): boolean {
    if (this.v['UDF']) {
      this.setSevr(AlarmStatus.UDF, this.num('UDFS'));
      return true;
    }
    return false;
  }

  /**
   * HIHI/HIGH/LOW/LOLO with hysteresis, as ai/ao/calc checkAlarms: the last alarm level (LALM) keeps an
   * alarm active until the value moves HYST back past it.
   */
  checkLimitAlarms(val: number): void {
    if (this.checkUdf()) return;
    const hyst = this.num('HYST');
    const lalm = this.num('LALM');
    const levels: [string, string, number, 1 | -1][] = [
      ['HIHI', 'HHSV', AlarmStatus.HIHI, 1],
      ['LOLO', 'LLSV', AlarmStatus.LOLO, -1],
      ['HIGH', 'HSV', AlarmStatus.HIGH, 1],
      ['LOW', 'LSV', AlarmStatus.LOW, -1],
    ];
    for (const [lim, sv, stat, dir] of levels) {
      const asev = this.num(sv);
      if (!asev) continue;
      const alev = this.num(lim);
      const hit = dir > 0 ? val >= alev || (lalm === alev && val >= alev - hyst) : val <= alev || (lalm === alev && val <= alev + hyst);
      if (hit) {
        if (this.setSevr(stat, asev)) this.v['LALM'] = alev;
        return;
      }
    }
    this.v['LALM'] = val;
  }

  // ---- monitors -------------------------------------------------------------------------------

  /** Post a field's current state to its monitors (if anyone ever asked for the field). */
  post(field: string, mask: number): void {
    this.engine.existingFieldPv(this, field)?.post(mask);
  }

  /**
   * Post a numeric value field with MDEL (DBE_VALUE) and ADEL (DBE_LOG) deadbands against MLST/ALST,
   * plus `extraMask` (e.g. DBE_ALARM after an alarm change). recGblCheckDeadband semantics.
   */
  postValue(field: string, extraMask: number, opts: { mdel?: string; adel?: string; mlst?: string; alst?: string } = {}): void {
    let mask = extraMask;
    const val = this.v[field];
    if (typeof val === 'number') {
      if (deadbandExceeded(this.num(opts.mlst ?? 'MLST'), val, this.num(opts.mdel ?? 'MDEL'))) {
        this.v[opts.mlst ?? 'MLST'] = val;
        mask |= DBE.VALUE;
      }
      if (deadbandExceeded(this.num(opts.alst ?? 'ALST'), val, this.num(opts.adel ?? 'ADEL'))) {
        this.v[opts.alst ?? 'ALST'] = val;
        mask |= DBE.LOG;
      }
    } else {
      mask |= DBE.VALUE | DBE.LOG;
    }
    if (mask) this.post(field, mask);
  }

  /** Set a field and post it with VALUE|LOG when it changed (monitor helpers of record support). */
  setAndPost(field: string, value: FieldValue, mask = DBE.VALUE | DBE.LOG): boolean {
    if (this.v[field] === value) return false;
    this.v[field] = value;
    this.post(field, mask);
    return true;
  }

  // ---- links ----------------------------------------------------------------------------------

  /**
   * Read an input link (dbGetLink): constants give their value; a PV link processes a passive target
   * first when PP, reads the field and maximizes severity per MS/MSS/MSI. Unresolvable targets raise
   * LINK/INVALID and return undefined. A link field with nothing in it returns undefined.
   */
  readLinkValue(field: string): FieldValue | undefined {
    const l = this.link(field);
    switch (l.kind) {
      case 'none':
      case 'hardware':
        return undefined;
      case 'constant':
        // dbConstGetValue: reading a constant link yields nothing; constants load once at init
        // (recGblInitConstantLink → initConstantLink below).
        return undefined;
      case 'pv': {
        const target = this.engine.findRecord(l.record);
        if (target) {
          if (l.process === 'PP' && target.scanPassive && target !== this) target.processRecord();
          const fd = target.table.get(l.field);
          if (!fd) {
            this.setSevr(AlarmStatus.LINK, Severity.INVALID);
            return undefined;
          }
          this.maximizeSeverity(l.severity, target.num('STAT'), target.num('SEVR'));
          // Array fields (waveform VAL …) live outside the field storage: read them as CA does.
          return fd.array ? (target.caValue(fd) as FieldValue) : target.v[l.field];
        }
        const pv = this.engine.lookupPv(l.field === 'VAL' ? l.record : `${l.record}.${l.field}`);
        if (!pv) {
          this.setSevr(AlarmStatus.LINK, Severity.INVALID);
          return undefined;
        }
        this.maximizeSeverity(l.severity, pv.status, pv.severity);
        return pv.value as FieldValue;
      }
    }
  }

  /** recGblInitConstantLink: the constant a link field holds (for init_record), else undefined. */
  initConstantLink(field: string): FieldValue | undefined {
    const l = this.link(field);
    if (l.kind !== 'constant') return undefined;
    return typeof l.value === 'object' ? (l.value as number[]) : l.value;
  }

  private maximizeSeverity(mode: string, stat: number, sevr: number): void {
    if (mode === 'MS') this.setSevr(AlarmStatus.LINK, sevr);
    else if (mode === 'MSS') this.setSevr(stat, sevr);
    else if (mode === 'MSI' && sevr === Severity.INVALID) this.setSevr(AlarmStatus.LINK, sevr);
  }

  /** Read a numeric input link; NaN-free: undefined when there is nothing to read. */
  readLinkNumber(field: string): number | undefined {
    const v = this.readLinkValue(field);
    if (v === undefined) return undefined;
    if (typeof v === 'number') return v;
    if (typeof v === 'string') {
      const n = Number(v.trim() === '' ? 0 : v);
      if (Number.isNaN(n)) {
        this.setSevr(AlarmStatus.LINK, Severity.INVALID);
        return undefined;
      }
      return n;
    }
    return (v as ArrayLike<number>).length > 0 ? Number((v as ArrayLike<number>)[0]) : undefined;
  }

  /**
   * Write an output link (dbPutLink): to a record field (processing a passive target when PP) or to a
   * device-model PV. Returns the target's completion when it processes asynchronously.
   */
  writeLink(field: string, value: FieldValue): Promise<void> | undefined {
    const l = this.link(field);
    if (l.kind !== 'pv') return undefined;
    const target = this.engine.findRecord(l.record);
    if (target) {
      const fd = target.table.get(l.field);
      if (!fd) {
        this.setSevr(AlarmStatus.LINK, Severity.INVALID);
        return undefined;
      }
      target.storeField(fd, value);
      target.afterLinkPut(fd);
      const processIt = l.process === 'PP' || (l.field === 'PROC');
      if (processIt && (target.scanPassive || l.field === 'PROC') && target !== this) return target.processRecord();
      return undefined;
    }
    const pv = this.engine.lookupPv(l.field === 'VAL' ? l.record : `${l.record}.${l.field}`);
    if (!pv) {
      this.setSevr(AlarmStatus.LINK, Severity.INVALID);
      return undefined;
    }
    return pv.put(value as DbrValue, { origin: 'link', user: this.name }).catch((e: unknown) => {
      this.engine.log.warn(`${this.name}.${field}: write to ${pv.name} failed: ${(e as Error).message}`);
    });
  }

  /** After a link wrote a field: post it unless processing will. */
  protected afterLinkPut(fd: FieldDef): void {
    if (!(fd.name === 'VAL' && fd.pp)) this.post(fd.name, DBE.VALUE | DBE.LOG);
  }

  /** Process the FLNK target when it is passive (dbScanFwdLink). */
  fwdLink(): Promise<void> | undefined {
    const l = this.link('FLNK');
    if (l.kind !== 'pv') return undefined;
    const target = this.engine.findRecord(l.record);
    if (target) {
      if (l.field !== 'VAL' && l.field !== 'PROC') return undefined;
      if (target.scanPassive || l.field === 'PROC') return target.processRecord();
      return undefined;
    }
    // A forward link to a PV that is not a record: EPICS writes PROC = 1 through a CA link.
    const pv = this.engine.lookupPv(`${l.record}.PROC`);
    return pv?.put(1, { origin: 'link', user: this.name }).catch(() => undefined);
  }

  // ---- puts -------------------------------------------------------------------------------------

  /**
   * A client writes a field (dbPutField): refuse read-only fields, store, run `special`, post the field,
   * and process when the field is process-passive and SCAN is Passive (or the field is PROC).
   * Resolves when the processing the put started has completed (put-callback semantics).
   */
  async putField(fd: FieldDef, value: DbrValue, ctx: PutContext): Promise<void> {
    if (fd.readOnly) throw new PutError(`${this.name}.${fd.name} is read-only`, ECA.NOWTACCESS);
    if (this.v['DISP'] === 1 && fd.name !== 'DISP') throw new PutError(`${this.name}: puts are disabled (DISP)`, ECA.PUTFAIL);
    const before = this.beforePut(fd, value, ctx);
    if (before === false) return;
    this.storeField(fd, value as FieldValue);
    if (fd.name === 'SCAN') this.engine.scanChanged?.(this);
    const special = this.special(fd, ctx);
    if (special && typeof (special as Promise<void>).then === 'function') {
      // The record took over (e.g. a motor move): completion is its Promise.
      if (!(fd.name === 'VAL' && fd.pp)) this.post(fd.name, DBE.VALUE | DBE.LOG);
      return special as Promise<void>;
    }
    if (special === false) return;
    if (!(fd.name === 'VAL' && fd.pp) || !this.scanPassive) this.post(fd.name, DBE.VALUE | DBE.LOG);
    if (fd.name === 'PROC' || (fd.pp && this.scanPassive)) {
      this.v['PUTF'] = 1;
      try {
        await this.processRecord(true);
      } finally {
        this.v['PUTF'] = 0;
      }
    }
  }

  /** Validate a put before it is stored; throw PutError to refuse, return false to swallow it. */
  protected beforePut(_fd: FieldDef, _value: DbrValue, _ctx: PutContext): boolean | void {
    return true;
  }

  /**
   * After a field was stored (EPICS special()). Return false to skip the normal post/process, or a Promise
   * when the record handles the rest itself and completes later.
   */
  protected special(_fd: FieldDef, _ctx: PutContext): boolean | void | Promise<void> {
    return true;
  }

  /** Store a value coming from CA or a link into a field, narrowed to its type. */
  storeField(fd: FieldDef, value: FieldValue): void {
    if (fd.array) {
      this.storeArray(fd, value);
      return;
    }
    if (isNumericDbf(fd.dbf)) {
      const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number((value as ArrayLike<number>)[0] ?? 0);
      this.v[fd.name] = narrow(fd.dbf, Number.isNaN(n) && fd.dbf !== 'DOUBLE' && fd.dbf !== 'FLOAT' ? 0 : n);
    } else {
      const s = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : String((value as ArrayLike<unknown>)[0] ?? '');
      this.v[fd.name] = s;
      if (isLinkDbf(fd.dbf)) this.links?.delete(fd.name);
    }
    if (fd.name === 'VAL') this.v['UDF'] = 0;
  }

  /** Array fields (waveform VAL …) override this. */
  protected storeArray(fd: FieldDef, value: FieldValue): void {
    this.v[fd.name] = value;
  }

  // ---- CA view --------------------------------------------------------------------------------

  /** The value a field shows over CA (a database link as dbGetString spells it: `NAME PP MS`). */
  caValue(fd: FieldDef): DbrValue {
    if (fd.dbf === 'INLINK' || fd.dbf === 'OUTLINK') {
      const l = this.link(fd.name);
      if (l.kind === 'pv') return `${l.text.split(/\s+/)[0]} ${l.process} ${l.severity}`;
    }
    return this.v[fd.name] as DbrValue;
  }

  /** The type a field is served as (waveform VAL follows FTVL). */
  caDbf(fd: FieldDef): Dbf {
    return fd.dbf;
  }

  /** Element capacity of a field over CA (NELM for arrays). */
  caMaxCount(_fd: FieldDef): number {
    return 1;
  }

  /**
   * Units, precision, limits and enum strings of a field (get_units, get_precision, get_*_double). Record
   * types override this for their value fields; every other field gets what recGbl gives: the range of
   * its type as display and control limits, no alarm limits, EGU on fields of the units type.
   */
  fieldMeta(fd: FieldDef): FieldMeta {
    if (fd.dbf === 'MENU') return { ...noMeta, enumStrings: fd.menu ?? [] };
    const floating = fd.dbf === 'DOUBLE' || fd.dbf === 'FLOAT';
    const prec = floating ? this.num('PREC') ?? 0 : 0;
    const limits = this.typeRangeLimits ? rangeLimits(fd.dbf) : fieldLimits(0, 0);
    return { units: this.unitsOf(fd), precision: prec < 0 || prec > 15 ? 15 : prec, limits, enumStrings: [] };
  }

  /**
   * Whether the record support has get_graphic_double/get_control_double that fall back to recGbl's type
   * ranges for other fields; without them (bi, bo, mbbi, stringin …) dbAccess serves zero limits.
   */
  protected get typeRangeLimits(): boolean {
    return RECGBL_LIMIT_TYPES.has(this.recordType);
  }

  /** The field type that carries EGU (get_units: DBF_DOUBLE for analog records; longin uses DBF_LONG). */
  protected get unitsDbf(): Dbf {
    return 'DOUBLE';
  }

  /** Fields of the units type that get_units leaves without units (ai's ASLO/AOFF/SMOO …). */
  protected get unitlessFields(): ReadonlySet<string> {
    return noFields;
  }

  protected unitsOf(fd: FieldDef): string {
    return fd.dbf === this.unitsDbf && !this.unitlessFields.has(fd.name) ? (this.str('EGU') ?? '') : '';
  }

  /**
   * Limits of an analog value field: display from HOPR/LOPR, control as given; alarm limits (from the
   * alarm fields whose severity is set) only on VAL, as get_alarm_double gives them.
   */
  protected analogLimits(fd: FieldDef, ctrlHigh: number, ctrlLow: number): Limits {
    const onVal = fd.name === 'VAL';
    const alarm = (lim: string, sv: string) => (onVal && this.num(sv) ? this.num(lim) : Number.NaN);
    return {
      upperDisp: this.num('HOPR'),
      lowerDisp: this.num('LOPR'),
      upperAlarm: alarm('HIHI', 'HHSV'),
      upperWarning: alarm('HIGH', 'HSV'),
      lowerWarning: alarm('LOW', 'LSV'),
      lowerAlarm: alarm('LOLO', 'LLSV'),
      upperCtrl: ctrlHigh,
      lowerCtrl: ctrlLow,
    };
  }
}

const noFields: ReadonlySet<string> = new Set();

/** EPICS base record types whose get_graphic_double/get_control_double call recGblGet*Double. */
const RECGBL_LIMIT_TYPES: ReadonlySet<string> = new Set([
  'ai', 'ao', 'calc', 'calcout', 'compress', 'dfanout', 'int64in', 'int64out', 'longin', 'longout', 'sel', 'seq', 'subArray', 'waveform', 'aai', 'aao',
]);

/** getMaxRangeValues (recGbl.c): the range of each field type. */
const TYPE_RANGE: Partial<Record<Dbf, readonly [number, number]>> = {
  CHAR: [-128, 127],
  UCHAR: [0, 255],
  SHORT: [-32768, 32767],
  USHORT: [0, 65535],
  ENUM: [0, 65535],
  LONG: [-2147483648, 2147483647],
  ULONG: [0, 4294967295],
  INT64: [-9223372036854775807, 9223372036854775807],
  UINT64: [0, 18446744073709551615],
  FLOAT: [-1e30, 1e30],
  DOUBLE: [-1e300, 1e300],
};

/** Display and control limits without alarm limits (recGblGetAlarmDouble gives NaN). */
export function fieldLimits(lowerDisp: number, upperDisp: number, lowerCtrl = lowerDisp, upperCtrl = upperDisp): Limits {
  const nan = Number.NaN;
  return { upperDisp, lowerDisp, upperAlarm: nan, upperWarning: nan, lowerWarning: nan, lowerAlarm: nan, upperCtrl, lowerCtrl };
}

/** recGblGetGraphicDouble / recGblGetControlDouble / recGblGetAlarmDouble for a field of type `dbf`. */
export function rangeLimits(dbf: Dbf): Limits {
  const r = TYPE_RANGE[dbf];
  return r ? fieldLimits(r[0], r[1]) : noLimits;
}

/**
 * recGblCheckDeadband: post when delta > deadband, where delta is |new − last| for finite values, infinite
 * when exactly one side is NaN or infinite (or the infinities differ in sign), and 0 otherwise — so an
 * unchanged NaN still posts under a negative deadband, and an infinite deadband never posts.
 */
export function deadbandExceeded(last: number, val: number, deadband: number): boolean {
  let delta = 0;
  if (Number.isFinite(val) && Number.isFinite(last)) delta = Math.abs(last - val);
  else if (Number.isNaN(val) !== Number.isNaN(last) || isInfinite(val) !== isInfinite(last) || (isInfinite(val) && val !== last)) {
    delta = Number.POSITIVE_INFINITY;
  }
  return delta > deadband;
}

const isInfinite = (v: number): boolean => v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY;

/** Parse database-file text for a field (menus by choice name or index). */
export function fieldFromText(fd: FieldDef, text: string): FieldValue {
  if (fd.dbf === 'MENU') {
    const idx = fd.menu?.indexOf(text) ?? -1;
    if (idx >= 0) return idx;
    const n = Number(text);
    if (Number.isInteger(n) && n >= 0 && n < (fd.menu?.length ?? 0)) return n;
    throw new Error(`"${text}" is not a choice of ${fd.name} (${(fd.menu ?? []).join(', ')})`);
  }
  if (isNumericDbf(fd.dbf)) {
    const t = text.trim();
    if (t === '') return 0;
    const n = /^[+-]?0x[0-9a-f]+$/i.test(t) ? Number.parseInt(t, 16) : Number(t);
    if (Number.isNaN(n) && !/^[+-]?nan$/i.test(t)) throw new Error(`"${text}" is not a number (field ${fd.name})`);
    return narrow(fd.dbf, n);
  }
  return text;
}
