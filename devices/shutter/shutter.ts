import { DbrBase } from '../../ioc/epics/field-type.js';
import type { TimerHandle } from '../../ioc/clock.js';
import type { PvDatabase } from '../../ioc/db/database.js';
import type { DeviceHandle } from '../device.js';

export interface ShutterOptions {
  /** The command PV (`XF:11BM-ES{Shutter}`), 0 closed / 1 open. */
  readonly pv: string;
  /** Blade position PVs that follow the command after `delay` seconds. */
  readonly blades: readonly string[];
  readonly delay?: number;
  readonly initial?: number;
}

/** A photon shutter: `delay` after a write, every blade's Pos takes the written value. */
export function createShutter(db: PvDatabase, opts: ShutterOptions): DeviceHandle {
  const delay = (opts.delay ?? 0.1) * 1000;
  const initial = opts.initial ?? 0;
  const blades = opts.blades.map((name) => db.create(name, { type: DbrBase.DOUBLE, value: initial }));
  const pending = new Set<TimerHandle>();
  const cmd = db.create(opts.pv, {
    type: DbrBase.DOUBLE,
    value: initial,
    put: (pv, v) => {
      pv.set(v, { force: true });
      const t = db.clock.setTimeout(() => {
        pending.delete(t);
        for (const b of blades) b.set(v);
      }, delay);
      pending.add(t);
    },
  });
  const cancel = () => {
    for (const t of pending) t.cancel();
    pending.clear();
  };
  return {
    reset() {
      cancel();
      cmd.set(initial);
      for (const b of blades) b.set(initial);
    },
    stop: cancel,
  };
}
