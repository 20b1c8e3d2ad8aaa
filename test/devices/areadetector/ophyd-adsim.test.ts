// The ophyd-adsim model (the ophyd-test profile's detector): the reference chain plus CB1, CC1, Over1,
// JPEG1 and netCDF1; the circular buffer's capture and trigger; dbCommon fields of every detector record.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../../devices/areadetector/model.js';
import { P, rig, settle, type Rig } from './helpers.js';

const NEW_PLUGINS: Record<string, string> = {
  'CB1:': 'NDPluginCircularBuff',
  'CC1:': 'NDPluginColorConvert',
  'Over1:': 'NDPluginOverlay',
  'JPEG1:': 'NDFileJPEG',
  'netCDF1:': 'NDFileNetCDF',
};

const ophydRig = (opts: Parameters<typeof rig>[0] = {}) => rig({ detectorModel: 'ophyd-adsim', ...opts });

/** Continuous acquisition at 0.1 s; `frames(n)` advances the clock by n frames. */
async function continuous(r: Rig) {
  await r.put('cam1:ImageMode', 2);
  await r.put('cam1:AcquireTime', 0.1);
  await r.put('cam1:AcquirePeriod', 0.1);
  void r.put('cam1:Acquire', 1);
  await settle();
  return async (n: number) => {
    for (let i = 0; i < n; i++) {
      r.clock.advance(100);
      await settle();
    }
  };
}

describe('ophyd-adsim model', () => {
  it('extends adsim-pil2m with the stack plugins, all fed from the driver port, and the 8 overlays', () => {
    const base = loadModel('adsim-pil2m');
    const model = loadModel('ophyd-adsim');
    expect(model.instances.slice(0, base.instances.length)).toEqual(base.instances);
    expect(model.macros).toEqual(base.macros);
    expect(model.starts).toEqual(base.starts);
    const r = ophydRig();
    const cam = r.str('cam1:PortName_RBV');
    for (const [suffix, type] of Object.entries(NEW_PLUGINS)) {
      expect(r.str(`${suffix}PluginType_RBV`)).toBe(type);
      expect(r.str(`${suffix}NDArrayPort_RBV`)).toBe(cam);
    }
    for (let i = 1; i <= 8; i++) expect(r.str(`Over1:${i}:Name_RBV`)).toBe(`Overlay${i}`);
    expect(r.pv('Over1:3:Shape').enumStrings).toEqual(['Cross', 'Rectangle', 'Ellipse', 'Text']);
    expect(r.pv('CC1:FalseColor_RBV').enumStrings).toEqual(['None', 'Rainbow', 'Iron']);
    expect(r.get('JPEG1:JPEGQuality_RBV')).toBe(50);
  });

  it('refuses a model that extends itself', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beamtwin-model-'));
    const file = path.join(dir, 'loop.json');
    fs.writeFileSync(file, JSON.stringify({ extends: file, instances: [] }));
    try {
      expect(() => loadModel(file)).toThrow(/extends itself/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CB1: NDPluginCircularBuff', () => {
  it('keeps PreCount arrays while capturing, passes them and PostCount more on a soft trigger, then ends', async () => {
    const r = ophydRig({ enabled: ['CB1:', 'Stats1:'] });
    await r.put('Stats1:NDArrayPort', 'CB1');
    await r.put('CB1:PreCount', 2);
    await r.put('CB1:PostCount', 3);
    await r.put('CB1:PresetTriggerCount', 1);
    const frames = await continuous(r);
    await frames(4);
    expect(r.get('CB1:CurrentQty_RBV')).toBe(0); // not capturing yet
    await r.put('CB1:Capture', 1);
    expect(r.get('CB1:Capture_RBV')).toBe(1);
    await frames(5);
    expect(r.get('CB1:CurrentQty_RBV')).toBe(2);
    expect(r.get('Stats1:ArrayCounter_RBV')).toBe(0); // nothing downstream before the trigger
    const trigger = r.watch('CB1:Trigger_RBV');
    await r.put('CB1:Trigger', 1);
    await frames(3);
    expect(r.get('Stats1:ArrayCounter_RBV')).toBe(5); // 2 pre-trigger + 3 post-trigger
    expect(r.get('CB1:PostTriggerQty_RBV')).toBe(3);
    expect(r.get('CB1:ActualTriggerCount_RBV')).toBe(1);
    expect(trigger).toEqual([1, 0]);
    expect(r.get('CB1:Trigger')).toBe(0);
    // PresetTriggerCount reached: the capture ends and later frames stay upstream.
    expect(r.get('CB1:Capture')).toBe(0);
    expect(r.get('CB1:Capture_RBV')).toBe(0);
    await frames(3);
    expect(r.get('Stats1:ArrayCounter_RBV')).toBe(5);
  });

  it('with PresetTriggerCount 0 captures until Capture 0, which also ends a pending trigger', async () => {
    const r = ophydRig({ enabled: ['CB1:'] });
    await r.put('CB1:PreCount', 0);
    await r.put('CB1:PresetTriggerCount', 0);
    const frames = await continuous(r);
    await r.put('CB1:Capture', 1);
    await r.put('CB1:Trigger', 1);
    await frames(200); // PostCount 100: two triggers' worth, one trigger ends
    expect(r.get('CB1:ActualTriggerCount_RBV')).toBe(1);
    expect(r.get('CB1:Capture_RBV')).toBe(1);
    await r.put('CB1:Trigger', 1);
    expect(r.get('CB1:Trigger_RBV')).toBe(1);
    await r.put('CB1:Capture', 0);
    expect(r.get('CB1:Trigger_RBV')).toBe(0);
    expect(r.str('CB1:StatusMessage')).toBe('Acquisition Stopped');
  });
});

describe('Over1: NDPluginOverlay', () => {
  it('MaxSizeX/Y_RBV follow the input arrays', async () => {
    const r = ophydRig({ enabled: ['Over1:'], maxSizeX: 64, maxSizeY: 32 });
    expect(r.get('Over1:MaxSizeX_RBV')).toBe(0);
    const frames = await continuous(r);
    await frames(1);
    expect(r.get('Over1:MaxSizeX_RBV')).toBe(64);
    expect(r.get('Over1:MaxSizeY_RBV')).toBe(32);
  });
});

describe('dbCommon fields of the detector records', () => {
  it('serves .DISA, .DISV, .NAME, .SCAN, .STAT/.SEVR and a writable .DESC on demand', async () => {
    const r = ophydRig();
    const field = (name: string) => r.db.lookup(`${P}:${name}`);
    expect(field('cam1:DataType_RBV.DISA')?.value).toBe(0);
    expect(field('cam1:DataType_RBV.DISV')?.value).toBe(1);
    expect(field('cam1:DataType_RBV.NAME')?.value).toBe(`${P}:cam1:DataType_RBV`);
    const scan = field('cam1:DataType_RBV.SCAN')!;
    expect(scan.enumStrings[scan.value as number]).toBe('I/O Intr');
    const scanOut = field('cam1:AcquireTime.SCAN')!;
    expect(scanOut.enumStrings[scanOut.value as number]).toBe('Passive');
    const rec = r.pv('cam1:AcquireTime');
    rec.setAlarm(3, 2);
    expect(field('cam1:AcquireTime.SEVR')?.value).toBe(2);
    expect(field('cam1:AcquireTime.STAT')?.value).toBe(3);
    await field('Over1:1:Name.DESC')!.put('first overlay');
    expect(r.pv('Over1:1:Name').description).toBe('first overlay');
    expect(field('cam1:DataType_RBV.NAME')!.writable).toBe(false);
    expect(field('cam1:DataType_RBV.NOSUCH')).toBeUndefined();
    expect(r.db.lookup('elsewhere:PV.DISA')).toBeUndefined();
  });
});
