// The profile the recorder's end-to-end tests run on, and the PV names they touch in it.
//
// The tests run on the CMS profile (the default twin): its scenario also moves a motor and exposes the
// detector, with the same assertions. `'mini'` (test/fixtures/profiles/mini.yaml: a Linkam and a shutter
// only) is the fallback for working on the recorder without the motor and areaDetector kinds.
import { loadProfile, type Profile } from '../../devices/profile/profile.js';

export type ProfileName = 'mini' | 'cms';

export const PROFILE: ProfileName = 'cms';

export interface Scenario {
  /** What `--profile` is given (a built-in name or a file). */
  readonly profile: string;
  readonly controlPrefix: string;
  /** Linkam PV prefix (SETPOINT:SET, RAMPRATE:SET, STARTHEAT, TEMP). */
  readonly linkam: string;
  readonly shutter: string;
  /** A name under a catch-all prefix that no device serves. */
  readonly unknown: string;
  /** A motor record and an areaDetector cam prefix, when the profile has them. */
  readonly motor?: string;
  readonly cam?: string;
}

const scenarios: Record<ProfileName, Scenario> = {
  mini: {
    profile: 'test/fixtures/profiles/mini.yaml',
    controlPrefix: 'bt:',
    linkam: 'T:{LINKAM}:',
    shutter: 'T:{Shutter}',
    unknown: 'T:{Nothing}:Here',
  },
  cms: {
    profile: 'cms',
    controlPrefix: 'beamtwin:',
    linkam: 'XF:11BM-ES:{LINKAM}:',
    shutter: 'XF:11BM-ES{Shutter}',
    unknown: 'XF:11BMB-ES{Nothing}:Here',
    motor: 'XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr',
    cam: 'XF:11BMB-ES{Det:PIL2M}:cam1:',
  },
};

export const SCENARIO: Scenario = scenarios[PROFILE];

export function scenarioProfile(): Profile {
  return loadProfile(SCENARIO.profile);
}
