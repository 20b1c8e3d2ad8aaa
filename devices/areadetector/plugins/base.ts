// NDPluginBase: the records every plugin has (NDPluginBase.template + NDArrayBase.template) and the
// plumbing — listen to the port NDArrayPort names while EnableCallbacks is on, count arrays, describe the
// last one, pass the result on to plugins downstream.
import { DbrBase } from '../../../ioc/epics/field-type.js';
import { PutError } from '../../../ioc/db/errors.js';
import type { PvDatabase } from '../../../ioc/db/database.js';
import type { NDArray, PortRegistry } from '../ndarray.js';
import {
  BAYER_PATTERNS,
  COLOR_MODES,
  DATA_TYPE_BYTES,
  DATA_TYPES,
  declareAttributesAndPool,
  DISABLE_ENABLE,
  NO_YES,
  ParamSet,
  type Param,
  type ParamSetOptions,
} from '../params.js';

export interface PluginContext {
  readonly db: PvDatabase;
  readonly ports: PortRegistry;
  readonly paramSet?: ParamSetOptions;
}

export interface PluginOptions {
  /** This plugin's asyn port name (PortName_RBV). */
  readonly portName: string;
  /** The port it takes arrays from at start-up (NDArrayPort). */
  readonly ndArrayPort: string;
  /** EnableCallbacks at start-up. */
  readonly enabled?: boolean;
  readonly queueSize?: number;
}

/** A plugin of the twin: subclasses declare their records and `process` arrays. */
export abstract class NDPlugin {
  readonly params: ParamSet;
  readonly portName: string;
  private disconnect: (() => void) | undefined;
  private lastInput: NDArray | undefined;
  private lastCallback = -Infinity;

  readonly enable: Param;
  readonly ndArrayPort: Param;
  readonly arrayCounter: Param;
  readonly arrayCallbacks: Param;
  readonly blocking: Param;

  constructor(
    readonly ctx: PluginContext,
    readonly prefix: string,
    readonly opts: PluginOptions,
    /** PluginType_RBV: what ophyd checks the plugin class against (NDPluginStats …). */
    readonly pluginType: string,
  ) {
    this.portName = opts.portName;
    ctx.ports.register(opts.portName, prefix);
    const p = (this.params = new ParamSet(ctx.db, prefix, ctx.paramSet));
    p.roString('PortName_RBV', opts.portName);
    p.roString('PluginType_RBV', pluginType);
    p.roString('ADCoreVersion_RBV', '3.12.1');
    p.roString('DriverVersion_RBV', '3.12.1');
    this.ndArrayPort = p.string('NDArrayPort', opts.ndArrayPort, {
      write: (v, param) => {
        const port = param.native(v) as string;
        this.checkPort(port);
        param.update(port);
        this.connect();
      },
    });
    p.long('NDArrayAddress', 0);
    this.enable = p.menu('EnableCallbacks', DISABLE_ENABLE, opts.enabled ? 1 : 0, {
      write: (v, param) => {
        param.update(v);
        this.connect();
      },
    });
    p.double('MinCallbackTime', 0, 3, { units: 's' });
    p.double('MaxByteRate', 0, 1);
    p.double('MaxArrayRate', 0, 1);
    p.wo('MaxArrayRate_COUT', { type: DbrBase.DOUBLE, value: 0 });
    this.blocking = p.menu('BlockingCallbacks', NO_YES, 0);
    this.arrayCounter = p.long('ArrayCounter', 0);
    p.roDouble('ArrayRate_RBV', 0, 2, { units: 'Hz' });
    p.long('DroppedArrays', 0);
    const qs = opts.queueSize ?? 20;
    p.long('QueueSize', qs);
    p.roLong('QueueFree', qs);
    p.roLong('QueueUse', 0);
    p.wo('QueueFreeLow', { type: DbrBase.DOUBLE, value: qs * 0.25 });
    p.wo('QueueUseHIGH', { type: DbrBase.DOUBLE, value: qs * 0.75 });
    p.wo('QueueUseHIHI', { type: DbrBase.DOUBLE, value: qs });
    p.roLong('MaxThreads_RBV', 1);
    p.long('NumThreads', 1);
    p.menu('SortMode', ['Unsorted', 'Sorted'], 0);
    p.double('SortTime', 0.1, 3, { units: 's' });
    p.long('SortSize', 10);
    p.roLong('SortFree', 10);
    p.wo('SortFreeLow', { type: DbrBase.DOUBLE, value: 0 });
    p.long('DisorderedArrays', 0);
    p.long('DroppedOutputArrays', 0);
    p.wo('ProcessPlugin', {
      type: DbrBase.ENUM,
      enumStrings: ['Done', 'Process'],
      write: (v, param) => {
        if (v && this.lastInput && this.enable.num) this.receive(this.lastInput, true);
        param.update(0);
      },
    });
    p.roDouble('ExecutionTime_RBV', 0, 3, { units: 'ms' });
    p.wo('AsynIO', { type: DbrBase.LONG, value: 0 });

    // NDArrayBase: the last array's description.
    p.long('NDimensions', 0);
    p.rw('Dimensions', { type: DbrBase.LONG, value: [0, 0], maxCount: 10 });
    for (let i = 0; i < 10; i++) p.long(`ArraySize${i}`, 0);
    for (let i = 0; i < 3; i++) p.wo(`Dim${i}SA`, { type: DbrBase.LONG, value: 0 });
    p.roLong('ArraySizeX_RBV');
    p.roLong('ArraySizeY_RBV');
    p.roLong('ArraySizeZ_RBV');
    p.roLong('ArraySize_RBV');
    p.menu('DataType', DATA_TYPES, 0);
    p.menu('ColorMode', COLOR_MODES, 0);
    p.roMenu('BayerPattern_RBV', BAYER_PATTERNS, 0);
    p.roString('Codec_RBV', '');
    p.roLong('CompressedSize_RBV', 0);
    p.roLong('UniqueId_RBV');
    p.roDouble('TimeStamp_RBV', 0, 3);
    p.roLong('EpicsTSSec_RBV');
    p.roLong('EpicsTSNsec_RBV');
    this.arrayCallbacks = p.menu('ArrayCallbacks', DISABLE_ENABLE, 1);
    declareAttributesAndPool(p);
    p.roLong('NumQueuedArrays');
    p.wo('EmptyFreeList', { type: DbrBase.ENUM, enumStrings: ['Done', 'Empty'] });
    // Arrays arrive from the clock, never during construction: subclasses finish their records first.
    this.connect();
  }

  /** Refuse a port that would feed this plugin its own output. */
  private checkPort(port: string): void {
    if (port === this.portName) throw new PutError(`${this.prefix}NDArrayPort: ${port} is this plugin's own port`);
  }

  /** (Re)connect to the port NDArrayPort names while callbacks are enabled. */
  protected connect(): void {
    this.disconnect?.();
    this.disconnect = undefined;
    if (!this.enable.num) return;
    this.disconnect = this.ctx.ports.connect(this.ndArrayPort.str, (a) => this.receive(a));
  }

  /** The port this plugin takes arrays from. */
  get inputPort(): string {
    return this.ndArrayPort.str;
  }

  /** Subclasses: handle one array; return the array to pass downstream, if any. */
  protected abstract process(array: NDArray): NDArray | undefined;

  protected receive(array: NDArray, reprocess = false): void {
    const now = this.ctx.db.clock.now();
    const minTime = this.params.get('MinCallbackTime').num;
    if (!reprocess && minTime > 0 && now - this.lastCallback < minTime * 1000) return;
    this.lastCallback = now;
    this.lastInput = array;
    const out = this.process(array);
    this.describe(out ?? array);
    this.arrayCounter.update((this.arrayCounter.num + 1) | 0);
    if (out && this.arrayCallbacks.num) this.ctx.ports.publish(this.portName, out);
  }

  private describe(a: NDArray): void {
    const p = this.params;
    const [w = 0, h = 0] = a.dims;
    p.get('NDimensions').update(a.dims.length);
    p.get('Dimensions').update([...a.dims]);
    for (let i = 0; i < 3; i++) p.get(`ArraySize${i}`).update(a.dims[i] ?? 0);
    p.get('ArraySizeX_RBV').update(w);
    p.get('ArraySizeY_RBV').update(h);
    p.get('ArraySizeZ_RBV').update(a.dims[2] ?? 0);
    p.get('ArraySize_RBV').update(w * h * Math.max(1, a.dims[2] ?? 1) * (DATA_TYPE_BYTES[a.dataType] ?? 4));
    p.get('DataType').update(a.dataType);
    p.get('ColorMode').update(a.colorMode);
    p.get('UniqueId_RBV').update(a.uniqueId);
    p.get('TimeStamp_RBV').update(a.timeStamp);
    p.get('EpicsTSSec_RBV').update(a.epicsTs.sec);
    p.get('EpicsTSNsec_RBV').update(a.epicsTs.nsec);
  }

  /** Teleport every record to its start-up value and reconnect. */
  reset(): void {
    this.params.resetAll();
    this.connect();
  }

  dispose(): void {
    this.disconnect?.();
    this.disconnect = undefined;
  }
}
