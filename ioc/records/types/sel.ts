import { AlarmStatus, DBE, Severity } from '../../ca/protocol/constants.js';
import { alarmLimitFields, analogDisplayFields, commonFields, fieldList } from '../common-fields.js';
import { f, menu, FieldTable, type FieldDef } from '../field.js';
import { selSELM } from '../menus.js';
import { EpicsRecord, type FieldMeta } from '../record.js';
import { ARGS } from './calc.js';

const SEL_MAX = ARGS.length;
const metaFields = new Set(['VAL', 'HIHI', 'HIGH', 'LOW', 'LOLO', 'LALM', 'ALST', 'MLST', ...ARGS, ...ARGS.map((a) => `L${a}`)]);

/**
 * sel (selRecord.c): VAL is one of A–L — Specified by SELN (from NVL), or the highest, lowest or median
 * of the inputs that are not NaN (A–L start as NaN; SELN reports the chosen index, for Median the count).
 */
export class SelRecord extends EpicsRecord {
  static readonly recordType = 'sel';
  static readonly table = new FieldTable(
    fieldList(commonFields, analogDisplayFields, alarmLimitFields('DOUBLE'), [
      f('VAL', 'DOUBLE', { readOnly: true }),
      menu('SELM', selSELM),
      f('SELN', 'USHORT'),
      f('NVL', 'INLINK'),
      ...ARGS.map((a) => f(`INP${a}`, 'INLINK')),
      ...ARGS.map((a) => f(a, 'DOUBLE', { pp: true, initial: Number.NaN })),
      ...ARGS.map((a) => f(`L${a}`, 'DOUBLE', { readOnly: true })),
      f('NLST', 'USHORT', { readOnly: true }),
    ]),
  );

  protected override initRecord(): void {
    const nvl = this.initConstantLink('NVL');
    if (typeof nvl === 'number') this.v['SELN'] = nvl & 0xffff;
    for (const a of ARGS) {
      const c = this.initConstantLink(`INP${a}`);
      if (typeof c === 'number') this.v[a] = c;
    }
  }

  private fetchValues(): boolean {
    if (this.num('SELM') === 0) {
      const n = this.readLinkNumber('NVL');
      if (n !== undefined) this.v['SELN'] = Math.trunc(n) & 0xffff;
      const seln = this.num('SELN');
      if (seln >= SEL_MAX) return true;
      const v = this.readLinkNumber(`INP${ARGS[seln]}`);
      if (v !== undefined) this.v[ARGS[seln]!] = v;
      return true;
    }
    for (const a of ARGS) {
      const v = this.readLinkNumber(`INP${a}`);
      if (v !== undefined) this.v[a] = v;
    }
    return true;
  }

  private doSel(): void {
    const vals = ARGS.map((a) => this.num(a));
    let val: number;
    switch (this.num('SELM')) {
      case 0: {
        const seln = this.num('SELN');
        if (seln >= SEL_MAX) {
          this.setSevr(AlarmStatus.SOFT, Severity.INVALID);
          return;
        }
        val = vals[seln]!;
        break;
      }
      case 1:
        val = -Infinity;
        vals.forEach((x, i) => {
          if (!Number.isNaN(x) && val < x) {
            val = x;
            this.v['SELN'] = i;
          }
        });
        break;
      case 2:
        val = Infinity;
        vals.forEach((x, i) => {
          if (!Number.isNaN(x) && val > x) {
            val = x;
            this.v['SELN'] = i;
          }
        });
        break;
      case 3: {
        const order = vals.filter((x) => !Number.isNaN(x)).sort((x, y) => x - y);
        this.v['SELN'] = order.length;
        val = order.length ? order[Math.trunc(order.length / 2)]! : Number.NaN;
        break;
      }
      default:
        this.setSevr(AlarmStatus.CALC, Severity.INVALID);
        return;
    }
    this.v['VAL'] = val;
    this.v['UDF'] = Number.isNaN(val) ? 1 : 0;
  }

  protected process(): void {
    if (this.fetchValues()) this.doSel();
    this.checkLimitAlarms(this.num('VAL'));
  }

  protected override monitor(alarmMask: number): void {
    this.postValue('VAL', alarmMask);
    const mask = alarmMask | DBE.VALUE | DBE.LOG;
    if (this.v['NLST'] !== this.v['SELN']) {
      this.v['NLST'] = this.num('SELN');
      this.post('SELN', mask);
    }
    for (const a of ARGS) {
      if (this.v[a] !== this.v[`L${a}`]) {
        this.post(a, mask);
        this.v[`L${a}`] = this.num(a);
      }
    }
  }

  override fieldMeta(fd: FieldDef): FieldMeta {
    if (metaFields.has(fd.name)) {
      return { units: this.str('EGU'), precision: this.num('PREC'), limits: this.analogLimits(fd, this.num('HOPR'), this.num('LOPR')), enumStrings: [] };
    }
    return super.fieldMeta(fd);
  }
}
