// The simulated area detector of a beamline profile: cam1 plus the plugin chain of ADCore's
// commonPlugins.cmd (image1, Stats1-5, ROI1-4, Proc1, Trans1, TIFF1, HDF1, PVA), every plugin fed from
// the driver's port, so ophyd's port-graph check (validate_asyn_ports) finds one connected graph for any
// subset of plugins a profile declares.
import type { PvDatabase } from '../../ioc/db/database.js';
import type { Pv } from '../../ioc/db/pv.js';
import { CamDriver } from './cam.js';
import { DEFAULT_MAX_SIZE, FrameSource } from './frame.js';
import { PortRegistry } from './ndarray.js';
import { ParamSet } from './params.js';
import type { NDPlugin, PluginContext } from './plugins/base.js';
import { CircularBuffPlugin } from './plugins/circular-buff.js';
import { ColorConvertPlugin } from './plugins/color-convert.js';
import { OverlayPlugin } from './plugins/overlay.js';
import { Hdf5Plugin, TiffPlugin, UnencodedFilePlugin, type FileWriting } from './plugins/file.js';
import { ProcessPlugin } from './plugins/process.js';
import { RoiPlugin } from './plugins/roi.js';
import { StatsPlugin } from './plugins/stats.js';
import { PvaPlugin, StdArraysPlugin } from './plugins/std-arrays.js';
import { TransformPlugin } from './plugins/transform.js';
import { TimeSeriesPlugin } from './plugins/time-series.js';
import { serveCommonFields } from './record-fields.js';
import { DEFAULT_MODEL, instanceRecords, loadModel, type ModelInstance } from './model.js';

export interface AreaDetectorOptions {
  /** Sensor size; default 1024 × 1024. */
  readonly maxSizeX?: number;
  readonly maxSizeY?: number;
  /** The driver's asyn port (cam1:PortName_RBV); default the model's (PIL). */
  readonly camPort?: string;
  readonly manufacturer?: string;
  readonly model?: string;
  /** Start-up AcquireTime in seconds; default the model's (0.1). */
  readonly acquireTime?: number;
  /** Seed of the synthetic frames' noise and peak variation; default 1. */
  readonly seed?: number;
  /** Peak height in counts per second of exposure; default 1000. */
  readonly peakRate?: number;
  /** Flat background in counts per second; default 0. */
  readonly backgroundRate?: number;
  /** Number of Stats and ROI plugins; defaults 5 and 4. */
  readonly stats?: number;
  readonly rois?: number;
  /** Record-name suffixes of the plugins whose EnableCallbacks starts at Enable; default: the model's. */
  readonly enabled?: readonly string[];
  /** File writing policy of TIFF1/HDF1; default: simulated (nothing written). */
  readonly files?: FileWriting;
  /** Shortest Continuous-mode frame period, seconds; default 0.01. */
  readonly minContinuousPeriod?: number;
  /** The detector model (models/<name>.json, or a file); default adsim-pil2m, the reference IOC. */
  readonly detectorModel?: string;
  /** Start-up: 'idle' (default) or 'running' (continuous acquisition, as the reference IOC's start-up). */
  readonly start?: DetectorStart;
}

/** One edge of the asyn port graph: `port` (a plugin's PortName_RBV) takes arrays from `input`. */
export interface PortEdge {
  readonly prefix: string;
  readonly port: string;
  readonly input: string | undefined;
}

export interface AreaDetector {
  /** The detector prefix as given (`XF:11BMB-ES{Det:PIL2M}`). */
  readonly prefix: string;
  readonly cam: CamDriver;
  readonly image: StdArraysPlugin;
  readonly stats: readonly StatsPlugin[];
  /** The Stats plugins' time-series plugins (`Stats1:TS:` …). */
  readonly timeSeries: readonly TimeSeriesPlugin[];
  readonly rois: readonly RoiPlugin[];
  readonly proc: ProcessPlugin;
  readonly trans: TransformPlugin;
  readonly tiff: TiffPlugin;
  readonly hdf: Hdf5Plugin;
  readonly pva: PvaPlugin;
  /** Every plugin by its record suffix (`Stats1:`, `image1:` …). */
  readonly plugins: ReadonlyMap<string, NDPlugin>;
  readonly ports: PortRegistry;
  readonly frames: FrameSource;
  /** Names of every PV this detector serves. */
  readonly pvNames: readonly string[];
  /** The port graph as served now (PortName_RBV → NDArrayPort). */
  portGraph(): PortEdge[];
  /** AcquireTime 0, AcquirePeriod 0, NumImages 0, Acquire 0 — at once, no acquisition dynamics. */
  reset(): void;
  /** Stop any acquisition and disconnect the plugins (the PVs stay in the database). */
  stop(): void;
}

/** Join a device prefix and a record suffix with one ':' (`P` + `cam1:` → `P:cam1:`). */
export function recordPrefix(prefix: string, suffix: string): string {
  return prefix.endsWith(':') ? prefix + suffix : `${prefix}:${suffix}`;
}

/** What a detector start-up does: stay idle (default) or start acquiring as the reference IOC did. */
export type DetectorStart = 'idle' | 'running' | (string & {});

/** The plugin class serving a model instance, by the last template it loads. */
const PLUGIN_KINDS: Readonly<Record<string, string>> = {
  NDStdArrays: 'image',
  NDStats: 'stats',
  NDTimeSeries: 'timeSeries',
  NDROI: 'roi',
  NDProcess: 'proc',
  NDTransform: 'trans',
  NDFileTIFF: 'tiff',
  NDFileHDF5: 'hdf',
  NDPva: 'pva',
  NDFileJPEG: 'jpeg',
  NDFileNetCDF: 'netcdf',
  NDCircularBuff: 'circularBuff',
  NDColorConvert: 'colorConvert',
  NDOverlay: 'overlay',
  // One overlay of an NDOverlay plugin (`Over1:1:`): records only, no port.
  NDOverlayN: 'records',
};

export function createAreaDetector(db: PvDatabase, prefix: string, opts: AreaDetectorOptions = {}): AreaDetector {
  const model = loadModel(opts.detectorModel ?? DEFAULT_MODEL);
  const startName = opts.start ?? 'idle';
  const start = model.starts?.[startName];
  if (model.starts && !start) throw new Error(`detector model: no start-up named ${startName} (${Object.keys(model.starts).join(', ')})`);
  const startValues = (inst: ModelInstance) => start?.values[inst.suffix] ?? {};
  const camInst = model.instances.find((i) => i.templates.includes('ADBase'));
  if (!camInst) throw new Error('detector model: no driver instance (one loading ADBase)');
  const modelCamPort = String(instanceRecords(camInst, model.macros).find((r) => r.name === 'PortName_RBV')?.value ?? 'SIM1');
  const maxSizeX = opts.maxSizeX ?? model.macros['XSIZE'] ?? DEFAULT_MAX_SIZE;
  const maxSizeY = opts.maxSizeY ?? model.macros['YSIZE'] ?? DEFAULT_MAX_SIZE;
  const camPort = opts.camPort ?? modelCamPort;
  const macros = { ...model.macros, XSIZE: maxSizeX, YSIZE: maxSizeY, NELEMENTS: maxSizeX * maxSizeY };
  const files: FileWriting = opts.files ?? {};
  const ports = new PortRegistry();
  const frames = new FrameSource(2);
  const created: Pv[] = [];
  const before = new Set(db.names());

  // The options a profile may set, as start-up values of the model's records.
  const both = (v: Record<string, unknown>, name: string, value: unknown) => {
    v[name] = value;
    v[`${name}_RBV`] = value;
  };
  const camValues: Record<string, unknown> = { ...startValues(camInst), PortName_RBV: camPort };
  // Deliberate: 32-bit counts (the reference's Int8 would wrap the Peaks image); see README.
  both(camValues, 'DataType', 'Int32');
  if (opts.acquireTime !== undefined) both(camValues, 'AcquireTime', opts.acquireTime);
  if (opts.manufacturer !== undefined) camValues['Manufacturer_RBV'] = opts.manufacturer;
  if (opts.model !== undefined) camValues['Model_RBV'] = opts.model;
  if (opts.maxSizeX !== undefined || opts.maxSizeY !== undefined) {
    camValues['MaxSizeX_RBV'] = maxSizeX;
    camValues['MaxSizeY_RBV'] = maxSizeY;
    both(camValues, 'SizeX', maxSizeX);
    both(camValues, 'SizeY', maxSizeY);
  }
  camValues['ArraySizeX_RBV'] = maxSizeX;
  camValues['ArraySizeY_RBV'] = maxSizeY;
  camValues['ArraySize_RBV'] = maxSizeX * maxSizeY * 4;
  const pluginValues = (inst: ModelInstance): Record<string, unknown> => {
    const v: Record<string, unknown> = { ...startValues(inst) };
    if (opts.enabled) both(v, 'EnableCallbacks', opts.enabled.includes(inst.suffix) ? 'Enable' : 'Disable');
    if (inst.values['NDArrayPort'] === undefined || inst.values['NDArrayPort'] === modelCamPort) both(v, 'NDArrayPort', camPort);
    return v;
  };

  ports.register(camPort, recordPrefix(prefix, camInst.suffix));
  const cam = new CamDriver(db, recordPrefix(prefix, camInst.suffix), {
    portName: camPort,
    ports,
    frames,
    maxSizeX,
    maxSizeY,
    seed: opts.seed ?? 1,
    peakRate: opts.peakRate ?? 1000,
    backgroundRate: opts.backgroundRate ?? 0,
    minContinuousPeriod: opts.minContinuousPeriod ?? 0.01,
    records: instanceRecords(camInst, macros, camValues),
  });

  const ctx: PluginContext = { db, ports };
  const plugins = new Map<string, NDPlugin>();
  // The Stats plugin whose port a time-series plugin reads: its TS… waveforms show the series.
  const statsOf = (port: string) => [...plugins.values()].find((pl) => pl.portName === port)?.params;
  const byKind = new Map<string, NDPlugin[]>();
  for (const inst of model.instances) {
    if (inst === camInst) continue;
    const kind = PLUGIN_KINDS[inst.templates[inst.templates.length - 1]!];
    if (!kind) throw new Error(`detector model: no plugin serves ${inst.suffix} (${inst.templates.join(', ')})`);
    if (kind === 'records') {
      new ParamSet(db, recordPrefix(prefix, inst.suffix)).declare(instanceRecords(inst, macros, startValues(inst)));
      continue;
    }
    const values = pluginValues(inst);
    // NDPluginPva serves its arrays on the pvAccess PV PvName_RBV names (the recording kept only its start).
    const pvName = recordPrefix(prefix, `${inst.suffix}OUTPUT`);
    if (kind === 'pva') values['PvName_RBV'] = [...Buffer.from(pvName, 'latin1')];
    const records = instanceRecords(inst, macros, values);
    const value = (name: string) => String(records.find((r) => r.name === name)?.value ?? '');
    const base = { portName: value('PortName_RBV'), ndArrayPort: value('NDArrayPort'), records };
    const p = recordPrefix(prefix, inst.suffix);
    const plugin: NDPlugin =
      kind === 'image' ? new StdArraysPlugin(ctx, p, { ...base, maxElements: maxSizeX * maxSizeY })
      : kind === 'stats' ? new StatsPlugin(ctx, p, { ...base, maxSizeX, maxSizeY })
      : kind === 'timeSeries' ? new TimeSeriesPlugin(ctx, p, { ...base, signals: () => statsOf(value('NDArrayPort')) })
      : kind === 'roi' ? new RoiPlugin(ctx, p, { ...base, maxSizeX, maxSizeY })
      : kind === 'proc' ? new ProcessPlugin(ctx, p, base)
      : kind === 'trans' ? new TransformPlugin(ctx, p, base)
      : kind === 'tiff' ? new TiffPlugin(ctx, p, { ...base, writing: files })
      : kind === 'hdf' ? new Hdf5Plugin(ctx, p, { ...base, writing: files })
      : kind === 'jpeg' ? new UnencodedFilePlugin(ctx, p, { ...base, writing: files }, 'NDFileJPEG', false)
      : kind === 'netcdf' ? new UnencodedFilePlugin(ctx, p, { ...base, writing: files }, 'NDFileNetCDF', true)
      : kind === 'circularBuff' ? new CircularBuffPlugin(ctx, p, base)
      : kind === 'colorConvert' ? new ColorConvertPlugin(ctx, p, base)
      : kind === 'overlay' ? new OverlayPlugin(ctx, p, base)
      : new PvaPlugin(ctx, p, { ...base, pvName });
    plugins.set(inst.suffix, plugin);
    byKind.set(kind, [...(byKind.get(kind) ?? []), plugin]);
  }
  const one = <T extends NDPlugin>(kind: string): T => {
    const found = byKind.get(kind)?.[0];
    if (!found) throw new Error(`detector model: no ${kind} plugin`);
    return found as T;
  };
  const image = one<StdArraysPlugin>('image');
  const stats = (byKind.get('stats') ?? []) as StatsPlugin[];
  const rois = (byKind.get('roi') ?? []) as RoiPlugin[];
  const proc = one<ProcessPlugin>('proc');
  const trans = one<TransformPlugin>('trans');
  const tiff = one<TiffPlugin>('tiff');
  const hdf = one<Hdf5Plugin>('hdf');
  const pva = one<PvaPlugin>('pva');
  const timeSeries = (byKind.get('timeSeries') ?? []) as TimeSeriesPlugin[];

  // The reference IOC's start-up script ends by starting continuous acquisition; opt-in (README).
  const starting = (start?.acquire ?? startName === 'running') ? db.clock.setTimeout(() => void cam.acquire.sp!.put(1, { origin: 'internal' }), 0) : undefined;

  for (const name of db.names()) if (!before.has(name)) created.push(db.get(name)!);
  const pvNames = created.map((pv) => pv.name);
  serveCommonFields(db, pvNames);

  return {
    prefix,
    cam,
    image,
    stats,
    timeSeries,
    rois,
    proc,
    trans,
    tiff,
    hdf,
    pva,
    plugins,
    ports,
    frames,
    pvNames,
    portGraph: () => [
      { prefix: cam.prefix, port: camPort, input: undefined },
      ...[...plugins.values()].map((pl) => ({ prefix: pl.prefix, port: pl.params.get('PortName_RBV').str, input: pl.inputPort })),
    ],
    reset: () => cam.reset(),
    stop: () => {
      starting?.cancel();
      cam.stop();
      for (const pl of plugins.values()) pl.dispose();
    },
  };
}
