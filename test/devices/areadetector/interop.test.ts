// The detector through pyepics/libca against a CaServer on the real clock: Acquire with put-callback
// lasting the exposure while a monitor sees 0→1→0, counters, enum strings, CHAR-waveform strings the way
// ophyd (string=True) and caget -S read them, and the 1M-element image waveform.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAreaDetector, type AreaDetector } from '../../../devices/areadetector/index.js';
import { startTestServer, type TestServer } from '../../helpers/ca-server.js';
import { runPython } from '../../interop/pyepics.js';
import { py } from '../../interop/python-lib.js';

const SCRIPT = (P: string) => String.raw`
import numpy as np
P = ${py(P)}
res = {}
events = []
def on_acquire(value=None, **kw):
    events.append(int(value))
mon = epics.PV(P + ':cam1:Acquire', callback=on_acquire, auto_monitor=True)
mon.wait_for_connection(5)
wait_until(lambda: len(events) >= 1, 5)

def acquire(seconds):
    epics.caput(P + ':cam1:AcquireTime', seconds, wait=True)
    wait_until(lambda: abs(epics.caget(P + ':cam1:AcquireTime_RBV', use_monitor=False) - seconds) < 1e-9, 5)
    before = epics.caget(P + ':cam1:ArrayCounter_RBV', use_monitor=False)
    n0 = len(events)
    ret = epics.caput(P + ':cam1:Acquire', 1, wait=True, timeout=30)
    # Read at once when the put-callback returned: the image is already counted (ordering, not timing).
    after = epics.caget(P + ':cam1:ArrayCounter_RBV', use_monitor=False)
    acquire_after = epics.caget(P + ':cam1:Acquire', use_monitor=False)
    wait_until(lambda: len(events) >= n0 + 2, 5)
    return {'ret': ret, 'events': events[n0:], 'before': before, 'after': after, 'acquire_after': acquire_after}

epics.caput(P + ':cam1:ImageMode', 'Single', wait=True)
res['short'] = acquire(0.5)
res['long'] = acquire(2.0)
res['initial_events'] = events[:1]

res['enums'] = {n: epics.caget(P + ':' + n, as_string=True, use_monitor=False) for n in [
    'cam1:ImageMode', 'cam1:ImageMode_RBV', 'cam1:TriggerMode', 'cam1:DetectorState_RBV', 'cam1:DataType',
    'cam1:ColorMode', 'cam1:Acquire_RBV', 'cam1:WaitForPlugins', 'Stats1:EnableCallbacks', 'TIFF1:FileWriteMode',
    'TIFF1:AutoIncrement', 'HDF1:FileWriteMode_RBV', 'Trans1:Type', 'ROI1:EnableX']}
ctrl = epics.PV(P + ':cam1:ImageMode', form='ctrl')
ctrl.wait_for_connection(5)
ctrl.get_ctrlvars()
res['image_mode_strs'] = list(ctrl.enum_strs)
epics.caput(P + ':cam1:ImageMode', 'Multiple', wait=True)
res['image_mode_after'] = epics.caget(P + ':cam1:ImageMode_RBV', as_string=True, use_monitor=False)

# FilePath as ophyd writes it (a str put to a CHAR waveform) and reads it back (string=True).
path = '/nsls2/data/cms/legacy/xf11bm/data/2025_1/beamline/'
res['fp_put'] = epics.caput(P + ':TIFF1:FilePath', path, wait=True)
fp = epics.PV(P + ':TIFF1:FilePath_RBV')
fp.wait_for_connection(5)
res['fp_rbv'] = fp.get(as_string=True, use_monitor=False)
res['fp_type'] = fp.type
res['fp_count'] = fp.nelm
epics.caput(P + ':TIFF1:FileName', 'sample_x', wait=True)
res['fn_rbv'] = epics.caget(P + ':TIFF1:FileName_RBV', as_string=True, use_monitor=False)
res['exists'] = epics.caget(P + ':TIFF1:FilePathExists_RBV', use_monitor=False)
res['status_msg'] = epics.caget(P + ':cam1:StatusMessage_RBV', as_string=True, use_monitor=False)
res['port'] = epics.caget(P + ':Stats1:NDArrayPort', use_monitor=False)
res['model'] = epics.caget(P + ':cam1:Model_RBV', use_monitor=False)
res['plugin_type'] = epics.caget(P + ':Stats1:PluginType_RBV', use_monitor=False)

# The image, 1M elements.
img = epics.caget(P + ':image1:ArrayData', timeout=20, use_monitor=False)
img = img.astype('uint8').view('int8')  # pyepics reads DBR_CHAR unsigned; DBF_CHAR is epicsInt8
res['image'] = {'size': int(img.size), 'sum': int(img.astype('int64').sum()), 'head': [int(v) for v in img[430 * 1024 + 440:430 * 1024 + 460]]}
res['stats_total'] = epics.caget(P + ':Stats1:Total_RBV', use_monitor=False)
res['stats_counter'] = epics.caget(P + ':Stats1:ArrayCounter_RBV', use_monitor=False)
out(res)
`;

interface Acq {
  ret: number;
  events: number[];
  before: number;
  after: number;
  acquire_after: number;
}

describe('areaDetector through pyepics (libca)', () => {
  let s: TestServer;
  let det: AreaDetector;
  let res: Record<string, unknown>;

  beforeAll(async () => {
    s = await startTestServer((db, prefix) => {
      det = createAreaDetector(db, `${prefix}XF:11BMB-ES{Det:PIL2M}`, { enabled: ['image1:', 'Stats1:'] });
    });
    res = await runPython(SCRIPT(`${s.prefix}XF:11BMB-ES{Det:PIL2M}`), { env: s.env, timeoutMs: 40_000 });
  }, 60_000);

  afterAll(async () => {
    det?.stop();
    await s?.stop();
  });

  it('caput(Acquire, 1, wait=True) returns when the image is done; a monitor sees 0→1→0; ArrayCounter_RBV +1', () => {
    expect(res['initial_events']).toEqual([0]);
    for (const key of ['short', 'long']) {
      const a = res[key] as Acq;
      expect(a.ret).toBe(1);
      expect(a.events).toEqual([1, 0]);
      // Read as soon as the put-callback returned: the acquisition had ended, its image counted.
      expect(a.after).toBe(a.before + 1);
      expect(a.acquire_after).toBe(0);
    }
  });

  it('enum records read as their template strings', () => {
    expect(res['enums']).toEqual({
      'cam1:ImageMode': 'Single',
      'cam1:ImageMode_RBV': 'Single',
      'cam1:TriggerMode': 'Internal',
      'cam1:DetectorState_RBV': 'Idle',
      'cam1:DataType': 'Int32', // deliberate difference from the reference's Int8 (README)
      'cam1:ColorMode': 'Mono',
      'cam1:Acquire_RBV': 'Done',
      'cam1:WaitForPlugins': 'No',
      'Stats1:EnableCallbacks': 'Enable',
      'TIFF1:FileWriteMode': 'Single',
      'TIFF1:AutoIncrement': 'No',
      'HDF1:FileWriteMode_RBV': 'Single',
      'Trans1:Type': 'None',
      'ROI1:EnableX': 'Enable',
    });
    expect(res['image_mode_strs']).toEqual(['Single', 'Multiple', 'Continuous']);
    expect(res['image_mode_after']).toBe('Multiple');
  });

  it('FilePath written as a string through the CHAR waveform reads back as that string', () => {
    expect(res['fp_put']).toBe(1);
    expect(res['fp_rbv']).toBe('/nsls2/data/cms/legacy/xf11bm/data/2025_1/beamline/');
    expect(res['fp_type']).toMatch(/(^|_)char$/);
    expect(res['fp_count']).toBe(256);
    expect(res['fn_rbv']).toBe('sample_x');
    expect(res['exists']).toBe(1);
    expect(res['status_msg']).toBe('Waiting for acquire command');
    expect(res['port']).toBe('PIL');
    expect(res['model']).toBe('Basic simulator');
    expect(res['plugin_type']).toBe('NDPluginStats');
  });

  it('image1:ArrayData carries the whole 1024×1024 frame as the reference\'s CHAR waveform (Int8 pixels)', () => {
    const frame = Int8Array.from(det.cam.lastImage!.data());
    expect(res['image']).toEqual({
      size: 1024 * 1024,
      sum: frame.reduce((a, b) => a + b, 0),
      head: Array.from(frame.subarray(430 * 1024 + 440, 430 * 1024 + 460)),
    });
    expect((res['image'] as { head: number[] }).head.some((v) => v !== 0)).toBe(true);
    expect(res['stats_counter']).toBe(2);
    expect(res['stats_total']).toBeGreaterThan(0);
  });
});
