// Our CA client against the real C server: pythonSoftIOC's RSRV serving EPICS base records
// (test/fixtures/db/client-types.db). get/put/put-callback/monitor in every DBR class, arrays, enums,
// strings, and reconnection after the IOC process restarts on the same port.
import * as path from 'node:path';
import { filter, firstValueFrom, shareReplay, take, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaClient } from '../../ioc/ca/client/client.js';
import { AlarmStatus, DBE, ECA, Severity } from '../../ioc/ca/protocol/constants.js';
import { DBR_CLASS_NAME, DBR_PUT_ACKS, DBR_PUT_ACKT, DBR_STSACK_STRING, DbrBase, DbrClass, dbrTypeFor } from '../../ioc/ca/protocol/dbr-types.js';
import { randomPrefix, quietLogger } from '../helpers/ca-server.js';
import { freeUdpPort } from '../helpers/ports.js';
import { SoftIoc } from './softioc.js';

const DB = path.resolve(__dirname, '../fixtures/db/client-types.db');
const CLASSES = [DbrClass.PLAIN, DbrClass.STS, DbrClass.TIME, DbrClass.GR, DbrClass.CTRL] as const;

describe('our CA client against pythonSoftIOC (RSRV)', () => {
  const P = randomPrefix();
  let ioc: SoftIoc;
  let client: CaClient;

  beforeAll(async () => {
    ioc = await SoftIoc.start([{ path: DB, macros: `P=${P}` }]);
    client = new CaClient({
      env: {},
      addrList: [`127.0.0.1:${ioc.port}`],
      autoAddrList: false,
      repeaterPort: await freeUdpPort(),
      timeout: 10,
      log: quietLogger(),
    });
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await ioc?.stop();
  });

  const ch = (name: string) => client.channel(`${P}${name}`).connected(10);

  it('reads a DOUBLE in every DBR class with the metadata of each', async () => {
    const c = await ch('dbl');
    expect([c.nativeType, c.count, c.readAccess, c.writeAccess]).toEqual([DbrBase.DOUBLE, 1, true, true]);
    const [plain, sts, time, gr, ctrl] = await Promise.all(CLASSES.map((cls) => c.get({ type: dbrTypeFor(DbrBase.DOUBLE, cls) })));
    expect(plain).toMatchObject({ value: 1.5, count: 1 });
    expect(plain!.status).toBeUndefined();
    expect(sts).toMatchObject({ value: 1.5, status: AlarmStatus.NO_ALARM, severity: Severity.NO_ALARM });
    expect(time).toMatchObject({ value: 1.5, status: AlarmStatus.NO_ALARM, severity: Severity.NO_ALARM });
    expect(time!.secPastEpoch).toBeGreaterThan(0); // PINI processed it: a real time stamp
    const limits = { upperDisp: 10, lowerDisp: -10, upperAlarm: 8, upperWarning: 6, lowerWarning: -6, lowerAlarm: -8 };
    expect(gr).toMatchObject({ value: 1.5, units: 'mm', precision: 3, limits });
    expect(gr!.limits!.upperCtrl).toBeUndefined();
    expect(ctrl).toMatchObject({ value: 1.5, units: 'mm', precision: 3, limits: { ...limits, upperCtrl: 9, lowerCtrl: -9 } });
  });

  it('reads LONG, ENUM and STRING channels in every class, and converts between types on request', async () => {
    const long = await ch('long');
    expect(long.nativeType).toBe(DbrBase.LONG);
    const lc = await long.get({ type: 'ctrl' });
    expect(lc).toMatchObject({ value: 42, units: 'counts', limits: { upperDisp: 100, lowerDisp: 0, upperCtrl: 1000, lowerCtrl: -1000 } });
    expect((await long.get({ type: 'DBR_STRING' })).value).toBe('42');
    expect((await long.get({ type: 'DBR_DOUBLE' })).value).toBe(42);

    const en = await ch('enum');
    expect(en.nativeType).toBe(DbrBase.ENUM);
    for (const cls of CLASSES) expect((await en.get({ type: dbrTypeFor(DbrBase.ENUM, cls) })).value).toBe(1);
    expect((await en.get({ type: 'gr' })).enumStrings).toEqual(['Off', 'Low', 'High']);
    expect((await en.get({ type: 'ctrl' })).enumStrings).toEqual(['Off', 'Low', 'High']);
    expect((await en.get({ type: 'DBR_STRING' })).value).toBe('Low');

    const str = await ch('str');
    expect(str.nativeType).toBe(DbrBase.STRING);
    for (const cls of CLASSES) {
      const v = await str.get({ type: dbrTypeFor(DbrBase.STRING, cls) });
      expect(v.value).toBe('hello');
      if (cls !== DbrClass.PLAIN) expect(v).toMatchObject({ status: AlarmStatus.NO_ALARM, severity: Severity.NO_ALARM });
    }
  });

  it('puts every type, enums by index and by string, and reads back what RSRV stored', async () => {
    const dbl = await ch('dbl');
    await dbl.put(2.25, { wait: true });
    expect((await dbl.get()).value).toBe(2.25);
    await dbl.put('3.5', { wait: true }); // a string converted by the server
    expect((await dbl.get()).value).toBe(3.5);
    const en = await ch('enum');
    await en.put(2, { wait: true });
    expect((await en.get({ type: 'DBR_STRING' })).value).toBe('High');
    await en.put('Off', { wait: true, type: 'DBR_STRING' });
    expect((await en.get()).value).toBe(0);
    const str = await ch('str');
    await str.put('written by beamtwin', { wait: true });
    expect((await str.get()).value).toBe('written by beamtwin');
    const long = await ch('long');
    await long.put(-7);
    expect((await long.get()).value).toBe(-7); // a plain put, then a read on the same circuit
  });

  it('reads and writes arrays: dynamic length, full length, DOUBLE/SHORT/FLOAT/CHAR', async () => {
    const wf = await ch('wf');
    expect([wf.nativeType, wf.count]).toEqual([DbrBase.DOUBLE, 8]);
    expect((await wf.get()).value).toEqual([1.5, 2.5, 3.5]); // count 0: the current length (NORD)
    const ctrl = await wf.get({ type: 'ctrl' });
    expect(ctrl).toMatchObject({ value: [1.5, 2.5, 3.5], units: 'V', precision: 2 });
    const full = await wf.get({ count: 8 });
    expect(full.value).toEqual([1.5, 2.5, 3.5, 0, 0, 0, 0, 0]);
    await wf.put([4, 5, 6, 7, 8], { wait: true });
    expect((await wf.get()).value).toEqual([4, 5, 6, 7, 8]);
    expect((await wf.get({ type: 'time' })).value).toEqual([4, 5, 6, 7, 8]);

    const shorts = await ch('shorts');
    expect(shorts.nativeType).toBe(DbrBase.SHORT);
    await shorts.put([-1, 2, 32767], { wait: true });
    expect((await shorts.get()).value).toEqual([-1, 2, 32767]);
    const floats = await ch('floats');
    expect(floats.nativeType).toBe(DbrBase.FLOAT);
    await floats.put([0.5, -1.25], { wait: true });
    expect((await floats.get({ type: 'sts' })).value).toEqual([0.5, -1.25]);
    const chars = await ch('chars');
    expect([chars.nativeType, chars.count]).toEqual([DbrBase.CHAR, 32]);
    const text = [...Buffer.from('long text', 'latin1'), 0];
    await chars.put(text, { wait: true });
    expect((await chars.get()).value).toEqual(text);
  });

  it('completes a put-callback only when processing finished (a seq with a delay)', async () => {
    const late = await ch('late');
    const slow = await ch('slow.PROC');
    expect((await late.get()).value).toBe(0);
    await slow.put(1, { wait: true });
    // The seq wrote `late` 0.2 s after the put; the completion came after that write.
    expect((await late.get()).value).toBe(7);
  });

  it('refuses a put to a read-only field with the server status', async () => {
    const stat = await ch('dbl.STAT');
    await expect(stat.put(3, { wait: true })).rejects.toMatchObject({ status: expect.any(Number) });
    const err = await stat.put(3, { wait: true }).catch((e: { status: number }) => e.status);
    expect([ECA.PUTFAIL, ECA.NOWTACCESS]).toContain(err);
  });

  it('reads DBR_CLASS_NAME and DBR_STSACK_STRING, writes ACKT and acknowledges an alarm with ACKS', async () => {
    const dbl = await ch('dbl');
    expect((await dbl.get({ type: DBR_CLASS_NAME })).value).toBe('ao');
    await dbl.put(7, { wait: true }); // HIGH, MINOR; ACKT YES latches it in ACKS
    expect(await dbl.get({ type: DBR_STSACK_STRING })).toMatchObject({ value: '7.000', status: AlarmStatus.HIGH, severity: Severity.MINOR, ackt: 1, acks: Severity.MINOR });
    await dbl.put(Severity.MINOR, { type: DBR_PUT_ACKS, wait: true });
    expect((await dbl.get({ type: DBR_STSACK_STRING })).acks).toBe(Severity.NO_ALARM);
    await dbl.put(0, { type: DBR_PUT_ACKT, wait: true });
    expect((await dbl.get({ type: DBR_STSACK_STRING })).ackt).toBe(0);
    expect((await (await ch('dbl.ACKT')).get()).value).toBe(0);
    await dbl.put(0, { wait: true });
  });

  it('reports the server status of a put RSRV cannot convert', async () => {
    const dbl = await ch('dbl');
    const err = await dbl.put('not a number', { wait: true }).then(
      () => undefined,
      (e: { status: number }) => e.status,
    );
    expect(err).toBeDefined();
    expect(err).not.toBe(ECA.NORMAL);
    expect((await dbl.get()).value).toBe(0); // nothing stored, the channel still works
  });

  it('monitors in the TIME and CTRL classes with DBE masks and MDEL', async () => {
    const dbl = await ch('dbl');
    await dbl.put(0, { wait: true });
    const values = firstValueFrom(dbl.subscribe({ type: 'time', mask: DBE.VALUE | DBE.ALARM }).pipe(take(4), toArray()));
    const alarms = firstValueFrom(dbl.subscribe({ type: 'ctrl', mask: DBE.ALARM }).pipe(take(2), toArray()));
    const first = await firstValueFrom(dbl.subscribe({ type: 'time' }));
    expect(first.value).toBe(0);
    await dbl.put(0.25, { wait: true }); // inside MDEL 0.5: no value event
    await dbl.put(1, { wait: true });
    await dbl.put(7, { wait: true }); // HIGH: a value and an alarm event
    await dbl.put(7.25, { wait: true }); // inside MDEL: nothing
    await dbl.put(0, { wait: true });
    const v = await values;
    expect(v.map((x) => [x.value, x.severity])).toEqual([
      [0, Severity.NO_ALARM],
      [1, Severity.NO_ALARM],
      [7, Severity.MINOR],
      [0, Severity.NO_ALARM],
    ]);
    expect(v.every((x) => (x.secPastEpoch ?? 0) > 0)).toBe(true);
    const a = await alarms;
    expect(a.map((x) => [x.value, x.status, x.severity])).toEqual([
      [0, AlarmStatus.NO_ALARM, Severity.NO_ALARM],
      [7, AlarmStatus.HIGH, Severity.MINOR],
    ]);
    expect(a[1]).toMatchObject({ units: 'mm', precision: 3, limits: { upperCtrl: 9 } });
  });

  it('monitors arrays and enums (as strings too)', async () => {
    const wf = await ch('wf');
    const got = firstValueFrom(wf.subscribe({ count: 0 }).pipe(take(2), toArray()));
    await firstValueFrom(wf.subscribe());
    await wf.put([9, 8], { wait: true });
    expect((await got).map((x) => x.value)).toEqual([[4, 5, 6, 7, 8], [9, 8]]);
    const en = await ch('enum');
    const names = firstValueFrom(en.subscribe({ type: 'DBR_STRING' }).pipe(take(2), toArray()));
    await firstValueFrom(en.subscribe());
    await en.put(1, { wait: true });
    expect((await names).map((x) => x.value)).toEqual(['Off', 'Low']);
  });

  it('reconnects after the IOC process restarts: channels come back, monitors resume', async () => {
    const dbl = await ch('dbl');
    await dbl.put(5, { wait: true });
    const updates = dbl.subscribe().pipe(shareReplay({ refCount: true }));
    const seen: number[] = [];
    const sub = updates.subscribe((v) => seen.push(v.value as number));
    await firstValueFrom(updates.pipe(filter((v) => v.value === 5)));
    const down = firstValueFrom(dbl.connection$.pipe(filter((up) => !up)));
    const up = ioc.restart();
    await down;
    expect(dbl.isConnected).toBe(false);
    await up;
    await dbl.connected(30);
    // The new IOC starts from the database (VAL 1.5, PINI) and the re-established monitor delivers it.
    await firstValueFrom(updates.pipe(filter((v) => v.value === 1.5)));
    expect((await dbl.get()).value).toBe(1.5);
    await dbl.put(3, { wait: true });
    await firstValueFrom(updates.pipe(filter((v) => v.value === 3)));
    expect(seen).toEqual([5, 1.5, 3]);
    sub.unsubscribe();
  }, 60_000);
});
