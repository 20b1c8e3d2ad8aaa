// The fast path of `beamtwin COMMAND …`: the arguments yargs would hand the command's handler, computed
// with yargs' own parsing engine (yargs-parser) and without importing yargs (≈80 ms of start-up).
//
// The command's builder runs against a recorder that knows only the Argv methods our builders use; the
// recorded options drive yargs-parser the way yargs 18 drives it for a command (yargs-factory.js
// option()/positional()/coerce(), command.js populatePositionals()/postProcessPositionals(), the
// post-processing of `--` and positional numbers). Anything unusual — help, version, completion, an
// unknown option, a missing or surplus argument, a value outside `choices`, a coerce that throws, a
// builder method the recorder does not know — declines (undefined): full yargs then parses, so every
// message and help text stays yargs' own. test/cli/quick-parse.test.ts holds both paths to equal args.
import Parser from 'yargs-parser';
import type { Argv } from 'yargs';
import type { CommandModule } from './command.js';

type Args = Record<string, unknown> & { _: (string | number)[]; $0: string };
type Coerce = (v: unknown) => unknown;
type ParserOptions = Parser.Options & { key: Record<string, boolean>; alias: Record<string, string[]>; default: Record<string, unknown>; array: string[]; boolean: string[]; number: string[]; string: string[]; count: string[] };

/** The script name yargs is given (`.scriptName('beamtwin')`), as it appears in `$0`. */
export const SCRIPT_NAME = 'beamtwin';

/** Thrown inside the recorder for anything it does not emulate. */
class Decline extends Error {}

interface Positional {
  readonly name: string;
  readonly variadic: boolean;
}

/** `get <pvs..>`, `run [command..]`: the name, demanded and optional positionals (no aliases). */
function parseCommandString(command: string): { name: string; demanded: Positional[]; optional: Positional[] } | undefined {
  const [name, ...words] = command.trim().split(/\s+/);
  if (!name || !/^[\w-]+$/.test(name)) return undefined;
  const demanded: Positional[] = [];
  const optional: Positional[] = [];
  for (const [i, w] of words.entries()) {
    const m = /^([<[])([\w-]+)(\.\.)?([>\]])$/.exec(w);
    if (!m || (m[1] === '<') !== (m[4] === '>') || (m[3] && i !== words.length - 1)) return undefined;
    (m[1] === '<' ? demanded : optional).push({ name: m[2]!, variadic: !!m[3] });
  }
  return { name, demanded, optional };
}

/** The option settings yargs' option() understands that we emulate; any other one declines. */
const OPTION_KEYS = new Set(['alias', 'type', 'array', 'default', 'coerce', 'choices', 'demandOption', 'describe', 'description', 'desc']);
const POSITIONAL_KEYS = new Set(['default', 'choices', 'coerce', 'type', 'describe', 'desc', 'description', 'alias']);

/** What a builder declared, as yargs keeps it. */
class Recorded {
  readonly options: ParserOptions = { key: {}, alias: {}, array: [], boolean: [], number: [], string: [], count: [], default: {} };
  readonly choices: Record<string, unknown[]> = {};
  readonly demanded = new Set<string>();
  readonly coerce = new Map<string, Coerce>();
  config: Record<string, unknown> = {};

  constructor(private readonly spec: NonNullable<ReturnType<typeof parseCommandString>>) {}

  option(key: unknown, opt: unknown): void {
    if (typeof key !== 'string' || typeof opt !== 'object' || opt === null) throw new Decline();
    const o = opt as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!OPTION_KEYS.has(k)) throw new Decline();
    const aliases = o['alias'] === undefined ? [] : ([] as unknown[]).concat(o['alias']);
    if (aliases.some((a) => typeof a !== 'string')) throw new Decline();
    const opts = this.options;
    opts.key[key] = true;
    if (o['alias'] !== undefined) opts.alias[key] = [...(opts.alias[key] ?? []), ...(aliases as string[])];
    if (o['demandOption']) this.demanded.add(key);
    if ('default' in o) {
      if (typeof o['default'] === 'function') throw new Decline(); // yargs calls it and describes it
      opts.default[key] = o['default'];
    }
    if (o['choices'] !== undefined) this.choices[key] = [...(this.choices[key] ?? []), ...([] as unknown[]).concat(o['choices'])];
    if (o['coerce'] !== undefined) {
      if (typeof o['coerce'] !== 'function') throw new Decline();
      // yargs replaces an option's earlier coerce, and runs coerces in the order they were (re)declared.
      this.coerce.delete(key);
      this.coerce.set(key, o['coerce'] as Coerce);
    }
    const type = o['type'];
    if (type !== undefined && !['boolean', 'number', 'string', 'array'].includes(type as string)) throw new Decline();
    const typed = (list: string[]) => list.push(key, ...(aliases as string[]));
    if (type === 'boolean') typed(opts.boolean);
    if (o['array'] || type === 'array') typed(opts.array);
    if (type === 'number') typed(opts.number);
    if (type === 'string') typed(opts.string);
  }

  positional(key: unknown, opt: unknown): void {
    if (typeof key !== 'string' || typeof opt !== 'object' || opt === null) throw new Decline();
    // yargs keeps only some settings of a positional, and adds what the command string says of it.
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(opt)) {
      if (k === 'type' && !['string', 'number', 'boolean'].includes(v as string)) continue;
      if (POSITIONAL_KEYS.has(k)) o[k] = v;
      else if (k !== 'array' && k !== 'demandOption') throw new Decline();
    }
    const all = [...this.spec.demanded, ...this.spec.optional];
    const p = all.find((x) => x.name === key);
    if (p?.variadic) {
      o['array'] = true;
      if (!('default' in o)) o['default'] = [];
    }
    if (p && !('alias' in o)) o['alias'] = [];
    this.option(key, o);
    // `<name>` in the command string demands it (its own demandOption is dropped, as yargs drops it).
    if (p && this.spec.demanded.includes(p)) this.demanded.add(key);
  }

  parserConfiguration(config: unknown): void {
    if (typeof config !== 'object' || config === null) throw new Decline();
    this.config = config as Record<string, unknown>;
  }
}

/** Run a builder against the recorder; undefined if it used anything the recorder does not know. */
function record(command: CommandModule, spec: NonNullable<ReturnType<typeof parseCommandString>>): Recorded | undefined {
  const rec = new Recorded(spec);
  const shim: Record<string, unknown> = {};
  const proxy: unknown = new Proxy(shim, {
    get(_t, prop) {
      if (prop === 'option' || prop === 'options') return (k: unknown, o: unknown) => (rec.option(k, o), proxy);
      if (prop === 'positional') return (k: unknown, o: unknown) => (rec.positional(k, o), proxy);
      if (prop === 'parserConfiguration') return (c: unknown) => (rec.parserConfiguration(c), proxy);
      if (prop === 'example') return () => proxy;
      throw new Decline();
    },
  });
  try {
    return command.builder(proxy as Argv) === proxy ? rec : undefined;
  } catch (e) {
    if (e instanceof Decline) return undefined;
    throw e;
  }
}

const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/**
 * The args yargs would hand `command`'s handler for `argv` (argv[0] being the command's name), or
 * undefined where yargs has something else to do (help, an error, anything unusual).
 */
export function quickArgs(command: CommandModule, argv: readonly string[]): Args | undefined {
  if (typeof command.command !== 'string') return undefined;
  const spec = parseCommandString(command.command);
  if (!spec || argv[0] !== spec.name) return undefined;
  const rec = record(command, spec);
  if (!rec) return undefined;
  const { options, config } = rec;

  // yargs parses the whole argv with the command's options, `--` always collected apart, positional
  // numbers left as strings (yargs-factory.js, runYargsParserAndExecuteCommands).
  const parsed = Parser.detailed([...argv], { ...options, configuration: { 'parse-positional-numbers': false, ...config, 'populate--': true } });
  if (parsed.error) return undefined;
  const args = parsed.argv as Args;
  const { aliases, newAliases } = parsed as typeof parsed & { newAliases: Record<string, boolean> };
  if (args._[0] !== spec.name) return undefined;

  // Help and completion asked for by a word (`beamtwin get PV help`), as yargs sees them.
  if (args._.some((a) => a === 'help' || a === 'completion')) return undefined;

  // The positionals, filled from `_` as yargs' populatePositionals does.
  const rest = args._.slice(1);
  if (rest.length < spec.demanded.length) return undefined;
  const positionalMap: Record<string, string[]> = {};
  for (const p of [...spec.demanded, ...spec.optional]) {
    if (p.variadic) positionalMap[p.name] = rest.splice(0).map(String);
    else if (rest.length) positionalMap[p.name] = [String(rest.shift())];
  }
  // Strict: nothing left over.
  if (rest.length) return undefined;
  args._ = [spec.name];
  if (!reparsePositionals(args, positionalMap, rec, spec)) return undefined;

  // Strict: every key is a declared option, one of its aliases, or a positional (validation.js).
  for (const key of Object.keys(args)) {
    if (key === '_' || key === '--' || has(positionalMap, key)) continue;
    if (!has(aliases, key) || ![key, ...aliases[key]!].some((a) => !has(newAliases, a) || !newAliases[key])) return undefined;
  }

  // coerce: on the first of key and aliases present, the result set on all of them; a throw declines.
  for (const [key, fn] of rec.coerce) {
    const present = [key, ...(aliases[key] ?? [])].filter((k) => has(args, k));
    if (!present.length) continue;
    let v: unknown;
    try {
      v = fn(args[present[0]!]);
    } catch {
      return undefined;
    }
    if (v instanceof Promise) return undefined;
    for (const k of present) args[k] = v;
  }

  for (const key of rec.demanded) if (args[key] === undefined) return undefined;
  for (const [key, allowed] of Object.entries(rec.choices)) {
    if (has(args, key) && ([] as unknown[]).concat(args[key]).some((v) => v !== undefined && !allowed.includes(v))) return undefined;
  }

  // yargs' post-processing before the handler: `--` joins `_` unless the command keeps it apart,
  // and integers among the positionals become numbers unless the command says otherwise.
  if (!config['populate--'] && args['--']) {
    args._.push(...(args['--'] as (string | number)[]));
    delete args['--'];
  }
  if (config['parse-positional-numbers'] !== false) {
    const list = (args['--'] as (string | number)[] | undefined) ?? args._;
    list.forEach((a, i) => {
      if (Parser.looksLikeNumber(a) && Number.isSafeInteger(Math.floor(parseFloat(`${a}`)))) list[i] = Number(a);
    });
  }
  args.$0 = SCRIPT_NAME;
  return args;
}

/** The positionals parsed as `--name value` options, merged in (command.js, postProcessPositionals). */
function reparsePositionals(args: Args, positionalMap: Record<string, string[]>, rec: Recorded, spec: NonNullable<ReturnType<typeof parseCommandString>>): boolean {
  const unparsed = Object.entries(positionalMap).flatMap(([key, values]) => values.flatMap((v) => [`--${key}`, v]));
  if (!unparsed.length) return true;
  const { options, config } = rec;
  const variadic = [...spec.demanded, ...spec.optional].filter((p) => p.variadic).map((p) => p.name);
  const parsed = Parser.detailed(unparsed, {
    ...options,
    default: { ...Object.fromEntries(variadic.map((k) => [k, []])), ...options.default },
    array: [...options.array, ...variadic],
    configuration: { ...config, 'populate--': false },
  });
  if (parsed.error) return false;
  const positionalKeys = Object.keys(positionalMap).flatMap((k) => [k, ...(parsed.aliases[k] ?? [])]);
  const defaulted = (k: string) => has(options.default, k) || has(options.default, Parser.camelCase(k));
  for (const key of Object.keys(parsed.argv)) {
    if (!positionalKeys.includes(key)) continue;
    const v = parsed.argv[key];
    if (!defaulted(key) && has(args, key) && (Array.isArray(args[key]) || Array.isArray(v))) args[key] = ([] as unknown[]).concat(args[key], v);
    else args[key] = v;
  }
  return true;
}
