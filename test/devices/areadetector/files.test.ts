// TIFF1/HDF1: NDFile bookkeeping, simulated writing by default, real TIFFs only inside the folder.
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cFormat, resolveIocPath } from '../../../devices/areadetector/index.js';
import { decodeTiff } from '../../../devices/areadetector/plugins/tiff-writer.js';
import { fileRig, rig } from './helpers.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'beamtwin-ad-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function acquire(r: ReturnType<typeof rig>, n = 1) {
  await r.put('cam1:ImageMode', 1);
  await r.put('cam1:NumImages', n);
  await r.put('cam1:AcquireTime', 0.1);
  const done = r.put('cam1:Acquire', 1);
  r.clock.advance(100 * n);
  await done;
}

describe('printf file templates', () => {
  it('formats like C', () => {
    expect(cFormat('%s%s_%3.3d.tif', ['/data/', 'img', 7])).toBe('/data/img_007.tif');
    expect(cFormat('%s%s_%06d.h5', ['/d/', 'x', 42])).toBe('/d/x_000042.h5');
    expect(cFormat('%s%s%d', ['a/', 'b', -3])).toBe('a/b-3');
    expect(cFormat('%s/%5d|%-4d|%%', ['p', 12, 3])).toBe('p/   12|3   |%');
  });
});

describe('file plugins, writing simulated (the default)', () => {
  it('serves the NDFile records with the template defaults', () => {
    const r = rig();
    expect(r.pv('TIFF1:FileWriteMode').enumStrings).toEqual(['Single', 'Capture', 'Stream']);
    expect(r.pv('HDF1:FileWriteMode').enumStrings).toEqual(['Single', 'Capture', 'Stream']);
    // The reference IOC's start-up values.
    expect(r.get('TIFF1:AutoIncrement')).toBe(0);
    expect(r.get('TIFF1:AutoSave')).toBe(0);
    expect(r.get('TIFF1:NumCapture')).toBe(1);
    expect(r.get('TIFF1:FileNumber')).toBe(0);
    expect(r.pv('TIFF1:Capture').enumStrings).toEqual(['Done', 'Capture']);
    expect(r.pv('TIFF1:Capture_RBV').enumStrings).toEqual(['Done', 'Capturing']);
    expect(r.pv('TIFF1:FilePathExists_RBV').enumStrings).toEqual(['No', 'Yes']);
    expect(r.str('HDF1:FileTemplate')).toBe('');
    for (const n of ['CreateDirectory', 'WriteFile', 'ReadFile', 'FileFormat', 'NumCaptured_RBV', 'LazyOpen', 'TempSuffix', 'DeleteDriverFile', 'WriteStatus', 'WriteMessage']) {
      expect(() => r.pv(`TIFF1:${n}`)).not.toThrow();
    }
  });

  it('names advance as on a real IOC, nothing is written', async () => {
    const r = await fileRig({ enabled: ['TIFF1:'] });
    await r.put('TIFF1:FilePath', '/nsls2/data/cms/2025-1');
    expect(r.str('TIFF1:FilePath_RBV')).toBe('/nsls2/data/cms/2025-1/');
    expect(r.get('TIFF1:FilePathExists_RBV')).toBe(1);
    await r.put('TIFF1:FileName', 'sam');
    await r.put('TIFF1:FileNumber', 5);
    await acquire(r, 2);
    expect(r.get('TIFF1:ArrayCounter_RBV')).toBe(2);
    expect(r.str('TIFF1:FullFileName_RBV')).toBe('/nsls2/data/cms/2025-1/sam_006.tif');
    expect(r.get('TIFF1:FileNumber_RBV')).toBe(7);
    expect(r.det.tiff.written).toEqual([]);
    expect(existsSync('/nsls2/data/cms/2025-1')).toBe(false);
  });

  it('Capture mode: Capture is busy until NumCapture arrays arrived', async () => {
    const r = await fileRig({ enabled: ['HDF1:'] });
    await r.put('HDF1:FilePath', '/data');
    await r.put('HDF1:FileName', 'scan');
    await r.put('HDF1:FileWriteMode', 1);
    await r.put('HDF1:NumCapture', 3);
    let captured = false;
    const cap = r.put('HDF1:Capture', 1).then(() => (captured = true));
    expect(r.get('HDF1:Capture_RBV')).toBe(1);
    await acquire(r, 2);
    expect(captured).toBe(false);
    expect(r.get('HDF1:NumCaptured_RBV')).toBe(2);
    await acquire(r, 1);
    await cap;
    expect(captured).toBe(true);
    expect(r.get('HDF1:Capture_RBV')).toBe(0);
    expect(r.str('HDF1:FullFileName_RBV')).toBe('/data/scan_000001.h5');
    expect(r.get('HDF1:FileNumber_RBV')).toBe(2);
  });

  it('Capture in Single mode is refused', async () => {
    const r = await fileRig();
    await expect(r.put('TIFF1:Capture', 1)).rejects.toThrow(/Single/);
    expect(r.get('TIFF1:Capture_RBV')).toBe(0);
  });
});

describe('file plugins writing into a folder', () => {
  it('writes TIFFs inside the folder, with the frame pixels', async () => {
    const root = tmp();
    const r = await fileRig({ enabled: ['TIFF1:'], files: { root } });
    const dir = path.join(root, 'run1');
    mkdirSync(dir);
    await r.put('TIFF1:FilePath', dir);
    expect(r.get('TIFF1:FilePathExists_RBV')).toBe(1);
    await r.put('TIFF1:FileName', 'img');
    await r.put('cam1:SizeX', 64);
    await r.put('cam1:MinX', 480);
    await acquire(r, 1);
    expect(readdirSync(dir)).toEqual(['img_001.tif']);
    const t = decodeTiff(readFileSync(path.join(dir, 'img_001.tif')));
    expect(t.width).toBe(64);
    expect(t.height).toBe(1024);
    const frame = Array.from(r.det.cam.lastImage!.data());
    expect(Array.from(t.data)).toEqual(frame);
    expect(Math.max(...frame)).toBeGreaterThan(0);
    expect(r.str('TIFF1:FullFileName_RBV')).toBe(`${dir}/img_001.tif`);
    expect(r.get('TIFF1:WriteStatus')).toBe(0);
  });

  it('never writes outside the folder: FilePathExists No, WriteFile and Capture refused, autosave fails', async () => {
    const root = tmp();
    const outside = tmp();
    const r = await fileRig({ enabled: ['TIFF1:'], files: { root } });
    await r.put('TIFF1:FilePath', outside);
    expect(r.get('TIFF1:FilePathExists_RBV')).toBe(0);
    await r.put('TIFF1:FileName', 'x');
    await acquire(r, 1);
    expect(r.get('TIFF1:WriteStatus')).toBe(1);
    expect(r.str('TIFF1:WriteMessage')).toMatch(/outside/);
    await expect(r.put('TIFF1:WriteFile', 1)).rejects.toThrow(/outside/);
    expect(r.get('TIFF1:WriteFile_RBV')).toBe(0);
    await r.put('TIFF1:FileWriteMode', 2);
    await expect(r.put('TIFF1:Capture', 1)).rejects.toThrow(/outside/);
    // Escapes through '..' and through a symbolic link are outside too.
    await r.put('TIFF1:FilePath', `${root}/../${path.basename(outside)}`);
    expect(r.get('TIFF1:FilePathExists_RBV')).toBe(0);
    symlinkSync(outside, path.join(root, 'link'));
    expect(resolveIocPath(path.join(root, 'link'), { root }).ok).toBe(false);
    expect(readdirSync(outside)).toEqual([]);
    expect(r.det.tiff.written).toEqual([]);
  });

  it('CreateDirectory makes missing directories inside the folder only', async () => {
    const root = tmp();
    const r = await fileRig({ enabled: ['TIFF1:'], files: { root } });
    await r.put('TIFF1:FilePath', `${root}/a/b`);
    expect(r.get('TIFF1:FilePathExists_RBV')).toBe(0);
    await acquire(r, 1);
    expect(r.get('TIFF1:WriteStatus')).toBe(1);
    await r.put('TIFF1:CreateDirectory', -3);
    await acquire(r, 1);
    expect(r.get('TIFF1:WriteStatus')).toBe(0);
    expect(readdirSync(`${root}/a/b`)).toEqual(['_001.tif']);
    expect(r.get('TIFF1:FilePathExists_RBV')).toBe(1);
  });

  it('mapPaths maps beamline paths into the folder', async () => {
    const root = tmp();
    const r = await fileRig({ enabled: ['TIFF1:'], files: { root, mapPaths: true } });
    await r.put('TIFF1:CreateDirectory', 1);
    await r.put('TIFF1:FilePath', '/nsls2/data/cms/../../../../etc');
    await r.put('TIFF1:FileName', 'm');
    await acquire(r, 1);
    expect(readdirSync(path.join(root, 'etc'))).toEqual(['m_001.tif']);
  });

  it('WriteFile in Single mode writes the last array on demand', async () => {
    const root = tmp();
    const r = await fileRig({ enabled: ['TIFF1:'], files: { root } });
    await r.put('TIFF1:AutoSave', 0);
    await r.put('TIFF1:FilePath', root);
    await r.put('TIFF1:FileName', 'w');
    await acquire(r, 1);
    expect(readdirSync(root)).toEqual([]);
    await r.put('TIFF1:WriteFile', 1);
    expect(readdirSync(root)).toEqual(['w_001.tif']);
    expect(r.get('TIFF1:FileNumber_RBV')).toBe(2);
  });
});
