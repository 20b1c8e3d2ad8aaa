import type { DbrValue, Limits } from '../epics/value.js';
import type { PutContext } from '../db/pv.js';
import { dbrBaseOfDbf } from './dbf.js';
import type { FieldDef } from './field.js';
import type { EpicsRecord } from './record.js';
import { RecordFieldPv } from './record-field-pv.js';

/**
 * A record field served as a PV. It keeps no state of its own: value, alarm and timestamp are the
 * record's (one source of truth), metadata comes from the record type's get_* routines.
 */
export class FieldPv extends RecordFieldPv {
  constructor(record: EpicsRecord, field: FieldDef, name: string) {
    super(record, field, name, { type: dbrBaseOfDbf(record.caDbf(field)), recordType: record.recordType, writable: !field.readOnly });
    this.maxCount = record.caMaxCount(field);
  }

  override get value(): DbrValue {
    return this.record.caValue(this.field);
  }
  override set value(v: DbrValue) {
    this.record.storeField(this.field, v);
  }
  override get units(): string {
    return this.record.fieldMeta(this.field).units;
  }
  override get precision(): number {
    return this.record.fieldMeta(this.field).precision;
  }
  override get limits(): Limits {
    return this.record.fieldMeta(this.field).limits;
  }
  override get enumStrings(): readonly string[] {
    return this.record.fieldMeta(this.field).enumStrings;
  }

  protected override applyPut(value: DbrValue, ctx: PutContext): Promise<void> {
    return this.record.putField(this.field, value, ctx);
  }
}
