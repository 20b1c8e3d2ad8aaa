// The Linkam thermal stage of the CMS note (§3) in virtual time: the ramp model step by step, STATUS,
// the heater, post-on-every-write, and the brace-less alias.
import { describe, expect, it } from 'vitest';
import { createLinkam } from '../../devices/linkam/linkam.js';
import { runCli } from '../../cli/run-cli.js';
import { DBE, ECA } from '../../ioc/ca/protocol/constants.js';
import { PutError } from '../../ioc/db/errors.js';
import { startServer } from '../ioc/ca/client/harness.js';
import { RealClock, VirtualClock } from '../../ioc/clock.js';
import { PvDatabase } from '../../ioc/db/database.js';
import type { PvUpdate } from '../../ioc/db/pv.js';

const P = 'XF:11BM-ES:{LINKAM}:';
const ALIAS = 'XF:11BM-ES:LINKAM:';

function setup(opts: { stepPeriod?: number } = {}) {
  const clock = new VirtualClock(0);
  const db = new PvDatabase(clock);
  const linkam = createLinkam(db, { prefix: P, aliases: [ALIAS], ...opts });
  const pv = (suffix: string) => db.get(P + suffix)!;
  const posts: { name: string; t: number; value: unknown; mask: number }[] = [];
  db.events.subscribe((e) => {
    if (e.kind === 'update') posts.push({ name: e.update.pv.name.slice(P.length), t: clock.now(), value: e.update.value, mask: e.update.mask });
  });
  const of = (suffix: string) => posts.filter((p) => p.name === suffix);
  return { clock, db, linkam, pv, posts, of };
}

describe('Linkam ramp model (CMS note §3)', () => {
  it('starts at SETPOINT 25, RAMPRATE 10, STARTHEAT 0, TEMP 25, STATUS 0', () => {
    const { pv } = setup();
    expect([pv('SETPOINT:SET').value, pv('RAMPRATE:SET').value, pv('STARTHEAT').value, pv('TEMP').value, pv('STATUS').value]).toEqual([25, 10, 0, 25, 0]);
    expect(pv('STATUS').writable).toBe(false);
  });

  it('with the heater on, TEMP steps every second by 0.1 × RAMPRATE and lands exactly on the setpoint', async () => {
    const { clock, pv, of } = setup();
    await pv('RAMPRATE:SET').put(20);
    await pv('SETPOINT:SET').put(30);
    await pv('STARTHEAT').put(1);
    expect(pv('STATUS').value).toBe(2);
    clock.advance(999);
    expect(of('TEMP')).toEqual([]);
    clock.advance(5000);
    expect(of('TEMP').map((p) => [p.t, p.value])).toEqual([
      [1000, 27],
      [2000, 29],
      [3000, 30],
    ]);
    expect(pv('TEMP').value).toBe(30);
  });

  it('min(|gap|, 0.1 × RAMPRATE): the last step is the remainder, downward ramps too, no overshoot', async () => {
    const { clock, pv, of } = setup();
    await pv('RAMPRATE:SET').put(30); // 3 °C per step
    await pv('SETPOINT:SET').put(18.5);
    await pv('STARTHEAT').put(1);
    clock.advance(10_000);
    expect(of('TEMP').map((p) => p.value)).toEqual([22, 19, 18.5]);
  });

  it('a RAMPRATE change applies from the next step', async () => {
    const { clock, pv, of } = setup();
    await pv('SETPOINT:SET').put(40);
    await pv('STARTHEAT').put(1); // 1 °C per step
    clock.advance(2000);
    await pv('RAMPRATE:SET').put(50); // 5 °C per step
    clock.advance(3000);
    expect(of('TEMP').map((p) => p.value)).toEqual([26, 27, 32, 37, 40]);
  });

  it('STATUS: 2 while |gap| ≥ 0.5, 1 near and at the setpoint, 0 with the heater off', async () => {
    const { clock, pv, of } = setup();
    await pv('RAMPRATE:SET').put(4); // 0.4 °C per step
    await pv('SETPOINT:SET').put(26);
    expect(pv('STATUS').value).toBe(0); // heater off
    await pv('STARTHEAT').put(1);
    expect(pv('STATUS').value).toBe(2); // gap 1
    clock.advance(1000); // 25.4: gap 0.6
    expect(pv('STATUS').value).toBe(2);
    clock.advance(1000); // 25.8: gap 0.2 < 0.5
    expect(pv('TEMP').value).toBeCloseTo(25.8, 10);
    expect(pv('STATUS').value).toBe(1);
    clock.advance(1000); // 26
    expect(pv('TEMP').value).toBe(26);
    expect(pv('STATUS').value).toBe(1);
    // A new setpoint far away: ramping again at once.
    await pv('SETPOINT:SET').put(30);
    expect(pv('STATUS').value).toBe(2);
    await pv('STARTHEAT').put(0);
    expect(pv('STATUS').value).toBe(0);
    expect(of('STATUS').map((p) => p.value)).toEqual([2, 1, 2, 0]);
  });

  it('|gap| exactly 0.5 still counts as ramping (≥)', async () => {
    const { pv } = setup();
    await pv('SETPOINT:SET').put(25.5);
    await pv('STARTHEAT').put(1);
    expect(pv('STATUS').value).toBe(2);
  });

  it('TEMP is frozen while the heater is off, and the ramp resumes from there when it is on again', async () => {
    const { clock, pv, of } = setup();
    await pv('SETPOINT:SET').put(30);
    clock.advance(5000);
    expect(of('TEMP')).toEqual([]); // heater off: nothing moves
    await pv('STARTHEAT').put(1);
    clock.advance(2000); // 26, 27
    await pv('STARTHEAT').put(0);
    clock.advance(10_000);
    expect(pv('TEMP').value).toBe(27);
    await pv('STARTHEAT').put(1);
    clock.advance(1000);
    expect(of('TEMP').map((p) => p.value)).toEqual([26, 27, 28]);
  });

  it('TEMP is writable (the reset writes it) and the ramp continues from the written value', async () => {
    const { clock, pv } = setup();
    await pv('SETPOINT:SET').put(30);
    await pv('STARTHEAT').put(1);
    await pv('TEMP').put(29.5);
    expect(pv('STATUS').value).toBe(2);
    clock.advance(1000);
    expect(pv('TEMP').value).toBe(30);
    expect(pv('STATUS').value).toBe(1);
  });

  it('every write posts a monitor, even of an unchanged value', async () => {
    const { pv, of } = setup();
    for (const suffix of ['SETPOINT:SET', 'RAMPRATE:SET', 'STARTHEAT', 'TEMP', 'POWER', 'TST_MOTOR_POS', 'RAMPRATE']) {
      const v = pv(suffix).value;
      await pv(suffix).put(v);
      await pv(suffix).put(v);
      expect(of(suffix).map((p) => [p.value, p.mask & (DBE.VALUE | DBE.LOG)]), suffix).toEqual([
        [v, DBE.VALUE | DBE.LOG],
        [v, DBE.VALUE | DBE.LOG],
      ]);
    }
    // STARTHEAT 1 twice: two posts, one ramp.
    await pv('STARTHEAT').put(1);
    await pv('STARTHEAT').put(1);
    expect(of('STARTHEAT').map((p) => p.value)).toEqual([0, 0, 1, 1]);
  });

  it('a second STARTHEAT 1 while ramping does not start a second ramp (one step per period)', async () => {
    const { clock, pv, of } = setup();
    await pv('SETPOINT:SET').put(30);
    await pv('STARTHEAT').put(1);
    clock.advance(500);
    await pv('STARTHEAT').put(1);
    clock.advance(2000);
    expect(of('TEMP').map((p) => [p.t, p.value])).toEqual([
      [1000, 26],
      [2000, 27],
    ]);
  });

  it('serves the other LinkamThermal/LinkamTensile names as plain values', async () => {
    const { db } = setup();
    for (const suffix of ['RAMPRATE', 'POWER', 'TST_MOTOR_POS', 'SETPOINT', 'LNP_SPEED']) {
      const pv = db.lookup(P + suffix);
      expect(pv, suffix).toBeDefined();
      await pv!.put(3.5);
      expect(pv!.value).toBe(3.5);
    }
  });

  it('the brace-less alias serves the same PVs: a write through one spelling is read through the other', async () => {
    const { clock, db, pv } = setup();
    for (const suffix of ['SETPOINT:SET', 'RAMPRATE:SET', 'STARTHEAT', 'TEMP', 'STATUS', 'POWER']) {
      expect(db.lookup(ALIAS + suffix), suffix).toBe(pv(suffix));
    }
    await db.lookup(`${ALIAS}SETPOINT:SET`)!.put(26);
    await db.lookup(`${ALIAS}STARTHEAT`)!.put(1);
    clock.advance(1000);
    expect(pv('TEMP').value).toBe(26);
    expect(db.lookup(`${ALIAS}TEMP`)!.value).toBe(26);
    expect(db.lookup(`${ALIAS}STATUS`)!.value).toBe(1);
  });

  it('a stepPeriod other than 1 s (the mini profile steps every 0.1 s)', async () => {
    const { clock, pv, of } = setup({ stepPeriod: 0.1 });
    await pv('SETPOINT:SET').put(27);
    await pv('STARTHEAT').put(1);
    clock.advance(1000);
    expect(of('TEMP').map((p) => [p.t, p.value])).toEqual([
      [100, 26],
      [200, 27],
    ]);
  });

  it('reset: heater off, the defaults back at once, the ramp stopped; stop() cancels the timer', async () => {
    const { clock, pv, linkam } = setup();
    await pv('RAMPRATE:SET').put(50);
    await pv('SETPOINT:SET').put(80);
    await pv('STARTHEAT').put(1);
    clock.advance(2000);
    linkam.reset();
    expect([pv('SETPOINT:SET').value, pv('RAMPRATE:SET').value, pv('STARTHEAT').value, pv('TEMP').value, pv('STATUS').value]).toEqual([25, 10, 0, 25, 0]);
    clock.advance(5000);
    expect(pv('TEMP').value).toBe(25);
    expect(clock.pending).toBe(0);
    await pv('STARTHEAT').put(1);
    expect(clock.pending).toBe(1);
    linkam.stop();
    expect(clock.pending).toBe(0);
  });

  it('ignores updates for no one: posts are PvUpdates of the one TEMP Pv (recorder sees the braced name)', async () => {
    const { clock, db, pv } = setup();
    const seen: PvUpdate[] = [];
    db.lookup(`${ALIAS}TEMP`)!.updates.subscribe((u) => seen.push(u));
    await pv('SETPOINT:SET').put(26);
    await pv('STARTHEAT').put(1);
    clock.advance(1000);
    expect(seen.map((u) => [u.pv.name, u.value])).toEqual([[`${P}TEMP`, 26]]);
  });
});

describe('out-of-range settings are refused as the T96 refuses them (issue 12 item 9)', () => {
  it('a setpoint of 5000 (or NaN, or ±Inf) is refused with ECA_PUTFAIL; the setpoint and the ramp stay as they were', async () => {
    const { clock, pv, of } = setup();
    await pv('SETPOINT:SET').put(30);
    await pv('STARTHEAT').put(1);
    for (const bad of [5000, 600.5, -197, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const err = await pv('SETPOINT:SET').put(bad).catch((e: unknown) => e);
      expect(err, String(bad)).toBeInstanceOf(PutError);
      expect((err as PutError).status).toBe(ECA.PUTFAIL);
    }
    expect(pv('SETPOINT:SET').value).toBe(30);
    clock.advance(5000);
    expect(pv('TEMP').value).toBe(30); // still ramping to 30, not to 5000, and done
    expect(pv('STATUS').value).toBe(1);
    expect(of('SETPOINT:SET').map((p) => p.value)).toEqual([30]);
  });

  it('the limits are the THMS600 stage’s (−196 … 600 °C) and show as control limits; a profile may set its own', async () => {
    const { pv } = setup();
    await pv('SETPOINT:SET').put(600);
    await pv('SETPOINT:SET').put(-196);
    expect(pv('SETPOINT:SET').value).toBe(-196);
    expect(pv('SETPOINT:SET').limits).toMatchObject({ lowerCtrl: -196, upperCtrl: 600 });
    const db = new PvDatabase(new VirtualClock(0));
    createLinkam(db, { prefix: 'H:', range: [-40, 120] });
    await expect(db.get('H:SETPOINT:SET')!.put(150)).rejects.toThrow(/outside the controller's range -40 … 120/);
  });

  it('ramp rates outside 0.01 … 150 are refused (0 would never arrive, a negative one would run away)', async () => {
    const { pv } = setup();
    for (const bad of [0, -5, 151, 1e9, Number.NaN]) await expect(pv('RAMPRATE:SET').put(bad), String(bad)).rejects.toBeInstanceOf(PutError);
    expect(pv('RAMPRATE:SET').value).toBe(10);
    await pv('RAMPRATE:SET').put(150);
    expect(pv('RAMPRATE:SET').value).toBe(150);
  });

  it('the LN2 pump speed is clamped to 0 … 100 % as the driver clamps it; STARTHEAT takes any non-zero as On', async () => {
    const { pv } = setup();
    await pv('LNP_SPEED:SET').put(250);
    expect(pv('LNP_SPEED:SET').value).toBe(100);
    await pv('LNP_SPEED:SET').put(-3);
    expect(pv('LNP_SPEED:SET').value).toBe(0);
    await pv('STARTHEAT').put(7);
    expect(pv('STARTHEAT').value).toBe(1);
  });

  it('over CA, `beamtwin put` of a setpoint of 5000 fails with one line and the value stays', async () => {
    const db = new PvDatabase(new RealClock());
    const linkam = createLinkam(db, { prefix: P });
    const server = await startServer(db);
    const env = { ...server.clientEnv(), EPICS_CA_REPEATER_PORT: '1' };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    let err = '';
    try {
      const code = await runCli(['put', '-w', '2', `${P}SETPOINT:SET`, '5000'], { stdout: { write: () => true }, stderr: { write: (s: string) => (err += s) } });
      expect(code).toBe(1);
      expect(err).toMatch(/^beamtwin: put to .*SETPOINT:SET failed: .*ECA_PUTFAIL.*\n$/);
      expect(db.get(`${P}SETPOINT:SET`)!.value).toBe(25);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      linkam.stop();
      await server.stop();
    }
  });
});
