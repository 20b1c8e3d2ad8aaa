import { DBE, Severity } from '../../ca/protocol/constants.js';
import { alarmLimitFields, analogDisplayFields, commonFields, fieldList, simulationFields } from '../common-fields.js';
import { f, menu, FieldTable, type FieldDef } from '../field.js';
import { menuConvert, menuIvoa, menuOmsl, menuSimm } from '../menus.js';
import { EpicsRecord, type FieldMeta } from '../record.js';

/** aoRecord get_units: conversion factors have no units. */
const unitless: ReadonlySet<string> = new Set(['ASLO', 'AOFF']);
const valueFields = new Set(['VAL', 'OVAL', 'PVAL', 'HIHI', 'HIGH', 'LOW', 'LOLO', 'LALM', 'ALST', 'MLST', 'IVOV']);

/** Analog output (aoRecord.c): DOL (closed loop) → VAL, drive limits, OROC, OVAL → OUT, IVOA. */
export class AoRecord extends EpicsRecord {
  static readonly recordType = 'ao';
  static readonly table = new FieldTable(
    fieldList(commonFields, simulationFields(menuSimm), analogDisplayFields, alarmLimitFields('DOUBLE'), [
      f('VAL', 'DOUBLE', { pp: true }),
      f('OVAL', 'DOUBLE'),
      f('OUT', 'OUTLINK'),
      f('OROC', 'DOUBLE'),
      f('DOL', 'INLINK'),
      menu('OMSL', menuOmsl),
      menu('OIF', ['Full', 'Incremental']),
      f('DRVH', 'DOUBLE', { pp: true }),
      f('DRVL', 'DOUBLE', { pp: true }),
      menu('LINR', menuConvert, { pp: true }),
      f('ESLO', 'DOUBLE', { pp: true, initial: 1 }),
      f('EOFF', 'DOUBLE', { pp: true }),
      f('AOFF', 'DOUBLE', { pp: true }),
      f('ASLO', 'DOUBLE', { pp: true }),
      f('RVAL', 'LONG', { pp: true }),
      f('ORAW', 'LONG', { readOnly: true }),
      f('RBV', 'LONG', { readOnly: true }),
      f('PVAL', 'DOUBLE', { readOnly: true }),
      menu('IVOA', menuIvoa),
      f('IVOV', 'DOUBLE'),
    ]),
  );

  private lastOval = 0;

  protected override initRecord(): void {
    const l = this.link('DOL');
    if (l.kind === 'constant' && typeof l.value === 'number') {
      this.v['VAL'] = l.value;
      this.v['UDF'] = 0;
    }
    this.v['OVAL'] = this.v['VAL'] as number;
    this.v['PVAL'] = this.v['VAL'] as number;
    this.v['LALM'] = this.v['VAL'] as number;
    this.lastOval = this.num('OVAL');
    this.v['MLST'] = this.num('VAL');
    this.v['ALST'] = this.num('VAL');
  }

  protected process(): void | Promise<void> {
    if (this.num('OMSL') === 1) {
      const d = this.readLinkNumber('DOL');
      if (d !== undefined) {
        this.v['VAL'] = this.num('OIF') ? this.num('VAL') + d : d;
        this.v['UDF'] = 0;
      }
    }
    let val = this.num('VAL');
    const drvh = this.num('DRVH');
    const drvl = this.num('DRVL');
    if (drvh > drvl) {
      val = Math.min(Math.max(val, drvl), drvh);
      this.v['VAL'] = val;
    }
    const oroc = this.num('OROC');
    let oval = val;
    if (oroc > 0 && Math.abs(val - this.num('OVAL')) > oroc) oval = this.num('OVAL') + Math.sign(val - this.num('OVAL')) * oroc;
    this.v['OVAL'] = oval;
    this.v['RVAL'] = this.convert(oval);
    this.checkLimitAlarms(val);
    if (this.num('NSEV') >= Severity.INVALID) {
      const ivoa = this.num('IVOA');
      if (ivoa === 1) return;
      if (ivoa === 2) this.v['OVAL'] = this.num('IVOV');
    }
    return this.write();
  }

  /** aoRecord convert(): engineering units → raw (LINR slope, AOFF, ASLO when set), rounded to 32 bits. */
  private convert(value: number): number {
    let v = value;
    const linr = this.num('LINR');
    if (linr === 1 || linr === 2) v = this.num('ESLO') === 0 ? 0 : (v - this.num('EOFF')) / this.num('ESLO');
    v -= this.num('AOFF');
    if (this.num('ASLO') !== 0) v /= this.num('ASLO');
    if (Number.isNaN(v)) return 0;
    if (v >= 0) return v >= 0x7fffffff - 0.5 ? 0x7fffffff : Math.trunc(v + 0.5);
    return v > 0.5 - Number.MAX_VALUE ? Math.trunc(v - 0.5) : -0x80000000;
  }

  private write(): void | Promise<void> {
    if (this.dset?.write) return this.dset.write(this);
    return this.writeLink('OUT', this.num('OVAL'));
  }

  protected override monitor(alarmMask: number): void {
    this.postValue('VAL', alarmMask);
    this.v['PVAL'] = this.v['VAL'] as number;
    // aoRecord monitor: OVAL (and RVAL/ORAW) post only when they changed.
    if (!Object.is(this.v['OVAL'], this.lastOval)) {
      this.lastOval = this.num('OVAL');
      this.post('OVAL', alarmMask | DBE.VALUE | DBE.LOG);
    }
    if (this.v['ORAW'] !== this.v['RVAL']) {
      this.v['ORAW'] = this.v['RVAL'] as number;
      this.post('RVAL', alarmMask | DBE.VALUE | DBE.LOG);
    }
  }

  protected override get unitlessFields(): ReadonlySet<string> {
    return unitless;
  }

  override fieldMeta(fd: FieldDef): FieldMeta {
    if (valueFields.has(fd.name)) {
      const drvh = this.num('DRVH');
      const drvl = this.num('DRVL');
      // get_control_double leaves IVOV to recGbl (the type's range).
      const [ch, cl] = fd.name === 'IVOV' ? [1e300, -1e300] : drvh > drvl ? [drvh, drvl] : [this.num('HOPR'), this.num('LOPR')];
      return { units: this.str('EGU'), precision: this.num('PREC'), limits: this.analogLimits(fd, ch, cl), enumStrings: [] };
    }
    return super.fieldMeta(fd);
  }
}
