import { DBE } from '../../ca/protocol/constants.js';
import type { DbrValue } from '../../ca/protocol/snapshot.js';
import { commonFields, fieldList, analogDisplayFields, simulationFields } from '../common-fields.js';
import { f, menu, FieldTable, type FieldDef, type FieldValue } from '../field.js';
import { menuFtype } from '../menus.js';

/** waveformPOST / aaiPOST / aaoPOST: note the order differs from menuPost. */
export const waveformPOST = ['Always', 'On Change'] as const;
import { EpicsRecord, fieldLimits, type FieldMeta } from '../record.js';
import type { Dbf } from '../dbf.js';

const arrayCtor: Record<string, new (n: number) => ArrayLike<number> & { set(a: ArrayLike<number>, o?: number): void; subarray(a: number, b: number): ArrayLike<number>; fill(v: number): unknown }> = {
  CHAR: Int8Array,
  UCHAR: Uint8Array,
  SHORT: Int16Array,
  USHORT: Uint16Array,
  LONG: Int32Array,
  ULONG: Uint32Array,
  INT64: Float64Array,
  UINT64: Float64Array,
  FLOAT: Float32Array,
  DOUBLE: Float64Array,
  ENUM: Uint16Array,
};

/**
 * Array storage shared by waveform, aai, aao, subArray, compress: VAL holds NELM elements of FTVL,
 * NORD of them valid. Over CA, VAL is FTVL-typed with NELM capacity and NORD current length.
 */
export abstract class ArrayRecord extends EpicsRecord {
  protected buffer: ArrayLike<number> | string[] | undefined;

  protected get ftvl(): string {
    return menuFtype[this.num('FTVL')] ?? 'DOUBLE';
  }

  protected allocate(): void {
    const nelm = Math.max(1, this.num('NELM'));
    this.v['NELM'] = nelm;
    const ftvl = this.ftvl;
    this.buffer = ftvl === 'STRING' ? new Array<string>(nelm).fill('') : new arrayCtor[ftvl]!(nelm);
  }

  protected override initRecord(): void {
    this.allocate();
  }

  override caDbf(fd: FieldDef): Dbf {
    return fd.name === 'VAL' ? (this.ftvl as Dbf) : fd.dbf;
  }

  override caMaxCount(fd: FieldDef): number {
    return fd.name === 'VAL' ? Math.max(1, this.num('NELM')) : 1;
  }

  override caValue(fd: FieldDef): DbrValue {
    if (fd.name !== 'VAL') return super.caValue(fd);
    if (!this.buffer) this.allocate();
    const nord = this.num('NORD');
    const b = this.buffer!;
    return Array.isArray(b) ? b.slice(0, nord) : (b as Float64Array).subarray(0, nord);
  }

  /** Replace the array contents (clipped to NELM); updates NORD and posts it when it changed. */
  setArray(values: ArrayLike<number> | readonly string[]): void {
    if (!this.buffer) this.allocate();
    const b = this.buffer!;
    const n = Math.min(values.length, this.num('NELM'));
    if (Array.isArray(b)) {
      for (let i = 0; i < n; i++) b[i] = String(values[i]);
    } else {
      const nums = (b as Float64Array);
      for (let i = 0; i < n; i++) {
        const x = values[i];
        nums[i] = typeof x === 'number' ? x : Number(x);
      }
    }
    this.v['UDF'] = 0;
    if (this.v['NORD'] !== n) {
      this.v['NORD'] = n;
      this.post('NORD', DBE.VALUE | DBE.LOG);
    }
  }

  protected override storeArray(_fd: FieldDef, value: FieldValue): void {
    this.setArray(typeof value === 'number' || typeof value === 'string' ? [value as never] : (value as ArrayLike<number>));
  }

  /** waveformPOST: MPST/APST "Always" (index 0, the default) or "On Change" (hash of the data). */
  protected override monitor(alarmMask: number): void {
    let mask = alarmMask;
    if (this.num('MPST') === 0) mask |= DBE.VALUE;
    if (this.num('APST') === 0) mask |= DBE.LOG;
    if (this.num('MPST') === 1 || this.num('APST') === 1) {
      const hash = this.dataHash();
      if (hash !== this.num('HASH')) {
        if (this.num('MPST') === 1) mask |= DBE.VALUE;
        if (this.num('APST') === 1) mask |= DBE.LOG;
        this.v['HASH'] = hash;
      }
    }
    if (mask) this.post('VAL', mask);
  }

  /** epicsMemHash-like FNV-1a over the valid elements (and their count). */
  private dataHash(): number {
    const v = this.caValue(this.table.get('VAL')!) as ArrayLike<number | string>;
    let h = 0x811c9dc5 ^ v.length;
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      const s = typeof x === 'string' ? x : String(x);
      for (let j = 0; j < s.length; j++) h = Math.imul(h ^ s.charCodeAt(j), 0x01000193);
      h = Math.imul(h ^ 0x2c, 0x01000193);
    }
    return h >>> 0;
  }

  override fieldMeta(fd: FieldDef): FieldMeta {
    if (fd.name === 'VAL') {
      return { units: this.str('EGU'), precision: this.num('PREC'), limits: fieldLimits(this.num('LOPR'), this.num('HOPR'), 0, 0), enumStrings: [] };
    }
    if (fd.name === 'NORD') return { units: '', precision: 0, limits: fieldLimits(0, this.num(this.table.get('MALM') ? 'MALM' : 'NELM')), enumStrings: [] };
    if (fd.name === 'BUSY') return { units: '', precision: 0, limits: fieldLimits(0, 1), enumStrings: [] };
    return super.fieldMeta(fd);
  }
}

export const arrayFields = [
  ...analogDisplayFields,
  f('VAL', 'NOACCESS', { pp: true, array: true }),
  f('NELM', 'ULONG', { readOnly: true, initial: 1 }),
  menu('FTVL', menuFtype, { readOnly: true, initial: 10 }),
  f('NORD', 'ULONG', { readOnly: true }),
  menu('MPST', waveformPOST),
  menu('APST', waveformPOST),
  f('HASH', 'ULONG', { readOnly: true }),
  f('BUSY', 'SHORT', { readOnly: true }),
];

/** waveform (waveformRecord.c): INP → VAL array. */
export class WaveformRecord extends ArrayRecord {
  static readonly recordType: string = 'waveform';
  static readonly table = new FieldTable(fieldList(commonFields, simulationFields(), arrayFields, [f('INP', 'INLINK'), f('RARM', 'SHORT')]));

  protected override initRecord(): void {
    super.initRecord();
    const l = this.link('INP');
    if (l.kind === 'constant') this.setArray(Array.isArray(l.value) ? (l.value as number[]) : [l.value as number]);
  }

  protected process(): void | Promise<void> {
    const r = this.dset?.read?.(this);
    if (r) return r;
    if (!this.dset?.read && this.link('INP').kind === 'pv') {
      const v = this.readLinkValue('INP');
      if (v !== undefined) this.setArray(typeof v === 'number' || typeof v === 'string' ? [v as never] : (v as ArrayLike<number>));
    }
  }
}

/** aai: array analog input (same behaviour as waveform for soft channel). */
export class AaiRecord extends WaveformRecord {
  static override readonly recordType = 'aai';
}

/** aao: array analog output, VAL → OUT. */
export class AaoRecord extends ArrayRecord {
  static readonly recordType = 'aao';
  static readonly table = new FieldTable(fieldList(commonFields, simulationFields(), arrayFields, [f('OUT', 'OUTLINK'), f('DOL', 'INLINK'), menu('OMSL', ['supervisory', 'closed_loop'])]));

  protected process(): void | Promise<void> {
    if (this.num('OMSL') === 1) {
      const v = this.readLinkValue('DOL');
      if (v !== undefined) this.setArray(typeof v === 'number' || typeof v === 'string' ? [v as never] : (v as ArrayLike<number>));
    }
    if (this.dset?.write) return this.dset.write(this);
    const val = this.caValue(this.table.get('VAL')!);
    return this.writeLink('OUT', Array.from(val as ArrayLike<number>)) ?? undefined;
  }
}
