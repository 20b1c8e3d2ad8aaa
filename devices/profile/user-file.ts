import fs from 'node:fs';
import YAML from 'yaml';
import type { z } from 'zod';

/**
 * The one way beamtwin reads a file a user wrote (a profile, an eval manifest, validate's rules): JSON
 * or YAML by extension, then checked against a zod schema whose objects are strict, so a misspelled key
 * is an error naming the key and the file, never a setting silently ignored. `fail` makes the caller's
 * error class (ProfileError, ManifestError, UsageError), so each command maps it to its exit code.
 */
export function readUserFile(file: string, what: string, fail: (message: string) => Error): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw fail(`no such ${what}: ${file}`);
    if (err.code === 'EISDIR') throw fail(`${file}: is a directory, not a ${what}`);
    throw e;
  }
  const json = /\.json$/i.test(file);
  if (!text.trim()) throw fail(`${file}: is empty`);
  try {
    return json ? JSON.parse(text) : YAML.parse(text);
  } catch (e) {
    // The parsers name the line (YAML) or the position (JSON), never the file.
    throw fail(`${file}: not valid ${json ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** A schema's error for a missing or mistyped field, worded as `checkShape` prints it: "x" must be <what>. */
export const must = (what: string) => ({ error: (i: { input: unknown }) => (i.input === undefined ? 'is missing' : `must be ${what}`) });

/** `data` checked against `schema`: the parsed value, or `fail` with the first problem as one line. */
export function checkShape<S extends z.ZodType>(schema: S, data: unknown, file: string, fail: (message: string) => Error): z.output<S> {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  throw fail(`${file}: ${describeIssue(r.error.issues)}`);
}

type Issue = z.core.$ZodIssue;

/** A dotted path as a user would write it: tasks[2].candidates[0].expect. */
export function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out;
}

/** The most useful issue in words: an unknown key first (the typo this is all about), else the first. */
export function describeIssue(issues: readonly Issue[]): string {
  const unknown = issues.find((i) => i.code === 'unrecognized_keys');
  const i = unknown ?? issues[0]!;
  const where = pathText(i.path);
  if (i.code === 'unrecognized_keys') {
    const keys = i.keys.map((k) => `"${k}"`).join(', ');
    return `unknown key${i.keys.length > 1 ? 's' : ''} ${keys}${where ? ` in ${where}` : ''}`;
  }
  if (i.code === 'invalid_union') {
    // A strict branch that failed only on a misspelled key says the most ({script, pyton}).
    const typo = i.errors.find((branch) => branch.some((x) => x.code === 'unrecognized_keys'));
    // Else the branch that got furthest into the value ({expect: maybe} is a candidate object).
    const furthest = typo ?? [...i.errors].sort((a, b) => reach(b) - reach(a))[0];
    if (furthest && (typo || reach(furthest) > 0)) return describeIssue(furthest.map((x) => ({ ...x, path: [...i.path, ...x.path] })));
  }
  // Our schemas' own messages are predicates ("must be a list", "is missing"); zod's are sentences.
  if (/^(must|is|needs) /.test(i.message)) return `${where ? `"${where}"` : 'the file'} ${i.message}`;
  return `${where ? `${where}: ` : ''}${i.message}`;
}

const reach = (issues: readonly Issue[]): number => Math.min(...issues.map((x) => x.path.length));
