// The CMS beamline's Pilatus detector as ophyd defines it (SingleTrigger + PilatusDetector with image1,
// Stats1–5, ROI1–4, Proc1, Trans1 and a TIFF plugin with FileStoreTIFFIterativeWrite) against the CMS
// twin over Channel Access, with the classes of test/interop/python/cms_devices.py: staging, triggering
// with WaitForPlugins (ensure_nonblocking), the TIFF plugin's file numbering and resource/datum documents,
// unstaging. Ordering checks only, no durations.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwinSession } from '../../../harness/twin-session.js';
import { freeUdpPort } from '../../helpers/ports.js';
import { venvPython } from '../../helpers/python.js';

/** The beamline's device classes, shared with the real-client suites. */
const CMS_DEVICES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../interop/python');

const SCRIPT = String.raw`
import json, sys, time
sys.path.insert(0, ${JSON.stringify(CMS_DEVICES)})
from cms_devices import PilatusV33

det = PilatusV33('XF:11BMB-ES{Det:PIL2M}:', name='pilatus2M')
det.wait_for_connection(timeout=20)
det.read_attrs = ['tiff', 'stats1', 'stats2', 'stats3', 'stats4', 'stats5']
det.stats1.read_attrs = ['total']
for plugin in [det.image, det.stats1, det.stats2, det.stats3, det.stats4, det.stats5, det.roi1, det.roi2,
               det.roi3, det.roi4, det.proc1, det.trans1, det.tiff]:
    plugin.ensure_nonblocking()     # with WaitForPlugins the driver, not blocking callbacks, waits
det.cam.acquire_time.put(0.1, wait=True)
res = {'ports_valid': True}
try:
    det.validate_asyn_ports()
except Exception as e:
    res['ports_valid'] = repr(e)
det.stage()
res['staged'] = {
    'wait_for_plugins': det.cam.wait_for_plugins.get(as_string=True),
    'image_mode': det.cam.image_mode.get(as_string=True),
    'tiff_enable': det.tiff.enable.get(as_string=True),
    'file_template': det.tiff.file_template.get(),
    'auto_increment': det.tiff.auto_increment.get(as_string=True),
    'file_number': det.tiff.file_number.get(),
}
names = []
counters = []
for i in range(3):
    before = det.cam.array_counter.get(use_monitor=False)
    st = det.trigger()
    st.wait(timeout=30)
    reading = det.read()
    counters.append([before, det.cam.array_counter.get(use_monitor=False), det.tiff.array_counter.get(use_monitor=False),
                     det.stats1.array_counter.get(use_monitor=False)])
    names.append(det.tiff.full_file_name.get(use_monitor=False))
    res.setdefault('reading_keys', sorted(reading))
docs = list(det.collect_asset_docs())
det.unstage()
res['names'] = names
res['counters'] = counters
res['file_number_after'] = det.tiff.file_number.get(use_monitor=False)
res['docs'] = [d[0] for d in docs]
res['datum_ids'] = [d[1]['datum_id'] for d in docs if d[0] == 'datum']
res['resource_spec'] = [d[1]['spec'] for d in docs if d[0] == 'resource']
res['unstaged'] = {
    'wait_for_plugins': det.cam.wait_for_plugins.get(as_string=True),
    'image_mode': det.cam.image_mode.get(as_string=True),
    'acquire': det.cam.acquire.get(),
}
sys.stdout.write('@@ ' + json.dumps(res) + '\n')
sys.stdout.flush()
`;

function runOphyd(env: Record<string, string>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const proc = spawn(venvPython(), ['-c', SCRIPT], { env: { ...process.env, ...env, PYTHONUNBUFFERED: '1' } });
    let out = '';
    let err = '';
    const timer = setTimeout(() => proc.kill('SIGKILL'), 90_000);
    proc.stdout.on('data', (d) => (out += String(d)));
    proc.stderr.on('data', (d) => (err += String(d)));
    proc.on('close', (code) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('@@ '));
      if (code !== 0 || !line) reject(new Error(`ophyd script failed (code ${code})\n${err.slice(-3000)}\n${out.slice(-2000)}`));
      else resolve(JSON.parse(line.slice(3)) as Record<string, unknown>);
    });
  });
}

describe("the CMS Pilatus detector through ophyd (SingleTrigger + PilatusDetector, FileStoreTIFFIterativeWrite)", () => {
  let session: TwinSession;
  let res: Record<string, unknown>;

  beforeAll(async () => {
    session = await TwinSession.start({ profile: 'cms' });
    res = await runOphyd({ ...session.clientEnv(), EPICS_CA_REPEATER_PORT: String(await freeUdpPort()) });
  }, 120_000);
  afterAll(async () => {
    await session?.stop();
  });

  it('validates the port graph and stages: WaitForPlugins Yes, Multiple, TIFF enabled and numbering from 0', () => {
    expect(res['ports_valid']).toBe(true);
    expect(res['staged']).toEqual({
      wait_for_plugins: 'Yes',
      image_mode: 'Multiple',
      tiff_enable: 'Enable',
      file_template: '%s%s_%6.6d.tiff',
      auto_increment: 'Yes',
      file_number: 0,
    });
  });

  it('each trigger completes after its image reached the plugins; the TIFF file number advances by one', () => {
    const counters = res['counters'] as number[][];
    for (const [i, [before, cam, tiff, stats]] of counters.entries()) {
      expect(cam, `trigger ${i}`).toBe(before! + 1);
      expect(tiff).toBe(i + 1);
      expect(stats).toBeGreaterThanOrEqual(i + 1);
    }
    const names = res['names'] as string[];
    expect(names.map((n) => n.replace(/^.*_(\d{6})\.tiff$/, '$1'))).toEqual(['000000', '000001', '000002']);
    expect(new Set(names.map((n) => n.replace(/_\d{6}\.tiff$/, ''))).size).toBe(1);
    expect(res['file_number_after']).toBe(3);
    expect(res['reading_keys']).toContain('pilatus2M_image');
    expect(res['reading_keys']).toContain('pilatus2M_stats1_total');
  });

  it('emits one resource and a datum per image, and unstaging restores the settings', () => {
    expect(res['resource_spec']).toEqual(['AD_TIFF']);
    expect((res['datum_ids'] as string[]).length).toBe(3);
    expect(res['unstaged']).toEqual({ wait_for_plugins: 'No', image_mode: 'Multiple', acquire: 0 });
  });
});
