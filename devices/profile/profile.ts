import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ProfileError } from './profile-error.js';
import { checkShape, must, readUserFile } from './user-file.js';

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

const names = (what: string) => z.array(z.string(must('a name')), must(what));
const fileRef = z.strictObject({ file: z.string(must('a file name')), macros: z.string(must('a macro string like "P=BL:"')).optional() }, must('{file, macros}'));
const scalar = z.union([z.number(), z.string()], must('a number or a string'));

/**
 * The profile file's shape. Objects are strict: a misspelled key is an error, not a setting ignored.
 * A device's own settings are checked by its kind when the twin creates it (devices/profile/kinds.ts).
 */
export const profileSchema = z.strictObject(
  {
    name: z.string(must('a non-empty string')).min(1, must('a non-empty string')),
    description: z.string(must('a string')).optional(),
    controlPrefix: z.string(must('a PV name prefix')).optional(),
    devices: z.array(z.looseObject({ kind: z.string(must('a device kind name')) }, must('a mapping with a "kind"')), must('a list')),
    defaults: z.record(z.string(), z.record(z.string(), z.unknown(), must('a mapping of settings')), must('a mapping from device kinds to settings')).optional(),
    catchAll: z.strictObject({ prefixes: names('a list of name prefixes'), exclude: names('a list of name prefixes').optional() }, must('{prefixes, exclude}')).optional(),
    tracked: names('a list of PV names').optional(),
    reset: z.record(z.string(), scalar, must('a mapping from PV names to values')).optional(),
    db: z.array(fileRef, must('a list of {file, macros}')).optional(),
    substitutions: z.array(fileRef, must('a list of {file, macros}')).optional(),
  },
  must('a mapping'),
);

const profileError = (msg: string) => new ProfileError(msg);

/** Load a profile from a file (JSON or YAML by extension) or a built-in name. */
export function loadProfile(nameOrFile: string): Profile {
  const file = builtinProfiles[nameOrFile] ?? nameOrFile;
  if (!fs.existsSync(file)) {
    throw new ProfileError(`no profile "${nameOrFile}" (built-in: ${Object.keys(builtinProfiles).join(', ')}; or give a .yaml/.json file)`);
  }
  return validateProfile(readUserFile(file, 'profile', profileError), file);
}

/** Check the shape and say what is wrong, with the file name. */
export function validateProfile(data: unknown, file = 'profile'): Profile {
  const p = checkShape(profileSchema, data, file, profileError) as Profile;
  // Relative database paths are relative to the profile file.
  const dir = path.dirname(path.resolve(file));
  const resolve = (list: Profile['db']) => list?.map((d) => ({ ...d, file: path.resolve(dir, d.file) }));
  return {
    ...p,
    ...(p.db ? { db: resolve(p.db) } : {}),
    ...(p.substitutions ? { substitutions: resolve(p.substitutions) } : {}),
  };
}
