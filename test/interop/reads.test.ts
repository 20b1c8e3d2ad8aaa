// caget through libca: every native type and a 100 000-element waveform, as plain / STS / TIME / GR / CTRL,
// with the metadata a client must see. One python process reads everything; the tests check its report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EPICS_EPOCH_OFFSET } from '../../ioc/ca/protocol/constants.js';
import { DbrBase } from '../../ioc/ca/protocol/dbr-types.js';
import { startTestServer, type TestServer } from '../helpers/ca-server.js';
import { arrays, createInteropPvs, ENUM_STRINGS, scalars, WAVEFORM_LENGTH, waveformValue } from './fixtures.js';
import { runPython } from './pyepics.js';
import { DBR_LIB, py } from './python-lib.js';

const READ_SCRIPT = (prefix: string) =>
  DBR_LIB +
  String.raw`
P = ${py(prefix)}
SUFFIXES = ${py(scalars.map((s) => s.suffix))}
res = {'scalars': {}}

def md(d):
    return {k: v for k, v in d.items()} if d else d

for sfx in SUFFIXES:
    name = P + sfx
    chid = connect(name)
    ft = ca.field_type(chid)
    r = {'field_type': ft, 'count': ca.element_count(chid), 'read': bool(ca.read_access(chid)), 'write': bool(ca.write_access(chid))}
    r['plain'] = ca.get(chid)
    r['as_string'] = ca.get(chid, ftype=dbr.STRING)
    if ft != dbr.STRING:
        r['as_double'] = ca.get(chid, ftype=dbr.DOUBLE)
    r['sts'] = decode_sts(ft, raw_get(chid, 7 + ft))
    r['time'] = md(ca.get_with_metadata(chid, ftype=14 + ft))
    r['gr'] = decode_gr(ft, raw_get(chid, 21 + ft))
    r['ctrl'] = md(ca.get_with_metadata(chid, ftype=28 + ft))
    pv = epics.PV(name, form='ctrl', auto_monitor=False)
    pv.wait_for_connection(5)
    r['pv_ctrl'] = {'value': pv.get(), 'char_value': pv.get(as_string=True), 'units': pv.units, 'precision': pv.precision,
                    'enum_strs': pv.enum_strs, 'upper_ctrl_limit': pv.upper_ctrl_limit, 'lower_ctrl_limit': pv.lower_ctrl_limit,
                    'ctrlvars': pv.get_ctrlvars()}
    pvt = epics.PV(name, form='time', auto_monitor=False)
    pvt.wait_for_connection(5)
    r['pv_time'] = {'value': pvt.get(), 'timestamp': pvt.timestamp, 'status': pvt.status, 'severity': pvt.severity,
                    'timevars': ca.get_timevars(chid)}
    res['scalars'][sfx] = r

# A numeric string read as a number fails in the server's conversion: the get fails, the circuit stays.
chid = connect(P + 'str')
try:
    res['str_as_double'] = {'value': ca.get_with_metadata(chid, ftype=dbr.DOUBLE, timeout=3)}
except Exception as e:
    res['str_as_double'] = {'error': type(e).__name__}
res['str_after'] = ca.get(chid)

import numpy as np
def summary(a):
    a = np.asarray(a)
    return {'len': int(a.size), 'first': float(a[0]), 'last': float(a[-1]), 'sum': float(a.sum())}

chid = connect(P + 'wf')
wf = {'field_type': ca.field_type(chid), 'count': ca.element_count(chid)}
wf['plain'] = summary(ca.get(chid))
d = ca.get_with_metadata(chid, ftype=dbr.TIME_DOUBLE)
wf['time'] = {'status': d['status'], 'severity': d['severity'], 'posixseconds': d['posixseconds'], 'nanoseconds': d['nanoseconds'], 'value': summary(d['value'])}
d = ca.get_with_metadata(chid, ftype=dbr.CTRL_DOUBLE)
wf['ctrl'] = {'units': d['units'], 'precision': d['precision'], 'upper_disp_limit': d['upper_disp_limit'], 'value': summary(d['value'])}
raw = raw_get(chid, 13)
wf['sts'] = {'status': struct.unpack('=hh', raw[:4]), 'value': summary(np.frombuffer(raw, dtype=np.float64, offset=8))}
raw = raw_get(chid, 27)
g = decode_gr(6, raw)
wf['gr'] = {'units': g['units'], 'precision': g['precision'], 'limits': g['limits'], 'value': summary(np.frombuffer(raw, dtype=np.float64, offset=64))}
wf['first10'] = ca.get(chid, count=10).tolist()
wf['as_string3'] = list(ca.get(chid, ftype=dbr.STRING, count=3))
res['wf'] = wf

res['arrays'] = {}
for sfx in ${py(arrays.map((a) => a.suffix))}:
    chid = connect(P + sfx)
    d = ca.get_with_metadata(chid, ftype=14 + ca.field_type(chid))
    r = {'field_type': ca.field_type(chid), 'count': ca.element_count(chid), 'plain': ca.get(chid),
         'time': {'value': d['value'], 'status': d['status'], 'posixseconds': d['posixseconds']}}
    if ca.field_type(chid) == dbr.CHAR:
        pv = epics.PV(P + sfx, auto_monitor=False)
        pv.wait_for_connection(5)
        r['as_string'] = pv.get(as_string=True)
    res['arrays'][sfx] = r

chid = connect(P + 'dyn')
res['dyn'] = {'count': ca.element_count(chid), 'get0': ca.get(chid).tolist(), 'get20': ca.get(chid, count=20).tolist(),
              'get3': ca.get(chid, count=3).tolist()}

chid = connect(P + 'ro')
res['ro'] = {'read': bool(ca.read_access(chid)), 'write': bool(ca.write_access(chid)), 'value': ca.get(chid)}
pv = epics.PV(P + 'ro')
pv.wait_for_connection(5)
res['ro']['pv_write_access'] = pv.write_access
res['ro']['pv_read_access'] = pv.read_access

chid = connect(P + 'alarmed')
res['alarmed'] = {'sts': decode_sts(6, raw_get(chid, 13)), 'time': md(ca.get_with_metadata(chid, ftype=dbr.TIME_DOUBLE)),
                  'ctrl': md(ca.get_with_metadata(chid, ftype=dbr.CTRL_DOUBLE)), 'gr': decode_gr(6, raw_get(chid, 27))}
out(res)
`;

type Rec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('caget through libca (pyepics)', () => {
  let s: TestServer;
  let res: Rec;
  let startedAt: number;

  beforeAll(async () => {
    startedAt = Date.now() / 1000;
    s = await startTestServer(createInteropPvs);
    res = await runPython<Rec>(READ_SCRIPT(s.prefix), { env: s.env });
  });
  afterAll(() => s?.stop());

  for (const spec of scalars) {
    describe(`${DbrBase[spec.type as unknown as keyof typeof DbrBase] ?? spec.type} ${spec.suffix}`, () => {
      const r = (): Rec => res['scalars'][spec.suffix];
      const isNumeric = spec.type !== DbrBase.STRING;
      const isEnum = spec.type === DbrBase.ENUM;
      const hasLimits = isNumeric && !isEnum;

      it('connects with the native type, count 1 and read/write access', () => {
        expect(r()).toMatchObject({ field_type: spec.type, count: 1, read: true, write: true });
      });

      it('reads the plain value and converts it to DBR_STRING / DBR_DOUBLE in the server', () => {
        expect(r()['plain']).toEqual(spec.value);
        expect(r()['as_string']).toBe(spec.asString);
        if (isNumeric) expect(r()['as_double']).toBe(spec.value);
      });

      it('reads STS with status and severity', () => {
        expect(r()['sts']).toEqual({ status: 0, severity: 0, value: spec.value });
      });

      it('reads TIME with the PV timestamp (EPICS epoch), near now', () => {
        const pv = s.db.get(s.prefix + spec.suffix)!;
        const t = r()['time'];
        expect(t).toMatchObject({ value: spec.value, status: 0, severity: 0 });
        expect(t['posixseconds']).toBe(pv.secPastEpoch + EPICS_EPOCH_OFFSET);
        expect(t['nanoseconds']).toBe(pv.nsec);
        expect(t['timestamp']).toBeGreaterThan(startedAt - 5);
        expect(t['timestamp']).toBeLessThan(Date.now() / 1000 + 5);
        expect(r()['pv_time']).toMatchObject({ value: spec.value, status: 0, severity: 0 });
        expect(r()['pv_time']['timestamp']).toBeCloseTo(t['timestamp'], 6);
        expect(r()['pv_time']['timevars']).toMatchObject({ status: 0, severity: 0, posixseconds: t['posixseconds'] });
      });

      it('reads GR with units, precision and display/alarm limits', () => {
        const g = r()['gr'];
        expect(g).toMatchObject({ status: 0, severity: 0, value: spec.value });
        if (hasLimits) {
          expect(g['units']).toBe(spec.units);
          expect(g['limits']).toEqual(spec.limits.slice(0, 6));
          if (spec.type === DbrBase.DOUBLE || spec.type === DbrBase.FLOAT) expect(g['precision']).toBe(spec.precision);
        }
        if (isEnum) expect(g).toMatchObject({ no_str: ENUM_STRINGS.length, strs: [...ENUM_STRINGS] });
      });

      it('reads CTRL with control limits (and enum strings)', () => {
        const c = { ...r()['ctrl'] };
        expect(c['value']).toEqual(spec.value);
        if (spec.type === DbrBase.CHAR) {
          // pyepics declares dbr_ctrl_char's limits as signed bytes; EPICS' dbr_char_t is unsigned.
          for (const k of Object.keys(c)) if (k.endsWith('_limit')) c[k] = c[k] & 0xff;
        }
        if (hasLimits) {
          const [ud, ld, ua, uw, lw, la, uc, lc] = spec.limits;
          expect(c).toMatchObject({
            units: spec.units,
            upper_disp_limit: ud,
            lower_disp_limit: ld,
            upper_alarm_limit: ua,
            upper_warning_limit: uw,
            lower_warning_limit: lw,
            lower_alarm_limit: la,
            upper_ctrl_limit: uc,
            lower_ctrl_limit: lc,
            status: 0,
            severity: 0,
          });
          if (spec.type === DbrBase.DOUBLE || spec.type === DbrBase.FLOAT) expect(c['precision']).toBe(spec.precision);
          const byte = (v: number) => (spec.type === DbrBase.CHAR ? v & 0xff : v);
          const pc = r()['pv_ctrl'];
          expect(pc['units']).toBe(spec.units);
          expect([byte(pc['upper_ctrl_limit']), byte(pc['lower_ctrl_limit'])]).toEqual([uc, lc]);
        }
        if (isEnum) {
          expect(c['enum_strs']).toEqual([...ENUM_STRINGS]);
          expect(r()['pv_ctrl']['enum_strs']).toEqual([...ENUM_STRINGS]);
        }
      });

      it('shows the value as text in pyepics (enum as its state name)', () => {
        const pc = r()['pv_ctrl'];
        expect(pc['value']).toEqual(spec.value);
        if (isEnum) expect(pc['char_value']).toBe('On');
        if (spec.type === DbrBase.STRING) expect(pc['char_value']).toBe('hello world');
      });
    });
  }

  it('a failed server-side conversion fails the get and keeps the circuit', () => {
    expect(res['str_as_double']['value'] ?? null).toBeNull();
    expect(res['str_after']).toBe('hello world');
  });

  describe('100 000-element double waveform', () => {
    const expected = () => {
      let sum = 0;
      for (let i = 0; i < WAVEFORM_LENGTH; i++) sum += waveformValue(i);
      return { len: WAVEFORM_LENGTH, first: waveformValue(0), last: waveformValue(WAVEFORM_LENGTH - 1), sum };
    };

    it('connects with the full element count', () => {
      expect(res['wf']).toMatchObject({ field_type: DbrBase.DOUBLE, count: WAVEFORM_LENGTH });
    });

    it('reads every element as plain, STS, TIME, GR and CTRL', () => {
      const e = expected();
      const wf = res['wf'];
      for (const v of [wf['plain'], wf['time']['value'], wf['ctrl']['value'], wf['sts']['value'], wf['gr']['value']]) {
        expect(v.len).toBe(e.len);
        expect(v.first).toBe(e.first);
        expect(v.last).toBe(e.last);
        expect(v.sum).toBeCloseTo(e.sum, 3);
      }
      const pv = s.db.get(s.prefix + 'wf')!;
      expect(wf['time']).toMatchObject({ status: 0, severity: 0, posixseconds: pv.secPastEpoch + EPICS_EPOCH_OFFSET, nanoseconds: pv.nsec });
      expect(wf['ctrl']).toMatchObject({ units: 'cnt', precision: 1, upper_disp_limit: 100 });
      expect(wf['gr']).toMatchObject({ units: 'cnt', precision: 1 });
      expect(wf['gr']['limits'][0]).toBe(100);
      expect(wf['sts']['status']).toEqual([0, 0]);
    });

    it('reads a prefix of the array and converts elements to strings with PREC', () => {
      expect(res['wf']['first10']).toEqual(Array.from({ length: 10 }, (_, i) => waveformValue(i)));
      expect(res['wf']['as_string3']).toEqual(['-7.0', '-6.5', '-6.0']);
    });
  });

  for (const a of arrays) {
    it(`array of ${a.suffix}: native type and count, every element as plain and TIME`, () => {
      const r = res['arrays'][a.suffix];
      const pv = s.db.get(s.prefix + a.suffix)!;
      expect(r['field_type']).toBe(a.type);
      expect(r['count']).toBe(a.maxCount);
      // pyepics asks with count 0: the current length comes back (below maxCount for the CHAR array).
      const want = [...a.value];
      expect(r['plain']).toEqual(want);
      expect(r['time']).toEqual({ value: want, status: 0, posixseconds: pv.secPastEpoch + EPICS_EPOCH_OFFSET });
      if (a.type === DbrBase.CHAR) expect(r['as_string']).toBe('hello');
    });
  }

  it('count 0 reads the current length of a partly filled array; larger counts are zero-padded', () => {
    expect(res['dyn']).toEqual({
      count: 20,
      get0: [1, 2, 3, 4, 5],
      get20: [1, 2, 3, 4, 5, ...new Array(15).fill(0)],
      get3: [1, 2, 3],
    });
  });

  it('a read-only PV is readable and announces no write access', () => {
    expect(res['ro']).toEqual({ read: true, write: false, value: 42, pv_write_access: false, pv_read_access: true });
  });

  it('alarm status and severity reach the client in STS, TIME, GR and CTRL', () => {
    const a = res['alarmed'];
    const alarm = { status: 4 /* HIGH */, severity: 1 /* MINOR */ };
    expect(a['sts']).toEqual({ ...alarm, value: 8.5 });
    expect(a['time']).toMatchObject({ ...alarm, value: 8.5 });
    expect(a['ctrl']).toMatchObject({ ...alarm, value: 8.5 });
    expect(a['gr']).toMatchObject({ ...alarm, value: 8.5 });
  });
});
