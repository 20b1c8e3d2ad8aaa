import { AlarmStatus } from '../../epics/alarm.js';
import { commonFields, fieldList, simulationFields } from '../common-fields.js';
import { f, menu, FieldTable, type FieldDef } from '../field.js';
import { menuAlarmSevr, menuOmsl, menuIvoa, menuSimm } from '../menus.js';
import { EpicsRecord, fieldLimits, rangeLimits, type FieldMeta } from '../record.js';
import { noLimits } from '../../epics/value.js';
import type { TimerHandle } from '../../clock.js';
import { closedLoop, initVal, numeric, postDiscrete } from './in-out.js';

const bit = (n: number) => (n === 0 ? 0 : 1);

const binaryFields = [
  f('VAL', 'ENUM', { pp: true }),
  f('ZNAM', 'STRING', { pp: true }),
  f('ONAM', 'STRING', { pp: true }),
  menu('ZSV', menuAlarmSevr, { pp: true }),
  menu('OSV', menuAlarmSevr, { pp: true }),
  menu('COSV', menuAlarmSevr, { pp: true }),
  f('RVAL', 'ULONG', { pp: true }),
  f('ORAW', 'ULONG', { readOnly: true }),
  f('MASK', 'ULONG'),
  f('LALM', 'USHORT', { readOnly: true }),
  f('MLST', 'USHORT', { readOnly: true }),
];

/** State and change-of-state alarms shared by bi and bo (checkAlarms of biRecord.c). */
function binaryAlarms(rec: EpicsRecord): void {
  // biRecord returns after a UDF alarm; boRecord goes on to the state checks.
  if (rec.checkUdf() && rec.recordType === 'bi') return;
  const val = rec.num('VAL');
  if (val > 1) return;
  rec.setSevr(AlarmStatus.STATE, rec.num(val === 0 ? 'ZSV' : 'OSV'));
  if (val === rec.num('LALM')) return;
  rec.setSevr(AlarmStatus.COS, rec.num('COSV'));
  rec.v['LALM'] = val;
}

function binaryMeta(rec: EpicsRecord, fd: FieldDef, base: (fd: FieldDef) => FieldMeta): FieldMeta {
  if (fd.name === 'VAL') return { units: '', precision: 0, limits: noLimits, enumStrings: [rec.str('ZNAM'), rec.str('ONAM')] };
  return base(fd);
}

/** Binary input (biRecord.c). */
export class BiRecord extends EpicsRecord {
  static readonly recordType = 'bi';
  static readonly table = new FieldTable(fieldList(commonFields, simulationFields(menuSimm), binaryFields, [f('INP', 'INLINK')]));

  protected override initRecord(): void {
    initVal(this, 'INP', numeric(bit));
  }

  protected process(): void | Promise<void> {
    const r = this.dset?.read?.(this);
    if (r) return r.then(() => binaryAlarms(this));
    if (!this.dset?.read) {
      const v = this.readLinkNumber('INP');
      if (v !== undefined) {
        if (this.str('DTYP') === 'Raw Soft Channel') {
          const mask = this.num('MASK');
          this.v['RVAL'] = (mask ? v & mask : v) >>> 0;
          this.v['VAL'] = this.num('RVAL') === 0 ? 0 : 1;
        } else {
          this.v['VAL'] = bit(v);
        }
        this.v['UDF'] = 0;
      }
    }
    binaryAlarms(this);
  }

  protected override monitor(alarmMask: number): void {
    postDiscrete(this, alarmMask);
  }

  override fieldMeta(fd: FieldDef): FieldMeta {
    return binaryMeta(this, fd, (x) => super.fieldMeta(x));
  }
}

/** Binary output (boRecord.c), including the momentary HIGH pulse. */
export class BoRecord extends EpicsRecord {
  static readonly recordType: string = 'bo';
  static readonly table = new FieldTable(
    fieldList(commonFields, simulationFields(menuSimm), binaryFields, [
      f('OUT', 'OUTLINK'),
      f('DOL', 'INLINK'),
      menu('OMSL', menuOmsl),
      f('HIGH', 'DOUBLE'),
      menu('IVOA', menuIvoa),
      f('IVOV', 'USHORT'),
      f('RBV', 'ULONG', { readOnly: true }),
      f('ORBV', 'ULONG', { readOnly: true }),
      f('RPVT', 'NOACCESS'),
      f('WDPT', 'NOACCESS'),
    ]),
  );
  private highTimer: TimerHandle | undefined;

  protected override initRecord(): void {
    initVal(this, 'DOL', numeric(bit));
  }

  protected process(): void | Promise<void> {
    closedLoop(this, bit);
    const val = this.num('VAL');
    this.v['RVAL'] = val === 0 ? 0 : this.num('MASK') || 1;
    binaryAlarms(this);
    if (this.num('NSEV') >= 3 && this.num('IVOA') === 1) return;
    const out = this.num('NSEV') >= 3 && this.num('IVOA') === 2 ? this.num('IVOV') : val;
    const w = this.dset?.write ? this.dset.write(this) : this.writeLink('OUT', out);
    // Momentary output: a 1 reverts to 0 after HIGH seconds.
    if (val === 1 && this.num('HIGH') > 0) {
      this.highTimer?.cancel();
      this.highTimer = this.clock.setTimeout(() => {
        this.highTimer = undefined;
        this.v['VAL'] = 0;
        this.processRecord();
      }, this.num('HIGH') * 1000);
    }
    return w ?? undefined;
  }

  protected override monitor(alarmMask: number): void {
    postDiscrete(this, alarmMask);
  }

  override fieldMeta(fd: FieldDef): FieldMeta {
    // boRecord get_units/get_precision/get_control_double: HIGH is a time in seconds.
    if (fd.name === 'HIGH') return { units: 's', precision: 2, limits: fieldLimits(0, 0, 0, 100000), enumStrings: [] };
    // boRecord has get_control_double (recGbl's type range for other fields) but no get_graphic_double.
    return binaryMeta(this, fd, (x) => {
      const m = super.fieldMeta(x);
      const r = rangeLimits(x.dbf);
      return { ...m, limits: { ...m.limits, upperCtrl: r.upperCtrl, lowerCtrl: r.lowerCtrl } };
    });
  }
}
