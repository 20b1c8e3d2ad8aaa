// The CMS detector's PVA plugin: each frame as NTNDArray at XF:11BMB-ES{Det:PIL2M}:PVA:OUTPUT, the same
// pixels image1:ArrayData serves over CA. Driven and read from one Python process: p4p and pyepics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwinSession } from '../../harness/twin-session.js';
import { runP4p } from './p4p.js';

const P = 'XF:11BMB-ES{Det:PIL2M}:';

describe('NTNDArray from the CMS detector (p4p + pyepics)', () => {
  let session: TwinSession;
  beforeAll(async () => {
    session = await TwinSession.start({ profile: 'cms' });
  });
  afterAll(() => session?.stop());

  it('nothing while the plugin is disabled; a frame acquired with it enabled arrives with the detector dimensions and image1 pixels', async () => {
    const [m] = await runP4p(
      String.raw`
import epics
P = '${P}'
ctx.put(P + 'cam1:ImageMode', {'value.index': 0}, timeout=5)
ctx.put(P + 'cam1:AcquireTime', 0.01, timeout=5)
# Disabled: a frame is not published (the reference IOC starts with the plugin enabled).
ctx.put(P + 'PVA:EnableCallbacks', {'value.index': 0}, timeout=5)
ctx.put(P + 'cam1:Acquire', {'value.index': 1}, timeout=20, wait=True)
disabled = ctx.get(P + 'PVA:OUTPUT', timeout=10).uniqueId
ctx.put(P + 'PVA:EnableCallbacks', {'value.index': 1}, timeout=5)
ctx.put(P + 'cam1:Acquire', {'value.index': 1}, timeout=20, wait=True)
# The plugin is non-blocking (BlockingCallbacks No, as in the reference IOC): it may publish just after
# the driver's Acquire completes. Wait for the frame, not for time.
import time
deadline = time.monotonic() + 20
v = ctx.get(P + 'PVA:OUTPUT', timeout=10)
while v.uniqueId == disabled and time.monotonic() < deadline:
    time.sleep(0.02)
    v = ctx.get(P + 'PVA:OUTPUT', timeout=10)
pix = v.value
dims = [d.size for d in v.dimension]
n = dims[0] * dims[1]
ca = epics.caget(P + 'image1:ArrayData', count=n, timeout=10)
out({'disabled': disabled, 'id': v.getID(), 'dims': dims, 'sizeX': epics.caget(P + 'cam1:ArraySizeX_RBV'), 'sizeY': epics.caget(P + 'cam1:ArraySizeY_RBV'),
     'uniqueId': v.uniqueId, 'counter': epics.caget(P + 'cam1:ArrayCounter_RBV'), 'union': v.value.dtype.name if hasattr(v.value, 'dtype') else str(type(v.value)),
    # image1 is an Int8 CHAR waveform as in the reference IOC (NDStdArrays casts); compare as image1 sees them.
     'n': int(len(pix)), 'same': bool(numpy.array_equal(numpy.asarray(pix).astype('int8'), numpy.asarray(ca).astype('int8'))), 'sum': int(numpy.asarray(pix).astype('int64').sum()),
     'colorMode': [a.value for a in v.attribute if a.name == 'ColorMode'], 'pvname': epics.caget(P + 'PVA:PvName_RBV', as_string=True)})
`,
      session.childEnv() as Record<string, string>,
      { timeoutMs: 60_000 },
    );
    expect(m['disabled']).toBe(0);
    expect(m['id']).toBe('epics:nt/NTNDArray:1.0');
    expect(m['dims']).toEqual([m['sizeX'], m['sizeY']]);
    expect(m['n']).toBe((m['sizeX'] as number) * (m['sizeY'] as number));
    expect(m['n']).toBeGreaterThan(0);
    expect(m['same']).toBe(true);
    expect(m['sum']).toBeGreaterThan(0);
    expect(m['uniqueId']).toBe(m['counter']);
    expect(m['colorMode']).toEqual([0]);
    expect(m['pvname']).toBe(`${P}PVA:OUTPUT`);
  });
});
