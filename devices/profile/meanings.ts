import type { DeclaredDevice } from '../meaning.js';
import './builtin-kinds.js';
import { deviceKind, specWithDefaults } from './kinds.js';
import type { Profile } from './profile.js';

/** Every device of a profile with what its kind declares matters about it (devices/meaning.ts). */
export function profileMeanings(profile: Profile): DeclaredDevice[] {
  return profile.devices.map((raw) => {
    const spec = specWithDefaults(profile, raw);
    const kind = deviceKind(spec.kind);
    const served = kind.prefixes(spec);
    const meaning = kind.meaning?.(spec) ?? { prefixes: served, meanings: [] };
    return { ...meaning, device: String(spec['name'] ?? served[0] ?? spec.kind), kind: spec.kind };
  });
}
