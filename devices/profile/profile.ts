import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { ProfileError } from './profile-error.js';

export { ProfileError };

/** One device of a beamline profile: `kind` picks the model, the rest is its settings. */
export interface DeviceSpec {
  readonly kind: string;
  readonly [key: string]: unknown;
}

/** A whole beamline as data: devices, catch-all, tracked channels, reset state, extra databases. */
export interface Profile {
  readonly name: string;
  readonly description?: string;
  /** Prefix of the twin's own control PVs (reset, marker). */
  readonly controlPrefix?: string;
  readonly devices: readonly DeviceSpec[];
  /** Settings merged under every device of that kind (e.g. motor record defaults). */
  readonly defaults?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly catchAll?: { readonly prefixes: readonly string[]; readonly exclude?: readonly string[] };
  /** The reference trace's channels (the recorder's "tracked set"). */
  readonly tracked?: readonly string[];
  /** Values the tracked PVs return to on reset. */
  readonly reset?: Readonly<Record<string, number | string>>;
  /** Database files loaded beside the devices. */
  readonly db?: readonly { readonly file: string; readonly macros?: string }[];
  /** Substitutions files (dbLoadTemplate) loaded beside the devices. */
  readonly substitutions?: readonly { readonly file: string; readonly macros?: string }[];
}

/** The package root (where package.json is), from sources or from dist/. */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** Profiles shipped with beamtwin, by name. Data files live beside the sources (devices/beamlines). */
export const builtinProfiles: Readonly<Record<string, string>> = {
  cms: path.join(packageRoot(), 'devices/beamlines/cms/cms.yaml'),
  'ophyd-test': path.join(packageRoot(), 'devices/beamlines/ophyd-test/ophyd-test.yaml'),
};

/** Load a profile from a file (JSON or YAML by extension) or a built-in name. */
export function loadProfile(nameOrFile: string): Profile {
  const file = builtinProfiles[nameOrFile] ?? nameOrFile;
  if (!fs.existsSync(file)) {
    throw new ProfileError(`no profile "${nameOrFile}" (built-in: ${Object.keys(builtinProfiles).join(', ')}; or give a .yaml/.json file)`);
  }
  const text = fs.readFileSync(file, 'utf8');
  let data: unknown;
  try {
    data = /\.json$/i.test(file) ? JSON.parse(text) : YAML.parse(text);
  } catch (e) {
    // The parsers name the line (YAML) or the position (JSON), never the file.
    throw new ProfileError(`${file}: not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`);
  }
  return validateProfile(data, file);
}

/** Check the shape and say what is wrong, with the file name. */
export function validateProfile(data: unknown, file = 'profile'): Profile {
  const fail = (msg: string): never => {
    throw new ProfileError(`${file}: ${msg}`);
  };
  if (!data || typeof data !== 'object') fail('not an object');
  const p = data as Profile;
  if (typeof p.name !== 'string' || !p.name) fail('"name" must be a non-empty string');
  if (!Array.isArray(p.devices)) fail('"devices" must be a list');
  p.devices.forEach((d, i) => {
    if (!d || typeof d !== 'object' || typeof d.kind !== 'string') fail(`devices[${i}] needs a "kind"`);
  });
  if (p.tracked && (!Array.isArray(p.tracked) || !p.tracked.every((n) => typeof n === 'string'))) fail('"tracked" must be a list of PV names');
  // A slip here would only show later, inside a CA search (catch-all) or a reset.
  const isMap = (v: unknown) => !!v && typeof v === 'object' && !Array.isArray(v);
  if (p.catchAll !== undefined) {
    const ok = (l: unknown) => Array.isArray(l) && l.every((x) => typeof x === 'string');
    if (!isMap(p.catchAll) || !ok(p.catchAll.prefixes)) fail('"catchAll.prefixes" must be a list of name prefixes');
    if (p.catchAll.exclude !== undefined && !ok(p.catchAll.exclude)) fail('"catchAll.exclude" must be a list of name prefixes');
  }
  if (p.reset !== undefined) {
    if (!isMap(p.reset)) fail('"reset" must map PV names to values');
    for (const [name, v] of Object.entries(p.reset)) if (typeof v !== 'number' && typeof v !== 'string') fail(`reset value of "${name}" must be a number or a string`);
  }
  if (p.defaults !== undefined && (!isMap(p.defaults) || !Object.values(p.defaults).every(isMap))) fail('"defaults" must map device kinds to settings');
  if (p.db) p.db.forEach((d, i) => (typeof d?.file === 'string' ? undefined : fail(`db[${i}] needs a "file"`)));
  if (p.substitutions) p.substitutions.forEach((d, i) => (typeof d?.file === 'string' ? undefined : fail(`substitutions[${i}] needs a "file"`)));
  // Relative database paths are relative to the profile file.
  const dir = path.dirname(path.resolve(file));
  const resolve = (list: Profile['db']) => list?.map((d) => ({ ...d, file: path.resolve(dir, d.file) }));
  return {
    ...p,
    ...(p.db ? { db: resolve(p.db) } : {}),
    ...(p.substitutions ? { substitutions: resolve(p.substitutions) } : {}),
  };
}
