import { Pv, type PvOptions } from '../db/pv.js';
import type { FieldDef } from './field.js';
import type { EpicsRecord } from './record.js';

/**
 * A PV that serves one field of a record: alarm and timestamp are the record's (one source of truth),
 * so setting them here does nothing and the record's time stamps its fields.
 */
export abstract class RecordFieldPv extends Pv {
  constructor(
    readonly record: EpicsRecord,
    readonly field: FieldDef,
    name: string,
    opts: PvOptions,
  ) {
    super(name, opts, record.clock);
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
  override stamp(): void {
    // The record's time stamps its fields.
  }
}
