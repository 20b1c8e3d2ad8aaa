// The dbCommon fields of the detector's records (`cam1:DataType_RBV.DISA`, `.DESC`, `.SEVR` …): every
// EPICS record has them and clients read them (ophyd's cam.data_type_disabled). The detector's records
// are plain PVs, so their fields are served here on demand, as ioc/records serves a record's fields:
// NAME, DESC, STAT and SEVR are the record's own (read live); the other fields hold their dbCommon
// defaults (SCAN: I/O Intr for readbacks, as ADCore's templates) and keep what a client writes, without
// effect on the record (DISA = DISV does not disable it).
import type { PvDatabase } from '../../ioc/db/database.js';
import { Pv } from '../../ioc/db/pv.js';
import type { DbrValue } from '../../ioc/epics/value.js';
import { DbrBase } from '../../ioc/epics/field-type.js';
import { commonFields } from '../../ioc/records/common-fields.js';
import { dbrBaseOfDbf } from '../../ioc/records/dbf.js';
import type { FieldDef } from '../../ioc/records/field.js';
import { menuScan } from '../../ioc/records/menus.js';

const FIELDS = new Map(commonFields.map((fd) => [fd.name, fd]));
const IO_INTR = menuScan.indexOf('I/O Intr');

/** One dbCommon field of a detector record. */
class CommonFieldPv extends Pv {
  constructor(
    readonly record: Pv,
    readonly field: FieldDef,
  ) {
    const type = dbrBaseOfDbf(field.dbf);
    super(`${record.name}.${field.name}`, {
      type,
      value: CommonFieldPv.initial(record, field),
      enumStrings: field.menu ?? [],
      writable: !field.readOnly,
      recordType: record.recordType,
    }, record.clock);
  }

  private static initial(record: Pv, field: FieldDef): DbrValue {
    if (field.name === 'SCAN' && record.recordType !== '' && !record.writable) return IO_INTR;
    if (field.name === 'STAT' || field.name === 'UDF') return 0; // processed at start-up (PINI / I/O Intr)
    const v = field.initial ?? (dbrBaseOfDbf(field.dbf) === DbrBase.STRING ? '' : 0);
    return v as DbrValue;
  }

  override get value(): DbrValue {
    switch (this.field.name) {
      case 'NAME':
        return this.record.name;
      case 'DESC':
        return this.record.description;
      case 'STAT':
        return this.record.status;
      case 'SEVR':
        return this.record.severity;
      default:
        return super.value;
    }
  }
  override set value(v: DbrValue) {
    if (this.field.name === 'DESC') this.record.description = String(v);
    else super.value = v;
  }
  override get status(): number {
    return this.record.status;
  }
  override set status(_v: number) {}
  override get severity(): number {
    return this.record.severity;
  }
  override set severity(_v: number) {}
  override get secPastEpoch(): number {
    return this.record.secPastEpoch;
  }
  override get nsec(): number {
    return this.record.nsec;
  }
}

/** Serve `NAME.FIELD` for the dbCommon fields of the records `names` lists. */
export function serveCommonFields(db: PvDatabase, names: Iterable<string>): void {
  const records = new Set(names);
  db.addResolver((name) => {
    const dot = name.lastIndexOf('.');
    if (dot < 0) return undefined;
    const base = name.slice(0, dot);
    const field = FIELDS.get(name.slice(dot + 1));
    const record = field && records.has(base) ? db.get(base) : undefined;
    return record && field ? new CommonFieldPv(record, field) : undefined;
  });
}
