import { AlarmStatus, DBE, Severity } from '../../ca/protocol/constants.js';
import { type DbrValue } from '../../ca/protocol/snapshot.js';
import type { Dbf } from '../dbf.js';
import { commonFields, fieldList } from '../common-fields.js';
import { f, menu, FieldTable, type FieldDef, type FieldValue } from '../field.js';
import { bufferingALG, compressALG } from '../menus.js';
import { EpicsRecord, fieldLimits, type FieldMeta } from '../record.js';

const ALG = { LOW: 0, HIGH: 1, AVG: 2, AVERAGE: 3, CIRCULAR: 4, MEDIAN: 5 } as const;

/**
 * compress (compressRecord.c): a buffer of NSAM doubles fed from INP. Circular Buffer appends every
 * element read; N to 1 Low/High/Average/Median reduce each N input values to one (for a scalar input: over
 * N processings, median falling back to average as EPICS does); Average averages N whole input arrays
 * element-wise. BALG FIFO (oldest first over CA) or LIFO (newest first). ILIL < IHIL drops leading
 * out-of-range values of an array input. RES (any put) clears the buffer. A processing that only
 * accumulates (N not reached yet) posts nothing and does not forward-link.
 */
export class CompressRecord extends EpicsRecord {
  static readonly recordType = 'compress';
  static readonly table = new FieldTable(
    fieldList(commonFields, [
      f('VAL', 'NOACCESS', { pp: true, array: true }),
      f('INP', 'INLINK'),
      f('RES', 'SHORT'),
      menu('ALG', compressALG),
      menu('BALG', bufferingALG),
      f('NSAM', 'ULONG', { readOnly: true, initial: 1 }),
      f('N', 'ULONG', { initial: 1 }),
      f('IHIL', 'DOUBLE'),
      f('ILIL', 'DOUBLE'),
      f('HOPR', 'DOUBLE'),
      f('LOPR', 'DOUBLE'),
      f('PREC', 'SHORT'),
      f('EGU', 'STRING'),
      f('OFF', 'ULONG', { readOnly: true }),
      f('NUSE', 'ULONG', { readOnly: true }),
      f('OUSE', 'ULONG', { readOnly: true }),
      f('INPN', 'LONG', { readOnly: true }),
      f('CVB', 'DOUBLE', { readOnly: true }),
      f('INX', 'ULONG', { readOnly: true }),
    ]),
  );
  private bptr = new Float64Array(1);
  private sum: Float64Array | undefined;
  /** Set by a processing that only accumulated (process() status 1 in C). */
  private accumulating = false;

  protected override initRecord(): void {
    if (this.num('NSAM') < 1) this.v['NSAM'] = 1;
    this.bptr = new Float64Array(this.num('NSAM'));
    this.reset();
  }

  private reset(): void {
    this.v['NUSE'] = 0;
    this.v['OFF'] = 0;
    this.v['INX'] = 0;
    this.v['CVB'] = 0;
    this.v['RES'] = 0;
    this.sum = undefined;
    this.bptr.fill(0);
  }

  private putValues(src: ArrayLike<number>, n: number): void {
    const fifo = this.num('BALG') === 0;
    const nsam = this.num('NSAM');
    let off = this.num('OFF');
    for (let i = 0; i < n; i++) {
      if (!fifo) off = (off - 1 + nsam) % nsam;
      this.bptr[off] = src[i]!;
      if (fifo) off = (off + 1) % nsam;
    }
    this.v['OFF'] = off;
    this.v['NUSE'] = Math.min(this.num('NUSE') + n, nsam);
  }

  protected process(): void {
    this.accumulating = false;
    const raw = this.link('INP').kind === 'pv' ? this.readLinkValue('INP') : undefined;
    const input = raw === undefined || typeof raw === 'string' ? undefined : typeof raw === 'number' ? [raw] : Array.from(raw as ArrayLike<number>, Number);
    if (!input || input.length === 0) {
      this.setSevr(AlarmStatus.LINK, Severity.INVALID);
    } else if (input.length !== this.num('INPN')) {
      if (this.num('INPN') !== 0) this.reset();
      this.v['INPN'] = input.length;
    }
    let status = 0;
    if (input && input.length) {
      const alg = this.num('ALG');
      if (alg === ALG.AVERAGE) status = this.arrayAverage(input);
      else if (alg === ALG.CIRCULAR) this.putValues(input, input.length);
      else if (input.length > 1) status = this.compressArray(input);
      else status = this.compressScalar(input[0]!);
    }
    if (status === 1) {
      this.accumulating = true;
      return;
    }
    this.v['UDF'] = 0;
  }

  private get n(): number {
    if (this.num('N') <= 0) this.v['N'] = 1;
    return this.num('N');
  }

  private compressArray(input: number[]): number {
    let start = 0;
    let count = input.length;
    if (this.num('ILIL') < this.num('IHIL')) {
      while (count > 0 && (input[start]! < this.num('ILIL') || input[start]! > this.num('IHIL'))) {
        start++;
        count--;
      }
    }
    const n = this.n;
    if (count < n) return 1;
    const nsam = this.num('NSAM');
    const nnew = count < nsam * n ? Math.trunc(count / n) : nsam;
    const alg = this.num('ALG');
    for (let i = 0; i < nnew; i++) {
      const chunk = input.slice(start + i * n, start + (i + 1) * n);
      let value: number;
      if (alg === ALG.LOW) value = chunk.reduce((a, b) => (a > b ? b : a));
      else if (alg === ALG.HIGH) value = chunk.reduce((a, b) => (a < b ? b : a));
      else if (alg === ALG.AVG) value = chunk.reduce((a, b) => a + b, 0) / n;
      else value = chunk.sort((a, b) => a - b)[Math.trunc(n / 2)]!;
      this.putValues([value], 1);
    }
    return 0;
  }

  private compressScalar(value: number): number {
    const inx = this.num('INX');
    let cvb = this.num('CVB');
    switch (this.num('ALG')) {
      case ALG.LOW:
        if (value < cvb || inx === 0) cvb = value;
        break;
      case ALG.HIGH:
        if (value > cvb || inx === 0) cvb = value;
        break;
      default: // N to 1 Average, and Median (not implemented for scalars in EPICS: average)
        if (inx === 0) cvb = value;
        else {
          cvb += value;
          if (inx + 1 >= this.n) cvb /= inx + 1;
        }
    }
    this.v['CVB'] = cvb;
    if (inx + 1 >= this.n) {
      this.putValues([cvb], 1);
      this.v['INX'] = 0;
      return 0;
    }
    this.v['INX'] = inx + 1;
    return 1;
  }

  private arrayAverage(input: number[]): number {
    const nsam = this.num('NSAM');
    const nuse = Math.min(nsam, input.length);
    const inx = this.num('INX');
    if (!this.sum || inx === 0) this.sum = new Float64Array(nsam);
    for (let i = 0; i < nuse; i++) this.sum[i] = (inx === 0 ? 0 : this.sum[i]!) + input[i]!;
    const next = inx + 1;
    if (next < this.n) {
      this.v['INX'] = next;
      return 1;
    }
    if (this.n > 1) for (let i = 0; i < nuse; i++) this.sum[i] = this.sum[i]! / this.n;
    this.putValues(this.sum, nuse);
    this.v['INX'] = 0;
    return 0;
  }

  protected override get withoutEpilogue(): boolean {
    return this.accumulating;
  }

  protected override monitor(alarmMask: number): void {
    const mask = alarmMask | DBE.LOG | DBE.VALUE;
    if (alarmMask || this.v['NUSE'] !== this.v['OUSE']) {
      this.post('NUSE', mask);
      this.v['OUSE'] = this.num('NUSE');
    }
    this.post('VAL', mask);
  }

  override fwdLink(): Promise<void> | undefined {
    return this.accumulating ? undefined : super.fwdLink();
  }

  /** RES and N are SPC_RESET: any put clears the buffer. */
  protected override special(fd: FieldDef): boolean {
    if (fd.name === 'RES' || fd.name === 'N' || fd.name === 'ALG' || fd.name === 'BALG') {
      this.reset();
      this.post('NUSE', DBE.VALUE | DBE.LOG);
      this.post('VAL', DBE.VALUE | DBE.LOG);
    }
    return true;
  }

  protected override storeArray(_fd: FieldDef, value: FieldValue): void {
    const vals = typeof value === 'number' ? [value] : typeof value === 'string' ? [Number(value)] : Array.from(value as ArrayLike<number>, Number);
    this.putValues(vals, Math.min(vals.length, this.num('NSAM')));
    this.v['UDF'] = 0;
  }

  override caDbf(fd: FieldDef): Dbf {
    return fd.name === 'VAL' ? 'DOUBLE' : fd.dbf;
  }

  override caMaxCount(fd: FieldDef): number {
    return fd.name === 'VAL' ? Math.max(1, this.num('NSAM')) : 1;
  }

  /** get_array_info: NUSE elements from the first valid one — oldest first (FIFO) or newest first (LIFO). */
  override caValue(fd: FieldDef): DbrValue {
    if (fd.name !== 'VAL') return super.caValue(fd);
    const nsam = this.bptr.length;
    const nuse = this.num('NUSE');
    const off = this.num('OFF');
    const first = this.num('BALG') === 0 ? (((off - nuse) % nsam) + nsam) % nsam : off;
    const out = new Float64Array(nuse);
    for (let i = 0; i < nuse; i++) out[i] = this.bptr[(first + i) % nsam]!;
    return out;
  }

  override fieldMeta(fd: FieldDef): FieldMeta {
    if (fd.name === 'VAL' || fd.name === 'IHIL' || fd.name === 'ILIL') {
      return { units: this.str('EGU'), precision: this.num('PREC'), limits: fieldLimits(this.num('LOPR'), this.num('HOPR')), enumStrings: [] };
    }
    return super.fieldMeta(fd);
  }
}
