// beamtwin get / put / monitor / info against our server, through runCli with captured output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alarmSuffix, formatG, formatTimestamp } from '../../cli/ca-format.js';
import { runCli } from '../../cli/run-cli.js';
import type { CliIo } from '../../cli/io.js';
import { AlarmStatus, Severity } from '../../ioc/ca/protocol/constants.js';
import { DbrBase } from '../../ioc/ca/protocol/dbr-types.js';
import type { CaServer } from '../../ioc/ca/server/server.js';
import { RealClock } from '../../ioc/clock.js';
import { PvDatabase } from '../../ioc/db/database.js';
import { randomPrefix, startServer } from '../ioc/ca/client/harness.js';
import { setEnv } from '../helpers/env.js';

function captured(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    out: () => out,
    err: () => err,
  };
}

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captured();
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

let server: CaServer;
let db: PvDatabase;
const p = randomPrefix();
let restoreEnv: (() => void) | undefined;

beforeAll(async () => {
  db = new PvDatabase(new RealClock());
  db.create(`${p}D`, { type: DbrBase.DOUBLE, value: 1.5, units: 'mm', precision: 3, limits: { upperDisp: 10, lowerDisp: -10, upperCtrl: 5, lowerCtrl: -5 } });
  db.create(`${p}E`, { type: DbrBase.ENUM, value: 0, enumStrings: ['Off', 'On'] });
  db.create(`${p}S`, { type: DbrBase.STRING, value: 'hello world' });
  db.create(`${p}L`, { type: DbrBase.LONG, value: 42 });
  db.create(`${p}W`, { type: DbrBase.DOUBLE, value: [1, 2.5, 3], maxCount: 3 });
  db.create(`${p}RO`, { type: DbrBase.DOUBLE, value: 0, writable: false });
  server = await startServer(db);
  restoreEnv = setEnv({ ...server.clientEnv(), EPICS_CA_REPEATER_PORT: '1' });
});

afterAll(async () => {
  restoreEnv?.();
  await server.stop();
});

describe('formatting helpers', () => {
  it('formats doubles like printf %g', () => {
    expect(formatG(1.5)).toBe('1.5');
    expect(formatG(Math.PI)).toBe('3.14159');
    expect(formatG(1e-5)).toBe('1e-05');
    expect(formatG(123456789)).toBe('1.23457e+08');
    expect(formatG(100000)).toBe('100000');
    expect(formatG(0.0001)).toBe('0.0001');
    expect(formatG(-2.5e300)).toBe('-2.5e+300');
    expect(formatG(Number.NaN)).toBe('nan');
  });

  it('formats EPICS time stamps with microseconds and alarms as STAT SEVR', () => {
    expect(formatTimestamp(0, 123456789)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.123456$/);
    expect(alarmSuffix({ name: 'x', type: 20, count: 1, value: 1, status: 3, severity: 2 })).toBe(' HIHI MAJOR');
    expect(alarmSuffix({ name: 'x', type: 20, count: 1, value: 1, status: 0, severity: 0 })).toBe('');
  });
});

describe('beamtwin get', () => {
  it('prints caget lines: name padded to 30 columns, then the value', async () => {
    const r = await run('get', `${p}D`, `${p}E`, `${p}S`, `${p}L`);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [`${p}D`.padEnd(30) + ' 1.5', `${p}E`.padEnd(30) + ' Off', `${p}S`.padEnd(30) + ' hello world', `${p}L`.padEnd(30) + ' 42', ''].join('\n'),
    );
  });

  it('prints arrays as count and elements, -t terse, -n enums as numbers', async () => {
    expect((await run('get', `${p}W`)).out).toBe(`${p}W 3 1 2.5 3\n`);
    expect((await run('get', '-t', `${p}D`)).out).toBe('1.5\n');
    expect((await run('get', '-n', `${p}E`)).out).toBe(`${p}E`.padEnd(30) + ' 0\n');
    expect((await run('get', '--count', '2', `${p}W`)).out).toBe(`${p}W 2 1 2.5\n`);
  });

  it('-a prints the time stamp and the alarm', async () => {
    const pv = db.get(`${p}L`)!;
    pv.setAlarm(AlarmStatus.HIHI, Severity.MAJOR);
    const r = await run('get', '-a', `${p}L`);
    pv.setAlarm(0, 0);
    expect(r.out).toMatch(new RegExp(`^${p}L {${30 - p.length - 1}} \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6} 42 HIHI MAJOR\\n$`));
    const ok = await run('get', '-a', `${p}L`);
    expect(ok.out).toMatch(/:\d\d\.\d{6} 42\n$/);
  });

  it('-d TYPE prints the metadata of that DBR type', async () => {
    const r = await run('get', '-d', 'DBR_CTRL_DOUBLE', `${p}D`);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe(`${p}D`);
    expect(lines).toContain('    Native data type: DBF_DOUBLE');
    expect(lines).toContain('    Request type:     DBR_CTRL_DOUBLE');
    expect(lines).toContain('    Value:            1.5');
    expect(lines).toContain('    Units:            mm');
    expect(lines).toContain('    Precision:        3');
    expect(lines).toContain('    Hi disp limit:    10');
    expect(lines).toContain('    Lo ctrl limit:    -5');
    const e = await run('get', '-d', 'ctrl_enum', `${p}E`);
    expect(e.out).toContain('    Enums:            ( 2)\n                      [ 0] Off\n                      [ 1] On\n');
    expect((await run('get', '-d', 'bogus', `${p}D`)).code).toBe(2);
  });

  it('reports PVs it cannot find and exits 1', async () => {
    // Long enough for the PV that exists to connect on a loaded machine: the client keeps deadlines exactly.
    const r = await run('get', '--timeout', '1', `${p}NOPE`, `${p}D`);
    expect(r.code).toBe(1);
    expect(r.err).toContain('Channel connect timed out');
    expect(r.out).toContain(`${p}D`.padEnd(30) + ' 1.5');
    expect(r.out).toContain('*** not connected');
  });

  it('--json prints one object per PV', async () => {
    const r = await run('get', '--json', `${p}D`);
    expect(JSON.parse(r.out)).toMatchObject({ name: `${p}D`, value: 1.5, nativeType: 'DBF_DOUBLE', type: 'DBR_TIME_DOUBLE' });
  });
});

describe('beamtwin put', () => {
  it('prints Old and New lines and writes numbers, enums by name and strings', async () => {
    const r = await run('put', `${p}L`, '7');
    expect(r.code).toBe(0);
    expect(r.out).toBe(`Old : ${`${p}L`.padEnd(30)} 42\nNew : ${`${p}L`.padEnd(30)} 7\n`);
    expect(db.get(`${p}L`)!.value).toBe(7);
    expect((await run('put', '-c', `${p}E`, 'On')).out).toContain(`New : ${`${p}E`.padEnd(30)} On`);
    expect(db.get(`${p}E`)!.value).toBe(1);
    expect((await run('put', '-t', `${p}S`, 'bye')).out).toBe('bye\n');
    expect(db.get(`${p}S`)!.value).toBe('bye');
    expect((await run('put', '-a', `${p}W`, '2', '9', '8')).out).toContain(`New : ${p}W 2 9 8`);
  });

  it('fails with exit code 1 on a refused write', async () => {
    const r = await run('put', '-c', `${p}RO`, '1');
    expect(r.code).toBe(1);
    expect(r.err).toContain('ECA_NOWTACCESS');
  });
});

describe('beamtwin monitor', () => {
  it('prints the current value and then every change, camonitor style', async () => {
    const io = captured();
    const pv = db.get(`${p}D`)!;
    const running = runCli(['monitor', '--updates', '3', `${p}D`], io);
    // Post changes once the first line is out (the subscription is in place).
    while (!io.out().includes('\n')) await new Promise((r) => setTimeout(r, 5));
    pv.set(2.25);
    pv.set(-7e-9, { status: AlarmStatus.LOLO, severity: Severity.MAJOR });
    expect(await running).toBe(0);
    const lines = io.out().trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^${p}D {${30 - p.length - 1}} \\S+ \\S+ 1.5$`));
    expect(lines[1]).toMatch(/ 2\.25$/);
    expect(lines[2]).toMatch(/ -7e-09 LOLO MAJOR$/);
    pv.set(1.5, { status: 0, severity: 0 });
  });
});

describe('beamtwin info', () => {
  it('prints cainfo blocks', async () => {
    const r = await run('info', `${p}RO`);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        `${p}RO`,
        '    State:            connected',
        `    Host:             127.0.0.1:${server.tcpPort}`,
        '    Access:           read, no write',
        '    Native data type: DBF_DOUBLE',
        '    Request type:     DBR_DOUBLE',
        '    Element count:    1',
        '',
      ].join('\n'),
    );
  });
});
