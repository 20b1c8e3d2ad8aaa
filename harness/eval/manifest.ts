import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UserError } from '../../ioc/user-error.js';
import { builtinProfiles } from '../../devices/profile/profile.js';
import { checkShape, must, readUserFile } from '../../devices/profile/user-file.js';
import type { PresetName } from '../../aligner/result.js';
import { PRESETS } from '../../aligner/score.js';
import { sha256, stableJson } from './hash.js';
import { manifestLines } from '../line-limits.js';
import type { LineLimits } from '../../recorder/lines/tracing.js';

/**
 * An evaluation manifest (JSON or YAML):
 *
 *   defaults: { profile, preset, ignore, continuous, markers, channels, timeout, speed, python, config, scoreUnknownPvs }
 *   tasks:
 *     - id: move-x
 *       complex: false                      # the summary splits simple/complex
 *       reference: ref.py                   # a script, a command (string or list), {trace: file}, or a list of those
 *       candidates:
 *         - { id: good, script: good.py, expect: pass }
 *         - { id: wrong, command: "python3 wrong.py", expect: fail }
 *       ignore / continuous / markers / channels / preset / timeout / speed / profile / config   (lists add to the
 *       defaults' lists, the rest override them)
 *
 * Everything is resolved here into plain, serialisable specs with content hashes, so a task can be sent
 * to a worker on another machine and its results recognised when the inputs have not changed.
 */
export class ManifestError extends UserError {
  override name = 'ManifestError';
}

/** One command to run in a fresh twin. `files` are the argv entries that name files, by content hash. */
export interface CommandSpec {
  readonly argv: readonly string[];
  /** Where it runs (the manifest's folder). */
  readonly cwd: string;
  /** argv index → sha256 of the file it names (so a changed script changes the hash). */
  readonly files: Readonly<Record<string, string>>;
  readonly timeoutS: number;
  readonly speed: number;
  /** Trace the command's Python lines with these limits (`lines:` in the manifest, `eval --lines`). */
  readonly lines?: LineLimits;
  readonly hash: string;
}

export type ReferenceSpec = ({ readonly kind: 'command' } & CommandSpec) | { readonly kind: 'trace'; readonly path: string; readonly hash: string };

export interface CandidateSpec extends CommandSpec {
  readonly id: string;
  readonly expect?: 'pass' | 'fail';
}

export interface ScoringSpec {
  readonly preset: PresetName;
  readonly ignore: readonly string[];
  readonly continuous: readonly string[];
  readonly markers: readonly string[];
  /** Channels scored beside the profile's tracked ones (e.g. the shutter). */
  readonly channels: readonly string[];
  /** An EnvTrace configuration file (absolute path) and its content hash. */
  readonly config?: { readonly path: string; readonly hash: string };
  /** Also score PVs the real beamline lacks (catch-all PVs) that either side wrote. */
  readonly scoreUnknownPvs: boolean;
}

export interface TaskSpec {
  readonly id: string;
  readonly complexity: 'simple' | 'complex';
  /** A built-in profile name or an absolute file path. */
  readonly profile: string;
  readonly profileHash: string;
  readonly references: readonly ReferenceSpec[];
  readonly candidates: readonly CandidateSpec[];
  readonly scoring: ScoringSpec;
  /** Hash of everything above: the task's result is reusable while it stays the same. */
  readonly hash: string;
}

export interface Overrides {
  readonly preset?: PresetName;
  readonly timeoutS?: number;
  readonly speed?: number;
  readonly profile?: string;
  readonly lines?: LineLimits;
}

/** Bumped when what a stored result holds (or how it is scored) changes, so old results are redone. */
export const RESULT_VERSION = 1;

type Obj = Record<string, unknown>;

const DEFAULT_PYTHON = process.env['BEAMTWIN_PYTHON'] ?? 'python3';

function list(v: unknown, where: string): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw new ManifestError(`${where}: expected a name or a list of names`);
}

function num(v: unknown, where: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !(v > 0)) throw new ManifestError(`${where}: expected a positive number`);
  return v;
}

const SHELL_META = /[|&;<>()$`\\"'*?[\]#~=%{}\n]/;

/** A command string: split on blanks when it is plain words, else run by /bin/sh. */
export function commandArgv(s: string): string[] {
  const words = s.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) throw new ManifestError('empty command');
  return SHELL_META.test(s) ? ['/bin/sh', '-c', s] : words;
}

function fileHash(p: string): string {
  return sha256(fs.readFileSync(p));
}

function profileFile(profile: string): string {
  return builtinProfiles[profile] ?? profile;
}

interface Ctx {
  readonly dir: string;
  readonly python: string;
  readonly profileHash: string;
  readonly timeoutS: number;
  readonly speed: number;
  readonly lines: LineLimits | undefined;
  readonly over: Overrides;
}

function commandSpec(raw: unknown, ctx: Ctx, where: string): CommandSpec {
  let argv: string[];
  let timeoutS = ctx.timeoutS;
  let speed = ctx.speed;
  if (typeof raw === 'string') {
    argv = /\.py$/i.test(raw.trim()) && !/\s/.test(raw.trim()) ? [ctx.python, raw.trim()] : commandArgv(raw);
  } else if (Array.isArray(raw)) {
    if (!raw.length || !raw.every((x) => typeof x === 'string' || typeof x === 'number')) throw new ManifestError(`${where}: a command list holds strings`);
    argv = raw.map(String);
  } else if (raw && typeof raw === 'object') {
    const o = raw as Obj;
    if (typeof o.script === 'string') argv = [typeof o.python === 'string' ? o.python : ctx.python, o.script, ...list(o.args, `${where}.args`)];
    else if (o.command !== undefined) argv = commandSpec(o.command, ctx, where).argv.slice();
    else throw new ManifestError(`${where}: give "script", "command" or "trace"`);
    // Command-line overrides beat a command's own settings too: `--speed` means every command.
    timeoutS = ctx.over.timeoutS ?? num(o.timeout, `${where}.timeout`) ?? timeoutS;
    speed = ctx.over.speed ?? num(o.speed, `${where}.speed`) ?? speed;
  } else throw new ManifestError(`${where}: expected a script, a command or {script|command|trace: …}`);
  const files: Record<string, string> = {};
  argv.forEach((a, i) => {
    // The program itself is a file of the task only when given relative to the manifest (./plan.sh), not /usr/bin/python3.
    if (i === 0 && (path.isAbsolute(a) || !a.includes('/'))) return;
    const p = path.resolve(ctx.dir, a);
    if (a.length < 4096 && fs.existsSync(p) && fs.statSync(p).isFile()) {
      argv[i] = p;
      files[String(i)] = fileHash(p);
    }
  });
  if (argv.length > 1 && files['1'] === undefined && /\.py$/i.test(argv[1]!)) throw new ManifestError(`${where}: no such script ${argv[1]}`);
  // Content, not location: the same manifest checked out elsewhere hashes the same.
  const portable = argv.map((a, i) => (files[String(i)] ? `file:${files[String(i)]}` : a));
  const lines = ctx.lines;
  const hash = sha256(stableJson({ v: RESULT_VERSION, argv: portable, profile: ctx.profileHash, speed, timeoutS, ...(lines ? { lines } : {}) }));
  return { argv, cwd: ctx.dir, files, timeoutS, speed, ...(lines ? { lines } : {}), hash };
}

/** `reference:` is one reference (script, command string or list, {trace}); `references:` is a list of them. */
function referenceSpecs(t: Obj, ctx: Ctx, where: string): ReferenceSpec[] {
  let items: unknown[] = [];
  if (t.references !== undefined) {
    if (!Array.isArray(t.references)) throw new ManifestError(`${where}: "references" is a list (use "reference" for one)`);
    items = t.references;
  } else if (t.reference !== undefined) items = [t.reference];
  return items.map((r, i) => {
    const w = `${where} reference ${i + 1}`;
    if (r && typeof r === 'object' && !Array.isArray(r) && typeof (r as Obj).trace === 'string') {
      const p = path.resolve(ctx.dir, (r as Obj).trace as string);
      if (!fs.existsSync(p)) throw new ManifestError(`${w}: no such trace file ${p}`);
      return { kind: 'trace', path: p, hash: sha256(stableJson({ trace: fileHash(p) })) } as const;
    }
    return { kind: 'command', ...commandSpec(r, ctx, w) } as const;
  });
}

const names = z.union([z.string(), z.array(z.string())], must('a name or a list of names'));
const seconds = z.number(must('a positive number')).positive(must('a positive number'));
const argvList = z.array(z.union([z.string(), z.number()]), must('a list of strings')).min(1, must('a non-empty list'));
/** How a command is given: a script or command string, an argv list, or an object with settings. */
const commandFields = {
  script: z.string(must('a file name')).optional(),
  command: z.union([z.string(), argvList], must('a command string or list')).optional(),
  python: z.string(must('an interpreter')).optional(),
  args: names.optional(),
  timeout: seconds.optional(),
  speed: seconds.optional(),
};
const reference = z.union(
  [z.string(), argvList, z.strictObject({ ...commandFields, trace: z.string(must('a trace file')).optional() })],
  must('a script, a command or {trace: file}'),
);
const candidate = z.union(
  [z.string(), argvList, z.strictObject({ ...commandFields, id: z.union([z.string(), z.number()]).optional(), expect: z.enum(['pass', 'fail'], must('pass or fail')).optional() })],
  must('a script, a command or {id, script|command, expect}'),
);
/** Settings a task may give and `defaults` gives to every task (lists add up, the rest override). */
const shared = {
  profile: z.string(must('a profile name or file')).optional(),
  preset: z.enum(PRESETS, must(`one of ${PRESETS.join(', ')}`)).optional(),
  ignore: names.optional(),
  ignore_channels: names.optional(),
  continuous: names.optional(),
  continuous_channels: names.optional(),
  markers: names.optional(),
  channels: names.optional(),
  timeout: seconds.optional(),
  speed: seconds.optional(),
  python: z.string(must('an interpreter')).optional(),
  config: z.string(must('a config file')).optional(),
  scoreUnknownPvs: z.boolean(must('true or false')).optional(),
  // --lines for the task's commands; the limits are checked by manifestLines
  lines: z.union([z.boolean(), z.strictObject({ maxSteps: z.number().optional(), maxRepr: z.number().optional() })], must('true, false or {maxSteps, maxRepr}')).optional(),
};
const task = z.strictObject(
  {
    ...shared,
    id: z.union([z.string(), z.number()], must('a name')).optional(),
    complex: z.boolean(must('true or false')).optional(),
    is_complex: z.boolean(must('true or false')).optional(),
    complexity: z.enum(['simple', 'complex'], must('simple or complex')).optional(),
    reference: reference.optional(),
    references: z.array(reference, must('a list (use "reference" for one)')).optional(),
    candidate: candidate.optional(),
    candidates: z.array(candidate, must('a list')).optional(),
  },
  must('a mapping'),
);

/** The manifest file's shape. Strict: a misspelled key (`candiates:`) is an error naming it. */
export const manifestSchema = z.preprocess(
  (doc) => (Array.isArray(doc) ? { tasks: doc } : doc),
  z.strictObject({ defaults: z.strictObject(shared, must('a mapping')).optional(), tasks: z.array(task, must('a list of tasks')) }, must('{defaults, tasks} or a list of tasks')),
);

const manifestError = (msg: string) => new ManifestError(msg);

function readDoc(file: string): Obj {
  return checkShape(manifestSchema, readUserFile(file, 'manifest', manifestError), file, manifestError) as Obj;
}

function tryLines(v: unknown, where: string): LineLimits | undefined {
  try {
    return manifestLines(v, where);
  } catch (e) {
    throw new ManifestError((e as Error).message);
  }
}

const safeId = (s: string) => /^[A-Za-z0-9._-]+$/.test(s) && s !== '.' && s !== '..';

/** Read and resolve a manifest. CLI overrides win over the manifest's own settings. */
export function loadManifest(file: string, over: Overrides = {}): TaskSpec[] {
  const doc = readDoc(file);
  const dir = path.dirname(path.resolve(file));
  const d = (doc.defaults ?? {}) as Obj;
  if (typeof d !== 'object') throw new ManifestError('defaults must be a mapping');
  if (!Array.isArray(doc.tasks) || doc.tasks.length === 0) throw new ManifestError(`${file}: no tasks`);
  const seen = new Set<string>();
  return (doc.tasks as unknown[]).map((rawTask, k) => {
    if (!rawTask || typeof rawTask !== 'object') throw new ManifestError(`tasks[${k}]: expected a mapping`);
    const t = rawTask as Obj;
    const id = String(t.id ?? `task-${k + 1}`);
    const where = `task ${id}`;
    if (!safeId(id)) throw new ManifestError(`${where}: ids are letters, digits, '.', '_' and '-' (they name folders)`);
    if (seen.has(id)) throw new ManifestError(`${where}: duplicate id`);
    seen.add(id);
    const pick = <T>(key: string): T | undefined => (t[key] ?? d[key]) as T | undefined;
    let profile = over.profile ?? pick<string>('profile') ?? 'cms';
    if (!builtinProfiles[profile]) profile = path.resolve(dir, profile);
    if (!fs.existsSync(profileFile(profile))) throw new ManifestError(`${where}: no profile ${profile}`);
    const profileHash = sha256(stableJson({ name: builtinProfiles[profile] ? profile : 'file', content: fileHash(profileFile(profile)) }));
    const preset = over.preset ?? pick<PresetName>('preset') ?? 'vision';
    if (!PRESETS.includes(preset)) throw new ManifestError(`${where}: preset must be one of ${PRESETS.join(', ')}`);
    const ctx: Ctx = {
      dir,
      python: pick<string>('python') ?? DEFAULT_PYTHON,
      profileHash,
      timeoutS: over.timeoutS ?? num(pick('timeout'), `${where}.timeout`) ?? 60,
      speed: over.speed ?? num(pick('speed'), `${where}.speed`) ?? 1,
      lines: over.lines ?? tryLines(pick('lines'), where),
      over,
    };
    const references = referenceSpecs(t, ctx, where);
    if (references.length === 0) throw new ManifestError(`${where}: no reference`);
    const rawCands = t.candidates ?? (t.candidate !== undefined ? [t.candidate] : []);
    if (!Array.isArray(rawCands) || rawCands.length === 0) throw new ManifestError(`${where}: no candidates`);
    const cids = new Set<string>();
    const candidates: CandidateSpec[] = rawCands.map((c, i) => {
      const o = c && typeof c === 'object' && !Array.isArray(c) ? (c as Obj) : undefined;
      const cid = String(o?.id ?? `c${i + 1}`);
      if (!safeId(cid) || cids.has(cid)) throw new ManifestError(`${where}: candidate id "${cid}" is not a unique plain name`);
      cids.add(cid);
      const expect = o?.expect;
      if (expect !== undefined && expect !== 'pass' && expect !== 'fail') throw new ManifestError(`${where} candidate ${cid}: expect is pass or fail`);
      // Overrides beat a candidate's own timeout/speed too: `--speed` means every command.
      const spec = commandSpec(c, ctx, `${where} candidate ${cid}`);
      return { id: cid, ...spec, ...(expect ? { expect } : {}) };
    });
    const configPath = pick<string>('config');
    const config = configPath ? { path: path.resolve(dir, configPath), hash: '' } : undefined;
    if (config) {
      if (!fs.existsSync(config.path)) throw new ManifestError(`${where}: no config file ${config.path}`);
      (config as { hash: string }).hash = fileHash(config.path);
    }
    const merged = (key: string, alt?: string) => [...new Set([...list(d[key] ?? (alt ? d[alt] : undefined), `defaults.${key}`), ...list(t[key] ?? (alt ? t[alt] : undefined), `${where}.${key}`)])];
    const scoring: ScoringSpec = {
      preset,
      ignore: merged('ignore', 'ignore_channels'),
      continuous: merged('continuous', 'continuous_channels'),
      markers: merged('markers'),
      channels: merged('channels'),
      ...(config ? { config } : {}),
      scoreUnknownPvs: (pick<boolean>('scoreUnknownPvs') ?? true) !== false,
    };
    const complexity = t.complex === true || t.is_complex === true || t.complexity === 'complex' ? 'complex' : 'simple';
    const hash = sha256(
      stableJson({
        v: RESULT_VERSION,
        id,
        complexity,
        profileHash,
        refs: references.map((r) => r.hash),
        cands: candidates.map((c) => [c.id, c.hash, c.expect ?? null]),
        scoring: { ...scoring, config: config?.hash ?? null },
      }),
    );
    return { id, complexity, profile, profileHash, references, candidates, scoring, hash };
  });
}
