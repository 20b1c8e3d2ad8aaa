// `beamtwin serve` and `beamtwin reset` for the CMS twin: what --list-pvs shows by default, with --strict
// and with --profile; a served process (dist/cli/main.js, so build first) reset over CA by the reset
// command; a clean stop on SIGTERM.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { serveCommand } from '../../../cli/commands/serve.js';
import { runCli } from '../../../cli/run-cli.js';
import { CaClient } from '../../../ioc/ca/client/client.js';
import { freeUdpPort } from '../../helpers/ports.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MAIN = path.join(ROOT, 'dist/cli/main.js');
const MINI = path.join(ROOT, 'test/fixtures/profiles/mini.yaml');
const CAM = 'XF:11BMB-ES{Det:PIL2M}:cam1:';
const MOTORS = [
  'XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr',
  'XF:11BMB-ES{Chm:Smpl-Ax:Z}Mtr',
  'XF:11BMB-ES{Chm:Smpl-Ax:theta}Mtr',
  'XF:11BMB-ES{BS-Ax:X}Mtr',
  'XF:11BMB-ES{BS-Ax:Y}Mtr',
  'XF:11BMB-ES{BS-Ax:Phi}Mtr',
  'XF:11BMB-ES{SM:1-Ax:Srot}Mtr',
  'XF:11BMB-ES{Chm:Smpl-Ax:chi}Mtr',
  'XF:11BMB-ES{Chm:Smpl-Ax:phi}Mtr',
  'XF:11BMB-ES{Chm:Smpl-Ax:Y}Mtr',
];

async function listPvs(args: string[] = []): Promise<string[]> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['serve', '--list-pvs', ...args], { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } }, [serveCommand]);
  expect(code, err.join('')).toBe(0);
  return out.join('').split('\n').filter(Boolean);
}

describe('beamtwin serve --list-pvs', () => {
  it('by default lists the CMS profile: motors, cam1 and plugins, the Linkam under both spellings, shutter, control PVs', async () => {
    const names = new Set(await listPvs());
    for (const m of MOTORS) for (const f of ['', '.RBV', '.DMOV', '.MOVN']) expect(names.has(m + f), m + f).toBe(true);
    for (const p of ['Acquire', 'AcquireTime', 'AcquireTime_RBV', 'AcquirePeriod', 'NumImages', 'ImageMode', 'DetectorState_RBV', 'ArrayCounter_RBV'])
      expect(names.has(CAM + p), p).toBe(true);
    for (const p of ['image1:ArrayData', 'Stats1:Total_RBV', 'Stats5:Total_RBV', 'ROI4:MinX', 'TIFF1:FilePath', 'HDF1:FileName', 'Proc1:EnableCallbacks', 'Trans1:Type', 'PVA:EnableCallbacks'])
      expect(names.has(`XF:11BMB-ES{Det:PIL2M}:${p}`), p).toBe(true);
    for (const prefix of ['XF:11BM-ES:{LINKAM}:', 'XF:11BM-ES:LINKAM:'])
      for (const s of ['SETPOINT:SET', 'RAMPRATE:SET', 'STARTHEAT', 'TEMP', 'STATUS', 'RAMPRATE', 'POWER', 'TST_MOTOR_POS']) expect(names.has(prefix + s), prefix + s).toBe(true);
    for (const n of ['XF:11BM-ES{Shutter}', 'XF:11BM-ES{Psh_blade1}Pos', 'XF:11BM-ES{Psh_blade2}Pos', 'beamtwin:reset', 'beamtwin:marker']) expect(names.has(n), n).toBe(true);
    // Sorted, once each.
    const list = await listPvs();
    expect(list).toEqual([...new Set(list)].sort());
  });

  it('--profile FILE serves exactly that profile', async () => {
    const names = await listPvs(['--profile', MINI]);
    expect(names).toContain('T:{LINKAM}:TEMP');
    expect(names).toContain('T:LINKAM:TEMP');
    expect(names).toContain('bt:reset');
    expect(names.filter((n) => n.startsWith('XF:'))).toEqual([]);
  });

  it('--profile with an unknown name fails with the built-in names', async () => {
    const err: string[] = [];
    const code = await runCli(['serve', '--list-pvs', '--profile', 'nope'], { stdout: { write: () => true }, stderr: { write: (s: string) => err.push(s) } }, [serveCommand]);
    expect(code).not.toBe(0);
    expect(err.join('')).toMatch(/no profile "nope" \(built-in: cms/);
  });
});

// ---- a served twin ------------------------------------------------------------------------------------

interface Served {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly port: number;
  readonly env: Record<string, string>;
  stdout(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running: Served[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) {
    if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill('SIGKILL');
    await s.exited;
  }
});

async function serve(args: string[] = [], opts: { interface?: string | null; env?: Record<string, string> } = {}): Promise<Served> {
  const port = await freeUdpPort();
  const env: Record<string, string> = {
    EPICS_CA_ADDR_LIST: `127.0.0.1:${port}`,
    EPICS_CA_AUTO_ADDR_LIST: 'NO',
    EPICS_CA_SERVER_PORT: String(port),
    EPICS_CA_REPEATER_PORT: String(await freeUdpPort()),
  };
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('EPICS_')) base[k] = v;
  const intf = opts.interface === undefined ? ['--interface', '127.0.0.1'] : opts.interface === null ? [] : ['--interface', opts.interface];
  const proc = spawn(process.execPath, [MAIN, 'serve', '--port', String(port), ...intf, ...args], { env: { ...base, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  proc.stderr.setEncoding('utf8').on('data', (s: string) => (out += s));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('close', (code, signal) => resolve({ code, signal })));
  const served: Served = { proc, port, env, stdout: () => out, exited };
  running.push(served);
  // A deadline for the start-up under load, not a duration being tested.
  await expect.poll(() => out, { timeout: 60_000, interval: 20 }).toMatch(/ready in \d+ ms/);
  return served;
}

/** A CaClient aimed at the served twin only. */
function client(s: Served): CaClient {
  return new CaClient({ env: s.env, timeout: 5 });
}

/** Run the built CLI with the served twin's environment. */
function cli(s: Served, args: string[]): Promise<{ code: number | null; out: string }> {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('EPICS_')) base[k] = v;
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [MAIN, ...args], { env: { ...base, ...s.env } });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += String(d)));
    p.stderr.on('data', (d: Buffer) => (out += String(d)));
    p.on('close', (code) => resolve({ code, out }));
  });
}

describe('a served CMS twin', () => {
  it('prints what it serves, and stops cleanly on SIGTERM (exit 0, "stopped")', async () => {
    const s = await serve();
    expect(s.stdout()).toMatch(/^beamtwin: serving profile cms, \d+ PVs, on 127\.0\.0\.1 CA port \d+ \(TCP \d+\), PVA port \d+ \(TCP \d+\), ready in \d+ ms/);
    expect(s.stdout()).toContain(`CA port ${s.port}`);
    s.proc.kill('SIGTERM');
    expect(await s.exited).toEqual({ code: 0, signal: null });
    expect(s.stdout()).toMatch(/beamtwin: stopped\n$/);
  });

  it('beamtwin reset returns moved motors to 0 and the Linkam to its defaults, at once', async () => {
    const s = await serve();
    const c = client(s);
    try {
      // Move two motors (0.3 EGU at 1 EGU/s) and start a ramp.
      await c.put(MOTORS[0]!, 0.3, { wait: true, timeout: 10 });
      await c.put(MOTORS[2]!, -0.3, { wait: true, timeout: 10 });
      await c.put('XF:11BM-ES:{LINKAM}:SETPOINT:SET', 40, { wait: true });
      await c.put('XF:11BM-ES:{LINKAM}:STARTHEAT', 1, { wait: true });
      await c.put(`${CAM}AcquireTime`, 1.5, { wait: true });
      expect((await c.get(`${MOTORS[0]}.RBV`)).value).toBe(0.3);
      expect((await c.get(`${MOTORS[2]}.RBV`)).value).toBe(-0.3);

      const r = await cli(s, ['reset', '-w', '5']);
      expect(r, r.out).toMatchObject({ code: 0 });
      expect(r.out).toContain('beamtwin: twin reset');
      for (const m of [MOTORS[0]!, MOTORS[2]!]) {
        expect((await c.get(m)).value, m).toBe(0);
        expect((await c.get(`${m}.RBV`)).value, m).toBe(0);
        expect((await c.get(`${m}.DMOV`)).value, m).toBe(1);
      }
      expect((await c.get('XF:11BM-ES:{LINKAM}:STARTHEAT')).value).toBe(0);
      expect((await c.get('XF:11BM-ES:{LINKAM}:SETPOINT:SET')).value).toBe(25);
      expect((await c.get('XF:11BM-ES:{LINKAM}:TEMP')).value).toBe(25);
      expect((await c.get(`${CAM}AcquireTime`)).value).toBe(0);
    } finally {
      await c.close();
    }
  }, 30_000);

  it('beamtwin reset with no twin to find fails with the channel name', async () => {
    const port = await freeUdpPort();
    const r = await cli({ env: { EPICS_CA_ADDR_LIST: `127.0.0.1:${port}`, EPICS_CA_AUTO_ADDR_LIST: 'NO' } } as unknown as Served, ['reset', '-w', '0.5']);
    expect(r.code).toBe(1);
    expect(r.out).toContain("'beamtwin:reset' not found");
  });

  it('the catch-all answers unknown XF:11BM names; with --strict they stay unknown', async () => {
    const UNKNOWN = 'XF:11BMA-OP{Mir:Tor-Ax:XU}Mtr';
    const loose = await serve();
    const strict = await serve(['--strict']);
    const a = client(loose);
    const b = client(strict);
    try {
      expect((await a.get(UNKNOWN)).value).toBe(0);
      await expect(b.channel(UNKNOWN).connected(1)).rejects.toThrow();
      expect((await b.get(MOTORS[0]!)).value).toBe(0);
    } finally {
      await a.close();
      await b.close();
    }
  }, 30_000);

  it('--profile FILE serves that profile and nothing of CMS', async () => {
    const s = await serve(['--profile', MINI]);
    expect(s.stdout()).toMatch(/serving profile mini/);
    const c = client(s);
    try {
      expect((await c.get('T:{LINKAM}:TEMP')).value).toBe(25);
      expect((await c.get('T:{Nothing}:Here')).value).toBe(0); // mini's catch-all prefix is T:
      await expect(c.channel(MOTORS[0]!).connected(1)).rejects.toThrow();
    } finally {
      await c.close();
    }
  }, 30_000);
});

/** The local addresses bound to UDP `port` (from /proc/net/udp), e.g. ['127.0.0.1']. */
function udpBindings(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return fs
    .readFileSync('/proc/net/udp', 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/)[1] ?? '')
    .filter((local) => local.endsWith(`:${hexPort}`))
    .map((local) => {
      const h = local.split(':')[0]!;
      return [6, 4, 2, 0].map((i) => parseInt(h.slice(i, i + 2), 16)).join('.');
    });
}

describe('serve is safe by default on a real network', () => {
  const WARNING = /warning: serving 0\.0\.0\.0 with the catch-all on: .* every XF:11BM\* name/;

  it('binds loopback only unless told otherwise, and says how local clients find it', async () => {
    const s = await serve([], { interface: null });
    expect(udpBindings(s.port)).toEqual(['127.0.0.1']);
    expect(s.stdout()).toContain(`on 127.0.0.1 CA port ${s.port}`);
    expect(s.stdout()).toContain(`EPICS_CA_ADDR_LIST=127.0.0.1:${s.port} EPICS_CA_AUTO_ADDR_LIST=NO`);
    expect(s.stdout()).not.toMatch(/warning/);
  }, 30_000);

  it('--interface 0.0.0.0 or EPICS_CAS_INTF_ADDR_LIST serve every interface, with a warning while the catch-all is on', async () => {
    const byFlag = await serve([], { interface: '0.0.0.0' });
    expect(udpBindings(byFlag.port)).toEqual(['0.0.0.0']);
    expect(byFlag.stdout()).toMatch(WARNING);
    const byEnv = await serve([], { interface: null, env: { EPICS_CAS_INTF_ADDR_LIST: '0.0.0.0' } });
    expect(udpBindings(byEnv.port)).toEqual(['0.0.0.0']);
    expect(byEnv.stdout()).toMatch(WARNING);
    const strict = await serve(['--strict'], { interface: '0.0.0.0' });
    expect(strict.stdout()).not.toMatch(/warning/);
  }, 30_000);
});
