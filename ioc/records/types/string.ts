import { DBE } from '../../epics/events.js';
import { commonFields, fieldList, simulationFields } from '../common-fields.js';
import { f, menu, FieldTable } from '../field.js';
import { menuIvoa, menuOmsl, menuPost } from '../menus.js';
import { EpicsRecord } from '../record.js';
import { initVal } from './in-out.js';

const stringFields = [
  f('VAL', 'STRING', { pp: true }),
  f('OVAL', 'STRING', { readOnly: true }),
  menu('MPST', menuPost),
  menu('APST', menuPost),
];

/** Posting of string records: on change, or every time with MPST/APST "Always". */
function postString(rec: EpicsRecord, alarmMask: number): void {
  let mask = alarmMask;
  const changed = rec.v['OVAL'] !== rec.v['VAL'];
  if (changed || rec.num('MPST') === 1) mask |= DBE.VALUE;
  if (changed || rec.num('APST') === 1) mask |= DBE.LOG;
  if (mask) rec.post('VAL', mask);
  rec.v['OVAL'] = rec.v['VAL'] as string;
}

/** String input (stringinRecord.c). Also serves lsi (long string input) with a larger size. */
export class StringinRecord extends EpicsRecord {
  static readonly recordType: string = 'stringin';
  static readonly table = new FieldTable(fieldList(commonFields, simulationFields(), stringFields, [f('INP', 'INLINK')]));

  protected override initRecord(): void {
    initVal(this, 'INP', String, ['OVAL']);
  }

  protected process(): void | Promise<void> {
    const r = this.dset?.read?.(this);
    if (r) return r;
    if (!this.dset?.read) {
      const v = this.readLinkValue('INP');
      if (v !== undefined && this.link('INP').kind === 'pv') {
        this.v['VAL'] = typeof v === 'string' ? v : String(typeof v === 'number' ? v : (v as ArrayLike<number>)[0]);
        this.v['UDF'] = 0;
      }
    }
    this.checkUdf();
  }

  protected override monitor(alarmMask: number): void {
    postString(this, alarmMask);
  }
}

/** String output (stringoutRecord.c). */
export class StringoutRecord extends EpicsRecord {
  static readonly recordType: string = 'stringout';
  static readonly table = new FieldTable(
    fieldList(commonFields, simulationFields(), stringFields, [f('OUT', 'OUTLINK'), f('DOL', 'INLINK'), menu('OMSL', menuOmsl), menu('IVOA', menuIvoa), f('IVOV', 'STRING')]),
  );

  protected override initRecord(): void {
    initVal(this, 'DOL', String, ['OVAL']);
  }

  protected process(): void | Promise<void> {
    if (this.num('OMSL') === 1) {
      const d = this.readLinkValue('DOL');
      if (d !== undefined) {
        this.v['VAL'] = String(d);
        this.v['UDF'] = 0;
      }
    }
    this.checkUdf();
    if (this.num('NSEV') >= 3 && this.num('IVOA') === 1) return;
    if (this.dset?.write) return this.dset.write(this);
    const out = this.num('NSEV') >= 3 && this.num('IVOA') === 2 ? this.str('IVOV') : this.str('VAL');
    return this.writeLink('OUT', out) ?? undefined;
  }

  protected override monitor(alarmMask: number): void {
    postString(this, alarmMask);
  }
}
