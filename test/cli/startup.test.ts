import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandInfo, commandLoaders, type CommandName } from '../../cli/commands/index.js';

// Instant start (issue 20): a command loads its own file and what it uses, nothing of the others. What a
// process imports is observed with a resolve hook, so these assertions do not depend on the machine's speed.
const ROOT = path.join(import.meta.dirname, '../..');
const MAIN = path.join(ROOT, 'dist/cli/main.js');
const HOOK = path.join(import.meta.dirname, 'fixtures/log-imports.mjs');
const REQUIRE_HOOK = path.join(import.meta.dirname, 'fixtures/log-requires.cjs');

function imports(...argv: string[]): { code: number | null; out: string; err: string; modules: string[] } {
  const env = { ...process.env, EPICS_CA_ADDR_LIST: '127.0.0.1:1', EPICS_CA_AUTO_ADDR_LIST: 'NO', EPICS_PVA_ADDR_LIST: '127.0.0.1:1', EPICS_PVA_AUTO_ADDR_LIST: 'NO' };
  const r = spawnSync(process.execPath, ['--import', HOOK, '--require', REQUIRE_HOOK, MAIN, ...argv], { encoding: 'utf8', env, timeout: 30_000 });
  const logged = (l: string) => /^(IMPORT|REQUIRE) /.test(l);
  const modules = r.stderr
    .split('\n')
    .filter(logged)
    .map((l) => l.replace(/^\w+ /, '').replace(`file://${ROOT}/`, '').replace(`${ROOT}/`, ''));
  return { code: r.status, out: r.stdout, err: r.stderr.split('\n').filter((l) => !logged(l)).join('\n'), modules };
}

const packageOf = (m: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(m)?.[1];
const heavy = ['rxjs', 'zod', 'yaml', 'bullmq', 'ioredis', 'cli-progress'];
// yargs and what only yargs uses (help layout, locales, completion); yargs-parser, its engine, is allowed.
const yargsOwn = ['yargs', 'cliui', 'y18n', 'string-width', 'strip-ansi', 'wrap-ansi', 'emoji-regex', 'get-east-asian-width', 'escalade', 'get-caller-file'];

describe('start-up loads only what the command needs', () => {
  it('--version loads neither yargs nor any command', () => {
    const r = imports('--version');
    expect(r.code).toBe(0);
    expect(r.modules.filter((m) => m.startsWith('dist/cli/commands/') && !m.endsWith('/index.js'))).toEqual([]);
    expect(new Set(r.modules.map(packageOf).filter(Boolean))).toEqual(new Set());
  });

  it('--help lists every command from the catalogue without loading one', () => {
    const r = imports('--help');
    expect(r.code).toBe(0);
    for (const info of Object.values(commandInfo)) expect(r.out).toContain(info.describe.slice(0, 40));
    expect(r.modules.filter((m) => m.startsWith('dist/cli/commands/') && !m.endsWith('/index.js'))).toEqual([]);
    expect(r.modules.map(packageOf).filter((p) => p && heavy.includes(p))).toEqual([]);
  });

  it.each(Object.keys(commandInfo))('%s --help loads its own command file only, and no heavy package', (name) => {
    const r = imports(name, '--help');
    expect(r.code).toBe(0);
    const commandFiles = r.modules.filter((m) => m.startsWith('dist/cli/commands/') && !/\/(index|pv-tool)\.js$/.test(m));
    expect(commandFiles).toEqual([`dist/cli/commands/${name}.js`]);
    expect([...new Set(r.modules.map(packageOf).filter((p) => p && heavy.includes(p)))]).toEqual([]);
    // Nothing that starts servers, builds twins or scores traces.
    expect(r.modules.filter((m) => /^dist\/(devices|harness\/eval\/evaluate|ioc\/ca\/(client\/client|server)|ioc\/pva\/(client|server)\/|aligner\/score)/.test(m))).toEqual([]);
  }, 60_000);

  it('a command loads the catalogue entry it was run as (the usage line matches the catalogue)', () => {
    const r = imports('get', '--help');
    expect(r.out.split('\n')[0]).toBe(`beamtwin ${commandInfo.get.command}`);
  });

  it('every command module is the one its catalogue entry describes', async () => {
    for (const name of Object.keys(commandInfo) as CommandName[]) {
      const c = await commandLoaders[name]();
      expect({ command: c.command, describe: c.describe }, name).toEqual(commandInfo[name]);
    }
  });

  it.each([
    [['get', '-w', '0.01', 'bt:missing'], 1, "Channel connect timed out: 'bt:missing' not found."],
    [['put', '-w', '0.01', 'bt:missing', '1'], 1, "Channel connect timed out: 'bt:missing' not found."],
    [['info', '-w', '0.01', 'bt:missing'], 1, "Channel connect timed out: 'bt:missing' not found."],
    [['monitor', '-w', '0.01', 'bt:missing'], 1, "Channel connect timed out: 'bt:missing' not found."],
    [['pvget', '-w', '0.01', 'bt:missing'], 1, 'bt:missing: timeout: connecting bt:missing'],
    [['score', '--gt', '/nonexistent/gt.json', '--pred', '/nonexistent/pred.jsonl'], 2, 'beamtwin: --gt /nonexistent/gt.json: no such file'],
    [['run', '--profile', 'nope', '--', 'true'], 2, 'beamtwin: no profile "nope"'],
    [['eval', '/nonexistent/manifest.yaml'], 2, 'beamtwin: no such manifest: /nonexistent/manifest.yaml'],
  ] as const)('%j runs without loading yargs (its args come from the quick parser)', (argv, code, err) => {
    const r = imports(...argv);
    expect(r.err).toContain(err);
    expect(r.code).toBe(code);
    expect(r.modules.map(packageOf).filter((p) => p && yargsOwn.includes(p))).toEqual([]);
    expect(r.modules.filter((m) => m.startsWith(`dist/cli/commands/${argv[0]}.js`))).not.toEqual([]);
    // The CA and PVA clients load rxjs only for monitors, connection$ and errors: not here.
    if (['get', 'put', 'info', 'monitor', 'pvget'].includes(argv[0])) expect(r.modules.filter((m) => packageOf(m) === 'rxjs')).toEqual([]);
  }, 60_000);

  it('help, a usage error and a typo still go to yargs, in its words', () => {
    const help = imports('get', '--help');
    expect(help.code).toBe(0);
    expect(help.modules.map(packageOf)).toContain('yargs');
    const bad = imports('get', '-w', 'abc', 'PV');
    expect([bad.code, bad.err.trim()]).toEqual([2, 'beamtwin: -w/--timeout needs a number']);
    expect(bad.modules.map(packageOf)).toContain('yargs');
    const unknown = imports('get', 'PV', '--bogus');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('Unknown argument: bogus');
    const typo = imports('gte', 'PV');
    expect(typo.code).toBe(2);
    expect(typo.err).toContain('Did you mean get?');
  }, 60_000);

  it('eval --queue and worker without the optional bullmq: one line, exit 2', () => {
    const without = path.join(import.meta.dirname, 'fixtures/without-bullmq.mjs');
    for (const argv of [['worker', '--queue', 'redis://127.0.0.1:9'], ['eval', path.join(ROOT, 'examples/eval-cms/manifest.yaml'), '--queue', 'redis://127.0.0.1:9']]) {
      const r = spawnSync(process.execPath, ['--import', without, MAIN, ...argv], { encoding: 'utf8', timeout: 30_000 });
      expect(r.stderr, argv[0]).toBe('beamtwin: the Redis queue needs the optional package bullmq: npm install bullmq ioredis\n');
      expect(r.status).toBe(2);
    }
  });
});
