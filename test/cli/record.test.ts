// `beamtwin record` end to end: the CLI records a running twin over Channel Access for --duration seconds.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { recordCommand } from '../../cli/commands/record.js';
import { runCli } from '../../cli/run-cli.js';
import { TwinSession } from '../../harness/twin-session.js';
import { AlarmStatus, Severity } from '../../ioc/ca/protocol/constants.js';
import { readJsonLines } from '../../aligner/io/read-trace.js';
import { SCENARIO, scenarioProfile } from '../recorder/profile.js';

const L = SCENARIO.linkam;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-record-'));
let session: TwinSession;
const savedEnv = { ...process.env };

beforeAll(async () => {
  session = await TwinSession.start({ profile: scenarioProfile() });
  // `beamtwin record` takes its IOC from the EPICS environment, as caget does.
  Object.assign(process.env, session.clientEnv());
});
afterAll(async () => {
  for (const k of Object.keys(session.clientEnv())) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
  await session.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  session.twin.reset();
  // The Linkam's reset leaves an alarm as it is: clear the one a test raised.
  session.twin.db.lookup(`${L}TEMP`)!.setAlarm(AlarmStatus.NO_ALARM, Severity.NO_ALARM);
});

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } }, out, err };
}

/** Run `beamtwin record ARGS` and, once every channel has connected, `drive()` the twin. */
async function record(args: string[], file: string, drive: () => Promise<void>): Promise<{ code: number; err: string }> {
  const b = io();
  const running = runCli(['record', ...args, '-o', file], b.io, [recordCommand]);
  // The header is written at once and the first block within flushMs (200 ms) of the first events.
  await expect.poll(() => (fs.existsSync(file) ? readJsonLines(file).events.filter((e) => e.kind === 'update').length : 0), { timeout: 10_000 }).toBeGreaterThan(0);
  await drive();
  const code = await running;
  return { code, err: b.err.join('') };
}

describe('beamtwin record', () => {
  it('--duration: records the named PVs (and a names file) over CA, then stops by itself', async () => {
    const file = path.join(dir, 'rec.jsonl');
    const names = path.join(dir, 'names.txt');
    fs.writeFileSync(names, `# Linkam\n${L}SETPOINT:SET   # the setpoint\n\n${L}TEMP\n`);
    const sp = session.twin.db.lookup(`${L}SETPOINT:SET`)!;
    const { code, err } = await record([`${L}STARTHEAT`, `${L}TEMP`, '--names', names, '--duration', '2'], file, async () => {
      await sp.put(31);
      await sp.put(32);
      session.twin.db.lookup(`${L}TEMP`)!.set(26, { status: AlarmStatus.HIGH, severity: Severity.MINOR });
    });
    expect(code).toBe(0);
    expect(err).toContain('beamtwin record: recording 4 PVs');
    const r = readJsonLines(file);
    expect(r.truncated).toBe(false);
    expect(r.header).toMatchObject({ format: 'beamtwin-trace', producer: 'beamtwin record', beamtwinVersion: expect.stringMatching(/^\d+\.\d+\.\d+/), source: 'ca', channels: [`${L}STARTHEAT`, `${L}TEMP`, `${L}SETPOINT:SET`, `${L}TEMP`] });
    const ev = r.events;
    expect(err).toContain(`beamtwin record: ${ev.length} events\n`);
    // TEMP is named twice but recorded once.
    expect(ev.filter((e) => e.kind === 'connect').map((e) => e.channel).sort()).toEqual([`${L}SETPOINT:SET`, `${L}STARTHEAT`, `${L}TEMP`].sort());
    const updates = (ch: string) => ev.filter((e) => e.kind === 'update' && e.channel === ch);
    expect(updates(`${L}SETPOINT:SET`).map((e) => e.value)).toEqual([25, 31, 32]);
    expect(updates(`${L}TEMP`).map((e) => [e.value, e.status, e.severity])).toEqual([
      [25, AlarmStatus.NO_ALARM, Severity.NO_ALARM],
      [26, AlarmStatus.HIGH, Severity.MINOR],
    ]);
    // Server time stamps: the recorded stamp of the last setpoint is the PV's own.
    const last = updates(`${L}SETPOINT:SET`).at(-1)!;
    expect(last.epics).toEqual([sp.secPastEpoch, sp.nsec]);
    expect(ev.map((e) => e.seq)).toEqual(ev.map((_, i) => i + 1));
  }, 30_000);

  it('--mask alarm records alarm changes only (after the first value)', async () => {
    const file = path.join(dir, 'alarm.jsonl');
    const temp = session.twin.db.lookup(`${L}TEMP`)!;
    const { code } = await record([`${L}TEMP`, '--mask', 'alarm', '--duration', '1.5'], file, async () => {
      temp.set(27);
      temp.set(28, { status: AlarmStatus.HIHI, severity: Severity.MAJOR });
      temp.setAlarm(AlarmStatus.NO_ALARM, Severity.NO_ALARM);
    });
    expect(code).toBe(0);
    const updates = readJsonLines(file).events.filter((e) => e.kind === 'update');
    expect(updates.map((e) => [e.value, e.severity])).toEqual([
      [25, Severity.NO_ALARM], // the monitor's first update, whatever the mask
      [28, Severity.MAJOR],
      [28, Severity.NO_ALARM],
    ]);
  }, 30_000);

  it('pva://NAME and ca://NAME pick the protocol per PV, --protocol the rest; events say which', async () => {
    const file = path.join(dir, 'both.jsonl');
    const names = path.join(dir, 'pva-names.txt');
    fs.writeFileSync(names, `pva://${L}RAMPRATE:SET\n`);
    const sp = session.twin.db.lookup(`${L}SETPOINT:SET`)!;
    const { code, err } = await record([`pva://${L}SETPOINT:SET`, `ca://${L}SETPOINT:SET`, `${L}TEMP`, '--names', names, '--protocol', 'pva', '--duration', '2'], file, async () => {
      await sp.put(33);
    });
    expect(code).toBe(0);
    expect(err).toContain('beamtwin record: recording 4 PVs');
    const r = readJsonLines(file);
    expect(r.header).toMatchObject({ source: 'ca+pva', channels: [`${L}SETPOINT:SET`, `${L}SETPOINT:SET`, `${L}TEMP`, `${L}RAMPRATE:SET`] });
    const by = (p: string) => r.events.filter((e) => e.protocol === p);
    expect(by('ca').filter((e) => e.kind === 'connect').map((e) => e.channel)).toEqual([`${L}SETPOINT:SET`]);
    expect(by('pva').filter((e) => e.kind === 'connect').map((e) => e.channel).sort()).toEqual([`${L}RAMPRATE:SET`, `${L}SETPOINT:SET`, `${L}TEMP`].sort());
    for (const p of ['ca', 'pva']) {
      const sets = by(p).filter((e) => e.kind === 'update' && e.channel === `${L}SETPOINT:SET`);
      expect(sets.map((e) => e.value), p).toEqual([25, 33]);
      expect(sets.at(-1)!.epics).toEqual([sp.secPastEpoch, sp.nsec]);
    }
    expect(r.events.every((e) => e.protocol === 'ca' || e.protocol === 'pva')).toBe(true);
    expect(r.events.map((e) => e.seq)).toEqual(r.events.map((_, i) => i + 1));
  }, 30_000);

  it('--protocol pva alone: the header says pva; a PVA name that never connects is named as given', async () => {
    const file = path.join(dir, 'pva-missing.jsonl');
    const b = io();
    const code = await runCli(['record', `${L}TEMP`, 'pva://NO:SUCH:PV:ever', '--protocol', 'pva', '-o', file, '--duration', '1'], b.io, [recordCommand]);
    expect(code).toBe(1);
    expect(b.err.join('')).toMatch(/never connected: pva:\/\/NO:SUCH:PV:ever\n/);
    const r = readJsonLines(file);
    expect(r.header!.source).toBe('pva');
    expect(r.events.some((e) => e.kind === 'update' && e.channel === `${L}TEMP` && e.protocol === 'pva')).toBe(true);
  }, 30_000);

  it('usage errors: no PV, an unknown mask word', async () => {
    const a = io();
    expect(await runCli(['record', '-o', path.join(dir, 'x.jsonl')], a.io, [recordCommand])).toBe(2);
    expect(a.err.join('')).toMatch(/name at least one PV/);
    const b = io();
    expect(await runCli(['record', 'X', '-o', path.join(dir, 'x.jsonl'), '--mask', 'value,bogus'], b.io, [recordCommand])).toBe(2);
    expect(b.err.join('')).toMatch(/unknown mask word "bogus"/);
    const c = io();
    expect(await runCli(['record', 'http://X', '-o', path.join(dir, 'x.jsonl')], c.io, [recordCommand])).toBe(2);
    expect(c.err.join('')).toMatch(/unknown protocol "http:\/\/" in http:\/\/X \(ca:\/\/ or pva:\/\/\)/);
    const d = io();
    expect(await runCli(['record', 'X', '--protocol', 'tcp', '-o', path.join(dir, 'x.jsonl')], d.io, [recordCommand])).toBe(2);
    expect(d.err.join('')).toMatch(/protocol/);
  });

  it('a PV that never connects is named and the exit status is 1 (the rest is still recorded)', async () => {
    const file = path.join(dir, 'missing.jsonl');
    const b = io();
    const code = await runCli(['record', `${L}TEMP`, 'NO:SUCH:PV:ever', '-o', file, '--duration', '1'], b.io, [recordCommand]);
    expect(code).toBe(1);
    expect(b.err.join('')).toMatch(/never connected: NO:SUCH:PV:ever/);
    expect(readJsonLines(file).events.some((e) => e.kind === 'update' && e.channel === `${L}TEMP`)).toBe(true);
  });
});
