import { AlarmStatus } from '../../epics/alarm.js';
import { DBE } from '../../epics/events.js';
import { noLimits } from '../../epics/value.js';
import { alarmFilterFields, commonFields, fieldList, simulationFields } from '../common-fields.js';
import { f, menu, FieldTable, type FieldDef } from '../field.js';
import { menuAlarmSevr, menuIvoa, menuOmsl, menuSimm } from '../menus.js';
import { EpicsRecord, type FieldMeta } from '../record.js';
import { closedLoop, initVal, numeric, postDiscrete } from './in-out.js';

const u16 = (n: number) => n & 0xffff;

/** The 16 state prefixes ZR … FF of mbbi/mbbo. */
export const STATES = ['ZR', 'ON', 'TW', 'TH', 'FR', 'FV', 'SX', 'SV', 'EI', 'NI', 'TE', 'EL', 'TV', 'TT', 'FT', 'FF'] as const;

const stateFields: FieldDef[] = STATES.flatMap((s) => [
  f(`${s}VL`, 'ULONG', { pp: true }),
  f(`${s}ST`, 'STRING', { pp: true }),
  menu(`${s}SV`, menuAlarmSevr, { pp: true }),
]);

const mbbFields = [
  f('VAL', 'ENUM', { pp: true }),
  f('NOBT', 'USHORT'),
  f('RVAL', 'ULONG', { pp: true }),
  f('ORAW', 'ULONG', { readOnly: true }),
  f('MASK', 'ULONG'),
  f('SHFT', 'USHORT'),
  menu('UNSV', menuAlarmSevr, { pp: true }),
  menu('COSV', menuAlarmSevr, { pp: true }),
  f('SDEF', 'SHORT', { readOnly: true }),
  f('LALM', 'USHORT', { readOnly: true }),
  f('MLST', 'USHORT', { readOnly: true }),
  ...stateFields,
];

/** Shared behaviour of mbbi and mbbo: state strings, state severities, raw values. */
abstract class MbbRecord extends EpicsRecord {
  protected override initRecord(): void {
    // init_common: states are "defined" when any ZRVL…FFVL is non-zero or any ZRST…FFST is set.
    this.v['SDEF'] = STATES.some((s) => this.num(`${s}VL`) !== 0 || this.str(`${s}ST`) !== '') ? 1 : 0;
  }

  /** Which state a raw value selects (-1: none). */
  protected stateOfRaw(raw: number): number {
    if (!this.num('SDEF')) return raw;
    for (let i = 0; i < 16; i++) if (this.num(`${STATES[i]}VL`) === raw) return i;
    return -1;
  }

  protected stateAlarms(): void {
    if (this.checkUdf()) return;
    const val = this.num('VAL');
    const sev = val < 16 ? this.num(`${STATES[val]}SV`) : this.num('UNSV');
    this.setSevr(AlarmStatus.STATE, val < 16 ? sev : this.num('UNSV'));
    if (val !== this.num('LALM') && this.setSevr(AlarmStatus.COS, this.num('COSV'))) this.v['LALM'] = val;
    this.v['LALM'] = val;
  }

  protected override monitor(alarmMask: number): void {
    postDiscrete(this, alarmMask);
  }

  /** State strings: no_str is the last defined state + 1 (get_enum_strs). */
  enumStrings(): string[] {
    let n = 0;
    const strs = STATES.map((s, i) => {
      const v = this.str(`${s}ST`);
      if (v) n = i + 1;
      return v;
    });
    return strs.slice(0, n);
  }

  protected override special(fd: FieldDef): boolean {
    if (fd.name.endsWith('ST') || fd.name.endsWith('VL')) {
      this.initRecord();
      this.post('VAL', DBE.PROPERTY);
    }
    return true;
  }

  override fieldMeta(fd: FieldDef): FieldMeta {
    if (fd.name === 'VAL') return { units: '', precision: 0, limits: noLimits, enumStrings: this.enumStrings() };
    return super.fieldMeta(fd);
  }
}

/** Multi-bit binary input (mbbiRecord.c). */
export class MbbiRecord extends MbbRecord {
  static readonly recordType = 'mbbi';
  static readonly table = new FieldTable(fieldList(commonFields, simulationFields(menuSimm), mbbFields, alarmFilterFields, [f('INP', 'INLINK')]));

  protected override initRecord(): void {
    super.initRecord();
    initVal(this, 'INP', numeric(u16));
  }

  protected process(): void | Promise<void> {
    const r = this.dset?.read?.(this);
    if (r) return r.then(() => this.stateAlarms());
    if (!this.dset?.read) {
      const v = this.readLinkNumber('INP');
      if (v !== undefined) {
        if (this.str('DTYP') === 'Raw Soft Channel') {
          const mask = this.num('MASK');
          const raw = ((mask ? v & mask : v) >>> this.num('SHFT')) >>> 0;
          this.v['RVAL'] = raw;
          const s = this.stateOfRaw(raw);
          this.v['VAL'] = s < 0 ? 65535 : s;
        } else {
          this.v['VAL'] = u16(v);
        }
        this.v['UDF'] = 0;
      }
    }
    this.stateAlarms();
  }
}

/** Multi-bit binary output (mbboRecord.c). */
export class MbboRecord extends MbbRecord {
  static readonly recordType = 'mbbo';
  static readonly table = new FieldTable(
    fieldList(commonFields, simulationFields(menuSimm), mbbFields, [
      f('OUT', 'OUTLINK'),
      f('DOL', 'INLINK'),
      menu('OMSL', menuOmsl),
      menu('IVOA', menuIvoa),
      f('IVOV', 'USHORT'),
      f('RBV', 'ULONG', { readOnly: true }),
      f('ORBV', 'ULONG', { readOnly: true }),
    ]),
  );

  protected override initRecord(): void {
    super.initRecord();
    initVal(this, 'DOL', numeric(u16), ['MLST', 'LALM']);
  }

  protected process(): void | Promise<void> {
    closedLoop(this, u16);
    const val = this.num('VAL');
    this.v['RVAL'] = this.num('SDEF') && val < 16 ? (this.num(`${STATES[val]}VL`) << this.num('SHFT')) >>> 0 : val;
    this.stateAlarms();
    if (this.num('NSEV') >= 3 && this.num('IVOA') === 1) return;
    if (this.dset?.write) return this.dset.write(this);
    const out = this.str('DTYP') === 'Raw Soft Channel' ? this.num('RVAL') : val;
    return this.writeLink('OUT', out) ?? undefined;
  }
}
