// The plugin chain: port wiring as ophyd validates it, counters following the driver, Stats computed
// from the frame, ROI/Process/Transform views, the lazy image1:ArrayData waveform.
import { describe, expect, it } from 'vitest';
import { renderFrame } from '../../../devices/areadetector/index.js';
import { basicStats, centroidStats } from '../../../devices/areadetector/plugins/stats.js';
import { transformSource } from '../../../devices/areadetector/plugins/transform.js';
import { P, rig, settle, singlePeak } from './helpers.js';

async function acquireOne(r: ReturnType<typeof rig>, time = 1) {
  await r.put('cam1:ImageMode', 0);
  await r.put('cam1:AcquireTime', time);
  const done = r.put('cam1:Acquire', 1);
  r.clock.advance(time * 1000);
  await done;
}

const PLUGINS = ['image1:', 'Stats1:', 'Stats2:', 'Stats3:', 'Stats4:', 'Stats5:', 'ROI1:', 'ROI2:', 'ROI3:', 'ROI4:', 'Proc1:', 'Trans1:', 'TIFF1:', 'HDF1:', 'PVA:'];
const TYPES: Record<string, string> = {
  image: 'NDPluginStdArrays', Stats: 'NDPluginStats', ROI: 'NDPluginROI', Proc: 'NDPluginProcess',
  Trans: 'NDPluginTransform', TIFF: 'NDFileTIFF', HDF: 'NDFileHDF5', PVA: 'NDPluginPva',
};

describe('port graph', () => {
  it('serves the plugins of the CMS note with unique ports, types and NDArrayPort naming an existing port', () => {
    const r = rig();
    const ports = new Map<string, string>([[r.str('cam1:PortName_RBV'), 'cam1:']]);
    for (const s of PLUGINS) {
      const port = r.str(`${s}PortName_RBV`);
      expect(ports.has(port)).toBe(false);
      ports.set(port, s);
      const type = TYPES[s.replace(/\d*:$/, '')]!;
      expect(r.str(`${s}PluginType_RBV`).startsWith(type)).toBe(true);
    }
    for (const s of PLUGINS) {
      expect(r.str(`${s}NDArrayPort`)).toBe(r.str(`${s}NDArrayPort_RBV`));
      expect(ports.has(r.str(`${s}NDArrayPort_RBV`))).toBe(true);
    }
    // ophyd's validate_asyn_ports: the undirected graph of PortName ← NDArrayPort edges is connected,
    // for the whole set and for any subset that includes the camera (every plugin hangs off the cam).
    const edges = r.det.portGraph();
    const seen = new Set([edges[0]!.port]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const e of edges) if (e.input && seen.has(e.input) && !seen.has(e.port)) seen.add(e.port), (grew = true);
    }
    expect(seen.size).toBe(edges.length);
    // Every plugin hangs off the cam, but the time-series plugins, which read their Stats plugin.
    for (const e of edges) {
      const ts = /(Stats\d):TS:$/.exec(e.prefix);
      expect(e.input === undefined || e.input === (ts ? ts[1] : 'PIL'), e.prefix).toBe(true);
    }
  });

  it("NDArrayPort can rewire a plugin (Stats1 after ROI1) and refuses the plugin's own port", async () => {
    const r = await singlePeak(rig({ enabled: ['ROI1:', 'Stats1:'] }));
    await r.put('Stats1:NDArrayPort', 'ROI1');
    expect(r.str('Stats1:NDArrayPort_RBV')).toBe('ROI1');
    await expect(r.put('Stats1:NDArrayPort', 'Stats1')).rejects.toThrow(/own port/);
    await r.put('ROI1:MinX', 500);
    await r.put('ROI1:SizeX', 30);
    await r.put('ROI1:MinY', 390);
    await r.put('ROI1:SizeY', 40);
    await acquireOne(r);
    expect(r.get('Stats1:ArrayCounter_RBV')).toBe(1);
    expect(r.get('Stats1:ArraySizeX_RBV')).toBe(30);
    expect(r.get('Stats1:ArraySizeY_RBV')).toBe(40);
    // The peak (centre 512, 410) is inside: the max is the peak height, at ROI coordinates (12, 20).
    expect(r.get('Stats1:MaxValue_RBV')).toBe(1000);
    expect(r.get('Stats1:MaxX_RBV')).toBe(12);
    expect(r.get('Stats1:MaxY_RBV')).toBe(20);
  });
});

describe('plugin counters', () => {
  it('enabled plugins count each array; disabled ones do not', async () => {
    const r = await singlePeak(rig({ enabled: ['image1:', 'Stats1:', 'ROI2:'] }));
    expect(r.get('Stats1:EnableCallbacks_RBV')).toBe(1);
    expect(r.pv('Stats1:EnableCallbacks').enumStrings).toEqual(['Disable', 'Enable']);
    expect(r.get('Stats2:EnableCallbacks')).toBe(0);
    await acquireOne(r, 0.5);
    await acquireOne(r, 0.5);
    for (const s of ['image1:', 'Stats1:', 'ROI2:']) expect(r.get(`${s}ArrayCounter_RBV`)).toBe(2);
    for (const s of ['Stats2:', 'ROI1:', 'Proc1:', 'TIFF1:']) expect(r.get(`${s}ArrayCounter_RBV`)).toBe(0);
    expect(r.get('Stats1:UniqueId_RBV')).toBe(2);
    await r.put('Stats2:EnableCallbacks', 1);
    await acquireOne(r, 0.5);
    expect(r.get('Stats2:ArrayCounter_RBV')).toBe(1);
    expect(r.get('Stats1:ArrayCounter_RBV')).toBe(3);
  });

  it('ArrayCallbacks Disable on the cam starves every plugin', async () => {
    const r = await singlePeak(rig({ enabled: ['Stats1:'] }));
    await r.put('cam1:ArrayCallbacks', 0);
    await acquireOne(r, 0.2);
    expect(r.get('cam1:ArrayCounter_RBV')).toBe(1);
    expect(r.get('Stats1:ArrayCounter_RBV')).toBe(0);
  });

  it('no pixels are rendered while no consumer needs them', async () => {
    const r = await singlePeak(rig({ enabled: ['image1:'] }));
    await r.put('cam1:ImageMode', 1);
    await r.put('cam1:NumImages', 50);
    await r.put('cam1:AcquireTime', 0.01);
    const done = r.put('cam1:Acquire', 1);
    r.clock.advance(1000);
    await done;
    expect(r.get('image1:ArrayCounter_RBV')).toBe(50);
    expect(r.det.frames.rendered).toBe(0);
  });
});

describe('Stats', () => {
  it('computes total, mean, min, max, sigma and centroid from the frame', async () => {
    const r = await singlePeak(rig({ enabled: ['Stats1:', 'Stats2:'] }));
    await r.put('Stats1:ComputeCentroid', 1);
    await r.put('Stats1:CentroidThreshold', 50);
    await r.put('Stats1:BgdWidth', 0); // the reference's 1 subtracts the border mean from Net
    await r.put('Stats2:BgdWidth', 0);
    await r.put('cam1:Noise', 5);
    await acquireOne(r, 2);
    const a = r.det.cam.lastImage!;
    const data = renderFrame(r.det.cam.frameSpec(1, 2));
    expect(Array.from(a.data().subarray(0, 5000))).toEqual(Array.from(data.subarray(0, 5000)));
    // Independent reference computation.
    let total = 0;
    let sq = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const v of data) {
      total += v;
      sq += v * v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    const n = data.length;
    expect(r.get('Stats1:Total_RBV')).toBe(total);
    expect(r.get('Stats1:Net_RBV')).toBe(total);
    expect(r.get('Stats1:MeanValue_RBV')).toBeCloseTo(total / n, 9);
    expect(r.get('Stats1:Sigma_RBV')).toBeCloseTo(Math.sqrt(sq / n - (total / n) ** 2), 6);
    expect(r.get('Stats1:MinValue_RBV')).toBe(min);
    expect(r.get('Stats1:MaxValue_RBV')).toBe(max);
    // A 2000-count Gaussian peak at (512, 410), widths 20 and 12: the centroid and sigmas follow.
    expect(max).toBeGreaterThan(1990);
    expect(r.get('Stats1:CentroidX_RBV')).toBeCloseTo(512, 0);
    expect(r.get('Stats1:CentroidY_RBV')).toBeCloseTo(410, 0);
    expect(r.get('Stats1:SigmaX_RBV')).toBeGreaterThan(17);
    expect(r.get('Stats1:SigmaX_RBV')).toBeLessThan(23);
    expect(r.get('Stats1:SigmaY_RBV')).toBeGreaterThan(10);
    expect(r.get('Stats1:SigmaY_RBV')).toBeLessThan(14);
    expect(r.get('Stats1:MaxX_RBV')).toBeCloseTo(512, -1);
    // Stats2 has centroids off (the template default) and shares the basic numbers.
    expect(r.get('Stats2:Total_RBV')).toBe(total);
    expect(r.get('Stats2:CentroidX_RBV')).toBe(0);
  });

  it('intensity scales with AcquireTime and Gain', async () => {
    const r = await singlePeak(rig({ enabled: ['Stats1:'] }));
    await acquireOne(r, 1);
    const t1 = r.get('Stats1:Total_RBV');
    await acquireOne(r, 2);
    expect(r.get('Stats1:Total_RBV') / t1).toBeCloseTo(2, 2);
    await r.put('cam1:Gain', 3);
    await acquireOne(r, 1);
    expect(r.get('Stats1:Total_RBV') / t1).toBeCloseTo(3, 2);
  });

  it('basicStats and centroidStats on a hand-made image', () => {
    const img = Int32Array.from([0, 0, 0, 0, 4, 0, 0, 0, 0]);
    expect(basicStats(img, 3, 3)).toMatchObject({ total: 4, max: 4, maxX: 1, maxY: 1, min: 0, minX: 0, minY: 0, mean: 4 / 9 });
    const c = centroidStats(Int32Array.from([1, 0, 1, 0, 0, 0, 1, 0, 1]), 3, 3, 1);
    expect(c).toMatchObject({ centroidTotal: 4, centroidX: 1, centroidY: 1, sigmaX: 1, sigmaY: 1, sigmaXY: 0 });
  });

  it('profiles and histogram when asked for', async () => {
    const r = await singlePeak(rig({ enabled: ['Stats3:'] }));
    await r.put('Stats3:ComputeProfiles', 1);
    await r.put('Stats3:ComputeHistogram', 1);
    await r.put('Stats3:HistMax', 2000);
    await r.put('Stats3:HistSize', 20); // Histogram_RBV holds 20 bins (NELM of the reference IOC)
    await r.put('Stats3:CursorX', 512);
    await r.put('Stats3:CursorY', 410);
    await acquireOne(r, 1);
    expect(r.get('Stats3:ProfileSizeX_RBV')).toBe(1024);
    expect(r.get('Stats3:CursorVal')).toBe(1000);
    const hist = r.pv('Stats3:Histogram_RBV').value as Float64Array;
    expect(hist.reduce((a, b) => a + b, 0)).toBe(1024 * 1024);
  });
});

describe('ROI, Process, Transform', () => {
  it('ROI clamps its region to the input and shows it in the readbacks', async () => {
    const r = await singlePeak(rig({ enabled: ['ROI1:'] }));
    await r.put('ROI1:MinX', 1000);
    await r.put('ROI1:SizeX', 100);
    await r.put('ROI1:BinY', 2);
    await acquireOne(r, 0.1);
    expect(r.get('ROI1:SizeX')).toBe(100);
    expect(r.get('ROI1:SizeX_RBV')).toBe(24);
    expect(r.get('ROI1:ArraySizeX_RBV')).toBe(24);
    expect(r.get('ROI1:ArraySizeY_RBV')).toBe(512);
    expect(r.get('ROI1:MaxSizeX_RBV')).toBe(1024);
  });

  it('Process offset/scale and Transform rotation act on the pixels', async () => {
    const r = await singlePeak(rig({ enabled: ['Proc1:', 'Trans1:', 'Stats4:', 'Stats5:'] }));
    await r.put('Proc1:EnableOffsetScale', 1);
    await r.put('Proc1:Offset', 10);
    await r.put('Proc1:Scale', 2);
    await r.put('Stats4:NDArrayPort', 'PROC1');
    await r.put('Trans1:Type', 1);
    await r.put('Stats5:NDArrayPort', 'TRANS1');
    await r.put('Stats5:ComputeCentroid', 1);
    await r.put('cam1:SizeX', 800);
    await acquireOne(r, 1);
    expect(r.get('Stats4:MaxValue_RBV')).toBe((1000 + 10) * 2);
    expect(r.get('Stats4:MinValue_RBV')).toBe(20);
    expect(r.get('Trans1:ArraySizeX_RBV')).toBe(1024);
    expect(r.get('Trans1:ArraySizeY_RBV')).toBe(800);
    // Rot90 clockwise: (x, y) → (h-1-y, x).
    expect(r.get('Stats5:CentroidX_RBV')).toBeCloseTo(1023 - 410, 0);
    expect(r.get('Stats5:CentroidY_RBV')).toBeCloseTo(512, 0);
    expect(transformSource(2, 4, 3, 0, 0)).toEqual([3, 2]);
    expect(transformSource(4, 4, 3, 0, 0)).toEqual([3, 0]);
  });
});

describe('image1:ArrayData', () => {
  it('a 1M-element CHAR waveform (as the reference) produced on read: the frame cast to Int8', async () => {
    const r = await singlePeak(rig({ enabled: ['image1:'] }));
    const wf = r.pv('image1:ArrayData');
    expect(wf.maxCount).toBe(1024 * 1024);
    expect(wf.nativeType).toBe(4);
    await acquireOne(r, 1);
    expect(r.det.frames.rendered).toBe(0);
    expect(wf.count).toBe(1024 * 1024);
    const data = wf.value as Int8Array;
    expect(r.det.frames.rendered).toBe(1);
    expect(data.length).toBe(1024 * 1024);
    // The 1000-count peak wraps as a C cast to epicsInt8 does: 1000 − 4·256 = −24.
    expect(data[410 * 1024 + 512]).toBe(-24);
    expect(Array.from(data.subarray(400 * 1024, 420 * 1024))).toEqual(Array.from(Int8Array.from(r.det.cam.lastImage!.data().subarray(400 * 1024, 420 * 1024))));
    expect(r.get('image1:ArraySize0_RBV')).toBe(1024);
    expect(r.get('image1:ArraySize1_RBV')).toBe(1024);
  });

  it('a monitor gets every new frame', async () => {
    const r = await singlePeak(rig({ enabled: ['image1:'] }));
    const peaks: number[] = [];
    r.pv('image1:ArrayData').updates.subscribe((u) => peaks.push((u.value as Int8Array)[410 * 1024 + 512]!));
    await acquireOne(r, 1);
    await acquireOne(r, 2);
    expect(peaks).toEqual([-24, -48]); // 1000 and 2000 counts as Int8

    await settle();
  });
});

describe('string records', () => {
  it('FilePath-like records are 256-element CHAR waveforms holding a C string', async () => {
    const r = await singlePeak(rig());
    for (const n of ['TIFF1:FilePath', 'TIFF1:FileName', 'TIFF1:FileTemplate', 'HDF1:FilePath_RBV', 'cam1:StatusMessage_RBV']) {
      expect(r.pv(n).nativeType).toBe(4);
      expect(r.pv(n).maxCount).toBe(256);
    }
    expect(r.pv('TIFF1:FullFileName_RBV').maxCount).toBe(512);
    expect(r.str('TIFF1:FileTemplate')).toBe(''); // the reference IOC's start-up value
    await r.put('TIFF1:FileName', 'sample_A');
    expect(r.str('TIFF1:FileName_RBV')).toBe('sample_A');
    expect(r.pv('TIFF1:FileName_RBV').count).toBe(9);
    expect(r.pv(`${P}:Stats1:NDArrayPort`).nativeType).toBe(0);
  });
});
