// NDPluginBase: the records every plugin has (NDPluginBase.template + NDArrayBase.template) and the
// plumbing — listen to the port NDArrayPort names while EnableCallbacks is on, count arrays, describe the
// last one, pass the result on to plugins downstream.
import { PutError } from '../../../ioc/db/errors.js';
import type { PvDatabase } from '../../../ioc/db/database.js';
import { AcquireBusy } from '../acquire-busy.js';
import { portKey, type NDArray, type PortRegistry } from '../ndarray.js';
import { DATA_TYPE_BYTES, ParamSet, type Param, type ParamSetOptions } from '../params.js';
import type { RecordSpec } from '../model.js';

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
  /** The records of this plugin's templates (model.ts). */
  readonly records: readonly RecordSpec[];
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
  readonly busy: AcquireBusy;

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
    // Records a subclass serves with its own PV class (image1:ArrayData) are left to it.
    const own = (new.target as unknown as { ownRecords?: readonly string[] }).ownRecords ?? [];
    p.declare(opts.records.filter((r) => !own.includes(r.name)));
    this.busy = new AcquireBusy(p);
    // A plugin acquires nothing itself: its Acquire drives only the busy records (asynNDArrayDriver).
    p.get('Acquire').behave({ write: (v) => this.busy.set(!!v) });
    this.ndArrayPort = p.get('NDArrayPort');
    this.ndArrayPort.behave({
      write: (v, param) => {
        const port = param.native(v) as string;
        this.checkPort(port);
        param.update(port);
        this.connect();
      },
    });
    p.get('NDArrayAddress').behave({
      write: (v, param) => {
        param.update(v);
        this.connect();
      },
    });
    this.enable = p.get('EnableCallbacks');
    this.enable.behave({
      write: (v, param) => {
        param.update(v);
        this.connect();
      },
    });
    this.blocking = p.get('BlockingCallbacks');
    this.arrayCounter = p.get('ArrayCounter');
    this.arrayCallbacks = p.get('ArrayCallbacks');
    p.get('ProcessPlugin').behave({
      write: (v, param) => {
        if (v && this.lastInput && this.enable.num) this.receive(this.lastInput, true);
        param.update(0);
      },
    });
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
    // BlockingCallbacks No (the reference's): the plugin's thread takes the array after the driver went
    // on, unless the driver waits for its plugins (WaitForPlugins) — then it is done before the driver ends.
    this.disconnect = this.ctx.ports.connect(portKey(this.ndArrayPort.str, this.params.get('NDArrayAddress').num), (a, sync) => {
      if (sync || this.blocking.num) this.receive(a, false, true);
      else this.ctx.db.clock.setTimeout(() => this.enable.num && this.receive(a, false, false), 0);
    });
  }

  /** The port this plugin takes arrays from. */
  get inputPort(): string {
    return this.ndArrayPort.str;
  }

  /** Subclasses: handle one array; return the array to pass downstream, if any. */
  protected abstract process(array: NDArray): NDArray | undefined;

  protected receive(array: NDArray, reprocess = false, sync = true): void {
    const now = this.ctx.db.clock.now();
    const minTime = this.params.get('MinCallbackTime').num;
    if (!reprocess && minTime > 0 && now - this.lastCallback < minTime * 1000) return;
    this.lastCallback = now;
    this.lastInput = array;
    const out = this.process(array);
    this.describe(out ?? array);
    this.arrayCounter.update((this.arrayCounter.num + 1) | 0);
    if (out && this.arrayCallbacks.num) this.ctx.ports.publish(this.portName, out, sync);
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
    for (let i = 0; i < 10; i++) p.find(`Dim${i}SA_RBV`)?.update([a.dims[i] ?? 0]);
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
