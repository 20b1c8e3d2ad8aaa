import { AlarmStatus } from '../../ca/protocol/constants.js';
import { commonFields, fieldList } from '../common-fields.js';
import { f, menu, FieldTable, type FieldDef } from '../field.js';
import { menuFtype } from '../menus.js';
import { fieldLimits, type FieldMeta } from '../record.js';
import { ArrayRecord, arrayFields } from './waveform.js';

/**
 * subArray (subArrayRecord.c + devSASoft.c): reads up to MALM elements from INP and keeps NELM of them
 * starting at INDX (INDX clipped to MALM − 1, NELM to MALM). VAL has MALM capacity and NORD valid
 * elements; no element selected (NORD 0) raises UDF with UDFS.
 */
export class SubArrayRecord extends ArrayRecord {
  static readonly recordType = 'subArray';
  static readonly table = new FieldTable(
    fieldList(commonFields, arrayFields, [
      f('INP', 'INLINK'),
      f('MALM', 'ULONG', { readOnly: true, initial: 1 }),
      f('NELM', 'ULONG', { pp: true, initial: 1 }),
      f('INDX', 'ULONG', { pp: true }),
      f('NORD', 'LONG', { readOnly: true }),
      menu('FTVL', menuFtype, { readOnly: true, initial: 10 }),
    ]),
  );

  protected override allocate(): void {
    if (this.num('MALM') <= 0) this.v['MALM'] = 1;
    if (this.num('NELM') > this.num('MALM')) this.v['NELM'] = this.num('MALM');
    const nelm = this.num('NELM');
    // Allocate MALM elements through the base class, which sizes by NELM.
    this.v['NELM'] = this.num('MALM');
    super.allocate();
    this.v['NELM'] = nelm;
  }

  override caMaxCount(fd: FieldDef): number {
    return fd.name === 'VAL' ? Math.max(1, this.num('MALM')) : 1;
  }

  protected process(): void {
    if (!this.buffer) this.allocate();
    const malm = this.num('MALM');
    if (this.num('NELM') > malm) this.v['NELM'] = malm;
    if (this.num('INDX') >= malm) this.v['INDX'] = malm - 1;
    const indx = this.num('INDX');
    const nelm = this.num('NELM');
    let selected: ArrayLike<number> = [];
    if (this.link('INP').kind === 'pv') {
      const v = this.readLinkValue('INP');
      if (v !== undefined) {
        const src = typeof v === 'number' ? [v] : typeof v === 'string' ? [Number(v)] : (v as ArrayLike<number>);
        const nRequest = Math.min(indx + nelm, malm, src.length);
        const ecount = Math.max(0, Math.min(nRequest - indx, nelm));
        selected = Array.prototype.slice.call(src, indx, indx + ecount) as number[];
      }
      this.setArray(selected);
    }
    if (this.num('NORD') <= 0) {
      this.v['UDF'] = 1;
      this.setSevr(AlarmStatus.UDF, this.num('UDFS'));
    } else {
      this.v['UDF'] = 0;
    }
  }

  override fieldMeta(fd: FieldDef): FieldMeta {
    const malm = this.num('MALM');
    if (fd.name === 'INDX') return { units: '', precision: 0, limits: fieldLimits(0, malm - 1), enumStrings: [] };
    if (fd.name === 'NELM') return { units: '', precision: 0, limits: fieldLimits(0, malm, 1, malm), enumStrings: [] };
    return super.fieldMeta(fd);
  }
}
