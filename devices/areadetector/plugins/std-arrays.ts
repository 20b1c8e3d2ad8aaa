// NDPluginStdArrays (`image1:`): the last array as a waveform, `ArrayData`. A 1024×1024 frame is a
// 1M-element LONG waveform (4 MB); its elements are produced only when a client reads it or a monitor is
// attached — frames nobody looks at are never rendered for it.
import { DBE } from '../../../ioc/epics/events.js';
import { DbrBase } from '../../../ioc/epics/field-type.js';
import { elementCount, type DbrValue } from '../../../ioc/epics/value.js';
import { Pv } from '../../../ioc/db/pv.js';
import type { NDArray } from '../ndarray.js';
import { NDPlugin, type PluginContext, type PluginOptions } from './base.js';
import { PvaOutput } from './pva-output.js';

/** A waveform whose value is produced on first read after each `offer`. */
export class LazyArrayPv extends Pv {
  private source: (() => ArrayLike<number>) | undefined;
  private pendingLength = 0;

  override get value(): DbrValue {
    if (this.source) {
      const make = this.source;
      this.source = undefined;
      this._value = make();
    }
    return this._value;
  }
  override set value(v: DbrValue) {
    this.source = undefined;
    this._value = v;
  }
  override get count(): number {
    return this.source ? this.pendingLength : elementCount(this._value);
  }
  /** Whether the current value has been produced. */
  get materialized(): boolean {
    return this.source === undefined;
  }

  /** A new value, `length` elements, made by `make` when someone reads it; monitors get it at once. */
  offer(make: () => ArrayLike<number>, length: number): void {
    this.source = make;
    this.pendingLength = Math.min(length, this.maxCount);
    this.stamp();
    if (this.updates.observed) this.post(DBE.VALUE | DBE.LOG);
  }
}

export class StdArraysPlugin extends NDPlugin {
  static readonly ownRecords = ['ArrayData'];
  readonly arrayData: LazyArrayPv;

  constructor(ctx: PluginContext, prefix: string, opts: PluginOptions & { readonly maxElements: number }) {
    super(ctx, prefix, opts, 'NDPluginStdArrays');
    // The waveform's FTVL and NELM come from the model (the reference's is CHAR, Int8 pixels).
    const spec = opts.records?.find((r) => r.name === 'ArrayData');
    const type = spec?.type ?? DbrBase.LONG;
    this.arrayData = new LazyArrayPv(prefix + 'ArrayData', {
      type,
      value: type === DbrBase.CHAR ? new Int8Array(0) : new Int32Array(0),
      maxCount: spec?.count ?? opts.maxElements,
      writable: false,
      recordType: 'waveform',
    }, ctx.db.clock);
    ctx.db.add(this.arrayData);
  }

  protected process(array: NDArray): undefined {
    const n = array.dims.reduce((a, b) => a * Math.max(1, b), 1);
    this.arrayData.offer(() => {
      const d = array.data();
      const cut = d.length > this.arrayData.maxCount ? d.subarray(0, this.arrayData.maxCount) : d;
      // NDPluginStdArrays casts the pixels to the waveform's FTVL, as C does (a CHAR waveform wraps).
      return this.arrayData.nativeType === DbrBase.CHAR ? Int8Array.from(cut) : cut;
    }, n);
    return undefined;
  }

  override reset(): void {
    super.reset();
    this.arrayData.set(this.arrayData.nativeType === DbrBase.CHAR ? new Int8Array(0) : new Int32Array(0));
  }
}

/** NDPluginPva (`PVA:`): its records, and each array it receives as an NTNDArray on PvName_RBV over pvAccess. */
export class PvaPlugin extends NDPlugin {
  readonly output: PvaOutput;
  constructor(ctx: PluginContext, prefix: string, opts: PluginOptions & { readonly pvName: string }) {
    super(ctx, prefix, opts, 'NDPluginPva');
    this.output = new PvaOutput(ctx.db, opts.pvName);
  }
  protected process(array: NDArray): undefined {
    this.output.publish(array);
    return undefined;
  }
}
