// The detector driver (`cam1:`): ADBase/NDArrayBase/ADDriver parameters, ADSimDetector's peak
// parameters and a few Pilatus ones, and acquisition on the Clock the way ADSimDetector's task runs it:
// per image, DetectorState Acquire for AcquireTime (× NumExposures), then Readout (the frame is made,
// ArrayCounter/NumImagesCounter count, plugins get it), then Waiting until AcquirePeriod has passed since
// the image started (when longer); Single stops after one image, Multiple after NumImages, Continuous when
// Acquire is written 0. `Acquire` works like a busy record: it reads 1 while acquiring and a put-callback
// of 1 completes when the acquisition ends (or is stopped).
import { AlarmStatus, Severity } from '../../ioc/epics/alarm.js';
import { DbrBase } from '../../ioc/epics/field-type.js';
import { epicsTimeFromMs } from '../../ioc/epics/time.js';
import type { TimerHandle } from '../../ioc/clock.js';
import type { PvDatabase } from '../../ioc/db/database.js';
import { AcquireBusy } from './acquire-busy.js';
import type { DbrValue } from '../../ioc/epics/value.js';
import { FrameSource, type FrameSpec, type SineAxis } from './frame.js';
import type { NDArray, PortRegistry } from './ndarray.js';
import { DATA_TYPE_BYTES, NO_YES, ParamSet, type Param, type ParamSetOptions } from './params.js';
import type { RecordSpec } from './model.js';

export const IMAGE_MODES = ['Single', 'Multiple', 'Continuous'] as const;
export const ImageMode = { Single: 0, Multiple: 1, Continuous: 2 } as const;
export const TRIGGER_MODES = ['Internal', 'External'] as const;
/** ADStatus_t, as DetectorState_RBV's mbbi states. */
export const DETECTOR_STATES = [
  'Idle',
  'Acquire',
  'Readout',
  'Correct',
  'Saving',
  'Aborting',
  'Error',
  'Waiting',
  'Initializing',
  'Disconnected',
  'Aborted',
] as const;
export const DetectorState = {
  Idle: 0,
  Acquire: 1,
  Readout: 2,
  Correct: 3,
  Saving: 4,
  Aborting: 5,
  Error: 6,
  Waiting: 7,
  Initializing: 8,
  Disconnected: 9,
  Aborted: 10,
} as const;
/** DetectorState_RBV severities (ZRSV … TESV of ADBase.template). */
const STATE_SEVERITY = [0, 0, 0, 0, 0, Severity.MINOR, Severity.MAJOR, 0, 0, Severity.INVALID, Severity.MINOR];


export interface CamOptions {
  readonly portName: string;
  readonly ports: PortRegistry;
  readonly frames: FrameSource;
  readonly maxSizeX: number;
  readonly maxSizeY: number;
  /** Seed of the synthetic frames. */
  readonly seed: number;
  /** Peak height per second of exposure (counts). */
  readonly peakRate: number;
  readonly backgroundRate: number;
  /** Shortest frame period in Continuous mode (s): AcquireTime 0 does not spin. */
  readonly minContinuousPeriod: number;
  readonly paramSet?: ParamSetOptions;
  /** The records of the driver's templates (model.ts). */
  readonly records: readonly RecordSpec[];
}

export class CamDriver {
  readonly params: ParamSet;
  readonly busy: AcquireBusy;
  private timer: TimerHandle | undefined;
  private acquiring = false;
  private imageStart = 0;
  /** ArrayCounter at the last image reset: the sequence number of LinearRamp/Sine images counts from it. */
  private resetAt = 0;
  private waiters: (() => void)[] = [];
  private lastArray: NDArray | undefined;
  /** Called after every image (the detector posts plugins' results). */
  onImage: ((array: NDArray) => void) | undefined;

  // The parameters the acquisition uses.
  readonly acquire: Param;
  readonly acquireTime: Param;
  readonly acquirePeriod: Param;
  readonly numImages: Param;
  readonly numExposures: Param;
  readonly imageMode: Param;
  readonly arrayCounter: Param;
  readonly arrayCallbacks: Param;
  readonly detectorState: Param;
  readonly statusMessage: Param;
  readonly numImagesCounter: Param;

  constructor(
    readonly db: PvDatabase,
    readonly prefix: string,
    readonly opts: CamOptions,
  ) {
    const p = (this.params = new ParamSet(db, prefix, opts.paramSet));
    // Every record of ADBase/NDArrayBase/simDetector comes from the model; the code adds behaviour.
    p.declare(opts.records);
    const { maxSizeX, maxSizeY } = opts;
    this.busy = new AcquireBusy(p);
    this.acquire = p.get('Acquire');
    this.acquire.behave({ write: (v) => this.writeAcquire(v as number) });
    // asynPortDriver keeps what was written; the acquisition task treats a negative time as none (0).
    const nonNegative = (v: DbrValue) => (Number.isFinite(v as number) ? Math.max(0, v as number) : 0);
    this.acquireTime = p.get('AcquireTime');
    this.acquireTime.behave({ coerce: nonNegative });
    this.acquirePeriod = p.get('AcquirePeriod');
    this.acquirePeriod.behave({ coerce: nonNegative });
    this.numImages = p.get('NumImages');
    this.numImagesCounter = p.get('NumImagesCounter_RBV');
    this.numExposures = p.get('NumExposures');
    this.imageMode = p.get('ImageMode');
    this.detectorState = p.get('DetectorState_RBV');
    this.statusMessage = p.get('StatusMessage_RBV');
    this.arrayCounter = p.get('ArrayCounter');
    this.arrayCallbacks = p.get('ArrayCallbacks');
    // ADDriver clamps the readout region to the sensor.
    const clampInt = (lo: number, hi: () => number) => (v: unknown) => Math.min(Math.max(Math.trunc(v as number), lo), Math.max(lo, hi()));
    p.get('MinX').behave({ coerce: clampInt(0, () => maxSizeX - 1) });
    p.get('MinY').behave({ coerce: clampInt(0, () => maxSizeY - 1) });
    p.get('SizeX').behave({ coerce: clampInt(1, () => maxSizeX - this.int('MinX')) });
    p.get('SizeY').behave({ coerce: clampInt(1, () => maxSizeY - this.int('MinY')) });
    p.get('BinX').behave({ coerce: clampInt(1, () => maxSizeX) });
    p.get('BinY').behave({ coerce: clampInt(1, () => maxSizeY) });
    // simDetector recomputes its image (ramp back to its start, sines from phase 0) when a simulation
    // parameter changes or Reset is written.
    for (const param of p.params.values()) {
      if (!param.sp || !/^(Gain\w*|Offset|Noise|SimMode|Reset|Peak\w+|[XY]Sine\w+|DataType|ColorMode)$/.test(param.name)) continue;
      const coerce = param.opts.coerce;
      param.behave({
        write: (v) => {
          param.update(coerce ? coerce(v, param) : v);
          this.resetAt = this.arrayCounter.num;
        },
      });
    }

    // Pilatus records beyond the reference IOC (a simDetector), for clients using Pilatus classes.
    p.double('ThresholdEnergy', 10, 3, { units: 'keV' });
    p.double('Energy', 20, 3, { units: 'keV' });
    p.wo('ThresholdApply', { type: DbrBase.ENUM, enumStrings: ['Done', 'Apply'] });
    p.menu('ThresholdAutoApply', NO_YES, 1);
    p.roMenu('Armed', ['Unarmed', 'Armed'], 0);
    p.menu('GapFill', ['N/A', '0', '-1'], 0);
    p.double('DelayTime', 0, 6, { units: 's' });
    p.double('Wavelength', 1.54, 4, { units: 'A' });
    p.double('DetDist', 1000, 3, { units: 'mm' });
    p.double('BeamX', maxSizeX / 2, 3);
    p.double('BeamY', maxSizeY / 2, 3);
    p.chars('HeaderString');
  }

  int(name: string): number {
    return Math.trunc(this.params.get(name).num);
  }
  num(name: string): number {
    return this.params.get(name).num;
  }

  get isAcquiring(): boolean {
    return this.acquiring;
  }
  get lastImage(): NDArray | undefined {
    return this.lastArray;
  }

  /** The frame the readout would produce now. */
  frameSpec(frame: number, exposure: number): FrameSpec {
    const minX = this.int('MinX');
    const minY = this.int('MinY');
    return {
      maxSizeX: this.opts.maxSizeX,
      maxSizeY: this.opts.maxSizeY,
      minX,
      minY,
      sizeX: Math.min(Math.max(1, this.int('SizeX')), this.opts.maxSizeX - minX),
      sizeY: Math.min(Math.max(1, this.int('SizeY')), this.opts.maxSizeY - minY),
      binX: Math.max(1, this.int('BinX')),
      binY: Math.max(1, this.int('BinY')),
      reverseX: this.int('ReverseX') !== 0,
      reverseY: this.int('ReverseY') !== 0,
      seed: this.opts.seed,
      frame,
      exposure,
      gain: this.num('Gain'),
      gainX: this.num('GainX'),
      gainY: this.num('GainY'),
      peakRate: this.opts.peakRate,
      backgroundRate: this.opts.backgroundRate,
      offset: this.num('Offset'),
      noise: this.num('Noise'),
      peakStartX: this.num('PeakStartX'),
      peakStartY: this.num('PeakStartY'),
      peakWidthX: this.num('PeakWidthX'),
      peakWidthY: this.num('PeakWidthY'),
      peakNumX: this.int('PeakNumX'),
      peakNumY: this.int('PeakNumY'),
      peakStepX: this.num('PeakStepX'),
      peakStepY: this.num('PeakStepY'),
      peakVariation: this.num('PeakVariation'),
      simMode: this.int('SimMode'),
      sequence: Math.max(0, frame - this.resetAt - 1),
      sineX: this.sine('X'),
      sineY: this.sine('Y'),
    };
  }

  private sine(axis: 'X' | 'Y'): SineAxis {
    const n = (k: string) => this.num(`${axis}Sine${k}`);
    return {
      amplitude1: n('1Amplitude'),
      frequency1: n('1Frequency'),
      phase1: n('1Phase'),
      amplitude2: n('2Amplitude'),
      frequency2: n('2Frequency'),
      phase2: n('2Phase'),
      operation: this.int(`${axis}SineOperation`),
    };
  }

  private setState(state: number): void {
    this.detectorState.update(state, { status: STATE_SEVERITY[state] ? AlarmStatus.STATE : AlarmStatus.NO_ALARM, severity: STATE_SEVERITY[state] ?? 0 });
  }

  private writeAcquire(v: number): Promise<void> | void {
    if (v) {
      if (!this.acquiring) this.start();
      // A put-callback of 1 completes when this acquisition ends.
      return new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.acquiring) this.finish('Acquisition aborted');
    else this.acquire.update(0);
    return undefined;
  }

  private exposure(): number {
    return this.acquireTime.num * Math.max(1, Math.trunc(this.numExposures.num));
  }

  private start(): void {
    this.acquiring = true;
    this.busy.set(true);
    this.numImagesCounter.update(0);
    this.statusMessage.update('Acquiring data');
    this.startImage();
  }

  private startImage(): void {
    this.timer = undefined;
    if (!this.acquiring) return;
    this.imageStart = this.db.clock.now();
    const exposure = this.exposure();
    this.setState(DetectorState.Acquire);
    this.params.get('TimeRemaining_RBV').update(exposure);
    this.timer = this.db.clock.setTimeout(() => this.readout(exposure), exposure * 1000);
  }

  private readout(exposure: number): void {
    this.timer = undefined;
    if (!this.acquiring) return;
    this.setState(DetectorState.Readout);
    this.params.get('TimeRemaining_RBV').update(0);
    const counter = (this.arrayCounter.num + 1) | 0;
    this.arrayCounter.update(counter);
    const imagesDone = this.numImagesCounter.num + 1;
    this.numImagesCounter.update(imagesDone);
    const array = this.makeImage(counter, exposure);
    this.lastArray = array;
    // With WaitForPlugins the plugins finish this array before the driver goes on (AcquireBusy waits).
    if (this.arrayCallbacks.num) this.opts.ports.publish(this.opts.portName, array, this.params.get('WaitForPlugins').bool);
    this.onImage?.(array);
    if (!this.acquiring) return; // a plugin callback stopped us
    const mode = this.imageMode.num;
    const last = mode === ImageMode.Single || (mode === ImageMode.Multiple && imagesDone >= Math.max(1, Math.trunc(this.numImages.num)));
    if (last) {
      this.finish('Waiting for acquire command');
      return;
    }
    let period = Math.max(this.acquirePeriod.num, exposure);
    if (mode === ImageMode.Continuous) period = Math.max(period, this.opts.minContinuousPeriod);
    const wait = period * 1000 - (this.db.clock.now() - this.imageStart);
    if (wait > 0) this.setState(DetectorState.Waiting);
    this.timer = this.db.clock.setTimeout(() => this.startImage(), Math.max(0, wait));
  }

  private makeImage(counter: number, exposure: number): NDArray {
    const now = this.db.clock.now();
    const ts = epicsTimeFromMs(now);
    const spec = this.frameSpec(counter, exposure);
    const array = this.opts.frames.makeArray(spec, {
      uniqueId: counter,
      timeStamp: ts.secPastEpoch + ts.nsec / 1e9,
      epicsTs: { sec: ts.secPastEpoch, nsec: ts.nsec },
    });
    const [w, h] = array.dims as [number, number];
    const p = this.params;
    p.get('ArraySizeX_RBV').update(w);
    p.get('ArraySizeY_RBV').update(h);
    p.get('ArraySizeZ_RBV').update(0);
    p.get('ArraySize_RBV').update(w * h * DATA_TYPE_BYTES[array.dataType]!);
    p.get('ArraySize0').update(w);
    p.get('ArraySize1').update(h);
    p.get('Dimensions').update([w, h]);
    p.get('UniqueId_RBV').update(counter);
    p.get('TimeStamp_RBV').update(array.timeStamp);
    p.get('EpicsTSSec_RBV').update(ts.secPastEpoch);
    p.get('EpicsTSNsec_RBV').update(ts.nsec);
    return array;
  }

  private finish(message: string): void {
    if (this.timer) this.timer.cancel();
    this.timer = undefined;
    this.acquiring = false;
    this.setState(DetectorState.Idle);
    this.params.get('TimeRemaining_RBV').update(0);
    this.statusMessage.update(message);
    this.busy.set(false);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Stop acquiring (pending put-callbacks complete). */
  stop(): void {
    if (this.acquiring) this.finish('Acquisition aborted');
  }

  /**
   * The reset of the reference harness: AcquireTime 0, AcquirePeriod 0, NumImages 0, Acquire 0 — set at
   * once, no acquisition dynamics (a running acquisition stops without producing another image).
   */
  reset(): void {
    this.stop();
    this.acquireTime.reset(0);
    this.acquirePeriod.reset(0);
    this.numImages.reset(0);
    this.acquire.reset(0);
  }
}
