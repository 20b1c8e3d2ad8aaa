import { DbrBase } from '../ca/protocol/dbr-types.js';
import type { DbrValue, Limits } from '../ca/protocol/snapshot.js';
import { noLimits } from '../ca/protocol/snapshot.js';
import type { PutContext } from '../db/pv.js';
import type { FieldDef } from './field.js';
import type { EpicsRecord } from './record.js';
import { RecordFieldPv } from './record-field-pv.js';

/** PVLINK_STRINGSZ: what `REC.INP$` offers for link text. */
export const LINK_STRING_SIZE = 1024;
/** MAX_STRING_SIZE: an ordinary DBF_STRING field read as `REC.DESC$`. */
export const STRING_FIELD_SIZE = 40;

/**
 * `REC.FIELD$` (dbChannel's long-string modifier): a string or link field served as a DBR_CHAR array of
 * `capacity` elements holding the UTF-8 bytes and a terminating NUL (count = bytes + 1). A put of a
 * char array stores the text up to the first NUL through the record's put path (processing included).
 * Alarm, time and monitors follow the plain field PV.
 */
export class LongStringPv extends RecordFieldPv {
  constructor(record: EpicsRecord, field: FieldDef, name: string, capacity: number) {
    super(record, field, name, { type: DbrBase.CHAR, recordType: record.recordType, writable: !field.readOnly, maxCount: capacity });
  }

  override get value(): DbrValue {
    const text = String(this.record.caValue(this.field) ?? '');
    const bytes = Buffer.from(text, 'utf8');
    const n = Math.min(bytes.length, this.maxCount - 1);
    const out = new Uint8Array(n + 1);
    out.set(bytes.subarray(0, n));
    return out;
  }
  override set value(_v: DbrValue) {}
  override get limits(): Limits {
    return noLimits;
  }

  protected override applyPut(value: DbrValue, ctx: PutContext): Promise<void> {
    return this.record.putField(this.field, textOfChars(value), ctx);
  }
}

/** The text of a CHAR array up to its first NUL (a string put through `$` is taken as it is). */
export function textOfChars(value: DbrValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String.fromCharCode(value & 0xff);
  return charArrayText(value as ArrayLike<number | string>);
}

/** A CHAR array as text (UTF-8 up to the first NUL); a string list gives its first string. */
export function charArrayText(a: ArrayLike<number | string>): string {
  if (a.length > 0 && typeof a[0] === 'string') return String(a[0]);
  const bytes: number[] = [];
  for (let i = 0; i < a.length; i++) {
    const b = Number(a[i]) & 0xff;
    if (b === 0) break;
    bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}
