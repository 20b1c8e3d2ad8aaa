import { alarmFilterFields, alarmLimitFields, commonFields, fieldList, simulationFields } from '../common-fields.js';
import { f, menu, FieldTable, type FieldDef } from '../field.js';
import { menuIvoa, menuOmsl } from '../menus.js';
import type { Limits } from '../../epics/value.js';
import type { Dbf } from '../dbf.js';
import { EpicsRecord, type FieldMeta } from '../record.js';
import { initVal, numeric } from './in-out.js';

/** The monitor and alarm history that starts at VAL (init_record). */
const LAST = ['MLST', 'ALST', 'LALM'];

const valueFields = new Set(['VAL', 'HIHI', 'HIGH', 'LOW', 'LOLO', 'LALM', 'ALST', 'MLST']);

/** int64in/int64out get_alarm_double give HIHI … LOLO on VAL whatever their severities (longin's follow them). */
function integerLimits(rec: EpicsRecord, fd: FieldDef, limits: Limits): Limits {
  if (fd.name !== 'VAL' || rec.table.get('VAL')!.dbf !== 'INT64') return limits;
  return { ...limits, upperAlarm: rec.num('HIHI'), upperWarning: rec.num('HIGH'), lowerWarning: rec.num('LOW'), lowerAlarm: rec.num('LOLO') };
}

function integerFields(dbf: 'LONG' | 'INT64') {
  return [
    f('VAL', dbf, { pp: true }),
    f('EGU', 'STRING'),
    f('HOPR', dbf),
    f('LOPR', dbf),
    ...alarmLimitFields(dbf),
  ];
}

/** Integer input (longinRecord.c / int64inRecord.c). */
export class LonginRecord extends EpicsRecord {
  static readonly recordType: string = 'longin';
  static readonly table = new FieldTable(fieldList(commonFields, simulationFields(), integerFields('LONG'), alarmFilterFields, [f('INP', 'INLINK')]));

  protected override initRecord(): void {
    initVal(this, 'INP', numeric(Math.trunc), LAST);
  }

  protected process(): void | Promise<void> {
    const r = this.dset?.read?.(this);
    if (r) return r.then(() => this.checkLimitAlarms(this.num('VAL')));
    if (!this.dset?.read) {
      const v = this.readLinkNumber('INP');
      if (v !== undefined) {
        this.storeField(this.table.get('VAL')!, v);
      }
    }
    this.checkLimitAlarms(this.num('VAL'));
  }

  /** get_units: EGU on the fields of VAL's type (DBF_LONG, DBF_INT64). */
  protected override get unitsDbf(): Dbf {
    return this.table.get('VAL')!.dbf;
  }

  override fieldMeta(fd: FieldDef): FieldMeta {
    if (valueFields.has(fd.name)) {
      return { units: this.str('EGU'), precision: 0, limits: integerLimits(this, fd, this.analogLimits(fd, this.num('HOPR'), this.num('LOPR'))), enumStrings: [] };
    }
    return super.fieldMeta(fd);
  }
}

/** Integer output (longoutRecord.c / int64outRecord.c). */
export class LongoutRecord extends EpicsRecord {
  static readonly recordType: string = 'longout';
  static readonly table = new FieldTable(
    fieldList(commonFields, simulationFields(), integerFields('LONG'), [
      f('OUT', 'OUTLINK'),
      f('DOL', 'INLINK'),
      menu('OMSL', menuOmsl),
      f('DRVH', 'LONG', { pp: true }),
      f('DRVL', 'LONG', { pp: true }),
      menu('IVOA', menuIvoa),
      f('IVOV', 'LONG'),
    ]),
  );

  protected override initRecord(): void {
    initVal(this, 'DOL', numeric(Math.trunc), LAST);
  }

  protected process(): void | Promise<void> {
    if (this.num('OMSL') === 1) {
      const d = this.readLinkNumber('DOL');
      if (d !== undefined) this.storeField(this.table.get('VAL')!, d);
    }
    const drvh = this.num('DRVH');
    const drvl = this.num('DRVL');
    if (drvh > drvl) this.v['VAL'] = Math.min(Math.max(this.num('VAL'), drvl), drvh);
    this.checkLimitAlarms(this.num('VAL'));
    if (this.num('NSEV') >= 3 && this.num('IVOA') === 1) return;
    const out = this.num('NSEV') >= 3 && this.num('IVOA') === 2 ? this.num('IVOV') : this.num('VAL');
    if (this.dset?.write) return this.dset.write(this);
    return this.writeLink('OUT', out) ?? undefined;
  }

  /** get_units: EGU on the fields of VAL's type (DBF_LONG, DBF_INT64). */
  protected override get unitsDbf(): Dbf {
    return this.table.get('VAL')!.dbf;
  }

  override fieldMeta(fd: FieldDef): FieldMeta {
    if (valueFields.has(fd.name)) {
      const drvh = this.num('DRVH');
      const drvl = this.num('DRVL');
      const [ch, cl] = drvh > drvl ? [drvh, drvl] : [this.num('HOPR'), this.num('LOPR')];
      return { units: this.str('EGU'), precision: 0, limits: integerLimits(this, fd, this.analogLimits(fd, ch, cl)), enumStrings: [] };
    }
    return super.fieldMeta(fd);
  }
}

/** 64-bit integer input: served over CA as DOUBLE (CA has no 64-bit type). */
export class Int64inRecord extends LonginRecord {
  static override readonly recordType = 'int64in';
  static override readonly table = new FieldTable(fieldList(commonFields, simulationFields(), integerFields('INT64'), alarmFilterFields, [f('INP', 'INLINK')]));
}

/** 64-bit integer output. */
export class Int64outRecord extends LongoutRecord {
  static override readonly recordType = 'int64out';
  static override readonly table = new FieldTable(
    fieldList(commonFields, simulationFields(), integerFields('INT64'), [
      f('OUT', 'OUTLINK'),
      f('DOL', 'INLINK'),
      menu('OMSL', menuOmsl),
      f('DRVH', 'INT64', { pp: true }),
      f('DRVL', 'INT64', { pp: true }),
      menu('IVOA', menuIvoa),
      f('IVOV', 'INT64'),
    ]),
  );
}
