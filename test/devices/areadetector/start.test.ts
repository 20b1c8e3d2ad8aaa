// The detector's start-up as a profile setting: idle by default (the CMS profile), `start: running`
// reproduces the reference IOC's continuous acquisition from start-up. Virtual time only.
import { describe, expect, it } from 'vitest';
import { loadProfile, validateProfile } from '../../../devices/profile/profile.js';
import { Twin } from '../../../devices/twin.js';
import { VirtualClock } from '../../../ioc/clock.js';

const CAM = 'XF:11BMB-ES{Det:PIL2M}:cam1:';

function twinWith(start?: string) {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const spec = { kind: 'areaDetector', name: 'det', prefix: 'XF:11BMB-ES{Det:PIL2M}', ...(start ? { start } : {}) };
  const twin = new Twin(validateProfile({ name: 'det-only', controlPrefix: 'dt:', devices: [spec], tracked: [], reset: {} }), { clock }).start();
  return { clock, twin, get: (n: string) => twin.db.lookup(CAM + n)!.value as number };
}

describe('detector start-up (profile setting `start`)', () => {
  it('the CMS profile starts idle, as documented: nothing acquires until a client asks', () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const twin = new Twin(loadProfile('cms'), { clock }).start();
    clock.advance(2000);
    expect(twin.db.lookup(`${CAM}Acquire`)!.value).toBe(0);
    expect(twin.db.lookup(`${CAM}ArrayCounter_RBV`)!.value).toBe(0);
    twin.stop();
  });

  it('`start: running` acquires continuously from start-up at AcquireTime 0.1 s, as the reference IOC', async () => {
    const t = twinWith('running');
    t.clock.advance(1000);
    await Promise.resolve();
    expect(t.get('Acquire')).toBe(1);
    expect(t.get('ImageMode')).toBe(2); // Continuous
    expect(t.get('ArrayCounter_RBV')).toBe(10);
    t.clock.advance(1000);
    expect(t.get('ArrayCounter_RBV')).toBe(20);
    t.twin.stop();
    t.clock.advance(1000);
    expect(t.get('ArrayCounter_RBV')).toBe(20);
  });

  it('the default is idle; an unknown start-up is refused naming the known ones', () => {
    const t = twinWith();
    t.clock.advance(1000);
    expect(t.get('Acquire')).toBe(0);
    expect(t.get('ImageMode')).toBe(1); // Multiple, one image per Acquire
    t.twin.stop();
    expect(() => twinWith('warm')).toThrow(/no start-up named warm \(running, idle\)/);
  });
});
