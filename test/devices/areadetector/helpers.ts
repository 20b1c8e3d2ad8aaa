// Shared set-up of the areaDetector unit tests: a detector on a VirtualClock.
import { VirtualClock } from '../../../ioc/clock.js';
import { PvDatabase } from '../../../ioc/db/database.js';
import type { Pv } from '../../../ioc/db/pv.js';
import { createAreaDetector, type AreaDetector, type AreaDetectorOptions } from '../../../devices/areadetector/index.js';
import { decodeChars } from '../../../devices/areadetector/params.js';

export const P = 'XF:11BMB-ES{Det:PIL2M}';

export interface Rig {
  readonly clock: VirtualClock;
  readonly db: PvDatabase;
  readonly det: AreaDetector;
  pv(name: string): Pv;
  get(name: string): number;
  str(name: string): string;
  put(name: string, value: number | string | number[]): Promise<void>;
  /** Values posted by `name`, in order. */
  watch(name: string): unknown[];
}

export function rig(opts: AreaDetectorOptions = {}): Rig {
  const clock = new VirtualClock();
  const db = new PvDatabase(clock);
  const det = createAreaDetector(db, P, opts);
  const pv = (name: string): Pv => {
    const full = name.startsWith(P) ? name : `${P}:${name}`;
    const found = db.get(full);
    if (!found) throw new Error(`no PV ${full}`);
    return found;
  };
  return {
    clock,
    db,
    det,
    pv,
    get: (name) => {
      const v = pv(name).value;
      return typeof v === 'number' ? v : Number((v as ArrayLike<number>)[0]);
    },
    str: (name) => {
      const v = pv(name).value;
      return typeof v === 'string' ? v : decodeChars(v);
    },
    put: (name, value) => {
      const p = pv(name);
      const v = typeof value === 'string' && p.nativeType === 4 ? Array.from(Buffer.from(value + '\0', 'latin1')) : value;
      return p.put(v);
    },
    watch: (name) => {
      const seen: unknown[] = [];
      pv(name).updates.subscribe((u) => seen.push(typeof u.value === 'object' ? Array.from(u.value as ArrayLike<number>) : u.value));
      return seen;
    },
  };
}

/** Let promise callbacks run. */
export const settle = () => new Promise<void>((r) => setImmediate(r));

/**
 * A rig whose file plugins follow the conventions a client sets before writing (ophyd's staging does):
 * the reference IOC starts with empty FileTemplate, AutoIncrement and AutoSave No, FileNumber 0.
 */
export async function fileRig(opts: AreaDetectorOptions = {}): Promise<Rig> {
  const r = rig(opts);
  for (const [plugin, template] of [['TIFF1', '%s%s_%3.3d.tif'], ['HDF1', '%s%s_%6.6d.h5']] as const) {
    await r.put(`${plugin}:FileTemplate`, template);
    await r.put(`${plugin}:AutoIncrement`, 1);
    await r.put(`${plugin}:AutoSave`, 1);
    await r.put(`${plugin}:FileNumber`, 1);
  }
  return r;
}

/** One Gaussian peak at (512, 410), widths 20 × 12, no variation: numbers a test can reason about. */
export async function singlePeak(r: Rig): Promise<Rig> {
  const settings: [string, number][] = [['PeakNumX', 1], ['PeakNumY', 1], ['PeakStartX', 512], ['PeakStartY', 410], ['PeakWidthX', 20], ['PeakWidthY', 12], ['PeakVariation', 0]];
  for (const [n, v] of settings) await r.put(`cam1:${n}`, v);
  return r;
}
