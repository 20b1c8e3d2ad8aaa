import { DBE } from '../../epics/events.js';
import { Severity } from '../../epics/alarm.js';
import { alarmLimitFields, analogDisplayFields, commonFields, fieldList, simulationFields } from '../common-fields.js';
import { f, menu, FieldTable, type FieldDef } from '../field.js';
import { menuConvert, menuIvoa, menuOmsl, menuSimm } from '../menus.js';
import { EpicsRecord, type FieldMeta } from '../record.js';
import { closedLoop, initVal, numeric, postRaw } from './in-out.js';

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
    initVal(this, 'DOL', numeric((n) => n), ['OVAL', 'PVAL', 'LALM', 'MLST', 'ALST']);
    this.lastOval = this.num('OVAL');
  }

  protected process(): void | Promise<void> {
    closedLoop(this, (d) => (this.num('OIF') ? this.num('VAL') + d : d));
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
    postRaw(this, alarmMask | DBE.VALUE | DBE.LOG);
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
