import { RealClock } from '../../ioc/clock.js';
import { PvDatabase } from '../../ioc/db/database.js';
import type { Pv } from '../../ioc/db/pv.js';
import { DbrBase } from '../../ioc/epics/field-type.js';

/** The benchmark servers' database: `n` DOUBLE channels `bench:0` … `bench:n-1` (precision 3, mm). */
export function benchChannels(n: number): { db: PvDatabase; pvs: Pv[] } {
  const db = new PvDatabase(new RealClock());
  const pvs: Pv[] = [];
  for (let i = 0; i < n; i++) pvs.push(db.create(`bench:${i}`, { type: DbrBase.DOUBLE, value: i, precision: 3, units: 'mm' }));
  return { db, pvs };
}
