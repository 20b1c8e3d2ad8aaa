// `beamtwin run` end to end: a real pyepics script (Debian's libca) against a fresh twin, recorded.
// The profile comes from test/recorder/profile.ts (CMS: the script also moves a motor and exposes the detector).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTrace } from '../../aligner/io/read-trace.js';
import { runCommand, summarize } from '../../cli/commands/run.js';
import { runRecorded, type RunOutcome } from '../../harness/run-recorded.js';
import { runCli } from '../../cli/run-cli.js';
import { EPICS_EPOCH_OFFSET } from '../../ioc/ca/protocol/constants.js';
import type { TraceEvent } from '../../recorder/event.js';
import { toEnvTrace } from '../../recorder/export.js';
import { readJsonlTrace } from '../../recorder/read-trace.js';
import { DEBIAN_PYTHON } from '../helpers/python.js';
import { SCENARIO } from '../recorder/profile.js';

const PYTHON = DEBIAN_PYTHON;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-run-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * A data-driven pyepics script: argv[1] is a JSON list of steps —
 * ["put", name, value] (caput with wait), ["waitfor", name, value] (poll until equal), ["stamp", name]
 * (report value and server time stamp), ["exit", code]. Reports are printed as "@@ {json}" lines.
 */
const SCRIPT = String.raw`
import sys, json, time
import epics
stamps = {}
for step in json.loads(sys.argv[1]):
    op = step[0]
    if op == 'put':
        if not epics.caput(step[1], step[2], wait=True, timeout=10):
            raise SystemExit('caput failed: %s' % step[1])
    elif op == 'waitfor':
        t0 = time.time()
        while epics.caget(step[1], use_monitor=False) != step[2]:
            if time.time() - t0 > 20:
                raise SystemExit('timed out waiting for %s = %r' % (step[1], step[2]))
            time.sleep(0.02)
    elif op == 'stamp':
        pv = epics.PV(step[1], form='time', auto_monitor=False)
        value = pv.get(timeout=5, use_monitor=False)
        stamps[step[1]] = [value if not hasattr(value, 'tolist') else value.tolist(), pv.timestamp]
    elif op == 'exit':
        print('@@ ' + json.dumps(stamps), flush=True)
        sys.stdout.write('script says goodbye\n')
        sys.stderr.write('and complains a little\n')
        sys.exit(step[1])
print('@@ ' + json.dumps(stamps), flush=True)
`;
const scriptFile = path.join(dir, 'script.py');
fs.writeFileSync(scriptFile, SCRIPT);

type Step = [string, ...unknown[]];
const L = SCENARIO.linkam;
const MARKER = `${SCENARIO.controlPrefix}marker`;

/** What the script writes, in order: [PV, value]. The CMS profile adds a motor move and an exposure. */
const writes: [string, number | string][] = [
  [`${L}RAMPRATE:SET`, 30], // 3 °C per step: TEMP 25 → 28 → 30
  [`${L}SETPOINT:SET`, 30],
  [`${L}STARTHEAT`, 1],
  [SCENARIO.shutter, 1],
  ...(SCENARIO.motor ? ([[SCENARIO.motor, 1.5]] as [string, number][]) : []),
  ...(SCENARIO.cam ? ([[`${SCENARIO.cam}AcquireTime`, 0.2], [`${SCENARIO.cam}Acquire`, 1]] as [string, number][]) : []),
  [SCENARIO.unknown, 5],
];
const steps: Step[] = [
  ['put', MARKER, 'sam.align'],
  ...writes.map(([n, v]): Step => ['put', n, v]),
  ['put', MARKER, 'sam.setOrigin=1.5'],
  ['waitfor', `${L}TEMP`, 30],
  ...[...writes.map(([n]) => n), `${L}TEMP`].map((n): Step => ['stamp', n]),
];

function parseStamps(out: string): Record<string, [unknown, number]> {
  const line = out.split('\n').find((l) => l.startsWith('@@ '));
  if (!line) throw new Error(`no report from the script:\n${out}`);
  return JSON.parse(line.slice(3)) as Record<string, [unknown, number]>;
}

async function run(stepList: Step[], opts: { record?: string; timeoutS?: number } = {}): Promise<{ outcome: RunOutcome; out: string }> {
  let out = '';
  const outcome = await runRecorded([PYTHON, scriptFile, JSON.stringify(stepList)], {
    profile: SCENARIO.profile,
    stdio: 'pipe',
    onOutput: (s) => (out += s),
    ...opts,
  });
  return { outcome, out };
}

const ofKind = (events: readonly TraceEvent[], kind: string) => events.filter((e) => e.kind === kind);

describe('beamtwin run with a pyepics script', () => {
  let outcome: RunOutcome;
  let out: string;
  let fileEvents: TraceEvent[];
  const traceFile = path.join(dir, 't.jsonl');

  it('runs the script against a fresh twin and records it to the trace file', async () => {
    ({ outcome, out } = await run([...steps, ['exit', 3]], { record: traceFile }));
    // The command's exit status and output are preserved.
    expect(outcome.exitCode, out).toBe(3);
    expect(outcome.timedOut).toBe(false);
    expect(out).toContain('script says goodbye\n');
    expect(out).toContain('and complains a little\n');
    const r = readJsonlTrace(traceFile);
    expect(r.truncated).toBe(false);
    expect(r.header).toMatchObject({ format: 'beamtwin-trace', version: 1, producer: 'beamtwin run', profile: SCENARIO.profile === 'cms' ? 'cms' : 'mini', source: 'in-process', clock: 'real' });
    fileEvents = r.events;
    // The file holds exactly what the run returned, in order, with consecutive sequence numbers.
    expect(fileEvents).toEqual(outcome.events);
    expect(fileEvents.map((e) => e.seq)).toEqual(fileEvents.map((_, i) => i + 1));
  }, 60_000);

  it('has a put event for every write, in the script’s order, from the script’s CA client with put-callback', () => {
    const puts = ofKind(fileEvents, 'put');
    expect(puts.map((e) => [e.channel, e.value])).toEqual(writes);
    for (const p of puts) {
      expect(p).toMatchObject({ origin: 'ca', notify: true, user: os.userInfo().username });
      expect(p.host).toBeTruthy();
      expect(p.cid).toBeTypeOf('number');
    }
    // Each put completed normally, after its put.
    const done = ofKind(fileEvents, 'put-complete');
    for (const p of puts) {
      const c = done.find((d) => d.channel === p.channel && d.seq > p.seq);
      expect(c, p.channel).toMatchObject({ eca: 1 });
    }
    expect(ofKind(fileEvents, 'put-complete').filter((e) => e.eca !== 1)).toEqual([]);
  });

  it('has the updates the writes caused, and the ramp, stamped with the server’s time stamps', () => {
    const stamps = parseStamps(out);
    const updates = ofKind(fileEvents, 'update');
    for (const [name, [value, ts]] of Object.entries(stamps)) {
      const mine = updates.filter((u) => u.channel === name);
      expect(mine.length, name).toBeGreaterThan(0);
      const last = mine[mine.length - 1]!;
      // The last update is the value and the time stamp the script read back over CA (DBR_TIME).
      expect(last.value, name).toEqual(value);
      // pyepics truncates the nanoseconds to microseconds (ca.py: 1.e-6 * int(nsec / 1000)).
      expect(last.timestamp - ts, name).toBeLessThan(2e-6);
      // A motor record's fields carry the record's TIME, which every processing during the move
      // advances (as in the C motor record), though VAL itself posts only when it changes: the read-back
      // stamp is the end of the move, at or after VAL's last update.
      if (name !== SCENARIO.motor) expect(last.timestamp - ts, name).toBeGreaterThanOrEqual(-1e-6);
      expect(last.timestamp).toBe(last.epics[0] + EPICS_EPOCH_OFFSET + last.epics[1] / 1e9);
    }
    expect(updates.filter((u) => u.channel === `${L}TEMP`).map((u) => u.value)).toEqual([28, 30]);
    expect(updates.filter((u) => u.channel === `${L}SETPOINT:SET`).map((u) => u.value)).toEqual([30]);
    // Every event lies inside the run — except a motor's DMOV 1→0 blink: the motor record posts it from
    // special() before the put processes the record, so it carries the record's previous TIME, as
    // db_post_events does in C (the twin's reset, before the run started).
    const blink = (e: TraceEvent) => SCENARIO.motor !== undefined && e.channel === `${SCENARIO.motor}.DMOV` && e.value === 0;
    for (const e of fileEvents) {
      expect(e.timestamp).toBeLessThanOrEqual(outcome.endTs + 1e-6);
      if (blink(e)) continue;
      expect(e.timestamp, JSON.stringify(e)).toBeGreaterThanOrEqual(outcome.startTs - 1e-6);
    }
  });

  it('records markers and the catch-all hit, and reports them in the summary', () => {
    expect(ofKind(fileEvents, 'marker').map((e) => [e.channel, e.value])).toEqual([
      ['sam.align', 0],
      ['sam.setOrigin', 1.5],
    ]);
    expect(ofKind(fileEvents, 'catch-all').map((e) => e.channel)).toEqual([SCENARIO.unknown]);
    expect(outcome.catchAllHits).toEqual([SCENARIO.unknown]);
    const text = summarize(outcome);
    expect(text).toMatch(/^beamtwin run: exit 3 after \d+\.\d\d s; \d+ events\n/);
    expect(text).toContain(`  ${L}TEMP  update 2\n`);
    expect(text).toContain(`catch-all hits: ${SCENARIO.unknown}\n`);
    expect(text).toContain('failed puts: none\n');
  });

  it('exports to EnvTrace JSON that the aligner loads with the same channels, values and time stamps', () => {
    const doc = toEnvTrace(fileEvents);
    const t = parseTrace(doc, 'run.envtrace.json');
    const scored = fileEvents.filter((e) => e.kind === 'update' || e.kind === 'marker');
    expect(t.events.map((e) => [e.channel, e.timestamp, e.value])).toEqual(scored.map((e) => [e.channel, e.timestamp, e.value]));
    // And the aligner reads the JSON Lines file itself the same way.
    const direct = parseTrace(fs.readFileSync(traceFile, 'utf8'), 't.jsonl');
    expect(direct.events.map((e) => [e.channel, e.timestamp, e.value])).toEqual(scored.map((e) => [e.channel, e.timestamp, e.value]));
  });
});

describe('beamtwin run: process control', () => {
  it('--timeout kills the command and everything it started (its process group)', async () => {
    const script = path.join(dir, 'forever.py');
    fs.writeFileSync(script, "import subprocess, time\np = subprocess.Popen(['sleep', '1000'])\nprint('@@ %d' % p.pid, flush=True)\ntime.sleep(1000)\n");
    let out = '';
    const o = await runRecorded([PYTHON, script], { profile: SCENARIO.profile, stdio: 'pipe', onOutput: (s) => (out += s), timeoutS: 3 });
    expect(o.timedOut).toBe(true);
    expect(o.signal).toBe('SIGKILL');
    expect(o.exitCode).toBe(128 + 9);
    const pid = Number(/@@ (\d+)/.exec(out)?.[1]);
    expect(pid, out).toBeGreaterThan(0);
    // SIGKILL went to the whole group; the grandchild is gone as soon as the kernel has finished it.
    await expect.poll(() => alive(pid), { timeout: 5000, interval: 20 }).toBe(false);
    expect(summarize(o)).toMatch(/^beamtwin run: timed out and was killed/);
  }, 30_000);

  it('a command that cannot start exits 127 with a message', async () => {
    let out = '';
    const o = await runRecorded([path.join(dir, 'no-such-program')], { profile: SCENARIO.profile, stdio: 'pipe', onOutput: (s) => (out += s) });
    expect(o.exitCode).toBe(127);
    expect(out).toMatch(/cannot start .*no-such-program/);
  });

  it('the command sees only this twin: EPICS addressing from the caller’s environment is replaced', async () => {
    const script = path.join(dir, 'env.py');
    fs.writeFileSync(script, "import os, json\nprint('@@ ' + json.dumps({k: v for k, v in os.environ.items() if k.startswith('EPICS_') or k.startswith('BEAMTWIN_')}))\n");
    const saved = { ...process.env };
    process.env['EPICS_CA_NAME_SERVERS'] = '10.0.0.1:5064';
    process.env['EPICS_CA_ADDR_LIST'] = '10.0.0.255';
    process.env['EPICS_CA_MAX_ARRAY_BYTES'] = '1000000';
    let out = '';
    try {
      await runRecorded([PYTHON, script], { profile: SCENARIO.profile, stdio: 'pipe', onOutput: (s) => (out += s) });
    } finally {
      for (const k of ['EPICS_CA_NAME_SERVERS', 'EPICS_CA_ADDR_LIST', 'EPICS_CA_MAX_ARRAY_BYTES']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
    const env = JSON.parse(out.split('\n').find((l) => l.startsWith('@@ '))!.slice(3)) as Record<string, string>;
    expect(env['EPICS_CA_NAME_SERVERS']).toBeUndefined();
    expect(env['EPICS_CA_ADDR_LIST']).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(env['EPICS_CA_AUTO_ADDR_LIST']).toBe('NO');
    expect(env['EPICS_CA_SERVER_PORT']).toBe(env['EPICS_CA_ADDR_LIST']!.split(':')[1]);
    expect(env['EPICS_CA_REPEATER_PORT']).toMatch(/^\d+$/);
    expect(env['EPICS_PVA_AUTO_ADDR_LIST']).toBe('NO');
    expect(env['EPICS_CA_MAX_ARRAY_BYTES']).toBe('1000000'); // not addressing: passed through
  });

  it('eight runs at once, each writing its own value to the same PV name, each record only their own', async () => {
    const target = SCENARIO.motor ?? `${L}SETPOINT:SET`;
    const runs = await Promise.all(
      Array.from({ length: 8 }, (_, i) => run([['put', MARKER, `run=${i}`], ['put', target, 10 + i]], { record: path.join(dir, `par-${i}.jsonl`) })),
    );
    runs.forEach(({ outcome: o, out }, i) => {
      expect(o.exitCode, out).toBe(0);
      const mine = readJsonlTrace(path.join(dir, `par-${i}.jsonl`)).events;
      expect(ofKind(mine, 'marker').map((e) => e.value)).toEqual([i]);
      expect(ofKind(mine, 'put').map((e) => [e.channel, e.value])).toEqual([[target, 10 + i]]);
      const values = ofKind(mine, 'update')
        .filter((e) => e.channel === target)
        .map((e) => e.value);
      expect(values.length).toBeGreaterThan(0);
      expect(values[values.length - 1]).toBe(10 + i);
      expect(values.filter((v) => typeof v === 'number' && v >= 10 && v !== 10 + i)).toEqual([]);
    });
  }, 120_000);

  it('`beamtwin run` (the CLI) returns the command’s exit status and prints the summary', async () => {
    const script = path.join(dir, 'exit3.py');
    fs.writeFileSync(script, 'import sys\nsys.exit(3)\n');
    const err: string[] = [];
    const outp: string[] = [];
    const io = { stdout: { write: (s: string) => outp.push(s) }, stderr: { write: (s: string) => err.push(s) } };
    const file = path.join(dir, 'cli.jsonl');
    const code = await runCli(['run', '--profile', SCENARIO.profile, '--record', file, '--', PYTHON, script], io, [runCommand]);
    expect(code).toBe(3);
    expect(err.join('')).toMatch(/^beamtwin run: exit 3 after/);
    expect(readJsonlTrace(file).header?.producer).toBe('beamtwin run');
    const json: string[] = [];
    const code2 = await runCli(['run', '--profile', SCENARIO.profile, '--json', '--', PYTHON, '-c', 'print()'], { stdout: { write: (s: string) => json.push(s) }, stderr: io.stderr }, [runCommand]);
    expect(code2).toBe(0);
    expect(JSON.parse(json.join(''))).toMatchObject({ exitCode: 0, timedOut: false, catchAllHits: [] });
  }, 60_000);

  it('no command is a usage error', async () => {
    const err: string[] = [];
    const code = await runCli(['run', '--profile', SCENARIO.profile], { stdout: { write: () => 0 }, stderr: { write: (s: string) => err.push(s) } }, [runCommand]);
    expect(code).toBe(2);
    expect(err.join('')).toMatch(/give the command to run after --/);
  });
});

/** The process exists and is not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
