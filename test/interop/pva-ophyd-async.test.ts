// ophyd-async's pva:// signals in a Bluesky plan against the twin's PVA server (the same Pv as CA's).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealClock } from '../../ioc/clock.js';
import { PvDatabase } from '../../ioc/db/database.js';
import { DbrBase } from '../../ioc/epics/field-type.js';
import { PvaServer } from '../../ioc/pva/server/server.js';
import { runP4p } from './p4p.js';

describe('ophyd-async pva:// signals (Bluesky RunEngine)', () => {
  const db = new PvDatabase(new RealClock());
  const server = new PvaServer({ source: db, config: { tcpPort: 0, udpPort: 0, beaconAddrs: [] } });
  beforeAll(async () => {
    db.create('oa:x', { type: DbrBase.DOUBLE, value: 1, units: 'mm', precision: 3 });
    db.create('oa:mode', { type: DbrBase.ENUM, value: 0, enumStrings: ['Off', 'On'] });
    db.create('oa:wf', { type: DbrBase.DOUBLE, value: [1, 2, 3], maxCount: 3 });
    await server.start();
  });
  afterAll(() => server.stop());

  it('a plan sets and reads a float, an enum and an array; puts arrive with origin pva', async () => {
    const origins: string[] = [];
    const sub = db.events.subscribe((e) => e.kind === 'put' && origins.push(`${e.pv.name} ${e.ctx.origin}`));
    const [m] = await runP4p(
      String.raw`
import asyncio
import numpy as np
from bluesky import RunEngine
import bluesky.plan_stubs as bps
from bluesky.run_engine import call_in_bluesky_event_loop
from ophyd_async.core import Array1D, StrictEnum, init_devices
from ophyd_async.epics.core import epics_signal_rw
class Mode(StrictEnum):
    OFF = 'Off'
    ON = 'On'
RE = RunEngine({})
with init_devices():
    x = epics_signal_rw(float, 'pva://oa:x')
    mode = epics_signal_rw(Mode, 'pva://oa:mode')
    wf = epics_signal_rw(Array1D[np.float64], 'pva://oa:wf')
res = {}
def plan():
    yield from bps.mv(x, 2.5, mode, Mode.ON)
    res['x'] = yield from bps.rd(x)
    res['mode'] = (yield from bps.rd(mode)).value
    res['wf'] = list((yield from bps.rd(wf)))
RE(plan())
res['units'] = call_in_bluesky_event_loop(x.describe())['x'].get('units')
out(res)
`,
      server.clientEnv(),
      { timeoutMs: 90_000 },
    );
    sub.unsubscribe();
    expect(m).toEqual({ x: 2.5, mode: 'On', wf: [1, 2, 3], units: 'mm' });
    expect(origins.sort()).toEqual(['oa:mode pva', 'oa:x pva']);
  });
});
