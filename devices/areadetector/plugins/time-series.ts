// NDPluginTimeSeries (`Stats1:TS:`): takes the Stats plugin's time-series arrays (its port, address 1:
// one value per statistic and array), averages TSNumAverage of them into a point, and keeps TSNumPoints
// points — Fixed length stops when full, Circ. buffer wraps. TSAcquire is a busy record: 1 erases and
// starts (a put-callback completes when a Fixed-length run is full or TSAcquire is written 0). The series
// are published to the Stats plugin's TS… waveforms (Stats1:TSMinValue …) and TSTimestamp: on TSRead, at
// the end of a run, and once a second of (simulated) time while acquiring, as the template's scanned
// TSRead does.
import type { TimerHandle } from '../../../ioc/clock.js';
import type { NDArray } from '../ndarray.js';
import type { Param, ParamSet } from '../params.js';
import { NDPlugin, type PluginContext, type PluginOptions } from './base.js';
import { TS_SIGNALS } from './stats.js';

const AcquireMode = { Fixed: 0, Circular: 1 } as const;
const READ_PERIOD_MS = 1000;

export interface TimeSeriesOptions extends PluginOptions {
  /** The records of the plugin whose statistics these are (where the TS… waveforms live). */
  readonly signals?: () => ParamSet | undefined;
}

export class TimeSeriesPlugin extends NDPlugin {
  private readonly tsAcquire: Param;
  private series: Float64Array[] = [];
  private sum: Float64Array | undefined;
  private summed = 0;
  private point = 0;
  private wrapped = false;
  private startMs = 0;
  private waiters: (() => void)[] = [];
  private readTimer: TimerHandle | undefined;

  constructor(
    ctx: PluginContext,
    prefix: string,
    private readonly tsOpts: TimeSeriesOptions,
  ) {
    super(ctx, prefix, tsOpts, 'NDPluginTimeSeries');
    const p = this.params;
    this.tsAcquire = p.get('TSAcquire');
    this.tsAcquire.behave({ write: (v) => this.writeAcquire(!!v) });
    p.get('TSRead').behave({ write: (v, param) => (param.update(v), v ? this.publish() : undefined) });
    for (const n of ['TSTimePerPoint', 'TSAveragingTime']) {
      const param = p.get(n);
      param.behave({ write: (v) => (param.update(Math.max(0, v as number)), this.timing()) });
    }
    p.get('TSNumPoints').behave({ coerce: (v) => Math.min(Math.max(1, Math.trunc(v as number)), this.capacity) });
    this.timing();
  }

  private get capacity(): number {
    return this.params.get('TSTimeAxis').rbv?.maxCount ?? this.params.get('TSTimeAxis').sp!.maxCount;
  }
  private get numPoints(): number {
    return Math.min(Math.max(1, Math.trunc(this.params.get('TSNumPoints').num)), this.capacity);
  }
  get acquiring(): boolean {
    return this.tsAcquire.bool;
  }

  /** TSNumAverage and the time axis follow TSTimePerPoint and TSAveragingTime. */
  private timing(): void {
    const p = this.params;
    const perPoint = p.get('TSTimePerPoint').num;
    const averaging = p.get('TSAveragingTime').num;
    const n = perPoint > 0 ? Math.max(1, Math.round(averaging / perPoint)) : 1;
    p.get('TSNumAverage').update(n);
    const step = perPoint * n;
    p.get('TSTimeAxis').update(Float64Array.from({ length: this.capacity }, (_, i) => i * step));
  }

  private writeAcquire(start: boolean): Promise<void> | void {
    if (!start) {
      if (this.acquiring) this.stopRun();
      else this.tsAcquire.update(0);
      return undefined;
    }
    if (!this.acquiring) {
      // Erase and start.
      this.series = TS_SIGNALS.map(() => new Float64Array(this.numPoints));
      this.sum = undefined;
      this.summed = 0;
      this.point = 0;
      this.wrapped = false;
      this.startMs = this.ctx.db.clock.now();
      this.params.get('TSCurrentPoint').update(0);
      this.params.get('TSElapsedTime').update(0);
      this.tsAcquire.update(1);
      this.params.get('TSAcquiring').update(1);
      this.scheduleRead();
    }
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private scheduleRead(): void {
    this.readTimer = this.ctx.db.clock.setTimeout(() => {
      this.readTimer = undefined;
      if (!this.acquiring) return;
      this.publish();
      this.scheduleRead();
    }, READ_PERIOD_MS);
  }

  private stopRun(): void {
    this.readTimer?.cancel();
    this.readTimer = undefined;
    this.tsAcquire.update(0);
    this.params.get('TSAcquiring').update(0);
    this.publish();
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  protected process(array: NDArray): undefined {
    if (!this.acquiring) return undefined;
    const values = array.data();
    const sum = (this.sum ??= new Float64Array(TS_SIGNALS.length));
    for (let i = 0; i < sum.length; i++) sum[i]! += values[i] ?? 0;
    this.summed++;
    const p = this.params;
    if (this.summed < Math.max(1, p.get('TSNumAverage').num)) return undefined;
    const n = this.numPoints;
    for (let i = 0; i < sum.length; i++) this.series[i]![this.point] = sum[i]! / this.summed;
    this.sum = undefined;
    this.summed = 0;
    this.point++;
    p.get('TSElapsedTime').update((this.ctx.db.clock.now() - this.startMs) / 1000);
    if (this.point >= n) {
      if (p.get('TSAcquireMode').num === AcquireMode.Circular) {
        this.point = 0;
        this.wrapped = true;
      } else {
        p.get('TSCurrentPoint').update(this.point);
        this.stopRun();
        return undefined;
      }
    }
    p.get('TSCurrentPoint').update(this.wrapped ? n : this.point);
    return undefined;
  }

  /** The series so far, oldest first (a wrapped circular buffer is unrolled). */
  private ordered(s: Float64Array): Float64Array {
    if (!this.wrapped) return s.slice(0, this.point);
    const out = new Float64Array(s.length);
    out.set(s.subarray(this.point));
    out.set(s.subarray(0, this.point), s.length - this.point);
    return out;
  }

  /** Post the series to the waveforms. */
  publish(): void {
    const target = this.tsOpts.signals?.();
    TS_SIGNALS.forEach((name, i) => {
      const s = this.series[i];
      if (!s) return;
      const data = this.ordered(s);
      target?.find(name)?.update(data);
      if (name === 'TSTimestamp') this.params.get('TSTimestamp').update(data);
    });
  }

  override reset(): void {
    if (this.acquiring) this.stopRun();
    this.series = [];
    super.reset();
    this.timing();
  }
}
