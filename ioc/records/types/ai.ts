import { DBE } from '../../epics/events.js';
import { alarmFilterFields, alarmLimitFields, analogDisplayFields, commonFields, fieldList, simulationFields } from '../common-fields.js';
import { f, menu, FieldTable, type FieldDef } from '../field.js';
import { menuConvert, menuSimm } from '../menus.js';
import { EpicsRecord, type FieldMeta } from '../record.js';
import { initVal, numeric, postRaw } from './in-out.js';

/** aiRecord get_units: conversion and smoothing factors have no units. */
const unitless: ReadonlySet<string> = new Set(['ASLO', 'AOFF', 'SMOO']);
const valueFields = new Set(['VAL', 'HIHI', 'HIGH', 'LOW', 'LOLO', 'LALM', 'ALST', 'MLST', 'SVAL']);

/** Analog input (aiRecord.c): INP → (RVAL → conversion) → VAL, smoothing, limit alarms, deadbands. */
export class AiRecord extends EpicsRecord {
  static readonly recordType = 'ai';
  static readonly table = new FieldTable(
    fieldList(commonFields, simulationFields(menuSimm), analogDisplayFields, alarmLimitFields('DOUBLE'), alarmFilterFields, [
      f('VAL', 'DOUBLE', { pp: true }),
      f('INP', 'INLINK'),
      menu('LINR', menuConvert, { pp: true }),
      f('EGUF', 'DOUBLE', { pp: true }),
      f('EGUL', 'DOUBLE', { pp: true }),
      f('AOFF', 'DOUBLE', { pp: true }),
      f('ASLO', 'DOUBLE', { pp: true, initial: 1 }),
      f('SMOO', 'DOUBLE'),
      f('ESLO', 'DOUBLE', { pp: true, initial: 1 }),
      f('EOFF', 'DOUBLE', { pp: true }),
      f('ROFF', 'ULONG', { pp: true }),
      f('RVAL', 'LONG', { pp: true }),
      f('ORAW', 'LONG', { readOnly: true }),
      f('SVAL', 'DOUBLE'),
      f('INIT', 'SHORT', { readOnly: true }),
    ]),
  );

  protected override initRecord(): void {
    initVal(this, 'INP', numeric((n) => n), ['MLST', 'ALST', 'LALM']);
    this.v['INIT'] = 1; // smoothing starts from the first reading
  }

  protected process(): void | Promise<void> {
    if (this.dset?.read) {
      const r = this.dset.read(this);
      // read_ai returning 0 converts RVAL; noConvert is its "2": VAL was set directly.
      if (r) return r.then(() => this.afterRead(!this.dset?.noConvert));
      this.afterRead(!this.dset.noConvert);
      return;
    }
    const raw = this.str('DTYP') === 'Raw Soft Channel';
    const v = this.readLinkNumber('INP');
    if (v !== undefined) {
      if (raw) {
        this.v['RVAL'] = v | 0;
        this.convert();
      } else {
        this.setVal(v);
      }
    }
    this.afterRead(false);
  }

  private afterRead(convert: boolean): void {
    if (convert) this.convert();
    this.checkLimitAlarms(this.num('VAL'));
  }

  /** RVAL → VAL (aiRecord convert): ROFF, ASLO/AOFF, then LINR SLOPE (ESLO/EOFF). */
  private convert(): void {
    let val = (this.num('RVAL') + this.num('ROFF')) * this.num('ASLO') + this.num('AOFF');
    if (this.num('LINR') === 1 || this.num('LINR') === 2) val = val * this.num('ESLO') + this.num('EOFF');
    this.setVal(val);
  }

  private setVal(val: number): void {
    const smoo = this.num('SMOO');
    if (smoo > 0 && this.v['INIT'] === 0 && Number.isFinite(this.num('VAL'))) val = val * (1 - smoo) + this.num('VAL') * smoo;
    this.v['INIT'] = 0;
    this.v['VAL'] = val;
    this.v['UDF'] = Number.isNaN(val) ? 1 : 0;
  }

  protected override monitor(alarmMask: number): void {
    this.postValue('VAL', alarmMask);
    postRaw(this, DBE.VALUE | DBE.LOG);
  }

  protected override get unitlessFields(): ReadonlySet<string> {
    return unitless;
  }

  override fieldMeta(fd: FieldDef): FieldMeta {
    if (valueFields.has(fd.name)) {
      return { units: this.str('EGU'), precision: this.num('PREC'), limits: this.analogLimits(fd, this.num('HOPR'), this.num('LOPR')), enumStrings: [] };
    }
    return super.fieldMeta(fd);
  }
}
