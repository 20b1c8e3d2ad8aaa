import type { DbrValue, Limits } from '../ca/protocol/snapshot.js';
import { Pv, type PutContext } from '../db/pv.js';
import { dbrBaseOfDbf } from './dbf.js';
import type { FieldDef } from './field.js';
import type { EpicsRecord } from './record.js';

/**
 * A record field served as a PV. It keeps no state of its own: value, alarm and timestamp are the
 * record's (one source of truth), metadata comes from the record type's get_* routines.
 */
export class FieldPv extends Pv {
  constructor(
    readonly record: EpicsRecord,
    readonly field: FieldDef,
    name: string,
  ) {
    super(name, { type: dbrBaseOfDbf(record.caDbf(field)), recordType: record.recordType, writable: !field.readOnly }, record.clock);
    this.maxCount = record.caMaxCount(field);
  }

  override get value(): DbrValue {
    return this.record.caValue(this.field);
  }
  override set value(v: DbrValue) {
    this.record.storeField(this.field, v);
  }
  override get status(): number {
    return this.record.v['STAT'] as number;
  }
  override set status(_v: number) {}
  override get severity(): number {
    return this.record.v['SEVR'] as number;
  }
  override set severity(_v: number) {}
  override get secPastEpoch(): number {
    return this.record.sec;
  }
  override get nsec(): number {
    return this.record.nsec;
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
  override stamp(): void {
    // The record's time stamps its fields.
  }

  protected override applyPut(value: DbrValue, ctx: PutContext): Promise<void> {
    return this.record.putField(this.field, value, ctx);
  }
}
