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
import { FrameSource, readoutDims, type FrameSpec } from './frame.js';
import type { NDArray, PortRegistry } from './ndarray.js';
import {
  BAYER_PATTERNS,
  COLOR_MODES,
  DATA_TYPE_BYTES,
  DATA_TYPES,
  DataType,
  declareAttributesAndPool,
  DISABLE_ENABLE,
  NO_YES,
  ParamSet,
  type Param,
  type ParamSetOptions,
} from './params.js';

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

export const SIM_MODES = ['LinearRamp', 'Peaks', 'Sine', 'Offset&Noise'] as const;

export interface CamOptions {
  readonly portName: string;
  readonly ports: PortRegistry;
  readonly frames: FrameSource;
  readonly maxSizeX: number;
  readonly maxSizeY: number;
  readonly manufacturer: string;
  readonly model: string;
  /** Start-up AcquireTime (s). */
  readonly acquireTime: number;
  /** Seed of the synthetic frames. */
  readonly seed: number;
  /** Peak height per second of exposure (counts). */
  readonly peakRate: number;
  readonly backgroundRate: number;
  /** Shortest frame period in Continuous mode (s): AcquireTime 0 does not spin. */
  readonly minContinuousPeriod: number;
  readonly paramSet?: ParamSetOptions;
}

export class CamDriver {
  readonly params: ParamSet;
  private timer: TimerHandle | undefined;
  private acquiring = false;
  private imageStart = 0;
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
    const { maxSizeX, maxSizeY } = opts;
    // NDArrayBase.template: identity.
    p.roString('PortName_RBV', opts.portName);
    p.roString('ADCoreVersion_RBV', '3.12.1');
    p.roString('DriverVersion_RBV', '2.11.0');
    p.roString('Manufacturer_RBV', opts.manufacturer);
    p.roString('Model_RBV', opts.model);
    p.roString('SerialNumber_RBV', 'beamtwin');
    p.roString('SDKVersion_RBV', 'beamtwin');
    p.roString('FirmwareVersion_RBV', 'beamtwin');

    // Acquisition control.
    this.acquire = p.rw('Acquire', {
      type: DbrBase.ENUM,
      enumStrings: ['Done', 'Acquire'],
      readback: true,
      write: (v) => this.writeAcquire(v as number),
    });
    // Acquire_RBV has its own state names (Done/Acquiring).
    this.acquire.rbv!.enumStrings = ['Done', 'Acquiring'];
    p.ro('AcquireBusy', { type: DbrBase.ENUM, enumStrings: ['Done', 'Acquiring'] });
    p.ro('AcquireBusyCB', { type: DbrBase.ENUM, enumStrings: ['Done', 'Acquiring'] });
    p.wo('WaitForPlugins', { type: DbrBase.ENUM, enumStrings: NO_YES, value: 0 });
    this.acquireTime = p.double('AcquireTime', opts.acquireTime, 3, { coerce: (v) => Math.max(0, v as number), units: 's' });
    this.acquirePeriod = p.double('AcquirePeriod', 0, 3, { coerce: (v) => Math.max(0, v as number), units: 's' });
    p.roDouble('TimeRemaining_RBV', 0, 3);
    this.numImages = p.long('NumImages', 1);
    this.numImagesCounter = p.roLong('NumImagesCounter_RBV');
    this.numExposures = p.long('NumExposures', 1);
    p.roLong('NumExposuresCounter_RBV');
    this.imageMode = p.menu('ImageMode', IMAGE_MODES, ImageMode.Multiple);
    p.menu('TriggerMode', TRIGGER_MODES, 0);
    p.menu('FrameType', ['Normal', 'Background', 'FlatField', 'DblCorrelation'], 0);
    p.double('Gain', 1, 3);
    this.detectorState = p.roMenu('DetectorState_RBV', DETECTOR_STATES, DetectorState.Idle);
    this.statusMessage = p.roChars('StatusMessage_RBV', 'Waiting for acquire command');
    p.roChars('StringToServer_RBV');
    p.roChars('StringFromServer_RBV');
    p.wo('ReadStatus', { type: DbrBase.ENUM, enumStrings: ['Done', 'Read'], value: 0 });

    // Readout geometry.
    p.roLong('MaxSizeX_RBV', maxSizeX);
    p.roLong('MaxSizeY_RBV', maxSizeY);
    const clampInt = (lo: number, hi: () => number) => (v: unknown) => Math.min(Math.max(Math.trunc(v as number), lo), Math.max(lo, hi()));
    p.long('MinX', 0, { coerce: clampInt(0, () => maxSizeX - 1) });
    p.long('MinY', 0, { coerce: clampInt(0, () => maxSizeY - 1) });
    p.long('SizeX', maxSizeX, { coerce: clampInt(1, () => maxSizeX - this.int('MinX')) });
    p.long('SizeY', maxSizeY, { coerce: clampInt(1, () => maxSizeY - this.int('MinY')) });
    p.long('BinX', 1, { coerce: clampInt(1, () => maxSizeX) });
    p.long('BinY', 1, { coerce: clampInt(1, () => maxSizeY) });
    p.menu('ReverseX', NO_YES, 0);
    p.menu('ReverseY', NO_YES, 0);
    p.menu('DataType', DATA_TYPES, DataType.Int32);
    p.menu('ColorMode', COLOR_MODES, 0);
    p.roMenu('BayerPattern_RBV', BAYER_PATTERNS, 0);

    // The last array's description.
    const [w, h] = readoutDims({ sizeX: maxSizeX, sizeY: maxSizeY, binX: 1, binY: 1 });
    p.roLong('ArraySizeX_RBV', w);
    p.roLong('ArraySizeY_RBV', h);
    p.roLong('ArraySizeZ_RBV', 0);
    p.roLong('ArraySize_RBV', w * h * 4);
    p.rw('NDimensions', { type: DbrBase.LONG, value: 2 });
    p.rw('Dimensions', { type: DbrBase.LONG, value: [w, h], maxCount: 10 });
    for (let i = 0; i < 10; i++) p.rw(`ArraySize${i}`, { type: DbrBase.LONG, value: i === 0 ? w : i === 1 ? h : 0 });
    p.roString('Codec_RBV', '');
    p.roLong('CompressedSize_RBV', 0);
    p.roLong('UniqueId_RBV');
    p.roDouble('TimeStamp_RBV', 0, 3);
    p.roLong('EpicsTSSec_RBV');
    p.roLong('EpicsTSNsec_RBV');
    this.arrayCounter = p.long('ArrayCounter', 0);
    p.roDouble('ArrayRate_RBV', 0, 2, { units: 'Hz' });
    this.arrayCallbacks = p.menu('ArrayCallbacks', DISABLE_ENABLE, 1);
    declareAttributesAndPool(p);
    p.wo('PoolPollStats', { type: DbrBase.ENUM, enumStrings: ['Done', 'Poll'] });
    p.wo('EmptyFreeList', { type: DbrBase.ENUM, enumStrings: ['Done', 'Empty'] });
    p.wo('PreAllocBuffers', { type: DbrBase.ENUM, enumStrings: ['Done', 'Allocate'] });
    p.long('NumPreAllocBuffers', 100);
    p.roLong('NumQueuedArrays');
    p.wo('AsynIO', { type: DbrBase.LONG, value: 0 });

    // Shutter (ADBase): modes only, no shutter to drive.
    p.menu('ShutterMode', ['None', 'EPICS PV', 'Detector output'], 0);
    p.menu('ShutterControl', ['Close', 'Open'], 0);
    p.roMenu('ShutterStatus_RBV', ['Closed', 'Open'], 0);
    p.double('ShutterOpenDelay', 0, 3);
    p.double('ShutterCloseDelay', 0, 3);
    p.roMenu('ShutterControlEPICS', ['Closed', 'Open'], 0);
    p.roMenu('ShutterStatusEPICS_RBV', ['Closed', 'Open'], 0);
    p.wo('ShutterFanout', { type: DbrBase.LONG, value: 0 });
    p.wo('ShutterOpenEPICS', { type: DbrBase.DOUBLE, value: 0 });
    p.wo('ShutterCloseEPICS', { type: DbrBase.DOUBLE, value: 0 });
    p.double('Temperature', 25, 1, { units: 'C' });
    p.roDouble('TemperatureActual', 25, 1, { units: 'C' });

    // ADSimDetector: the frame model's inputs.
    p.double('GainX', 1, 3);
    p.double('GainY', 1, 3);
    p.double('GainRed', 1, 3);
    p.double('GainGreen', 1, 3);
    p.double('GainBlue', 1, 3);
    p.double('Offset', 0, 3);
    p.double('Noise', 0, 3);
    p.menu('SimMode', SIM_MODES, 1);
    p.long('PeakStartX', Math.round(maxSizeX / 2));
    p.long('PeakStartY', Math.round(maxSizeY * 0.4));
    p.long('PeakWidthX', 20);
    p.long('PeakWidthY', 12);
    p.long('PeakNumX', 1);
    p.long('PeakNumY', 1);
    p.long('PeakStepX', Math.round(maxSizeX / 8));
    p.long('PeakStepY', Math.round(maxSizeY / 8));
    p.double('PeakVariation', 0, 3);
    p.long('Reset', 0);
    p.double('XSine1Amplitude', 1, 3);

    // Pilatus settings a Pilatus profile touches (plain values: no camserver behind them).
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
    this.acquire.update(1);
    this.params.get('AcquireBusy').update(1);
    this.params.get('AcquireBusyCB').update(1);
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
    this.params.get('NumExposuresCounter_RBV').update(Math.max(1, Math.trunc(this.numExposures.num)));
    const counter = (this.arrayCounter.num + 1) | 0;
    this.arrayCounter.update(counter);
    const imagesDone = this.numImagesCounter.num + 1;
    this.numImagesCounter.update(imagesDone);
    const array = this.makeImage(counter, exposure);
    this.lastArray = array;
    if (this.arrayCallbacks.num) this.opts.ports.publish(this.opts.portName, array);
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
    this.acquire.update(0);
    this.params.get('AcquireBusy').update(0);
    this.params.get('AcquireBusyCB').update(0);
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
