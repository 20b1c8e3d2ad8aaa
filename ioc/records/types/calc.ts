import { AlarmStatus, DBE, ECA, Severity } from '../../ca/protocol/constants.js';
import { PutError } from '../../db/errors.js';
import { compile, epicsRandom, CALC_NARGS, type CalcProgram } from '../calc/index.js';
import { alarmLimitFields, analogDisplayFields, commonFields, fieldList } from '../common-fields.js';
import { f, menu, FieldTable, type FieldDef } from '../field.js';
import { calcoutDOPT, calcoutINAV, calcoutOOPT, menuIvoa } from '../menus.js';
import { EpicsRecord, fieldLimits, type FieldMeta } from '../record.js';

/** The calc arguments A … L and their link and last-value fields. */
export const ARGS = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L'] as const;
const INP = ARGS.map((a) => `INP${a}`);

/** Fields of calcRecord.dbd shared with calcout: CALC, INPA–INPL, A–L (pp), LA–LL, display and alarm fields. */
export function calcFields(): FieldDef[] {
  return [
    ...analogDisplayFields,
    ...alarmLimitFields('DOUBLE'),
    f('VAL', 'DOUBLE', { pp: true }),
    f('CALC', 'STRING', { pp: true, initial: '0' }),
    ...INP.map((n) => f(n, 'INLINK')),
    ...ARGS.map((a) => f(a, 'DOUBLE', { pp: true })),
    ...ARGS.map((a) => f(`L${a}`, 'DOUBLE', { readOnly: true })),
    f('AFVL', 'DOUBLE', { readOnly: true }),
    f('RPCL', 'NOACCESS'),
  ];
}

const valueFields = new Set(['VAL', 'HIHI', 'HIGH', 'LOW', 'LOLO', 'LALM', 'ALST', 'MLST']);

/** What compiling a CALC/OCAL text gives a record: a program, or the CALC_ERR code (CLCV/OCLV). */
interface Compiled {
  readonly program: CalcProgram | undefined;
  readonly code: number;
  readonly error: string;
}

function compileField(text: string): Compiled {
  const r = compile(text);
  return r.ok ? { program: r.program, code: 0, error: '' } : { program: undefined, code: r.code, error: `${r.error} at position ${r.position}` };
}

/**
 * Shared machinery of calc and calcout (calcRecord.c / calcoutRecord.c): argument fetch, calcPerform,
 * limit alarms with HYST, and monitors of VAL (MDEL/ADEL) and of A–L on change.
 */
abstract class CalcBase extends EpicsRecord {
  protected rpcl: Compiled = { program: undefined, code: 0, error: '' };
  private readonly args = new Float64Array(CALC_NARGS);

  protected override initRecord(): void {
    for (let i = 0; i < CALC_NARGS; i++) {
      const c = this.initConstantLink(INP[i]!);
      if (typeof c === 'number') this.v[ARGS[i]!] = c;
      else if (typeof c === 'string' && c.trim() !== '' && !Number.isNaN(Number(c))) this.v[ARGS[i]!] = Number(c);
    }
    this.rpcl = compileField(this.str('CALC'));
    if (!this.rpcl.program) this.engine.log.error(`${this.name}.CALC: ${this.rpcl.error} in expression "${this.str('CALC')}"`);
    // LA–LL stay 0 (init_record loads constants into A–L only): the first processing posts them.
    this.v['MLST'] = this.num('VAL');
    this.v['ALST'] = this.num('VAL');
    this.v['LALM'] = this.num('VAL');
  }

  /** fetch_values: every input link in turn (dbGetLink on a constant leaves the argument alone). */
  protected fetchValues(): void {
    for (let i = 0; i < CALC_NARGS; i++) {
      const v = this.readLinkNumber(INP[i]!);
      if (v !== undefined) this.v[ARGS[i]!] = v;
    }
  }

  /** calcPerform of a program on A–L (stores by := write back to A–L); undefined on error. */
  protected perform(c: Compiled, val: number): number | undefined {
    if (!c.program) return undefined;
    const a = this.args;
    for (let i = 0; i < CALC_NARGS; i++) a[i] = this.v[ARGS[i]!] as number;
    const r = c.program.perform(a, val, epicsRandom);
    if (c.program.stores) for (let i = 0; i < CALC_NARGS; i++) if (c.program.stores & (1 << i)) this.v[ARGS[i]!] = a[i]!;
    return r;
  }

  /** Evaluate CALC into VAL: CALC_ALARM/INVALID on failure, UDF = isnan(VAL) otherwise. */
  protected calculate(): void {
    const r = this.perform(this.rpcl, this.num('VAL'));
    if (r === undefined) {
      this.setSevr(AlarmStatus.CALC, Severity.INVALID);
    } else {
      this.v['VAL'] = r;
      this.v['UDF'] = Number.isNaN(r) ? 1 : 0;
    }
  }

  protected override monitor(alarmMask: number): void {
    this.postValue('VAL', alarmMask);
    // The VAL post above decided the mask; A–L post on change (or with any alarm change).
    for (const a of ARGS) {
      // C's `*pnew != *pprev`: a NaN argument posts every time.
      if (this.v[a] !== this.v[`L${a}`] || Number.isNaN(this.v[a]) || alarmMask & DBE.ALARM) {
        this.post(a, alarmMask | DBE.VALUE | DBE.LOG);
        this.v[`L${a}`] = this.v[a] as number;
      }
    }
  }

  /**
   * A–L show the units, precision, display and alarm limits of what their input link points at (dbGetUnits,
   * dbGetGraphicLimits …; nothing without a link) with recGbl's control limits.
   */
  override fieldMeta(fd: FieldDef): FieldMeta {
    if (valueFields.has(fd.name)) {
      return { units: this.str('EGU'), precision: this.num('PREC'), limits: this.analogLimits(fd, this.num('HOPR'), this.num('LOPR')), enumStrings: [] };
    }
    const i = (ARGS as readonly string[]).indexOf(fd.name.length === 2 && fd.name[0] === 'L' ? fd.name[1]! : fd.name);
    if (i >= 0 && fd.dbf === 'DOUBLE') {
      const l = this.link(INP[i]!);
      const target = l.kind === 'pv' ? this.engine.findRecord(l.record) : undefined;
      const tfd = target?.table.get(l.kind === 'pv' ? l.field : 'VAL');
      if (target && tfd) {
        const m = target.fieldMeta(tfd);
        return { ...m, limits: { ...m.limits, upperCtrl: 1e300, lowerCtrl: -1e300 }, enumStrings: [] };
      }
      return { units: this.str('EGU'), precision: this.num('PREC'), limits: fieldLimits(0, 0, -1e300, 1e300), enumStrings: [] };
    }
    return super.fieldMeta(fd);
  }
}

/** calc (calcRecord.c): VAL = CALC(A … L). */
export class CalcRecord extends CalcBase {
  static readonly recordType = 'calc';
  static readonly table = new FieldTable(fieldList(commonFields, calcFields()));

  protected process(): void {
    this.fetchValues();
    this.calculate();
    this.checkLimitAlarms(this.num('VAL'));
  }

  /** A bad CALC put fails (S_db_badField) but stays in CALC, and processing then raises CALC/INVALID. */
  protected override special(fd: FieldDef): boolean {
    if (fd.name === 'CALC') {
      this.rpcl = compileField(this.str('CALC'));
      if (!this.rpcl.program) throw new PutError(`${this.name}.CALC: ${this.rpcl.error} in expression "${this.str('CALC')}"`, ECA.PUTFAIL);
    }
    return true;
  }
}

/**
 * calcout (calcoutRecord.c): calc plus an output. OOPT decides when to write (all six options), DOPT
 * whether VAL or OCAL is written (into OVAL), ODLY delays the write on the record's clock (PACT stays 1,
 * DLYA shows the wait; put-callback completes after the write), IVOA handles INVALID alarms, INAV…INLV and
 * OUTV report link kinds. OEVT is kept but posts no event (no event system here).
 */
export class CalcoutRecord extends CalcBase {
  static readonly recordType = 'calcout';
  static readonly table = new FieldTable(
    fieldList(commonFields, calcFields(), [
      f('PVAL', 'DOUBLE', { readOnly: true }),
      f('CLCV', 'LONG', { readOnly: true }),
      f('OUT', 'OUTLINK'),
      ...ARGS.map((a) => menu(`IN${a}V`, calcoutINAV, { readOnly: true, initial: 1 })),
      menu('OUTV', calcoutINAV, { readOnly: true, initial: 1 }),
      menu('OOPT', calcoutOOPT),
      f('ODLY', 'DOUBLE'),
      f('DLYA', 'USHORT', { readOnly: true }),
      menu('DOPT', calcoutDOPT),
      f('OCAL', 'STRING', { initial: '0' }),
      f('OCLV', 'LONG', { readOnly: true }),
      f('OEVT', 'STRING'),
      f('EPVT', 'NOACCESS'),
      menu('IVOA', menuIvoa),
      f('IVOV', 'DOUBLE'),
      f('OVAL', 'DOUBLE'),
      f('POVL', 'DOUBLE', { readOnly: true }),
      f('ORPC', 'NOACCESS'),
    ]),
  );
  private orpc: Compiled = { program: undefined, code: 0, error: '' };

  protected override initRecord(): void {
    super.initRecord();
    this.v['CLCV'] = this.rpcl.code;
    this.orpc = compileField(this.str('OCAL'));
    this.v['OCLV'] = this.orpc.code;
    if (this.num('DOPT') === 1 && !this.orpc.program) this.engine.log.error(`${this.name}.OCAL: ${this.orpc.error} in expression "${this.str('OCAL')}"`);
    for (let i = 0; i <= CALC_NARGS; i++) this.v[i < CALC_NARGS ? `IN${ARGS[i]}V` : 'OUTV'] = this.linkValidity(i < CALC_NARGS ? INP[i]! : 'OUT');
    this.v['PVAL'] = this.num('VAL');
    this.v['POVL'] = this.num('OVAL');
  }

  /** calcoutINAV: Constant (also an empty link), Local PV (a record here), Ext PV OK / NC (another PV). */
  private linkValidity(field: string): number {
    const l = this.link(field);
    if (l.kind !== 'pv') return 3;
    if (this.engine.findRecord(l.record)) return 2;
    return this.engine.lookupPv(l.field === 'VAL' ? l.record : `${l.record}.${l.field}`) ? 1 : 0;
  }

  protected process(): void | Promise<void> {
    this.fetchValues();
    this.calculate();
    this.checkLimitAlarms(this.num('VAL'));
    const val = this.num('VAL');
    const pval = this.num('PVAL');
    let doOutput: boolean;
    switch (this.num('OOPT')) {
      case 0: // Every Time
        doOutput = true;
        break;
      case 1: // On Change: !(|PVAL − VAL| <= MDEL), so NaN counts as a change
        doOutput = !(Math.abs(pval - val) <= this.num('MDEL'));
        break;
      case 2: // When Zero
        doOutput = val === 0;
        break;
      case 3: // When Non-zero
        doOutput = val !== 0;
        break;
      case 4: // Transition To Zero
        doOutput = pval !== 0 && val === 0;
        break;
      case 5: // Transition To Non-zero
        doOutput = pval === 0 && val !== 0;
        break;
      default:
        doOutput = false;
    }
    this.v['PVAL'] = val;
    if (!doOutput) return;
    const odly = this.num('ODLY');
    if (odly > 0) {
      this.v['DLYA'] = 1;
      this.post('DLYA', DBE.VALUE);
      return new Promise<void>((resolve) => {
        this.clock.setTimeout(resolve, odly * 1000);
      }).then(() => {
        this.v['DLYA'] = 0;
        this.getTimeStamp();
        this.post('DLYA', DBE.VALUE);
        return this.execOutput();
      });
    }
    return this.execOutput();
  }

  /** execOutput: OVAL from VAL or OCAL, UDF check, then IVOA decides whether and what to write. */
  private execOutput(): void | Promise<void> {
    if (this.num('DOPT') === 0) {
      this.v['OVAL'] = this.num('VAL');
    } else {
      const r = this.perform(this.orpc, this.num('VAL'));
      if (r === undefined) {
        this.setSevr(AlarmStatus.CALC, Severity.INVALID);
      } else {
        this.v['OVAL'] = r;
        this.v['UDF'] = Number.isNaN(r) ? 1 : 0;
      }
    }
    if (this.v['UDF']) this.setSevr(AlarmStatus.UDF, this.num('UDFS'));
    if (this.num('NSEV') >= Severity.INVALID) {
      const ivoa = this.num('IVOA');
      if (ivoa === 1) return; // Don't drive outputs
      if (ivoa === 2) this.v['OVAL'] = this.num('IVOV');
    }
    return this.writeValue();
  }

  private writeValue(): void | Promise<void> {
    if (this.dset?.write) return this.dset.write(this);
    return this.writeLink('OUT', this.num('OVAL')) ?? undefined;
  }

  protected override monitor(alarmMask: number): void {
    super.monitor(alarmMask);
    if (!Object.is(this.v['POVL'], this.v['OVAL'])) {
      this.post('OVAL', alarmMask | DBE.VALUE | DBE.LOG);
      this.v['POVL'] = this.num('OVAL');
    }
  }

  /** CALC/OCAL puts always succeed and set CLCV/OCLV; link puts refresh constants and INxV. */
  protected override special(fd: FieldDef): boolean {
    if (fd.name === 'CALC') {
      this.rpcl = compileField(this.str('CALC'));
      this.v['CLCV'] = this.rpcl.code;
      this.post('CLCV', DBE.VALUE);
    } else if (fd.name === 'OCAL') {
      this.orpc = compileField(this.str('OCAL'));
      this.v['OCLV'] = this.orpc.code;
      this.post('OCLV', DBE.VALUE);
    } else if (fd.name === 'OUT' || INP.includes(fd.name)) {
      const i = INP.indexOf(fd.name);
      if (i >= 0) {
        const c = this.initConstantLink(fd.name);
        if (typeof c === 'number') {
          this.v[ARGS[i]!] = c;
          this.post(ARGS[i]!, DBE.VALUE);
        }
      }
      const vf = i >= 0 ? `IN${ARGS[i]}V` : 'OUTV';
      this.v[vf] = this.linkValidity(fd.name);
      this.post(vf, DBE.VALUE);
    }
    return true;
  }

  override fieldMeta(fd: FieldDef): FieldMeta {
    if (fd.name === 'ODLY') return { units: 's', precision: 2, limits: fieldLimits(0, 1e300, 0, 100000), enumStrings: [] };
    return super.fieldMeta(fd);
  }
}
