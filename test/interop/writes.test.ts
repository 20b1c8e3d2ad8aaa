// caput through libca: every native type with and without wait, strings written to numbers and enums,
// a 100 000-element waveform, dynamic-length arrays, and refused writes. One python process does all the
// writes; the tests check what it saw and what the server's PVs hold.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ECA } from '../../ioc/ca/protocol/constants.js';
import { DbrBase } from '../../ioc/ca/protocol/dbr-types.js';
import { PutError } from '../../ioc/db/errors.js';
import { startTestServer, type TestServer } from '../helpers/ca-server.js';
import { arrays, createInteropPvs, WAVEFORM_LENGTH } from './fixtures.js';
import { runPython } from './pyepics.js';
import { DBR_LIB, py } from './python-lib.js';

/** [suffix, value put without wait, value put with wait] */
const PUTS: readonly [string, number | string, number | string][] = [
  ['dbl', 3.25, -0.125],
  ['flt', -1.5, 6.75],
  ['lng', -7, 2_000_000_000],
  ['sht', 42, -32768],
  ['chr', 66, 255],
  ['enm', 2, 0],
  ['str', 'new text', 'with wait'],
];

const WRITE_SCRIPT = (prefix: string) =>
  DBR_LIB +
  String.raw`
import numpy as np
P = ${py(prefix)}
PUTS = ${py(PUTS)}
res = {'puts': {}}
for sfx, v1, v2 in PUTS:
    chid = connect(P + sfx)
    r = {}
    r['nowait_ret'] = ca.put(chid, v1)
    r['after_nowait'] = ca.get(chid)
    r['wait_ret'] = ca.put(chid, v2, wait=True, timeout=10)
    r['after_wait'] = ca.get(chid)
    res['puts'][sfx] = r

# Strings converted by the server: "8" into a DOUBLE reads back with PREC 3; enum states by name and index.
chid = connect(P + 'dbl')
res['dbl_from_string'] = {'status': put_callback_status(chid, dbr.STRING, ['8']), 'as_string': ca.get(chid, ftype=dbr.STRING), 'value': ca.get(chid)}
res['dbl_bad_string'] = {'status': put_callback_status(chid, dbr.STRING, ['not a number']), 'value': ca.get(chid)}
chid = connect(P + 'enm')
res['enm_by_name'] = {'status': put_callback_status(chid, dbr.STRING, ['Fault']), 'value': ca.get(chid), 'as_string': ca.get(chid, ftype=dbr.STRING)}
raw_put(chid, dbr.STRING, ['On'])
res['enm_by_name_nowait'] = {'value': ca.get(chid), 'as_string': ca.get(chid, ftype=dbr.STRING)}
res['enm_by_index'] = {'status': put_callback_status(chid, dbr.SHORT, [0]), 'as_string': ca.get(chid, ftype=dbr.STRING)}
pv = epics.PV(P + 'enm', form='ctrl')
pv.wait_for_connection(5)
res['enm_pv_put'] = {'ret': pv.put('Fault', wait=True), 'char_value': pv.get(as_string=True, use_monitor=False), 'value': pv.get(use_monitor=False)}
chid = connect(P + 'lng')
res['lng_from_double'] = {'status': put_callback_status(chid, dbr.DOUBLE, [12.9]), 'value': ca.get(chid)}

# The waveform, whole, with completion.
chid = connect(P + 'wf')
wf = np.arange(${WAVEFORM_LENGTH}, dtype=np.float64) * 2.0 + 1.0
res['wf'] = {'ret': ca.put(chid, wf, wait=True, timeout=20)}
back = ca.get(chid)
res['wf']['back'] = {'len': int(back.size), 'equal': bool(np.array_equal(back, wf))}

# A partly filled waveform: writing 3 elements leaves NORD 3; count-0 reads follow it.
chid = connect(P + 'dyn')
res['dyn'] = {'ret': ca.put(chid, [7.0, 8.0, 9.0], wait=True), 'get0': ca.get(chid).tolist()}
res['dyn']['ret12'] = ca.put(chid, [float(i) for i in range(12)], wait=True)
res['dyn']['get0_12'] = ca.get(chid).tolist()

res['arrays'] = {}
for sfx, values in ${py(arrays.map((a) => [a.suffix, a.write]))}:
    chid = connect(P + sfx)
    res['arrays'][sfx] = {'ret': ca.put(chid, values, wait=True), 'back': ca.get(chid)}
pv = epics.PV(P + 'a_chr', auto_monitor=False)
pv.wait_for_connection(5)
res['long_string'] = {'ret': pv.put('as long string', wait=True), 'back': pv.get(as_string=True)}

# Read-only: libca refuses locally because the server announced no write access.
chid = connect(P + 'ro')
res['ro'] = {'write_access': bool(ca.write_access(chid)), 'put_cb': put_callback_status(chid, dbr.DOUBLE, [1.0]),
             'put_nowait': raw_put(chid, dbr.DOUBLE, [2.0])}
try:
    ca.put(chid, 3.0, wait=True)
    res['ro']['caput'] = 'accepted'
except Exception as e:
    res['ro']['caput'] = type(e).__name__
res['ro']['value'] = ca.get(chid)
pv = epics.PV(P + 'ro')
pv.wait_for_connection(5)
res['ro']['pv_write_access'] = pv.write_access
try:
    pv.put(5.0, wait=True)
    res['ro']['pv_put'] = 'accepted'
except Exception as e:
    res['ro']['pv_put'] = type(e).__name__

# Writable by access rights but refused by the PV's put handler: the status comes back from the server.
res['refused'] = put_callback_status(connect(P + 'refuse'), dbr.DOUBLE, [1.0])
res['denied'] = put_callback_status(connect(P + 'deny'), dbr.DOUBLE, [1.0])
res['failed_later'] = put_callback_status(connect(P + 'fail_late'), dbr.DOUBLE, [1.0])
# The circuit is still good after all of this.
res['still_ok'] = ca.get(connect(P + 'dbl'))
out(res)
`;

type Rec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('caput through libca (pyepics)', () => {
  let s: TestServer;
  let res: Rec;
  const putsSeen: { name: string; value: unknown; notify: boolean | undefined }[] = [];

  beforeAll(async () => {
    s = await startTestServer((db, p) => {
      createInteropPvs(db, p);
      db.create(p + 'refuse', {
        type: DbrBase.DOUBLE,
        put: () => {
          throw new PutError('value refused', ECA.PUTFAIL);
        },
      });
      db.create(p + 'deny', {
        type: DbrBase.DOUBLE,
        put: () => {
          throw new PutError('interlocked', ECA.NOWTACCESS);
        },
      });
      db.create(p + 'fail_late', {
        type: DbrBase.DOUBLE,
        put: async () => {
          await new Promise((r) => setImmediate(r));
          throw new PutError('motor stalled');
        },
      });
    });
    s.db.events.subscribe((e) => {
      if (e.kind === 'put') putsSeen.push({ name: e.pv.name.slice(s.prefix.length), value: e.value, notify: e.ctx.notify });
    });
    res = await runPython<Rec>(WRITE_SCRIPT(s.prefix), { env: s.env, timeoutMs: 40_000 });
  });
  afterAll(() => s?.stop());

  for (const [sfx, v1, v2] of PUTS) {
    it(`${sfx}: caput without and with wait reach the PV`, () => {
      expect(res['puts'][sfx]).toEqual({ nowait_ret: 1, after_nowait: v1, wait_ret: 1, after_wait: v2 });
      const seen = putsSeen.filter((p) => p.name === sfx).slice(0, 2);
      expect(seen).toEqual([
        { name: sfx, value: v1, notify: false },
        { name: sfx, value: v2, notify: true },
      ]);
    });
  }

  it('a string written to a DOUBLE is parsed by the server and reads back with PREC', () => {
    expect(res['dbl_from_string']).toEqual({ status: ECA.NORMAL, as_string: '8.000', value: 8 });
  });

  it('an unparsable string fails the put-callback with ECA_PUTFAIL and leaves the value', () => {
    expect(res['dbl_bad_string']).toEqual({ status: ECA.PUTFAIL, value: 8 });
  });

  it('enum states are written by name and by index and read back as names', () => {
    expect(res['enm_by_name']).toEqual({ status: ECA.NORMAL, value: 2, as_string: 'Fault' });
    expect(res['enm_by_name_nowait']).toEqual({ value: 1, as_string: 'On' });
    expect(res['enm_by_index']).toEqual({ status: ECA.NORMAL, as_string: 'Off' });
    expect(res['enm_pv_put']).toEqual({ ret: 1, char_value: 'Fault', value: 2 });
    expect(s.db.get(s.prefix + 'enm')!.value).toBe(2);
  });

  it('a DOUBLE written to a LONG is truncated as in C', () => {
    expect(res['lng_from_double']).toEqual({ status: ECA.NORMAL, value: 12 });
  });

  it('writes all 100 000 waveform elements with completion', () => {
    expect(res['wf']).toEqual({ ret: 1, back: { len: WAVEFORM_LENGTH, equal: true } });
    const v = s.db.get(s.prefix + 'wf')!.value as ArrayLike<number>;
    expect(v.length).toBe(WAVEFORM_LENGTH);
    expect([v[0], v[1], v[WAVEFORM_LENGTH - 1]]).toEqual([1, 3, 2 * (WAVEFORM_LENGTH - 1) + 1]);
  });

  it('a shorter write changes the current length that count-0 reads return', () => {
    expect(res['dyn']).toEqual({ ret: 1, get0: [7, 8, 9], ret12: 1, get0_12: Array.from({ length: 12 }, (_, i) => i) });
    expect(s.db.get(s.prefix + 'dyn')!.count).toBe(12);
  });

  for (const a of arrays) {
    it(`array of ${a.suffix}: a whole-array caput with wait reaches the PV`, () => {
      expect(res['arrays'][a.suffix]).toEqual({ ret: 1, back: [...a.write] });
      const v = s.db.get(s.prefix + a.suffix)!.value as ArrayLike<number | string>;
      // (a_chr is overwritten by the long-string put below)
      if (a.type !== DbrBase.CHAR) expect(Array.from(v)).toEqual([...a.write]);
    });
  }

  it('a CHAR array takes and gives back a long string', () => {
    expect(res['long_string']).toEqual({ ret: 1, back: 'as long string' });
    expect(Buffer.from(Array.from(s.db.get(s.prefix + 'a_chr')!.value as ArrayLike<number>)).toString('latin1')).toBe('as long string\0');
  });

  it('a read-only PV: libca refuses with ECA_NOWTACCESS, pyepics sees write_access False, value unchanged', () => {
    expect(res['ro']).toMatchObject({
      write_access: false,
      put_cb: { refused: ECA.NOWTACCESS },
      put_nowait: ECA.NOWTACCESS,
      value: 42,
      pv_write_access: false,
    });
    expect(res['ro']['caput']).not.toBe('accepted');
    expect(res['ro']['pv_put']).not.toBe('accepted');
    expect(s.db.get(s.prefix + 'ro')!.value).toBe(42);
    expect(putsSeen.some((p) => p.name === 'ro')).toBe(false);
  });

  it('a put handler refusing or failing reports its ECA status through put-callback', () => {
    expect(res['refused']).toBe(ECA.PUTFAIL);
    expect(res['denied']).toBe(ECA.NOWTACCESS);
    expect(res['failed_later']).toBe(ECA.PUTFAIL);
    expect(res['still_ok']).toBe(8);
  });
});
