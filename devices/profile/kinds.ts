import type { PvDatabase } from '../../ioc/db/database.js';
import type { RecordDatabase } from '../../ioc/records/record-database.js';
import type { DeviceHandle } from '../device.js';
import type { DeviceMeaning } from '../meaning.js';
import { ProfileError } from './profile-error.js';
import type { DeviceSpec, Profile } from './profile.js';

/** What a device factory gets: the twin's databases and its spec (profile defaults merged in). */
export interface DeviceContext {
  readonly db: PvDatabase;
  readonly records: RecordDatabase;
}

export interface DeviceKind {
  create(ctx: DeviceContext, spec: DeviceSpec): DeviceHandle;
  /** PV names or prefixes the device serves; the catch-all never fabricates under them. */
  prefixes(spec: DeviceSpec): string[];
  /** The settings a spec may hold besides `kind` and `name`: any other key is a misspelling. */
  readonly settings?: readonly string[];
  /** What matters about the device (devices/meaning.ts); without it, its PVs are all a reader knows. */
  meaning?(spec: DeviceSpec): DeviceMeaning;
}

const kinds = new Map<string, DeviceKind>();

export function registerDeviceKind(name: string, kind: DeviceKind): void {
  kinds.set(name, kind);
}

export function deviceKind(name: string): DeviceKind {
  const k = kinds.get(name);
  if (!k) throw new ProfileError(`unknown device kind "${name}" (known: ${[...kinds.keys()].join(', ')})`);
  return k;
}

/** A device's spec with the profile's defaults for its kind merged under it. */
export function specWithDefaults(profile: Profile, raw: DeviceSpec): DeviceSpec {
  return { ...(profile.defaults?.[raw.kind] ?? {}), ...raw };
}

/** Create a device; a PV name another device already serves is a profile error naming both. */
export function createDevice(kind: DeviceKind, ctx: DeviceContext, spec: DeviceSpec): DeviceHandle {
  try {
    return kind.create(ctx, spec);
  } catch (e) {
    const dup = /^duplicate PV name (.*)$/.exec((e as Error).message);
    if (dup) throw new ProfileError(`device ${String(spec['name'] ?? spec.kind)}: ${dup[1]} is already served by another device (a PV listed twice?)`);
    throw e;
  }
}

/** A setting the kind does not know is an error naming it (a typo would otherwise be ignored silently). */
export function checkSettings(kind: DeviceKind, spec: DeviceSpec): void {
  if (!kind.settings) return;
  const known = new Set(['kind', 'name', ...kind.settings]);
  const unknown = Object.keys(spec).filter((k) => !known.has(k));
  if (unknown.length) {
    throw new ProfileError(`device ${String(spec['name'] ?? spec.kind)}: unknown setting${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')} (${spec.kind} takes ${kind.settings.join(', ')})`);
  }
}

/** Read a setting of a spec with a type check, for clear profile errors. */
export function setting<T extends string | number | boolean | readonly unknown[]>(
  spec: DeviceSpec,
  key: string,
  type: 'string' | 'number' | 'boolean' | 'array',
  fallback?: T,
): T {
  const v = spec[key];
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new ProfileError(`device ${String(spec['name'] ?? spec.kind)}: missing "${key}"`);
  }
  const ok = type === 'array' ? Array.isArray(v) : typeof v === type;
  if (!ok) throw new ProfileError(`device ${String(spec['name'] ?? spec.kind)}: "${key}" must be ${type === 'array' ? 'a list' : `a ${type}`}`);
  return v as T;
}
