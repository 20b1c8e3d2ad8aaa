// cam1 acquisition on a VirtualClock: image modes, timing, counters, busy-like Acquire, abort, reset.
import { describe, expect, it } from 'vitest';
import { DETECTOR_STATES } from '../../../devices/areadetector/index.js';
import { rig, settle } from './helpers.js';

/** Start an acquisition with a put-callback; `done()` tells whether it completed. */
async function start(r: ReturnType<typeof rig>) {
  let completed = false;
  const p = r.put('cam1:Acquire', 1).then(() => {
    completed = true;
  });
  await settle();
  return { done: () => completed, p };
}

async function advance(r: ReturnType<typeof rig>, ms: number) {
  r.clock.advance(ms);
  await settle();
}

describe('cam1 start-up values', () => {
  it('serves the ADBase defaults of the CMS note', () => {
    const r = rig();
    expect(r.get('cam1:AcquireTime')).toBe(0.1);
    expect(r.get('cam1:AcquireTime_RBV')).toBe(0.1);
    expect(r.get('cam1:Acquire')).toBe(0);
    expect(r.get('cam1:MaxSizeX_RBV')).toBe(1024);
    expect(r.get('cam1:SizeY_RBV')).toBe(1024);
    expect(r.pv('cam1:ImageMode').enumStrings).toEqual(['Single', 'Multiple', 'Continuous']);
    expect(r.pv('cam1:TriggerMode').enumStrings).toEqual(['Internal', 'External']);
    expect(r.pv('cam1:DetectorState_RBV').enumStrings).toEqual([...DETECTOR_STATES]);
    expect(r.pv('cam1:DataType').enumStrings[r.get('cam1:DataType')]).toBe('Int32');
    expect(r.pv('cam1:Acquire').enumStrings).toEqual(['Done', 'Acquire']);
    expect(r.pv('cam1:Acquire_RBV').enumStrings).toEqual(['Done', 'Acquiring']);
    expect(r.str('cam1:PortName_RBV')).toBe('PIL');
    // The reference IOC's start-up settings (5 ms period, Peaks), but the idle start's one image per Acquire.
    expect(r.pv('cam1:ImageMode').enumStrings[r.get('cam1:ImageMode')]).toBe('Multiple');
    expect(r.get('cam1:NumImages')).toBe(1);
    expect(r.get('cam1:AcquirePeriod')).toBe(0.005);
    expect(r.pv('cam1:SimMode').enumStrings[r.get('cam1:SimMode')]).toBe('Peaks');
    expect(r.str('cam1:StatusMessage_RBV')).toBe('');
    expect(r.pv('cam1:StatusMessage_RBV').maxCount).toBe(256);
    expect(r.pv('cam1:WaitForPlugins').enumStrings).toEqual(['No', 'Yes']);
    expect(r.pv('cam1:AcquireTime_RBV').writable).toBe(false);
  });

  it('every writable parameter has its _RBV except the records that have none in ADCore', () => {
    const r = rig();
    const names = new Set(r.det.pvNames);
    const without = r.det.pvNames.filter((n) => n.includes(':cam1:') && !n.endsWith('_RBV') && r.db.get(n)!.writable && !names.has(`${n}_RBV`));
    const suffixes = without.map((n) => n.split(':cam1:')[1]).sort();
    expect(suffixes).toEqual(
      ['AcquireBusy', 'AsynIO', 'ClearAcquireBusy', 'EmptyFreeList', 'NDAttributesFile', 'NDAttributesMacros', 'ReadStatus', 'SetAcquireBusy', 'ShutterCloseEPICS', 'ShutterFanout', 'ShutterOpenEPICS', 'ThresholdApply', 'WaitForPlugins'].sort(),
    );
  });
});

describe('acquisition timing', () => {
  it('Single: Acquire 1 for AcquireTime, put-callback completes at the end, counters +1', async () => {
    const r = rig();
    await r.put('cam1:ImageMode', 0);
    await r.put('cam1:AcquireTime', 2);
    const acq = r.watch('cam1:Acquire');
    const states = r.watch('cam1:DetectorState_RBV');
    const a = await start(r);
    expect(r.get('cam1:Acquire')).toBe(1);
    expect(r.get('cam1:Acquire_RBV')).toBe(1);
    expect(r.get('cam1:AcquireBusy')).toBe(1);
    expect(r.get('cam1:DetectorState_RBV')).toBe(1);
    expect(r.get('cam1:TimeRemaining_RBV')).toBe(2);
    await advance(r, 1999);
    expect(a.done()).toBe(false);
    expect(r.get('cam1:ArrayCounter_RBV')).toBe(0);
    await advance(r, 1);
    expect(a.done()).toBe(true);
    expect(acq).toEqual([1, 0]);
    expect(states).toEqual([1, 2, 0]);
    expect(r.get('cam1:ArrayCounter_RBV')).toBe(1);
    expect(r.get('cam1:NumImagesCounter_RBV')).toBe(1);
    expect(r.get('cam1:UniqueId_RBV')).toBe(1);
    expect(r.get('cam1:AcquireBusy')).toBe(0);
    expect(r.get('cam1:ArraySizeX_RBV')).toBe(1024);
    expect(r.get('cam1:ArraySize_RBV')).toBe(1024 * 1024 * 4);
  });

  it('Multiple: NumImages images at AcquirePeriod spacing when longer than AcquireTime', async () => {
    const r = rig();
    await r.put('cam1:ImageMode', 1);
    await r.put('cam1:NumImages', 3);
    await r.put('cam1:AcquireTime', 0.5);
    await r.put('cam1:AcquirePeriod', 2);
    const counts: [number, number][] = [];
    const t0 = r.clock.now();
    r.pv('cam1:ArrayCounter_RBV').updates.subscribe((u) => counts.push([r.clock.now() - t0, u.value as number]));
    const states = r.watch('cam1:DetectorState_RBV');
    const a = await start(r);
    await advance(r, 4499);
    expect(a.done()).toBe(false);
    await advance(r, 1);
    expect(a.done()).toBe(true);
    // Images read out at 0.5, 2.5 and 4.5 s; no wait after the last one.
    expect(counts).toEqual([[500, 1], [2500, 2], [4500, 3]]);
    expect(states).toEqual([1, 2, 7, 1, 2, 7, 1, 2, 0]);
    expect(r.get('cam1:NumImagesCounter_RBV')).toBe(3);
  });

  it('Multiple with AcquirePeriod shorter than AcquireTime: back to back', async () => {
    const r = rig();
    await r.put('cam1:ImageMode', 1);
    await r.put('cam1:NumImages', 4);
    await r.put('cam1:AcquireTime', 0.25);
    await r.put('cam1:AcquirePeriod', 0.1);
    const a = await start(r);
    await advance(r, 999);
    expect(a.done()).toBe(false);
    await advance(r, 1);
    expect(a.done()).toBe(true);
    expect(r.get('cam1:ArrayCounter_RBV')).toBe(4);
  });

  it('NumExposures multiplies the exposure of each image', async () => {
    const r = rig();
    await r.put('cam1:ImageMode', 0);
    await r.put('cam1:AcquireTime', 0.5);
    await r.put('cam1:NumExposures', 3);
    const a = await start(r);
    await advance(r, 1499);
    expect(a.done()).toBe(false);
    await advance(r, 1);
    expect(a.done()).toBe(true);
    // simDetector never counts exposures: the reference IOC's NumExposuresCounter_RBV stays 0.
    expect(r.get('cam1:NumExposuresCounter_RBV')).toBe(0);
  });

  it('Continuous: images until Acquire 0; the pending put-callback completes then', async () => {
    const r = rig();
    await r.put('cam1:ImageMode', 2);
    await r.put('cam1:AcquireTime', 0.1);
    await r.put('cam1:AcquirePeriod', 0.5);
    const a = await start(r);
    await advance(r, 10_000);
    expect(a.done()).toBe(false);
    expect(r.get('cam1:ArrayCounter_RBV')).toBe(20); // at 0.1, 0.6, …, 9.6 s
    await r.put('cam1:Acquire', 0);
    await settle();
    expect(a.done()).toBe(true);
    expect(r.get('cam1:Acquire')).toBe(0);
    expect(r.get('cam1:DetectorState_RBV')).toBe(0);
    await advance(r, 5000);
    expect(r.get('cam1:ArrayCounter_RBV')).toBe(20);
    expect(r.clock.pending).toBe(0);
  });

  it('Continuous with zero times does not spin: frames at the minimum period', async () => {
    const r = rig({ enabled: ['image1:'] });
    await r.put('cam1:ImageMode', 2);
    await r.put('cam1:AcquireTime', 0);
    await r.put('cam1:AcquirePeriod', 0);
    await start(r);
    await advance(r, 1000);
    expect(r.get('cam1:ArrayCounter_RBV')).toBeGreaterThanOrEqual(100);
    expect(r.get('cam1:ArrayCounter_RBV')).toBeLessThanOrEqual(101);
    await r.put('cam1:Acquire', 0);
  });

  it('abort: Acquire 0 mid-exposure stops without an image and completes the put-callback', async () => {
    const r = rig();
    await r.put('cam1:ImageMode', 0);
    await r.put('cam1:AcquireTime', 5);
    const a = await start(r);
    await advance(r, 1000);
    await r.put('cam1:Acquire', 0);
    await settle();
    expect(a.done()).toBe(true);
    expect(r.get('cam1:ArrayCounter_RBV')).toBe(0);
    expect(r.str('cam1:StatusMessage_RBV')).toBe('Acquisition aborted');
    expect(r.get('cam1:AcquireBusy')).toBe(0);
    await advance(r, 10_000);
    expect(r.get('cam1:ArrayCounter_RBV')).toBe(0);
  });

  it('Acquire 1 while acquiring: both put-callbacks complete at the one end', async () => {
    const r = rig();
    await r.put('cam1:ImageMode', 0);
    await r.put('cam1:AcquireTime', 1);
    const a = await start(r);
    await advance(r, 500);
    const b = await start(r);
    await advance(r, 499);
    expect(a.done() || b.done()).toBe(false);
    await advance(r, 1);
    expect(a.done() && b.done()).toBe(true);
    expect(r.get('cam1:ArrayCounter_RBV')).toBe(1);
  });

  it('ArrayCounter can be written; the readback follows and counts on from there', async () => {
    const r = rig();
    await r.put('cam1:ArrayCounter', 41);
    expect(r.get('cam1:ArrayCounter_RBV')).toBe(41);
    await r.put('cam1:ImageMode', 0);
    const a = await start(r);
    await advance(r, 100);
    expect(a.done()).toBe(true);
    expect(r.get('cam1:ArrayCounter_RBV')).toBe(42);
  });

  it('AcquireTime 0 (the reset value) acquires one image at once', async () => {
    const r = rig();
    r.det.reset();
    await r.put('cam1:ImageMode', 0);
    const a = await start(r);
    await advance(r, 0);
    expect(a.done()).toBe(true);
    expect(r.get('cam1:ArrayCounter_RBV')).toBe(1);
  });

  it('reset(): AcquireTime, AcquirePeriod, NumImages, Acquire to 0 at once, a running acquisition stops', async () => {
    const r = rig();
    await r.put('cam1:AcquireTime', 3);
    await r.put('cam1:AcquirePeriod', 4);
    await r.put('cam1:NumImages', 7);
    const a = await start(r);
    const acq = r.watch('cam1:AcquireTime');
    r.det.reset();
    await settle();
    expect(a.done()).toBe(true);
    for (const n of ['AcquireTime', 'AcquirePeriod', 'NumImages', 'Acquire']) {
      expect(r.get(`cam1:${n}`)).toBe(0);
      expect(r.get(`cam1:${n}_RBV`)).toBe(0);
    }
    expect(acq).toEqual([0]);
    await advance(r, 10_000);
    expect(r.get('cam1:ArrayCounter_RBV')).toBe(0);
    expect(r.clock.pending).toBe(0);
  });

  it('readout geometry: SizeX is clamped to the sensor, binning shrinks the array', async () => {
    const r = rig();
    await r.put('cam1:MinX', 1000);
    await r.put('cam1:SizeX', 100);
    expect(r.get('cam1:SizeX')).toBe(100);
    expect(r.get('cam1:SizeX_RBV')).toBe(24);
    await r.put('cam1:BinY', 4);
    await r.put('cam1:ImageMode', 0);
    const a = await start(r);
    await advance(r, 100);
    expect(a.done()).toBe(true);
    expect(r.get('cam1:ArraySizeX_RBV')).toBe(24);
    expect(r.get('cam1:ArraySizeY_RBV')).toBe(256);
  });
});
