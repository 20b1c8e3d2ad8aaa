// The proof of the records issue through libca (pyepics): databases loaded from .db and .substitutions
// files serve what an EPICS IOC would — values, units, precision, display/control/alarm limits, enum
// strings, alarm status and severity, value and archive monitors filtered by MDEL/ADEL, put-callback
// through a forward-link chain, read-only fields. Records run on a VirtualClock the test advances.
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlarmStatus, Severity } from '../../ioc/ca/protocol/constants.js';
import { VirtualClock } from '../../ioc/clock.js';
import { PvDatabase } from '../../ioc/db/database.js';
import { loadDb } from '../../ioc/records/load-db.js';
import { RecordDatabase } from '../../ioc/records/record-database.js';
import { startTestServer, type TestServer } from '../helpers/ca-server.js';
import { PythonSession } from './pyepics.js';
import { py } from './python-lib.js';

const FIX = path.resolve(__dirname, '../fixtures/db');
const tick = () => new Promise<void>((r) => setImmediate(r));

const SCRIPT = (p: string, ad: string) => String.raw`
P = ${py(p)}
AD = ${py(ad)}

def meta(name):
    pv = epics.PV(name, form='ctrl', auto_monitor=False)
    if not pv.wait_for_connection(5):
        raise RuntimeError('no connection to ' + name)
    pv.get()
    c = pv.get_ctrlvars() or {}
    t = epics.PV(name, form='time', auto_monitor=False)
    t.wait_for_connection(5)
    t.get()
    keep = ['units', 'precision', 'enum_strs', 'upper_disp_limit', 'lower_disp_limit', 'upper_ctrl_limit', 'lower_ctrl_limit',
            'upper_alarm_limit', 'upper_warning_limit', 'lower_warning_limit', 'lower_alarm_limit']
    nan = lambda x: 'NaN' if isinstance(x, float) and math.isnan(x) else x
    c = {k: nan(v) for k, v in c.items()}
    return {'value': pv.get(), 'type': ca.field_type(pv.chid), 'count': ca.element_count(pv.chid), 'write': bool(ca.write_access(pv.chid)),
            'status': t.status, 'severity': t.severity, **{k: c.get(k) for k in keep if k in c}}

names = [AD + 'cam1:AcquireTime', AD + 'cam1:AcquireTime_RBV', AD + 'cam2:AcquireTime', AD + 'cam2:ImageMode', AD + 'cam1:Acquire',
         AD + 'cam1:Acquire_RBV', AD + 'cam1:ArraySizeX_RBV', AD + 'image1:Manufacturer_RBV', AD + 'image1:Vendor_RBV', AD + 'cam1:Gain',
         P + 'temperature', P + 'temp', P + 'sum', P + 'limit.OOPT', P + 'sum.STAT', P + 'sum.NAME', P + 'temperature.DESC$']
out({'meta': {n: meta(n) for n in names}})

values, archive = [], []
lock = threading.Lock()
def on_value(value=None, status=None, severity=None, **kw):
    with lock:
        values.append([value, status, severity])
def on_archive(value=None, **kw):
    with lock:
        archive.append(value)
chid = connect(P + 'temperature')
keep = [ca.create_subscription(chid, use_time=True, mask=dbr.DBE_VALUE | dbr.DBE_ALARM, callback=on_value),
        ca.create_subscription(chid, use_time=True, mask=dbr.DBE_LOG, callback=on_archive)]
wait_until(lambda: len(values) > 0 and len(archive) > 0, 10)
out({'ready': True})

while True:
    c = cmd()
    if c['op'] == 'events':
        ca.poll(evt=0.2, iot=0.2)
        with lock:
            out({'values': list(values), 'archive': list(archive)})
    elif c['op'] == 'put_wait':
        st = ca.put(connect(c['pv']), c['value'], wait=True, timeout=10)
        out({'put': c['pv'], 'status': st, 'readback': [ca.get(connect(n)) for n in c['read']]})
    elif c['op'] == 'quit':
        break
`;

describe('EPICS databases served through libca (pyepics)', () => {
  let s: TestServer;
  let session: PythonSession;
  const clock = new VirtualClock();
  let records: RecordDatabase;
  let P = '';
  let AD = '';
  let meta: Record<string, Record<string, unknown>> = {};

  beforeAll(async () => {
    const pvs = new PvDatabase(clock);
    s = await startTestServer(() => {}, {}, { db: pvs });
    P = s.prefix;
    AD = 'BL13:'; // the substitutions file's global P (the server is private to this test)
    records = new RecordDatabase(pvs);
    loadDb(records, {
      files: [
        { path: path.join(FIX, 'calc-chain.db'), macros: { P } },
        { path: path.join(FIX, 'periodic-ai.db'), macros: { P } },
      ],
      substitutions: path.join(FIX, 'NDParam.substitutions'),
    });
    records.start();
    await clock.advance(0);
    // periodic-ai: drive the ramp by hand so the test decides what the ai reads.
    await records.findRecord(`${P}ramp`)!.putField(records.findRecord(`${P}ramp`)!.table.get('SCAN')!, 0, {});
    await setRamp('20');
    session = await PythonSession.start(SCRIPT(P, AD), { env: s.env, timeoutMs: 60_000 });
    meta = (await session.next<{ meta: typeof meta }>((m) => 'meta' in m)).meta;
    await session.next((m) => 'ready' in m);
  }, 90_000);

  afterAll(async () => {
    session?.send({ op: 'quit' });
    await session?.finish().catch(() => undefined);
    records?.stop();
    await s?.stop();
  });

  /** CALC of the ramp → VAL (CALC is pp), then one 1 s scan of the ai. */
  async function setRamp(calc: string): Promise<void> {
    const ramp = records.findRecord(`${P}ramp`)!;
    await ramp.putField(ramp.table.get('CALC')!, calc, {});
    clock.advance(1000);
    await tick();
  }

  it('serves the substitutions-expanded template with units, precision and display/control limits', () => {
    const at = meta[`${AD}cam1:AcquireTime`]!;
    expect(at).toMatchObject({ value: 0.1, type: 6, units: 's', precision: 3, upper_disp_limit: 10, lower_disp_limit: 0, upper_ctrl_limit: 1000, lower_ctrl_limit: 0 });
    expect(at['status']).toBe(AlarmStatus.NO_ALARM);
    expect(meta[`${AD}cam2:AcquireTime`]!['value']).toBe(0.5);
    expect(meta[`${AD}cam1:AcquireTime_RBV`]).toMatchObject({ value: 0.1, units: 's', precision: 3 });
    expect(meta[`${AD}cam1:ArraySizeX_RBV`]).toMatchObject({ value: 2048, type: 5 });
    expect(meta[`${AD}cam1:Gain`]).toMatchObject({ value: 1, upper_ctrl_limit: 16, lower_ctrl_limit: 1 });
  });

  it('serves enum strings of mbbo, busy and menu fields', () => {
    expect(meta[`${AD}cam2:ImageMode`]).toMatchObject({ type: 3, enum_strs: ['Single', 'Multiple', 'Continuous'] });
    expect(meta[`${AD}cam1:Acquire`]).toMatchObject({ type: 3, enum_strs: ['Done', 'Acquire'] });
    expect(meta[`${P}limit.OOPT`]).toMatchObject({ value: 3, enum_strs: ['Every Time', 'On Change', 'When Zero', 'When Non-zero', 'Transition To Zero', 'Transition To Non-zero'] });
  });

  it('reports UDF for records that never processed, INVALID unless the database set VAL, as an IOC does after iocInit', () => {
    expect(meta[`${AD}cam1:Acquire_RBV`]).toMatchObject({ status: AlarmStatus.UDF, severity: Severity.INVALID });
    expect(meta[`${AD}cam1:Acquire`]).toMatchObject({ status: AlarmStatus.UDF, severity: Severity.NO_ALARM });
  });

  it('serves strings, aliases, long-string access and read-only fields', () => {
    expect(meta[`${AD}image1:Manufacturer_RBV`]!['value']).toBe('Beamtwin plugins');
    expect(meta[`${AD}image1:Vendor_RBV`]!['value']).toBe('Beamtwin plugins');
    expect(meta[`${P}temp`]!['value']).toBe(meta[`${P}temperature`]!['value']);
    expect(meta[`${P}temperature.DESC$`]).toMatchObject({ type: 4, value: [...Buffer.from('Sample temperature'), 0], write: true });
    expect(meta[`${P}sum.STAT`]!['write']).toBe(false);
    expect(meta[`${P}sum.NAME`]).toMatchObject({ value: `${P}sum`, write: false });
  });

  it('serves the alarm limits of the ai as its GR/CTRL metadata', () => {
    expect(meta[`${P}temperature`]).toMatchObject({
      units: 'degC',
      precision: 1,
      upper_disp_limit: 100,
      lower_disp_limit: 0,
      upper_alarm_limit: 90,
      upper_warning_limit: 70,
      lower_warning_limit: 10,
      lower_alarm_limit: 5,
    });
  });

  it('posts value monitors beyond MDEL and archive monitors beyond ADEL, with the alarm severities and HYST of an IOC', async () => {
    for (const v of ['20.3', '21', '71', '69', '67', '95']) await setRamp(v);
    session.send({ op: 'events' });
    const ev = await session.next<{ values: [number, number, number][]; archive: number[] }>((m) => 'values' in m);
    expect(ev.values).toEqual([
      [20, AlarmStatus.NO_ALARM, Severity.NO_ALARM],
      // 20.3: within MDEL 0.5 — no post
      [21, AlarmStatus.NO_ALARM, Severity.NO_ALARM],
      [71, AlarmStatus.HIGH, Severity.MINOR],
      [69, AlarmStatus.HIGH, Severity.MINOR], // within HYST 2 of HIGH 70
      [67, AlarmStatus.NO_ALARM, Severity.NO_ALARM],
      [95, AlarmStatus.HIHI, Severity.MAJOR],
    ]);
    expect(ev.archive).toEqual([20, 71, 95]); // ADEL 5 from the last archived value
  });

  it('completes a put-callback through a forward-link chain and runs the calcout', async () => {
    session.send({ op: 'put_wait', pv: `${P}seed`, value: 7, read: [`${P}double`, `${P}sum`, `${P}limit`, `${P}clamped`] });
    const r = await session.next<{ status: number; readback: number[] }>((m) => 'put' in m);
    expect(r.status).toBe(1);
    expect(r.readback).toEqual([14, 31, 1, 31]);
  });

  it('clips a put to DRVH and forward-processes the readback', async () => {
    session.send({ op: 'put_wait', pv: `${AD}cam1:AcquireTime`, value: 5000, read: [`${AD}cam1:AcquireTime`, `${AD}cam1:AcquireTime_RBV`] });
    const r = await session.next<{ readback: number[] }>((m) => 'put' in m);
    expect(r.readback).toEqual([1000, 1000]);
  });
});
