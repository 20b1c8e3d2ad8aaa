import { AlarmStatus, Severity } from '../../epics/alarm.js';
import { DBE } from '../../epics/events.js';
import { commonFields, fieldList, simulationFields } from '../common-fields.js';
import { f, menu, FieldTable, type FieldDef, type FieldValue } from '../field.js';
import { menuIvoa, menuOmsl, menuPost } from '../menus.js';
import { charArrayText } from '../long-string-pv.js';
import { EpicsRecord } from '../record.js';

/** Text of a value read through a link as a long string (dbGetLinkLS): strings as they are, char arrays up to NUL. */
export function longStringOf(v: FieldValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return charArrayText(v as ArrayLike<number | string>);
}

/** Cut a string to at most `max` bytes of UTF-8 without splitting a character. */
function clip(s: string, max: number): string {
  const b = Buffer.from(s, 'utf8');
  if (b.length <= max) return s;
  let end = max;
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--;
  return b.subarray(0, end).toString('utf8');
}

const longStringFields = [
  // VAL holds up to SIZV − 1 bytes. Plain CA access (`REC`, `REC.VAL`) serves it as DBR_STRING (the
  // first 39 characters, as EPICS does); `REC.VAL$` serves it as a CHAR array of SIZV elements.
  f('VAL', 'STRING', { pp: true }),
  f('OVAL', 'STRING', { readOnly: true }),
  f('SIZV', 'USHORT', { readOnly: true, initial: 41 }),
  f('LEN', 'ULONG', { readOnly: true }),
  f('OLEN', 'ULONG', { readOnly: true }),
  menu('MPST', menuPost),
  menu('APST', menuPost),
];

/** Shared: SIZV (minimum 16), LEN = bytes + 1 (NUL), posting on change or MPST/APST Always. */
abstract class LongStringRecord extends EpicsRecord {
  /** init_record of lsi (INP) and lso (DOL): SIZV, then a constant link's text; VAL is defined when it has any. */
  protected initText(link: 'INP' | 'DOL'): void {
    if (this.num('SIZV') < 16) this.v['SIZV'] = 16;
    this.storeText(this.str('VAL'));
    if (this.str('VAL') === '') this.v['LEN'] = 0; // nothing loaded at init: LEN 0, still UDF
    const c = this.initConstantLink(link);
    if (c !== undefined) this.storeText(longStringOf(c));
    if (this.num('LEN')) {
      this.v['OVAL'] = this.str('VAL');
      this.v['OLEN'] = this.num('LEN');
      this.v['UDF'] = 0;
    }
  }

  /** Store a new VAL, clipped to SIZV − 1 bytes; LEN counts the terminating NUL (strlen + 1). */
  storeText(s: string): void {
    const t = clip(s, this.num('SIZV') - 1);
    this.v['VAL'] = t;
    this.v['LEN'] = Buffer.byteLength(t, 'utf8') + 1;
  }

  override storeField(fd: FieldDef, value: FieldValue): void {
    if (fd.name === 'VAL') {
      this.storeText(longStringOf(value));
      this.v['UDF'] = 0;
      return;
    }
    super.storeField(fd, value);
  }

  protected override special(fd: FieldDef): boolean {
    if (fd.name === 'VAL') this.post('LEN', DBE.VALUE | DBE.LOG);
    return true;
  }

  protected override monitor(alarmMask: number): void {
    let events = alarmMask;
    if (this.v['LEN'] !== this.v['OLEN'] || this.v['OVAL'] !== this.v['VAL']) {
      events |= DBE.VALUE | DBE.LOG;
      this.v['OVAL'] = this.str('VAL');
    }
    if (this.v['LEN'] !== this.v['OLEN']) {
      this.v['OLEN'] = this.num('LEN');
      this.post('LEN', DBE.VALUE | DBE.LOG);
    }
    if (this.num('MPST') === 1) events |= DBE.VALUE;
    if (this.num('APST') === 1) events |= DBE.LOG;
    if (events) this.post('VAL', events);
  }

  /** The capacity of VAL$ (and OVAL$) over CA. */
  longStringCapacity(fd: FieldDef): number | undefined {
    return fd.name === 'VAL' || fd.name === 'OVAL' ? this.num('SIZV') : undefined;
  }
}

/** lsi (lsiRecord.c, devLsiSoft): long string input from INP. */
export class LsiRecord extends LongStringRecord {
  static readonly recordType = 'lsi';
  static readonly table = new FieldTable(fieldList(commonFields, simulationFields(), longStringFields, [f('INP', 'INLINK')]));

  protected override initRecord(): void {
    this.initText('INP');
  }

  protected process(): void | Promise<void> {
    const r = this.dset?.read?.(this);
    if (r) return r;
    if (!this.dset?.read && this.link('INP').kind === 'pv') {
      const v = this.readLinkValue('INP');
      if (v !== undefined) {
        this.storeText(longStringOf(v));
        this.v['UDF'] = 0;
      }
    }
  }
}

/** lso (lsoRecord.c, devLsoSoft): long string output to OUT, DOL/OMSL, IVOA/IVOV; UDF raises UDF/INVALID. */
export class LsoRecord extends LongStringRecord {
  static readonly recordType = 'lso';
  static readonly table = new FieldTable(
    fieldList(commonFields, simulationFields(), longStringFields, [f('DOL', 'INLINK'), menu('OMSL', menuOmsl), menu('IVOA', menuIvoa), f('IVOV', 'STRING'), f('OUT', 'OUTLINK')]),
  );

  protected override initRecord(): void {
    this.initText('DOL');
  }

  protected process(): void | Promise<void> {
    if (this.num('OMSL') === 1 && this.link('DOL').kind === 'pv') {
      const v = this.readLinkValue('DOL');
      if (v !== undefined) {
        this.storeText(longStringOf(v));
        this.v['UDF'] = 0;
      }
    }
    if (this.v['UDF']) this.setSevr(AlarmStatus.UDF, Severity.INVALID);
    if (this.num('NSEV') >= Severity.INVALID) {
      const ivoa = this.num('IVOA');
      if (ivoa === 1) return;
      if (ivoa === 2) this.storeText(this.str('IVOV'));
    }
    if (this.dset?.write) return this.dset.write(this);
    return this.writeLink('OUT', this.str('VAL')) ?? undefined;
  }
}
