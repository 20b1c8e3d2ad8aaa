// Careless and hostile command lines (issue 12, items 10–12): numbers are checked, the CA tools end on
// missing PVs, and a put that did not happen is an error. No wall-clock assertions: a tool that hung
// would fail by the test's own timeout, and every missing-PV case uses a short -w.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/run-cli.js';
import { PutError } from '../../ioc/db/errors.js';
import { ECA } from '../../ioc/ca/protocol/constants.js';
import { DbrBase } from '../../ioc/ca/protocol/dbr-types.js';
import type { CaServer } from '../../ioc/ca/server/server.js';
import { PvDatabase } from '../../ioc/db/database.js';
import { randomPrefix, startServer } from '../ioc/ca/client/harness.js';
import { setEnv } from '../helpers/env.js';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

const oneLine = (s: string) => expect(s).toMatch(/^beamtwin: [^\n]+\n$/);

describe('numeric options are checked (one line, exit 2)', () => {
  const cases: [string[], RegExp][] = [
    [['serve', '--port', 'abc', '--list-pvs'], /--port needs a number/],
    [['serve', '--port', '99999', '--list-pvs'], /--port must be an integer from 0 to 65535, got 99999/],
    [['serve', '--port', '1.5', '--list-pvs'], /--port must be an integer from 0 to 65535, got 1.5/],
    [['serve', '--port', '1', '--port', '2', '--list-pvs'], /--port was given 2 times/],
    [['serve', '--speed', '0', '--list-pvs'], /--speed must be a positive number/],
    [['repeater', '--port', '-1'], /--port must be an integer/],
    [['get', '-w', 'abc', 'X:Y'], /-w\/--timeout needs a number/],
    [['get', '-w', '0', 'X:Y'], /-w\/--timeout must be a positive number of seconds, got 0/],
    [['get', '-#', '-3', 'X:Y'], /-#\/--count must be an integer of at least 0, got -3/],
    [['monitor', '-u', '0', 'X:Y'], /--updates must be an integer of at least 1/],
    [['run', '--timeout', 'abc', '--', 'true'], /--timeout needs a number/],
    [['run', '--timeout', '0', '--', 'true'], /--timeout must be a positive number of seconds, got 0/],
    [['validate', '--timeout', '-1', '--', 'true'], /--timeout must be a positive number/],
    [['record', 'X:Y', '-o', '/dev/null', '--duration', 'abc'], /--duration needs a number/],
    [['eval', 'm.yaml', '--jobs', '0'], /--jobs must be an integer of at least 1, got 0/],
    [['eval', 'm.yaml', '--jobs', '1.5'], /--jobs must be an integer/],
    [['score', '--gt', 'a', '--pred', 'b', '--max-rows', 'x'], /--max-rows needs a number/],
  ];
  for (const [argv, msg] of cases) {
    it(argv.join(' '), async () => {
      const r = await cli(...argv);
      expect(r.code).toBe(2);
      oneLine(r.err);
      expect(r.err).toMatch(msg);
    });
  }
});

describe('CA tools against a server', () => {
  let server: CaServer;
  const p = randomPrefix();
  let restoreEnv: (() => void) | undefined;

  beforeAll(async () => {
    const db = new PvDatabase();
    db.create(`${p}L`, { type: DbrBase.LONG, value: 42 });
    db.create(`${p}E`, { type: DbrBase.ENUM, value: 0, enumStrings: ['Off', 'On'] });
    db.create(`${p}REFUSE`, {
      type: DbrBase.DOUBLE,
      value: 1,
      put: () => {
        throw new PutError('refused by the device', ECA.PUTFAIL);
      },
    });
    // A put-callback that never completes: only the wait can run out.
    db.create(`${p}SLOW`, { type: DbrBase.DOUBLE, value: 0, put: (pv, v) => (pv.set(v as number), new Promise<void>(() => {})) });
    server = await startServer(db);
    restoreEnv = setEnv({ ...server.clientEnv(), EPICS_CA_REPEATER_PORT: '1' });
  });

  afterAll(async () => {
    restoreEnv?.();
    await server.stop();
  });

  describe('get/put/info/monitor end on a missing PV within -w', () => {
    for (const argv of [
      ['get'],
      ['get', '-a'],
      ['get', '-t'],
      ['get', '--json'],
      ['get', '-d', 'DBR_CTRL_DOUBLE'],
      ['get', '-#', '2'],
      ['info'],
      ['info', '--json'],
      ['monitor'],
      ['monitor', '-u', '1'],
      ['monitor', '--json'],
    ]) {
      it(`${argv.join(' ')} NOPE`, async () => {
        const r = await cli(...argv, '-w', '0.3', `${p}NOPE`);
        expect(r.code).toBe(1);
        expect(r.err).toContain(`'${p}NOPE' not found`);
      });
    }
    for (const wait of [[], ['-c']]) {
      it(`put ${wait.join(' ')} NOPE`, async () => {
        const r = await cli('put', ...wait, '-w', '0.3', `${p}NOPE`, '1');
        expect(r.code).toBe(1);
        expect(r.err).toContain(`'${p}NOPE' not found`);
      });
    }
  });

  describe('put says when it did not happen', () => {
    it('a value the PV cannot take exits 1 and leaves the value', async () => {
      for (const [pv, v] of [
        [`${p}L`, 'abc'],
        [`${p}E`, 'Bogus'],
      ] as const) {
        const r = await cli('put', '-w', '2', pv, v);
        expect(r.code, `${pv} ${v}`).toBe(1);
        oneLine(r.err);
        expect(r.err).toContain(`put to ${pv} failed`);
      }
      expect((await cli('get', '-t', `${p}L`)).out).toBe('42\n');
    });

    it('a put the device refuses exits 1, with and without -c', async () => {
      for (const wait of [[], ['-c']]) {
        const r = await cli('put', ...wait, '-w', '2', `${p}REFUSE`, '5');
        expect(r.code, wait.join('')).toBe(1);
        oneLine(r.err);
        expect(r.err).toContain(`put to ${p}REFUSE failed`);
      }
    });

    it('put -c whose completion does not come in time says "wait timed out", not "failed"', async () => {
      const r = await cli('put', '-c', '-w', '2', `${p}SLOW`, '5'); // -w long enough to connect under load; the wait never completes
      expect(r.code).toBe(1);
      oneLine(r.err);
      expect(r.err).toContain('wait timed out');
      expect(r.err).not.toContain('failed');
    });

    it('a good put still exits 0', async () => {
      const r = await cli('put', '-t', `${p}L`, '7');
      expect(r).toMatchObject({ code: 0, out: '7\n' });
    });
  });
});

describe('user files go through one strict schema: a misspelled key names the key and the file', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beamtwin-strict-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };

  it('validate --rules: `forbiden:` is refused, not a rule that checks nothing', async () => {
    const f = write('rules.yaml', 'forbiden: ["XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr"]\n');
    const r = await cli('validate', '--rules', f, '--', 'true');
    expect(r).toMatchObject({ code: 2, err: `beamtwin: ${f}: unknown key "forbiden"\n` });
    const g = write('rules2.json', JSON.stringify({ ranges: { 'A:*': { min: 0, maks: 5 } } }));
    expect((await cli('validate', '--rules', g, '--', 'true')).err).toBe(`beamtwin: ${g}: unknown key "maks" in ranges.A:*\n`);
  });

  it('a profile: unknown top-level keys, and unknown device settings naming the device', async () => {
    const f = write('p.yaml', 'name: p\ndevices: []\ntraked: ["A"]\n');
    expect(await cli('serve', '--profile', f, '--list-pvs')).toMatchObject({ code: 2, err: `beamtwin: ${f}: unknown key "traked"\n` });
    const g = write('q.yaml', 'name: q\ndevices:\n  - { kind: linkam, name: lk, prefix: "A:", rampRte: 5 }\n');
    const r = await cli('serve', '--profile', g, '--list-pvs');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^beamtwin: device lk: unknown setting "rampRte" \(linkam takes prefix, aliases, setpoint, rampRate, .*\)\n$/);
  });

  it('an eval manifest: a misspelled key in a task or a candidate', async () => {
    const f = write('m.yaml', 'tasks:\n  - id: t\n    reference: "true"\n    candiates: ["true"]\n');
    expect(await cli('eval', f, '-o', path.join(dir, 'out'))).toMatchObject({ code: 2, err: `beamtwin: ${f}: unknown key "candiates" in tasks[0]\n` });
    const g = write('n.yaml', 'defaults: { timeout: 5 }\ntasks:\n  - id: t\n    reference: "true"\n    candidates: [{ id: c, command: "true", expected: pass }]\n');
    expect((await cli('eval', g, '-o', path.join(dir, 'out'))).err).toBe(`beamtwin: ${g}: unknown key "expected" in tasks[0].candidates[0]\n`);
    const h = write('o.yaml', 'defaults: { timout: 5 }\ntasks: []\n');
    expect((await cli('eval', h, '-o', path.join(dir, 'out'))).err).toBe(`beamtwin: ${h}: unknown key "timout" in defaults\n`);
  });

  it('empty files and directories are named as such', async () => {
    const e = write('empty.yaml', '');
    expect((await cli('validate', '--rules', e, '--', 'true')).err).toBe(`beamtwin: ${e}: is empty\n`);
    expect((await cli('validate', '--rules', dir, '--', 'true')).err).toBe(`beamtwin: ${dir}: is a directory, not a rules file\n`);
    expect((await cli('serve', '--profile', e, '--list-pvs')).err).toBe(`beamtwin: ${e}: is empty\n`);
  });
});

describe('errors a user can cause are one line without a stack, naming the option or the device', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beamtwin-oneline-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a profile listing a PV twice', async () => {
    const f = path.join(dir, 'dup.yaml');
    fs.writeFileSync(f, 'name: d\ndevices:\n  - { kind: shutter, name: a, pv: "A:S" }\n  - { kind: shutter, name: b, pv: "A:S" }\n');
    const r = await cli('serve', '--profile', f, '--list-pvs');
    expect(r).toMatchObject({ code: 2, err: 'beamtwin: device b: A:S is already served by another device (a PV listed twice?)\n' });
  });

  it('score: a directory, a missing file, an empty file, each named with its option', async () => {
    const good = path.join(dir, 'good.json');
    fs.writeFileSync(good, JSON.stringify({ events: [{ channel: 'A', timestamp: 0, value: 1 }] }));
    const empty = path.join(dir, 'empty.jsonl');
    fs.writeFileSync(empty, '');
    const blank = path.join(dir, 'blank.json');
    fs.writeFileSync(blank, '  \n');
    const missing = path.join(dir, 'missing.json');
    for (const [argv, err] of [
      [['--gt', dir, '--pred', good], `--gt ${dir}: is a directory, not a trace file`],
      [['--gt', good, '--pred', missing], `--pred ${missing}: no such file`],
      [['--gt', good, '--pred', empty], `--pred ${empty}: is empty`],
      [['--gt', blank, '--pred', good], `--gt ${blank}: is empty`],
    ] as const) {
      const r = await cli('score', ...argv);
      expect(r, argv.join(' ')).toMatchObject({ code: 2, err: `beamtwin: ${err}\n` });
    }
    const r = await cli('validate', '--expect', missing, '--', 'true');
    expect(r).toMatchObject({ code: 2, err: `beamtwin: --expect ${missing}: no such file\n` });
  });
});

describe('score gates CI: exit 1 on FAIL unless --exit-zero', () => {
  const EX = path.join(import.meta.dirname, '../../examples/traces');
  it('a trace scored against itself passes (0); a failing one exits 1, or 0 with --exit-zero', async () => {
    const self = await cli('score', '--gt', `${EX}/scan-pred.jsonl`, '--pred', `${EX}/scan-pred.jsonl`);
    expect(self.code).toBe(0);
    expect(self.out).toMatch(/accuracy PASS/);
    const fail = await cli('score', '--gt', `${EX}/scan-gt.vision.json`, '--pred', `${EX}/scan-pred.jsonl`);
    expect(fail.code).toBe(1);
    expect(fail.out).toMatch(/accuracy FAIL/);
    expect(fail.err).toBe('');
    expect((await cli('score', '--gt', `${EX}/scan-gt.vision.json`, '--pred', `${EX}/scan-pred.jsonl`, '--exit-zero')).code).toBe(0);
  });
});

describe('run and validate say how the command ended', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beamtwin-start-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('run: not found → 127, not executable or a directory → 126, each with the reason on one line', async () => {
    const script = path.join(dir, 'plan.sh');
    fs.writeFileSync(script, '#!/bin/sh\nexit 0\n', { mode: 0o644 });
    for (const [cmd, code, why] of [
      [path.join(dir, 'nope'), 127, 'command not found'],
      ['beamtwin-no-such-command', 127, 'command not found'],
      [script, 126, 'permission denied (not an executable file)'],
      [dir, 126, 'is a directory'],
    ] as const) {
      const r = await cli('run', '--', cmd);
      expect(r, cmd).toMatchObject({ code, err: `beamtwin run: cannot start ${cmd}: ${why}\n` });
    }
    const j = await cli('run', '--json', '--', path.join(dir, 'nope'));
    expect(JSON.parse(j.out)).toMatchObject({ exitCode: 127, startError: 'command not found' });
  });

  it('validate: a non-zero exit, a signal and a command that cannot start are findings naming the status', async () => {
    const cases: [string[], string][] = [
      [['sh', '-c', 'exit 3'], 'the script exited with status 3'],
      [['sh', '-c', 'kill -TERM $$'], 'the script was killed by SIGTERM (exit status 143)'],
      [[path.join(dir, 'nope')], `the script did not start: ${path.join(dir, 'nope')}: command not found (exit status 127)`],
    ];
    for (const [argv, message] of cases) {
      const r = await cli('validate', '--json', '--', ...argv);
      expect(r.code, argv.join(' ')).toBe(1);
      const report = JSON.parse(r.out);
      expect(report.ok).toBe(false);
      expect(report.findings).toContainEqual({ kind: 'exit', pv: '', message, at: 0, breaks: true });
    }
    const ok = await cli('validate', '--json', '--', 'true');
    expect(JSON.parse(ok.out).findings.filter((f: { kind: string }) => f.kind === 'exit')).toEqual([]);
  });
});

describe('the command line as a daily tool (issue 20)', () => {
  // yargs prints help and the version itself (and exits), so these run the built CLI.
  const MAIN = path.join(import.meta.dirname, '../../dist/cli/main.js');
  const bin = (...argv: string[]) => {
    const r = spawnSync(process.execPath, [MAIN, ...argv], { encoding: 'utf8' });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it('--help describes every option and positional of every command', async () => {
    const { commandLoaders } = await import('../../cli/commands/index.js');
    for (const name of Object.keys(commandLoaders)) {
      const r = bin(name, '--help');
      expect(r.code, name).toBe(0);
      // An option line without a description goes straight from its flags to "[type]" / "[default: …]".
      let section = '';
      const bare = r.out.split('\n').filter((l) => {
        if (/^\S.*:$/.test(l)) section = l;
        if (section === 'Options:') return /^\s+-{1,2}[\w#-]+(?:,\s+-{1,2}[\w#-]+)*\s+\[/.test(l);
        if (section === 'Positionals:') return /^\s+[\w-]+\s+\[/.test(l);
        return false;
      });
      expect(bare, `${name} --help`).toEqual([]);
    }
  }, 180_000);

  it('--version prints the version; `completion` prints a shell completion script', async () => {
    const { beamtwinVersion } = await import('../../harness/version.js');
    expect(bin('--version')).toMatchObject({ code: 0, out: `${beamtwinVersion}\n` });
    const c = bin('completion');
    expect(c.code).toBe(0);
    expect(c.out).toMatch(/--get-yargs-completions/);
  });
});
