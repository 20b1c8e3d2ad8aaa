import { describe, expect, it } from 'vitest';
import { validateProfile } from '../../devices/profile/profile.js';
import { layoutOf, watchedNames } from '../../web/layout.js';

describe('layoutOf', () => {
  it('makes one panel per known device of any profile, with defaults merged and names derived', () => {
    const profile = validateProfile({
      name: 'test-bl',
      controlPrefix: 'tb:',
      defaults: { motor: { DESC: 'an axis' } },
      devices: [
        { kind: 'motor', name: 'x', pv: 'TB:X' },
        { kind: 'motor', pv: 'TB:Y', DESC: 'why' },
        { kind: 'areaDetector', name: 'cam', prefix: 'TB:DET:' },
        { kind: 'linkam', name: 'stage', prefix: 'TB:LK:' },
        { kind: 'shutter', name: 'sh', pv: 'TB:SH', blades: ['TB:B1'] },
        { kind: 'somethingElse', name: 'z' },
      ],
      tracked: ['TB:X'],
    });
    const layout = layoutOf(profile);
    expect(layout).toMatchObject({ profile: 'test-bl', control: { reset: 'tb:reset', marker: 'tb:marker' }, tracked: ['TB:X'] });
    expect(layout.panels.map((p) => [p.kind, p.name])).toEqual([
      ['motor', 'x'],
      ['motor', 'motor2'],
      ['detector', 'cam'],
      ['linkam', 'stage'],
      ['shutter', 'sh'],
    ]);
    expect(layout.panels[0]).toMatchObject({ pv: 'TB:X', rbv: 'TB:X.RBV', dmov: 'TB:X.DMOV', desc: 'an axis' });
    expect(layout.panels[1]).toMatchObject({ desc: 'why' });
    // A prefix ending in ':' takes the record suffix as is (recordPrefix).
    expect(layout.panels[2]).toMatchObject({ state: 'TB:DET:cam1:DetectorState_RBV', arrayData: 'TB:DET:image1:ArrayData' });
    expect(layout.panels[3]).toMatchObject({ temp: 'TB:LK:TEMP', setpoint: 'TB:LK:SETPOINT:SET' });
    const names = watchedNames(layout);
    expect(names).toContain('TB:B1');
    expect(names).not.toContain('TB:DET:image1:ArrayData'); // frames travel as pictures
  });
});
