// What a user sees when a command cannot start: one line naming the problem, no stack trace, the right
// exit code, and nothing left running (a twin, a server socket, a repeater) behind the failure.
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/run-cli.js';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

/** Sockets open in this process (a twin's server and repeater), by kind. */
function sockets(): string[] {
  return process.getActiveResourcesInfo().filter((k) => /^(UDP|TCP|TCPServer)Wrap$/.test(k)).sort();
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beamtwin-errors-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const noStack = (err: string) => expect(err).not.toMatch(/\n\s+at /);

describe('errors the user can fix are one line, without a stack', () => {
  it('an unknown profile (serve, run, validate) is a usage error naming the built-in profiles', async () => {
    for (const argv of [['serve', '--profile', 'nope', '--list-pvs'], ['run', '--profile', 'nope', '--', 'true'], ['run', '--profile', 'nope', '--tracked', '--', 'true'], ['validate', '--profile', 'nope', '--', 'true']]) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toBe('beamtwin: no profile "nope" (built-in: cms, ophyd-test; or give a .yaml/.json file)\n');
    }
  });

  it('a profile with a bad device setting names the device and the setting', async () => {
    const f = path.join(dir, 'bad.yaml');
    fs.writeFileSync(f, 'name: bad\ndevices:\n  - kind: linkam\n    name: lk\n    prefix: "A:"\n    rampRate: fast\n');
    const r = await cli('serve', '--profile', f, '--list-pvs');
    expect(r.code).toBe(2);
    expect(r.err).toBe('beamtwin: device lk: "rampRate" must be a number\n');
  });

  it('a file that cannot be read or written names the file (record -o, record --names)', async () => {
    const missing = path.join(dir, 'missing.yaml');
    for (const argv of [
      ['record', 'A:B', '-o', path.join(dir, 'no', 'such', 'dir', 't.jsonl'), '--duration', '0'],
      ['record', '--names', missing, '-o', path.join(dir, 't.jsonl'), '--duration', '0'],
    ]) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).not.toBe(0);
      expect(r.err, argv.join(' ')).toMatch(/^beamtwin: .*ENOENT.*\n$/);
      noStack(r.err);
    }
  });

  it('bad rules are a usage error naming the file', async () => {
    const f = path.join(dir, 'rules.yaml');
    fs.writeFileSync(f, 'maxDuration: long\n');
    const r = await cli('validate', '--rules', f, '--', 'true');
    expect(r.code).toBe(2);
    expect(r.err).toBe(`beamtwin: ${f}: "maxDuration" must be seconds\n`);
    fs.writeFileSync(f, 'ranges: [\n');
    const p = await cli('validate', '--rules', f, '--', 'true');
    expect(p.code).toBe(2);
    expect(p.err).toMatch(new RegExp(`^beamtwin: ${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid YAML: `));
    noStack(p.err);
  });

  it('--speed must be positive (serve, run, validate)', async () => {
    for (const argv of [['serve', '--speed', '0', '--list-pvs'], ['run', '--speed', '-1', '--', 'true'], ['validate', '--speed', '0', '--', 'true']]) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toMatch(/^beamtwin: --speed must be a positive number, got -?\d+\n$/);
    }
  });

  it('serve on a taken port says so', async () => {
    // A UDP socket holding the port without SO_REUSEADDR: the server cannot share it.
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
    const port = udp.address().port;
    const r = await cli('serve', '--port', String(port), '--interface', '127.0.0.1');
    await new Promise<void>((r) => udp.close(() => r()));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`^beamtwin: cannot serve on 127\\.0\\.0\\.1 port ${port}: .*EADDRINUSE.*\\n$`));
    // Not asserted here: CaServer.start() keeps the UDP socket whose bind failed (ioc/, reported).
  });
});

describe('a run that cannot record leaves nothing behind', () => {
  it('run --record into a missing folder fails with the file named, and stops its twin', async () => {
    const before = sockets();
    const r = await cli('run', '--record', path.join(dir, 'no', 'such', 'dir', 't.jsonl'), '--', 'true');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^beamtwin: ENOENT: no such file or directory, open '.*t\.jsonl'\n$/);
    // The twin's server and repeater are gone (they kept the process alive before).
    // (Closing is asynchronous: wait for the closes to land rather than for a fixed time.)
    // Sockets of earlier tests may still be closing: none may be left beyond those.
    const extra = () => sockets().filter((k) => sockets().filter((x) => x === k).length > before.filter((x) => x === k).length);
    await expect.poll(extra, { timeout: 5000, interval: 5 }).toEqual([]);
  });
});
