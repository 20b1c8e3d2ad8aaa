// --web on serve/run and `beamtwin view`, through runCli: what a user sees, and nothing left running.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/run-cli.js';

interface Running {
  out: string;
  err: string;
  done: Promise<number>;
}

function start(...argv: string[]): Running {
  const r: Running = { out: '', err: '', done: Promise.resolve(0) };
  r.done = runCli(argv, { stdout: { write: (s: string) => (r.out += s) }, stderr: { write: (s: string) => (r.err += s) } });
  return r;
}

/** Wait (event by event, not by the clock) until the command printed its web view's address. */
async function urlOf(r: Running): Promise<string> {
  for (;;) {
    const m = /web view at (http:\/\/\S+)/.exec(r.err);
    if (m) return m[1]!;
    const settled = await Promise.race([r.done.then(() => true), new Promise<false>((res) => setImmediate(() => res(false)))]);
    if (settled) throw new Error(`the command ended without a web view: ${r.err}`);
  }
}

async function sockets(): Promise<string[]> {
  await new Promise((r) => setTimeout(r, 50));
  return process.getActiveResourcesInfo().filter((k) => /^(UDP|TCP|TCPServer)Wrap$/.test(k)).sort();
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beamtwin-web-cli-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('--web and view on the command line', () => {
  it('serve --web serves the live view until interrupted, and leaves nothing behind', async () => {
    const before = await sockets();
    const r = start('serve', '--port', '0', '--web', '0');
    const url = await urlOf(r);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await (await fetch(new URL('api/info', url))).json()).toEqual({ mode: 'live' });
    const pv = (await (await fetch(new URL('api/pv?name=beamtwin:reset', url))).json()) as { name: string };
    expect(pv.name).toBe('beamtwin:reset');
    process.emit('SIGINT');
    expect(await r.done).toBe(0);
    expect(await sockets()).toEqual(before);
  });

  it('refuses a bad --web port in one line, and a taken one without leaving the twin running', async () => {
    const before = await sockets();
    const bad = start('serve', '--port', '0', '--web', '70000');
    expect(await bad.done).toBe(2);
    expect(bad.err).toBe('beamtwin: --web takes a TCP port number (0 = any free port)\n');
    const taken = net.createServer();
    await new Promise<void>((res) => taken.listen(0, '127.0.0.1', res));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      for (const argv of [['serve', '--port', '0', '--web', String(port)], ['run', '--web', String(port), '--', 'true']]) {
        const r = start(...argv);
        expect(await r.done, argv.join(' ')).toBe(1);
        expect(r.err).toMatch(new RegExp(`^beamtwin: cannot serve the web view on 127.0.0.1 port ${port}: .*EADDRINUSE.*\\n$`));
      }
    } finally {
      taken.close();
    }
    expect(await sockets()).toEqual(before);
  });

  it('run --web shows the run live while the command runs', async () => {
    // The command itself reads the view (so the test needs no timing): the twin is up while it runs.
    const probe = `fetch(process.env.BT_URL + 'api/pv?name=beamtwin:marker').then((r) => process.exit(r.status === 200 ? 0 : 3), () => process.exit(4))`;
    const port = await new Promise<number>((res) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => res(p));
      });
    });
    process.env['BT_URL'] = `http://127.0.0.1:${port}/`;
    try {
      const r = start('run', '--web', String(port), '--', process.execPath, '-e', probe);
      expect(await r.done, r.err).toBe(0);
      expect(r.err).toContain(`web view at http://127.0.0.1:${port}/`);
    } finally {
      delete process.env['BT_URL'];
    }
  });

  it('view replays a trace file; a missing or damaged file is a usage error', async () => {
    const file = path.join(dir, 't.jsonl');
    fs.writeFileSync(
      file,
      [
        JSON.stringify({ format: 'beamtwin-trace', version: 1, producer: 'test', profile: 'cms', clock: 'real', start: 1, source: 'in-process' }),
        JSON.stringify({ seq: 1, kind: 'put', channel: 'XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr', timestamp: 10, epics: [0, 0], value: 1, origin: 'ca' }),
      ].join('\n') + '\n',
    );
    const r = start('view', file, '--web', '0');
    const url = await urlOf(r);
    const trace = (await (await fetch(new URL('api/trace', url))).json()) as { layout: { profile: string; panels: unknown[] }; events: unknown[] };
    expect(trace.layout.profile).toBe('cms');
    expect(trace.layout.panels.length).toBeGreaterThan(10);
    expect(trace.events).toEqual([{ t: 10, kind: 'put', channel: 'XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr', value: 1, client: 'ca' }]);
    process.emit('SIGINT');
    expect(await r.done).toBe(0);

    const missing = start('view', path.join(dir, 'missing.jsonl'));
    expect(await missing.done).toBe(2);
    expect(missing.err).toMatch(/^beamtwin: cannot read .*missing\.jsonl: .*ENOENT.*\n$/);
    fs.writeFileSync(path.join(dir, 'bad.jsonl'), '{"format": "beamtwin-trace"}\nnot json\n{}\n');
    const bad = start('view', path.join(dir, 'bad.jsonl'));
    expect(await bad.done).toBe(2);
    expect(bad.err).toMatch(/^beamtwin: cannot read .*bad\.jsonl: .*bad\.jsonl line 2: .*\n$/);
  });
});
