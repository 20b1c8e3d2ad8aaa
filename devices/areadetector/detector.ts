// The simulated area detector of a beamline profile: cam1 plus the plugin chain of ADCore's
// commonPlugins.cmd (image1, Stats1-5, ROI1-4, Proc1, Trans1, TIFF1, HDF1, PVA), every plugin fed from
// the driver's port, so ophyd's port-graph check (validate_asyn_ports) finds one connected graph for any
// subset of plugins a profile declares.
import type { PvDatabase } from '../../ioc/db/database.js';
import type { Pv } from '../../ioc/db/pv.js';
import { CamDriver } from './cam.js';
import { DEFAULT_MAX_SIZE, FrameSource } from './frame.js';
import { PortRegistry } from './ndarray.js';
import type { NDPlugin, PluginContext } from './plugins/base.js';
import { Hdf5Plugin, TiffPlugin, type FileWriting } from './plugins/file.js';
import { ProcessPlugin } from './plugins/process.js';
import { RoiPlugin } from './plugins/roi.js';
import { StatsPlugin } from './plugins/stats.js';
import { PvaPlugin, StdArraysPlugin } from './plugins/std-arrays.js';
import { TransformPlugin } from './plugins/transform.js';

export interface AreaDetectorOptions {
  /** Sensor size; default 1024 × 1024. */
  readonly maxSizeX?: number;
  readonly maxSizeY?: number;
  /** The driver's asyn port (cam1:PortName_RBV); default SIM1, as ADSimDetector's IOC. */
  readonly camPort?: string;
  readonly manufacturer?: string;
  readonly model?: string;
  /** Start-up AcquireTime in seconds; default 0.1. */
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
  /** Record-name suffixes of the plugins whose EnableCallbacks starts at Enable; default ['image1:']. */
  readonly enabled?: readonly string[];
  /** File writing policy of TIFF1/HDF1; default: simulated (nothing written). */
  readonly files?: FileWriting;
  /** Shortest Continuous-mode frame period, seconds; default 0.01. */
  readonly minContinuousPeriod?: number;
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

export function createAreaDetector(db: PvDatabase, prefix: string, opts: AreaDetectorOptions = {}): AreaDetector {
  const maxSizeX = opts.maxSizeX ?? DEFAULT_MAX_SIZE;
  const maxSizeY = opts.maxSizeY ?? DEFAULT_MAX_SIZE;
  const camPort = opts.camPort ?? 'SIM1';
  const enabled = new Set(opts.enabled ?? ['image1:']);
  const files: FileWriting = opts.files ?? {};
  const ports = new PortRegistry();
  const frames = new FrameSource(2);
  const created: Pv[] = [];
  const before = new Set(db.names());
  ports.register(camPort, recordPrefix(prefix, 'cam1:'));

  const cam = new CamDriver(db, recordPrefix(prefix, 'cam1:'), {
    portName: camPort,
    ports,
    frames,
    maxSizeX,
    maxSizeY,
    manufacturer: opts.manufacturer ?? 'Simulated detector',
    model: opts.model ?? 'Basic simulator',
    acquireTime: opts.acquireTime ?? 0.1,
    seed: opts.seed ?? 1,
    peakRate: opts.peakRate ?? 1000,
    backgroundRate: opts.backgroundRate ?? 0,
    minContinuousPeriod: opts.minContinuousPeriod ?? 0.01,
  });

  const ctx: PluginContext = { db, ports };
  const plugins = new Map<string, NDPlugin>();
  const base = (suffix: string, portName: string) => ({ portName, ndArrayPort: camPort, enabled: enabled.has(suffix) });
  const add = <T extends NDPlugin>(suffix: string, make: (p: string) => T): T => {
    const plugin = make(recordPrefix(prefix, suffix));
    plugins.set(suffix, plugin);
    return plugin;
  };

  const image = add('image1:', (p) => new StdArraysPlugin(ctx, p, { ...base('image1:', 'Image1'), maxElements: maxSizeX * maxSizeY }));
  const stats: StatsPlugin[] = [];
  for (let i = 1; i <= (opts.stats ?? 5); i++) {
    stats.push(add(`Stats${i}:`, (p) => new StatsPlugin(ctx, p, { ...base(`Stats${i}:`, `STATS${i}`), maxSizeX, maxSizeY })));
  }
  const rois: RoiPlugin[] = [];
  for (let i = 1; i <= (opts.rois ?? 4); i++) {
    rois.push(add(`ROI${i}:`, (p) => new RoiPlugin(ctx, p, { ...base(`ROI${i}:`, `ROI${i}`), maxSizeX, maxSizeY })));
  }
  const proc = add('Proc1:', (p) => new ProcessPlugin(ctx, p, base('Proc1:', 'PROC1')));
  const trans = add('Trans1:', (p) => new TransformPlugin(ctx, p, base('Trans1:', 'TRANS1')));
  const tiff = add('TIFF1:', (p) => new TiffPlugin(ctx, p, { ...base('TIFF1:', 'FileTIFF1'), writing: files }));
  const hdf = add('HDF1:', (p) => new Hdf5Plugin(ctx, p, { ...base('HDF1:', 'FileHDF1'), writing: files }));
  const pva = add('PVA:', (p) => new PvaPlugin(ctx, p, { ...base('PVA:', 'PVA1'), pvName: recordPrefix(prefix, 'PVA:OUTPUT') }));

  for (const name of db.names()) if (!before.has(name)) created.push(db.get(name)!);
  const pvNames = created.map((pv) => pv.name);

  return {
    prefix,
    cam,
    image,
    stats,
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
      cam.stop();
      for (const pl of plugins.values()) pl.dispose();
    },
  };
}
