// The quick parser (cli/quick-parse.ts) against full yargs: for every command and a broad corpus of
// command lines, it either declines or yields exactly the args yargs hands the handler. It must also
// accept the ordinary forms, or the fast start-up would silently never happen.
import { describe, expect, it } from 'vitest';
import type { Argv } from 'yargs';
import type { CommandModule } from '../../cli/command.js';
import { commandInfo, commandLoaders, type CommandName } from '../../cli/commands/index.js';
import { quickArgs } from '../../cli/quick-parse.js';
import { runWithYargs } from '../../cli/yargs-parse.js';

const silent = { stdout: { write: () => true }, stderr: { write: () => true } };

/** What yargs hands the handler for argv, or the usage error it stops with. */
async function yargsArgs(command: CommandModule, argv: string[]): Promise<{ args?: unknown; error?: string }> {
  let args: unknown;
  const capture: CommandModule = {
    ...command,
    handler: async (a) => {
      // A copy as the handler sees it: yargs goes on to post-process the same object afterwards.
      args = structuredClone(a);
    },
  };
  try {
    await runWithYargs(argv, silent, [capture]);
  } catch (e) {
    return { error: (e as Error).message };
  }
  return { args };
}

interface Declared {
  key: string;
  aliases: string[];
  type?: string;
  array: boolean;
  choices?: readonly string[];
  demanded: boolean;
  positional: boolean;
}

/** The options a builder declares, read by a recorder of the test's own (independent of quick-parse). */
function declared(command: CommandModule): Declared[] {
  const out: Declared[] = [];
  const y: unknown = new Proxy(
    {},
    {
      get: (_t, prop) => (key: string, o: Record<string, unknown> = {}) => {
        if (prop === 'option' || prop === 'positional') {
          out.push({
            key,
            aliases: ([] as string[]).concat((o['alias'] as string | string[] | undefined) ?? []),
            type: o['type'] as string | undefined,
            array: !!o['array'],
            choices: o['choices'] as readonly string[] | undefined,
            demanded: !!o['demandOption'],
            positional: prop === 'positional',
          });
        }
        return y;
      },
    },
  );
  command.builder(y as Argv);
  return out;
}

/** A value an option accepts, for the command lines that need it. */
const valid = (d: Declared) => (d.choices ? String(d.choices[0]) : d.type === 'number' ? '2' : 'x.json');

/** Command lines for one command: the plain form, then every option in many spellings, and odd ones. */
function corpus(command: string, decl: Declared[]): { base: string[]; forms: string[][] } {
  const [name, ...positional] = command.split(' ') as [string, ...string[]];
  const fill = positional.flatMap((p) => (p.startsWith('<') ? (p.includes('..') ? ['A:B', 'C:D'] : ['PV:1']) : []));
  const required = decl.filter((d) => d.demanded && !d.positional).flatMap((d) => [`--${d.key}`, valid(d)]);
  const base = [name, ...fill, ...required];
  const forms: string[][] = [base];
  const add = (...opts: string[]) => {
    forms.push([name, ...opts, ...fill, ...required]);
    forms.push([...base, ...opts]);
  };
  for (const d of decl.filter((x) => !x.positional)) {
    const names = [`--${d.key}`, ...d.aliases.map((a) => (a.length === 1 ? `-${a}` : `--${a}`))];
    const camel = d.key.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
    if (camel !== d.key) names.push(`--${camel}`);
    for (const n of names) {
      if (d.type === 'boolean') {
        add(n);
        add(`${n}=false`);
        add(n, 'true');
        if (n.startsWith('--')) add(`--no-${n.slice(2)}`);
      } else if (d.choices) {
        for (const c of d.choices) add(n, String(c));
        add(`${n}=${String(d.choices[0])}`);
        add(n, 'bogus');
        add(n);
      } else if (d.type === 'number') {
        for (const v of ['2', '0', '0.5', '-1', '1e3', 'abc', '65536', '']) add(n, v);
        add(`${n}=3`);
        add(n, '2', n, '3');
        add(n);
        if (n.length === 2) add(`${n}4`);
      } else {
        for (const v of ['x', '5', '', '-x']) add(n, v);
        add(`${n}=a=b`);
        add(n, 'a', n, 'b');
        add(n);
        if (d.array) add(n, 'a', 'b');
      }
    }
  }
  // Unknown and reserved forms, help, version, completion, surplus and missing arguments, `--`.
  for (const odd of [['--bogus'], ['--bogus', '1'], ['-z'], ['--help'], ['-h'], ['help'], ['--version'], ['completion'], ['--get-yargs-completions'], ['extra'], ['7'], ['--', 'python3', '-c', '1'], ['--', '--help'], ['--no-bogus'], ['--pvs', 'E:F'], ['--_', 'x'], ['--$0', 'x']]) {
    add(...odd);
  }
  forms.push([name]);
  forms.push([name, ...fill]);
  forms.push([name, ...required]);
  if (fill.length) forms.push([name, ...fill.slice(0, 1), ...required]);
  return { base, forms };
}

/** Forms people type every day: these must take the quick path. */
const common: string[][] = [
  ['get', 'BL:X'],
  ['get', '-w', '0.01', 'beamtwin:bench:missing'],
  ['get', '-a', '-n', 'A', 'B'],
  ['get', '-t', '-#', '3', 'A'],
  ['get', '--json', '-d', 'DBR_CTRL_DOUBLE', 'A'],
  ['put', 'A', '5'],
  ['put', '-c', '-w', '2', 'A', '5000'],
  ['put', 'A', '-5'],
  ['put', '-a', 'A', '3', '1', '2', '3'],
  ['put', 'A', 'a string'],
  ['info', 'A', 'B'],
  ['monitor', '--updates', '3', 'A'],
  ['monitor', '-m', 'val', 'A'],
  ['pvget', '-r', 'field(value)', 'A'],
  ['pvput', 'A', '1'],
  ['pvmonitor', '-u', '2', 'A'],
  ['pvinfo', 'A'],
  ['reset', '--prefix', 'bt:'],
  ['repeater', '--port', '0'],
  ['serve', '--list-pvs'],
  ['serve', '--port', '0', '--db', 'a.db', '--macros', 'P=X:'],
  ['serve', '--profile', 'cms', '--no-pva', '--speed', '10'],
  ['run', '--', 'python3', 'plan.py'],
  ['run', '--profile', 'cms', '--record', 't.jsonl', '--json', '--', 'python3', '-c', 'print(1)'],
  ['run', '--lines', '--speed', '5', '--timeout', '30', '--', 'python3', 'x.py', '--flag', '7'],
  ['run', '--tracked', '--channels', 'a*', 'b', '--', 'true'],
  ['validate', '--', 'python3', 'plan.py'],
  ['validate', '--expect', 'ref.jsonl', '--preset', 'vision', '--json', '--', 'python3', 'plan.py'],
  ['record', 'A', 'B', '-o', 'out.jsonl', '--duration', '1'],
  ['record', '--names', 'n.txt', '--protocol', 'pva', '-o', 'x.jsonl'],
  ['eval', 'm.yaml', '--jobs', '4', '-o', 'out', '--quiet'],
  ['eval', 'm.yaml', '--only', 'a*', 'b', '--preset', 'native', '--force'],
  ['worker', '--queue', 'redis://h:6379', '-j', '2'],
  ['score', '--gt', 'a.json', '--pred', 'b.jsonl'],
  ['score', '--gt', 'a.json', 'b.json', '--pred', 'c.json', '--preset', 'envtrace', '--config', 'c.yaml', '--html', 'r.html'],
  ['score', '--gt', 'a.json', '--pred', 'b.jsonl', '--max-rows', '20', '--exit-zero', '--score-puts', '--json'],
  ['score-dataset', 'ds', '--format', 'csv'],
  ['export', '--format', 'et-compact', 'run.jsonl', '-o', 'run.et.jsonl'],
  ['view', 't.jsonl', '--web', '0'],
];

const names = Object.keys(commandInfo) as CommandName[];

/** yargs features none of our commands uses today, where a slip in the quick parser would show. */
const synthetic: CommandModule = {
  command: 'synth <first> [rest..]',
  describe: 'features our commands do not use yet',
  builder: (y) =>
    y
      .positional('first', { type: 'number', describe: 'a number' })
      .positional('rest', { type: 'string', describe: 'more' })
      .option('double', { alias: ['d', 'twice'], type: 'number', coerce: (v: number) => v * 2 })
      .option('list', { alias: 'l', type: 'number', array: true, default: [1] })
      .option('mode', { choices: ['a', 'b'], default: 'a' })
      .option('flag', { alias: 'f', type: 'boolean' })
      .option('name', { type: 'string', default: 'n' })
      .parserConfiguration({ 'populate--': true, 'parse-positional-numbers': true }),
  handler: async () => 0,
};

async function checkCorpus(command: CommandModule): Promise<void> {
  const { base, forms } = corpus(command.command as string, declared(command));
  expect(quickArgs(command, base), `${base.join(' ')} is declined`).toBeDefined();
  let accepted = 0;
  for (const argv of forms) {
    const quick = quickArgs(command, argv);
    if (quick === undefined) continue;
    accepted++;
    const full = await yargsArgs(command, argv);
    expect(full.error, `yargs refuses what the quick parser accepts: ${JSON.stringify(argv)}`).toBeUndefined();
    expect(structuredClone(quick), JSON.stringify(argv)).toStrictEqual(full.args);
  }
  // The corpus holds refusals too, so a parser that accepts everything cannot pass; and most of it is
  // ordinary, so a parser that declines everything cannot either.
  expect(accepted).toBeLessThan(forms.length);
  expect(accepted).toBeGreaterThan(forms.length / 4);
}

describe('the quick parser yields what yargs yields, or declines', () => {
  it.each(names)('%s: every accepted command line parses as yargs parses it', async (name) => {
    await checkCorpus(await commandLoaders[name]());
  }, 120_000);

  it('a command with aliased coerces, number arrays, choices without a type and numeric positionals', async () => {
    await checkCorpus(synthetic);
  }, 120_000);

  it.each(common.map((argv) => [argv.join(' '), argv] as const))('takes the quick path: %s', async (_label, argv) => {
    const command = await commandLoaders[argv[0] as CommandName]();
    const quick = quickArgs(command, argv);
    expect(quick).toBeDefined();
    expect(structuredClone(quick)).toStrictEqual((await yargsArgs(command, argv)).args);
  });

  it('declines help, version, completion, unknown options, surplus and missing arguments, bad values', async () => {
    const get = await commandLoaders.get();
    const score = await commandLoaders.score();
    for (const argv of [['get', 'A', '--help'], ['get', '--help'], ['get', 'A', 'help'], ['get', 'A', '--version'], ['get', 'A', '--bogus'], ['get'], ['get', '-w', 'abc', 'A'], ['get', '-#', '1.5', 'A'], ['get', 'A', 'completion']]) {
      expect(quickArgs(get, argv), argv.join(' ')).toBeUndefined();
    }
    for (const argv of [['score', '--pred', 'p'], ['score', '--gt', 'g', '--pred', 'p', '--preset', 'bogus'], ['score', '--gt', 'g', '--pred', 'p', 'surplus'], ['score', '--gt', 'g', '--pred', 'p', '--max-rows', '-1']]) {
      expect(quickArgs(score, argv), argv.join(' ')).toBeUndefined();
      expect((await yargsArgs(score, argv)).error, argv.join(' ')).toBeDefined();
    }
  });

  it('declines a builder that uses an Argv method it does not emulate', () => {
    const odd: CommandModule = { command: 'odd <x>', describe: '', builder: (y) => y.option('a', { type: 'boolean' }).conflicts('a', 'x'), handler: async () => 0 };
    expect(quickArgs(odd, ['odd', 'v'])).toBeUndefined();
    const plain: CommandModule = { ...odd, builder: (y) => y.option('a', { type: 'boolean' }) };
    expect(quickArgs(plain, ['odd', 'v', '-a'])).toMatchObject({ x: 'v', a: true });
  });
});
