// beamtwin pvget / pvput / pvmonitor / pvinfo against our PVA server, through runCli with captured output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTimestamp } from '../../cli/ca-format.js';
import { runCli } from '../../cli/run-cli.js';
import { RealClock } from '../../ioc/clock.js';
import { PvDatabase } from '../../ioc/db/database.js';
import { AlarmStatus, Severity } from '../../ioc/epics/alarm.js';
import { DbrBase } from '../../ioc/epics/field-type.js';
import { PvaServer } from '../../ioc/pva/server/server.js';
import { setEnv } from '../helpers/env.js';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

const db = new PvDatabase(new RealClock());
const server = new PvaServer({ source: db, config: { tcpPort: 0, udpPort: 0, beaconAddrs: [] } });
let restoreEnv: (() => void) | undefined;
beforeAll(async () => {
  db.create('pt:D', { type: DbrBase.DOUBLE, value: 1.5, units: 'mm' });
  db.create('pt:E', { type: DbrBase.ENUM, value: 0, enumStrings: ['Off', 'On'] });
  db.create('pt:W', { type: DbrBase.LONG, value: [1, 2, 3], maxCount: 4 });
  await server.start();
  restoreEnv = setEnv(server.clientEnv());
});
afterAll(async () => {
  restoreEnv?.();
  await server.stop();
});

describe('pv tools', () => {
  it('pvget prints NAME TIMESTAMP VALUE, enums as (i) choice, arrays in brackets, alarms after', async () => {
    const d = db.get('pt:D')!;
    d.setAlarm(AlarmStatus.HIGH, Severity.MINOR);
    const r = await run('pvget', 'pt:D', 'pt:E', 'pt:W');
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        `pt:D ${formatTimestamp(d.secPastEpoch, d.nsec)} 1.5 MINOR HIGH`,
        `pt:E ${formatTimestamp(db.get('pt:E')!.secPastEpoch, db.get('pt:E')!.nsec)} (0) Off`,
        `pt:W ${formatTimestamp(db.get('pt:W')!.secPastEpoch, db.get('pt:W')!.nsec)} [1,2,3]`,
        '',
      ].join('\n'),
    );
    d.setAlarm(AlarmStatus.NO_ALARM, Severity.NO_ALARM);
  });

  it('pvget -r selects fields; -v prints the structure', async () => {
    const r = await run('pvget', '-v', '-r', 'field(value,display.units)', 'pt:D');
    expect(r.out).toBe(['pt:D', 'epics:nt/NTScalar:1.0', '    double value 1.5', '    display_t display', '        string units mm', ''].join('\n'));
  });

  it('pvput prints Old and New and waits for completion; enums by name', async () => {
    const r = await run('pvput', 'pt:D', '2.25');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Old : pt:D \S+ \S+ 1\.5\nNew : pt:D \S+ \S+ 2\.25\n$/);
    expect((await run('pvput', 'pt:E', 'On')).out).toMatch(/New : pt:E \S+ \S+ \(1\) On/);
    expect(db.get('pt:E')!.value).toBe(1);
  });

  it('pvinfo prints the type tree', async () => {
    const r = await run('pvinfo', 'pt:E');
    expect(r.out).toContain('Type:\n    epics:nt/NTEnum:1.0\n        enum_t value\n            int index\n            string[] choices\n');
  });

  it('pvmonitor prints the first update and stops after --updates', async () => {
    const r = await run('pvmonitor', '-u', '1', 'pt:W');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^pt:W \S+ \S+ \[1,2,3\]\n$/);
  });

  it('bad input: a malformed pvRequest is a usage error (exit 2); a missing PV exits 1 naming it', async () => {
    const bad = await run('pvget', '-r', 'field(value', 'pt:D');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/missing \)/);
    const missing = await run('pvget', '-w', '0.3', 'pt:nope');
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/pt:nope/);
  });
});
