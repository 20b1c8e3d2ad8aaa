// Behaviour a client sees, as ADCore's: every port's Acquire/AcquireBusy busy logic, the Stats
// time-series plugin, simDetector's simulation modes reaching Stats and ROI, and settings that must never
// wedge an acquisition. All on a VirtualClock: ordering and simulated time, no wall-clock.
import { describe, expect, it } from 'vitest';
import { rig, settle, singlePeak, type Rig } from './helpers.js';

/** One Multiple acquisition of `n` images of `time` seconds, to its end. */
async function images(r: Rig, n: number, time = 0.1) {
  await r.put('cam1:ImageMode', 1);
  await r.put('cam1:NumImages', n);
  await r.put('cam1:AcquireTime', time);
  await r.put('cam1:AcquirePeriod', 0);
  const done = r.put('cam1:Acquire', 1);
  r.clock.advance(Math.ceil(n * time * 1000) + 1);
  await done;
}

/** A put whose completion we can observe. */
function pending(r: Rig, name: string, value: number) {
  let done = false;
  const p = r.put(name, value).then(() => {
    done = true;
  });
  return { done: () => done, p };
}

describe('Acquire and AcquireBusy (NDArrayBase busy logic)', () => {
  it("a plugin's Acquire sets Acquire_RBV, AcquireBusyCB and the busy record; Acquire 0 clears them", async () => {
    const r = rig();
    const busy = r.watch('Stats1:AcquireBusy');
    const wait = pending(r, 'Stats1:AcquireBusy', 1);
    await settle();
    await r.put('Stats1:Acquire', 1);
    expect([r.get('Stats1:Acquire_RBV'), r.get('Stats1:AcquireBusyCB'), r.get('Stats1:SetAcquireBusy')]).toEqual([1, 1, 1]);
    await settle();
    expect(wait.done()).toBe(false); // a put-callback on the busy record waits for Done
    await r.put('Stats1:Acquire', 0);
    await settle();
    expect([r.get('Stats1:Acquire_RBV'), r.get('Stats1:AcquireBusyCB'), r.get('Stats1:AcquireBusy'), r.get('Stats1:ClearAcquireBusy')]).toEqual([0, 0, 0, 0]);
    expect(wait.done()).toBe(true);
    expect(busy).toEqual([1, 0]);
    // Other plugins' busy records are their own.
    expect(r.get('Stats2:AcquireBusy')).toBe(0);
  });

  it("the driver's AcquireBusy rises with Acquire and falls after the plugins had the last image (WaitForPlugins)", async () => {
    const r = rig({ enabled: ['Stats1:', 'image1:'] });
    await r.put('cam1:WaitForPlugins', 1);
    const order: string[] = [];
    r.pv('Stats1:ArrayCounter_RBV').updates.subscribe(() => order.push('Stats1 counted'));
    r.pv('cam1:AcquireBusy').updates.subscribe((u) => order.push(`AcquireBusy ${u.value as number}`));
    r.pv('cam1:Acquire').updates.subscribe((u) => order.push(`Acquire ${u.value as number}`));
    await images(r, 2);
    await settle();
    expect(order).toEqual(['Acquire 1', 'AcquireBusy 1', 'Stats1 counted', 'Stats1 counted', 'Acquire 0', 'AcquireBusy 0']);
    expect(r.get('cam1:AcquireBusyCB')).toBe(0);
  });
});

describe('non-blocking plugins (BlockingCallbacks No, the reference setting)', () => {
  it('without WaitForPlugins the driver ends first and the plugins take the array after it', async () => {
    const r = rig({ enabled: ['Stats1:'] });
    expect(r.get('Stats1:BlockingCallbacks')).toBe(0);
    const order: string[] = [];
    r.pv('Stats1:ArrayCounter_RBV').updates.subscribe(() => order.push('Stats1 counted'));
    r.pv('cam1:Acquire').updates.subscribe((u) => order.push(`Acquire ${u.value as number}`));
    await images(r, 1);
    expect(order).toEqual(['Acquire 1', 'Acquire 0', 'Stats1 counted']);
    // BlockingCallbacks Yes: the plugin runs in the driver's callback, before the driver ends.
    await r.put('Stats1:BlockingCallbacks', 1);
    order.length = 0;
    await images(r, 1);
    expect(order).toEqual(['Acquire 1', 'Stats1 counted', 'Acquire 0']);
  });
});

describe('the Stats time-series plugin (NDTimeSeries)', () => {
  it('acquires one point per image and publishes the series to Stats1:TS…; Fixed length ends the run', async () => {
    const r = await singlePeak(rig({ enabled: ['Stats1:', 'Stats1:TS:'] }));
    await r.put('Stats1:TS:TSNumPoints', 3);
    const run = pending(r, 'Stats1:TS:TSAcquire', 1);
    await settle();
    expect(r.get('Stats1:TS:TSAcquiring')).toBe(1);
    const totals: number[] = [];
    r.pv('Stats1:Total_RBV').updates.subscribe((u) => totals.push(u.value as number));
    for (const t of [0.1, 0.2, 0.3, 0.4]) await images(r, 1, t);
    await settle();
    expect(run.done()).toBe(true); // full after 3 points
    expect(r.get('Stats1:TS:TSAcquiring')).toBe(0);
    expect(r.get('Stats1:TS:TSCurrentPoint')).toBe(3);
    expect(Array.from(r.pv('Stats1:TSTotal').value as Float64Array)).toEqual(totals.slice(0, 3));
    expect(totals[1]).toBeGreaterThan(totals[0]!); // the series follows the exposures
    expect((r.pv('Stats1:TS:TSTimestamp').value as Float64Array).length).toBe(3);
    // The peak's column (its two middle pixels round alike at short exposures: the first counts).
    for (const x of r.pv('Stats1:TSMaxX').value as Float64Array) expect(Math.abs(x - 511.5)).toBe(0.5);
    expect(Array.from(r.pv('Stats1:TS:TSTimeAxis').value as Float64Array).slice(0, 3)).toEqual([0, 0.1, 0.2]);
  });

  it('averages TSAveragingTime / TSTimePerPoint images per point; Circ. buffer keeps the newest until stopped', async () => {
    const r = await singlePeak(rig({ enabled: ['Stats2:', 'Stats2:TS:'] }));
    await r.put('Stats2:TS:TSAveragingTime', 0.2);
    expect(r.get('Stats2:TS:TSNumAverage')).toBe(2);
    await r.put('Stats2:TS:TSNumPoints', 2);
    await r.put('Stats2:TS:TSAcquireMode', 1);
    const run = pending(r, 'Stats2:TS:TSAcquire', 1);
    const totals: number[] = [];
    r.pv('Stats2:Total_RBV').updates.subscribe((u) => totals.push(u.value as number));
    for (const t of [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]) await images(r, 1, t);
    await settle();
    expect(run.done()).toBe(false); // a circular buffer runs until stopped
    expect(r.get('Stats2:TS:TSCurrentPoint')).toBe(2);
    await r.put('Stats2:TS:TSAcquire', 0);
    await settle();
    expect(run.done()).toBe(true);
    const mean = (a: number, b: number) => (a + b) / 2;
    // Three points were made (pairs of images); the buffer of two keeps the last two, oldest first.
    expect(Array.from(r.pv('Stats2:TSTotal').value as Float64Array)).toEqual([mean(totals[2]!, totals[3]!), mean(totals[4]!, totals[5]!)]);
  });

  it('a disabled time-series plugin makes no points (the reference starts it disabled)', async () => {
    const r = rig({ enabled: ['Stats3:'] });
    expect(r.get('Stats3:TS:EnableCallbacks')).toBe(0);
    void r.put('Stats3:TS:TSAcquire', 1);
    await images(r, 2);
    expect(r.get('Stats3:TS:TSCurrentPoint')).toBe(0);
  });
});

describe("simDetector's simulation modes reach Stats and ROI", () => {
  async function statsOf(r: Rig) {
    return { mean: r.get('Stats1:MeanValue_RBV'), min: r.get('Stats1:MinValue_RBV'), max: r.get('Stats1:MaxValue_RBV'), sigma: r.get('Stats1:Sigma_RBV'), roiMean: r.get('Stats2:MeanValue_RBV') };
  }
  async function modeRig(mode: string) {
    const r = rig({ enabled: ['Stats1:', 'Stats2:', 'ROI1:'] });
    await r.put('Stats2:NDArrayPort', 'ROI1');
    await r.put('ROI1:MinX', 100);
    await r.put('ROI1:SizeX', 10);
    await r.put('ROI1:MinY', 0);
    await r.put('ROI1:SizeY', 1024);
    const modes = r.pv('cam1:SimMode').enumStrings;
    await r.put('cam1:SimMode', modes.indexOf(mode));
    return r;
  }

  it('LinearRamp: Gain·(GainX·x + GainY·y), plus Gain with every image', async () => {
    const r = await modeRig('LinearRamp');
    await r.put('cam1:GainX', 1);
    await r.put('cam1:GainY', 0);
    await r.put('cam1:Gain', 2);
    await images(r, 1);
    expect(await statsOf(r)).toMatchObject({ mean: 2 * 511.5, min: 0, max: 2 * 1023, roiMean: 2 * 104.5 });
    await images(r, 1);
    expect(r.get('Stats1:MeanValue_RBV')).toBe(2 * 511.5 + 2); // the ramp grew by Gain
    await r.put('cam1:GainY', 1); // a parameter change resets the image
    await images(r, 1);
    expect(r.get('Stats1:MeanValue_RBV')).toBe(2 * 511.5 + 2 * 511.5);
  });

  it('Sine: the amplitudes and frequencies of XSine/YSine set the pattern', async () => {
    const r = await modeRig('Sine');
    for (const [n, v] of [['XSine1Amplitude', 100], ['XSine2Amplitude', 0], ['YSine1Amplitude', 0], ['YSine2Amplitude', 0], ['XSine1Frequency', 4], ['Gain', 1], ['GainX', 1]] as const) await r.put(`cam1:${n}`, v);
    await images(r, 1);
    const a = await statsOf(r);
    expect(a.max).toBe(100);
    expect(a.min).toBe(-100);
    expect(a.sigma).toBeGreaterThan(70); // 100/√2 for whole periods, rounded pixels
    expect(a.sigma).toBeLessThan(71.5);
    await r.put('cam1:XSine1Amplitude', 10);
    await images(r, 1);
    expect(r.get('Stats1:MaxValue_RBV')).toBe(10);
    await r.put('cam1:XSineOperation', 1); // Multiply by a zero second sine: flat
    await images(r, 1);
    expect(r.get('Stats1:Sigma_RBV')).toBe(0);
  });

  it('Offset&Noise: Offset plus uniform noise in [0, Noise)', async () => {
    const r = await modeRig('Offset&Noise');
    await r.put('cam1:Offset', 50);
    await r.put('cam1:Noise', 20);
    await images(r, 1);
    const a = await statsOf(r);
    expect(a.min).toBeGreaterThanOrEqual(50);
    expect(a.max).toBeLessThanOrEqual(70);
    expect(a.mean).toBeGreaterThan(59);
    expect(a.mean).toBeLessThan(61);
    expect(a.roiMean).toBeGreaterThan(58);
  });

  it('Peaks: PeakNum, PeakStep and PeakWidth place the peaks Stats finds', async () => {
    const r = await modeRig('Peaks');
    for (const [n, v] of [['PeakNumX', 2], ['PeakNumY', 1], ['PeakStartX', 100], ['PeakStartY', 300], ['PeakStepX', 400], ['PeakWidthX', 5], ['PeakWidthY', 5], ['PeakVariation', 0]] as const) await r.put(`cam1:${n}`, v);
    await images(r, 1, 1);
    expect(r.get('Stats1:MaxY_RBV')).toBe(300);
    expect([100, 500]).toContain(r.get('Stats1:MaxX_RBV'));
    expect(r.get('Stats2:MaxValue_RBV')).toBe(r.get('Stats1:MaxValue_RBV')); // ROI1 (x 100…109) holds a peak
    await r.put('cam1:PeakStartX', 600);
    await images(r, 1, 1);
    expect(r.get('Stats2:MaxValue_RBV')).toBe(0); // moved out of the ROI
  });
});

describe('settings never wedge an acquisition (issue 12, item 9)', () => {
  it('NumImages beyond a 32-bit integer is refused, the setting kept', async () => {
    const r = rig();
    await expect(r.put('cam1:NumImages', 99999999999)).rejects.toThrow(/32-bit/);
    expect(r.get('cam1:NumImages')).toBe(1);
    expect(r.get('cam1:NumImages_RBV')).toBe(1);
    await expect(r.put('cam1:NumImages', Number.NaN)).rejects.toThrow();
  });

  it('NumImages 0 or negative in Multiple takes one image and ends, as ADDriver', async () => {
    for (const n of [0, -5, -(2 ** 31)]) {
      const r = rig({ enabled: [] });
      await images(r, 1);
      await r.put('cam1:NumImages', n);
      const run = pending(r, 'cam1:Acquire', 1);
      r.clock.advance(101);
      await settle();
      expect(run.done(), `NumImages ${n}`).toBe(true);
      expect(r.get('cam1:NumImagesCounter_RBV')).toBe(1);
      expect(r.clock.pending).toBe(0);
    }
  });

  it('AcquireTime −1, NaN or ∞ reads back 0 and an acquisition still ends', async () => {
    for (const t of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const r = rig({ enabled: [] });
      await r.put('cam1:AcquireTime', t);
      expect(r.get('cam1:AcquireTime_RBV'), String(t)).toBe(0);
      const run = pending(r, 'cam1:Acquire', 1);
      r.clock.advance(0);
      await settle();
      expect(run.done(), String(t)).toBe(true);
      expect(r.get('cam1:ArrayCounter_RBV')).toBe(1);
    }
  });
});

describe('busy records without a driver operation behind them', () => {
  it('HDF1:FlushNow completes at once and reads Done again', async () => {
    const r = rig();
    const seen = r.watch('HDF1:FlushNow');
    await r.put('HDF1:FlushNow', 1);
    expect(seen).toEqual([1, 0]);
    expect(r.pv('HDF1:FlushNow').recordType).toBe('busy');
  });
});
