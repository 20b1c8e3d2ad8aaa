// Each built-in device kind's declaration (devices/meaning.ts) names PVs the twin really serves, and
// claims them as its own: a misspelt suffix would make validate silently see nothing.
import { afterAll, describe, expect, it } from 'vitest';
import { owns, stateChannels, type Meaning } from '../../devices/meaning.js';
import { MOTOR_DRIVE_FIELDS } from '../../devices/motor/meaning.js';
import { profileMeanings } from '../../devices/profile/meanings.js';
import { loadProfile } from '../../devices/profile/profile.js';
import { Twin } from '../../devices/twin.js';
import { VirtualClock } from '../../ioc/clock.js';

const channelsOf = (m: Meaning): string[] => {
  switch (m.kind) {
    case 'move':
      return [...m.drive, ...m.setpoint, m.readback, m.done.channel];
    case 'exposure':
      return [m.acquire, m.exposureTime, m.exposuresPerImage, m.numImages, m.imageCounter].filter((c): c is string => c !== undefined);
    case 'temperature':
      return [...m.setpoint, m.temperature];
    case 'state':
      return [m.channel];
    case 'limit':
      return [m.trip.channel];
  }
};

const profile = loadProfile('cms');
const twin = new Twin(profile, { clock: new VirtualClock(), strict: true }).start();
afterAll(() => twin.stop());

describe('device declarations', () => {
  const declared = profileMeanings(profile);

  it('every device of the CMS profile declares something, each kind what it is for', () => {
    expect(declared.map((d) => [d.device, d.kind, [...new Set(d.meanings.map((m) => m.kind))]])).toEqual([
      ...['smx', 'smy', 'sth', 'bsx', 'bsy', 'bsphi', 'srot', 'schi', 'sphi', 'smy2'].map((n) => [n, 'motor', ['move', 'limit']]),
      ['pilatus2M', 'areaDetector', ['exposure']],
      ['linkam', 'linkam', ['temperature']],
      ['shutter', 'shutter', ['state']],
    ]);
  });

  it("names only PVs the twin serves, all of them the declaring device's own", () => {
    for (const d of declared) {
      const channels = [...d.meanings.flatMap(channelsOf), ...stateChannels(d)];
      for (const c of channels) {
        expect(twin.served(c), `${d.device}: ${c}`).toBeDefined();
        expect(owns(d, c), `${d.device}: ${c}`).toBe(true);
        expect(declared.filter((o) => owns(o, c)).map((o) => o.device), c).toEqual([d.device]);
      }
    }
  });

  it("a put to each of the motor's drive fields starts a move (DMOV 0)", async () => {
    const motors = declared.filter((d) => d.kind === 'motor');
    expect(motors.length).toBeGreaterThanOrEqual(MOTOR_DRIVE_FIELDS.length);
    // One motor per field, so one command's motion does not hide another's.
    const values: Record<string, number> = { VAL: 1, DVAL: 1, RVAL: 100, RLV: 1 };
    const started = MOTOR_DRIVE_FIELDS.map((f, i) => {
      const pv = motors[i]!.names![0]!;
      void twin.served(`${pv}.${f}`)!.put(values[f] ?? 1, {});
      return [f, twin.served(`${pv}.DMOV`)!.value];
    });
    expect(started).toEqual(MOTOR_DRIVE_FIELDS.map((f) => [f, 0]));
  });
});
