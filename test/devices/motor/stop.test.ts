import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../ioc/clock.js';
import { PvDatabase } from '../../../ioc/db/database.js';
import { RecordDatabase } from '../../../ioc/records/index.js';
import '../../../devices/motor/index.js';

describe('a motor declared in a database', () => {
  it('leaves no timer behind when the IOC stops mid-move', async () => {
    const clock = new VirtualClock();
    const db = new PvDatabase(clock);
    const records = new RecordDatabase(db);
    records.add({ type: 'motor', name: 'm1', fields: { DTYP: 'Sim Motor', MRES: '0.01', VELO: '1', ACCL: '0.2', DHLM: '100', DLLM: '-100' } });
    records.start();
    void db.lookup('m1')!.put(50, {});
    clock.advance(500);
    expect(db.lookup('m1.DMOV')!.value).toBe(0);
    records.stop();
    // Only a move's timers were pending: after stop, nothing is left to fire.
    expect(clock.pending).toBe(0);
  });
});
