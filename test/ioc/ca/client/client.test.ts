// Our CA client against our CA server, in-process on loopback (style item 11).
import { firstValueFrom, take, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaError } from '../../../../ioc/ca/client/errors.js';
import type { CaValue } from '../../../../ioc/ca/client/values.js';
import { AlarmStatus, DBE, ECA, Severity } from '../../../../ioc/ca/protocol/constants.js';
import { DbrBase, DbrClass, dbrInfo, dbrTypeFor } from '../../../../ioc/ca/protocol/dbr-types.js';
import { PutError } from '../../../../ioc/db/errors.js';
import type { PvDatabase } from '../../../../ioc/db/database.js';
import { harness, type Harness } from './harness.js';

const natives: { base: DbrBase; value: number | string; next: number | string }[] = [
  { base: DbrBase.STRING, value: 'hello', next: 'world' },
  { base: DbrBase.SHORT, value: -1234, next: 321 },
  { base: DbrBase.FLOAT, value: 1.5, next: -2.25 },
  { base: DbrBase.ENUM, value: 1, next: 2 },
  { base: DbrBase.CHAR, value: 200, next: 7 },
  { base: DbrBase.LONG, value: -100000, next: 2 ** 30 },
  { base: DbrBase.DOUBLE, value: Math.PI, next: -1e-300 },
];
const baseName = (b: DbrBase) => ['STRING', 'SHORT', 'FLOAT', 'ENUM', 'CHAR', 'LONG', 'DOUBLE'][b]!;

let h: Harness;
let release: (() => void) | undefined;
let slowPuts: unknown[] = [];

function setup(db: PvDatabase, p: string): void {
  for (const n of natives) {
    db.create(`${p}${baseName(n.base)}`, {
      type: n.base,
      value: n.value,
      ...(n.base === DbrBase.ENUM ? { enumStrings: ['Zero', 'One', 'Two'] } : {}),
      units: 'mm',
      precision: 3,
      limits: { upperDisp: 100, lowerDisp: -100, upperAlarm: 90, upperWarning: 80, lowerWarning: -80, lowerAlarm: -90, upperCtrl: 50, lowerCtrl: -50 },
    });
  }
  db.create(`${p}WF`, { type: DbrBase.DOUBLE, value: Float64Array.from({ length: 100_000 }, (_, i) => i * 0.5), maxCount: 100_000 });
  db.create(`${p}RO`, { type: DbrBase.DOUBLE, value: 1, writable: false });
  db.create(`${p}SLOW`, {
    type: DbrBase.LONG,
    value: 0,
    put: (pv, value) => {
      slowPuts.push(value);
      return new Promise<void>((resolve) => {
        release = () => {
          pv.set(value);
          resolve();
        };
      });
    },
  });
  db.create(`${p}FAIL`, {
    type: DbrBase.DOUBLE,
    value: 0,
    put: () => Promise.reject(new PutError('motor is disabled', ECA.PUTFAIL)),
  });
  db.create(`${p}LIMITED`, {
    type: DbrBase.DOUBLE,
    value: 0,
    put: () => {
      throw new PutError('no write here', ECA.NOWTACCESS);
    },
  });
}

beforeAll(async () => {
  h = await harness(setup);
});
afterAll(async () => {
  await h.close();
});

const ch = (suffix: string) => h.client.channel(h.prefix + suffix);

describe('CaClient get/put', () => {
  for (const n of natives) {
    it(`reads and writes a native ${baseName(n.base)}`, async () => {
      const c = await ch(baseName(n.base)).connected();
      expect(c.nativeType).toBe(n.base);
      expect(c.count).toBe(1);
      expect(c.readAccess && c.writeAccess).toBe(true);
      const v = await c.get();
      expect(v.type).toBe(n.base);
      if (n.base === DbrBase.FLOAT) expect(v.value).toBeCloseTo(n.value as number, 6);
      else expect(v.value).toBe(n.value);
      await c.put(n.next, { wait: true });
      const w = await c.get();
      if (n.base === DbrBase.FLOAT) expect(w.value).toBeCloseTo(n.next as number, 6);
      else expect(w.value).toBe(n.next);
      await c.put(n.value, { wait: true });
      c.close();
    });
  }

  it('reads every DBR class of every native type with its metadata', async () => {
    for (const n of natives) {
      const c = await ch(baseName(n.base)).connected();
      for (let cls = 0; cls < 5; cls++) {
        for (let base = 0; base < 7; base++) {
          const type = dbrTypeFor(base as DbrBase, cls as DbrClass);
          if (n.base === DbrBase.STRING && base !== DbrBase.STRING && base !== DbrBase.ENUM) continue; // 'hello' is no number
          if (n.base === DbrBase.STRING && base === DbrBase.ENUM) continue;
          const v = await c.get({ type });
          expect(v.type).toBe(type);
          if (cls >= DbrClass.STS) {
            expect(v.status).toBe(0);
            expect(v.severity).toBe(0);
          }
          if (cls === DbrClass.TIME) {
            expect(v.secPastEpoch).toBeGreaterThan(1_000_000_000); // after 2021 in EPICS seconds
            expect(v.timestamp).toBeCloseTo(v.secPastEpoch! + 631152000 + v.nsec! / 1e9, 6);
          }
          const info = dbrInfo(type)!;
          if ((cls === DbrClass.GR || cls === DbrClass.CTRL) && base !== DbrBase.STRING && base !== DbrBase.ENUM) {
            expect(v.units).toBe('mm');
            expect(v.limits?.upperDisp).toBe(base === DbrBase.CHAR ? 100 : 100);
            expect(v.limits?.lowerAlarm).toBe(base === DbrBase.CHAR ? (-90 & 0xff) : -90);
            if (cls === DbrClass.CTRL) expect(v.limits?.upperCtrl).toBe(50);
            if (base === DbrBase.FLOAT || base === DbrBase.DOUBLE) expect(v.precision).toBe(3);
          }
          if ((cls === DbrClass.GR || cls === DbrClass.CTRL) && base === DbrBase.ENUM && n.base === DbrBase.ENUM) {
            expect(v.enumStrings).toEqual(['Zero', 'One', 'Two']);
          }
          expect(info.name).toMatch(/^DBR_/);
        }
      }
      c.close();
    }
  });

  it("asks for a class of the native type by name: 'time', 'ctrl', and DBR names", async () => {
    const c = await ch('DOUBLE').connected();
    expect((await c.get({ type: 'ctrl' })).type).toBe(34);
    expect((await c.get({ type: 'time' })).type).toBe(20);
    expect((await c.get({ type: 'DBR_STS_LONG' })).type).toBe(12);
    expect((await c.get({ type: 'string' })).value).toBe('3.142'); // PREC 3
    await expect(c.get({ type: 'nonsense' })).rejects.toMatchObject({ status: ECA.BADTYPE });
    c.close();
  });

  it('reads a 100 000-element waveform whole and in part, and writes it', async () => {
    const c = await ch('WF').connected();
    expect(c.count).toBe(100_000);
    const v = await c.get({ type: 'time' });
    expect(v.count).toBe(100_000);
    const arr = v.value as number[];
    expect(arr.length).toBe(100_000);
    expect(arr[99_999]).toBe(99_999 * 0.5);
    const part = await c.get({ count: 10 });
    expect(part.value).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5]);
    const next = Float64Array.from({ length: 100_000 }, (_, i) => -i);
    await c.put(next, { wait: true });
    const back = (await c.get()).value as number[];
    expect(back[12345]).toBe(-12345);
    expect(back.length).toBe(100_000);
    await expect(c.put(new Float64Array(100_001))).rejects.toMatchObject({ status: ECA.BADCOUNT });
    c.close();
  });

  it('put without wait is applied in order with later requests', async () => {
    const c = await ch('LONG').connected();
    for (let i = 1; i <= 50; i++) void c.put(i);
    expect((await c.get()).value).toBe(50);
    await c.put(-100000, { wait: true });
    c.close();
  });

  it('put-callback completes only after a slow put handler settles', async () => {
    const c = await ch('SLOW').connected();
    slowPuts = [];
    let settled = false;
    const done = c.put(42, { wait: true, timeout: 30 }).then(() => (settled = true));
    // A get on the same circuit is answered after the server has seen the put.
    await c.get();
    await c.get();
    expect(slowPuts).toEqual([42]);
    expect(settled).toBe(false);
    expect((await c.get()).value).toBe(0);
    release!();
    await done;
    expect(settled).toBe(true);
    expect((await c.get()).value).toBe(42);
    c.close();
  });

  it('pipelines thousands of requests into few socket writes', async () => {
    const c = await ch('DOUBLE').connected();
    const before = h.client.stats.writes;
    const all = Array.from({ length: 5000 }, () => c.get());
    const results = await Promise.all(all);
    expect(results.every((r) => r.value === Math.PI)).toBe(true);
    expect(h.client.stats.writes - before).toBeLessThanOrEqual(2);
    c.close();
  });
});

describe('CaClient errors', () => {
  it('bad names time out cleanly with ECA_TIMEOUT', async () => {
    const c = ch('NO:SUCH:PV');
    const err = await c.connected(0.2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaError);
    expect((err as CaError).status).toBe(ECA.TIMEOUT);
    await expect(c.get({ timeout: 0.1 })).rejects.toMatchObject({ status: ECA.TIMEOUT });
    expect(c.state).toBe('searching');
    c.close();
    expect(c.state).toBe('closed');
    await expect(c.get()).rejects.toMatchObject({ status: ECA.BADCHID });
  });

  it('a failing put-callback rejects with the status the put handler gave', async () => {
    const c = await ch('FAIL').connected();
    await expect(c.put(1, { wait: true })).rejects.toMatchObject({ name: 'CaError', status: ECA.PUTFAIL });
    const l = await ch('LIMITED').connected();
    await expect(l.put(1, { wait: true })).rejects.toMatchObject({ status: ECA.NOWTACCESS });
    c.close();
    l.close();
  });

  it('a read-only channel refuses writes with ECA_NOWTACCESS', async () => {
    const c = await ch('RO').connected();
    expect(c.writeAccess).toBe(false);
    await expect(c.put(2, { wait: true })).rejects.toMatchObject({ status: ECA.NOWTACCESS });
    c.close();
  });

  it('an unconvertible string is ECA_PUTFAIL from the server (wait) or an async ERROR (no wait)', async () => {
    const c = await ch('DOUBLE').connected();
    await expect(c.put('not a number', { wait: true })).rejects.toMatchObject({ status: ECA.PUTFAIL });
    const errors = firstValueFrom(h.client.errors);
    await c.put('still not a number');
    const e = await errors;
    expect(e).toBeInstanceOf(CaError);
    expect(e.status).toBe(ECA.PUTFAIL); // as softIoc: a failed put, not a bad type
    expect((await c.get()).value).toBe(Math.PI);
    await expect(c.put('x', { type: 'DBR_DOUBLE' })).rejects.toMatchObject({ status: ECA.BADTYPE });
    c.close();
  });
});

describe('CaClient enums and alarms', () => {
  it('reads enums as index or state string and writes them either way', async () => {
    const c = await ch('ENUM').connected();
    expect((await c.get()).value).toBe(1);
    expect((await c.get({ type: 'string' })).value).toBe('One');
    await c.put('Two', { wait: true });
    expect((await c.get()).value).toBe(2);
    await c.put(0, { wait: true });
    expect((await c.get({ type: 'string' })).value).toBe('Zero');
    const ctrl = await c.get({ type: 'ctrl' });
    expect(ctrl.enumStrings).toEqual(['Zero', 'One', 'Two']);
    await expect(c.put('Seven', { wait: true })).rejects.toMatchObject({ status: ECA.PUTFAIL });
    await c.put(1, { wait: true });
    c.close();
  });

  it('shows alarm status and severity in STS/TIME reads and alarm monitors', async () => {
    const pv = h.db.get(`${h.prefix}SHORT`)!;
    const c = await ch('SHORT').connected();
    const updates = c.subscribe({ type: 'time', mask: DBE.ALARM }).pipe(take(2), toArray());
    const got = firstValueFrom(updates);
    await c.get(); // the subscription is in place once a later request is answered
    pv.setAlarm(AlarmStatus.HIHI, Severity.MAJOR);
    const [first, second] = (await got) as [CaValue, CaValue];
    expect(first.severity).toBe(0);
    expect(second.status).toBe(AlarmStatus.HIHI);
    expect(second.severity).toBe(Severity.MAJOR);
    const sts = await c.get({ type: 'sts' });
    expect([sts.status, sts.severity]).toEqual([AlarmStatus.HIHI, Severity.MAJOR]);
    pv.setAlarm(0, 0);
    c.close();
  });
});

describe('CaClient monitors', () => {
  it('delivers every change once and in order', async () => {
    const pv = h.db.get(`${h.prefix}LONG`)!;
    const c = await ch('LONG').connected();
    const seen: number[] = [];
    const sub = c.subscribe().subscribe((v) => seen.push(v.value as number));
    await c.get();
    for (let i = 1; i <= 500; i++) pv.set(i);
    await c.get();
    while (seen.length < 501) await c.get();
    expect(seen[0]).toBe(-100000);
    expect(seen.slice(1)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    sub.unsubscribe();
    pv.set(9999);
    await c.get();
    await c.get();
    expect(seen.length).toBe(501);
    pv.set(-100000);
    c.close();
  });

  it('monitors arrays with a count', async () => {
    const c = await ch('WF').connected();
    const v = await firstValueFrom(c.subscribe({ count: 3 }));
    expect(v.count).toBe(3);
    expect((v.value as number[]).length).toBe(3);
    c.close();
  });

  it('completes monitors when the channel closes', async () => {
    const c = await ch('DOUBLE').connected();
    let completed = false;
    c.subscribe().subscribe({ complete: () => (completed = true) });
    c.close();
    expect(completed).toBe(true);
  });
});
