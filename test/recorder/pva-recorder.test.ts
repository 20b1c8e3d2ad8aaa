// The PVA recorder against the twin's PVA server (side by side with the CA recorder on the same PVs) and
// against a p4p (pvxs) server.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AlarmStatus, Severity } from '../../ioc/epics/alarm.js';
import { DBE } from '../../ioc/epics/events.js';
import { PvDatabase } from '../../ioc/db/database.js';
import { RealClock } from '../../ioc/clock.js';
import { DbrBase } from '../../ioc/epics/field-type.js';
import { ntNdArrayDesc, ntNdArrayValue } from '../../ioc/pva/server/ntndarray.js';
import { PvaServer } from '../../ioc/pva/server/server.js';
import { SharedPv, sharedPvs } from '../../ioc/pva/server/shared-pv.js';
import { CaRecorder } from '../../recorder/ca-recorder.js';
import type { TraceEvent } from '../../recorder/event.js';
import { MemorySink } from '../../recorder/jsonl.js';
import { PvaRecorder } from '../../recorder/pva-recorder.js';
import { Sequencer } from '../../recorder/sequencer.js';
import { freeUdpPort } from '../helpers/ports.js';
import { venvPython } from '../helpers/python.js';
import { SCENARIO } from './profile.js';
import { defer, session } from './sessions.js';

const L = SCENARIO.linkam;

const of = (events: readonly TraceEvent[], kind: string, channel?: string, protocol?: string) =>
  events.filter((e) => e.kind === kind && (channel === undefined || e.channel === channel) && (protocol === undefined || e.protocol === protocol));
const view = (e: TraceEvent) => ({ value: e.value, epics: e.epics, status: e.status, severity: e.severity, float: e.float, length: e.length });

describe('PvaRecorder against the twin', () => {
  it('records what the CA recorder records of the same PVs: values, enum index, arrays, alarms, server stamps', async () => {
    const { s, client: ca, pvaEnv } = await session();
    const db = s.twin.db;
    const wave = db.create('T:wave', { type: DbrBase.DOUBLE, value: new Float64Array([1, 2]), maxCount: 100 });
    const mode = db.create('T:mode', { type: DbrBase.ENUM, value: 0, enumStrings: ['Off', 'On'] });
    const count = db.create('T:count', { type: DbrBase.LONG, value: 0 });
    const names = [`${L}TEMP`, `${L}SETPOINT:SET`, 'T:wave', 'T:mode', 'T:count'];
    const sink = new MemorySink();
    const seq = new Sequencer(sink);
    const caRec = new CaRecorder(seq, { names, client: ca, maxArray: 3 }).start();
    const pvaRec = new PvaRecorder(seq, { names, env: pvaEnv, maxArray: 3 }).start();
    defer(() => caRec.stop(), () => pvaRec.stop());
    const firsts = (p: string) => new Set(of(sink.events, 'update', undefined, p).map((e) => e.channel)).size;
    await expect.poll(() => [firsts('ca'), firsts('pva')], { timeout: 10_000 }).toEqual([names.length, names.length]);
    expect(of(sink.events, 'connect', undefined, 'pva').map((e) => e.channel).sort()).toEqual([...names].sort());

    await db.lookup(`${L}SETPOINT:SET`)!.put(31);
    db.lookup(`${L}TEMP`)!.set(26, { status: AlarmStatus.HIGH, severity: Severity.MINOR });
    db.lookup(`${L}TEMP`)!.setAlarm(AlarmStatus.NO_ALARM, Severity.NO_ALARM);
    wave.set(new Float64Array([5, 6, 7, 8]));
    wave.set(new Float64Array([9]));
    mode.set(1);
    for (let i = 1; i <= 200; i++) count.set(i);
    // A burst may coalesce differently per protocol (bounded queues); the last value arrives on both.
    const last = (p: string) => of(sink.events, 'update', 'T:count', p).at(-1)?.value;
    await expect.poll(() => [last('ca'), last('pva')], { timeout: 10_000 }).toEqual([200, 200]);
    const total = (p: string) => of(sink.events, 'update', undefined, p).filter((e) => e.channel !== 'T:count').length;
    await expect.poll(() => total('ca') > names.length && total('ca') === total('pva'), { timeout: 10_000 }).toBe(true);

    for (const name of names.filter((n) => n !== 'T:count')) {
      expect(of(sink.events, 'update', name, 'pva').map(view), name).toEqual(of(sink.events, 'update', name, 'ca').map(view));
    }
    expect(of(sink.events, 'update', 'T:wave', 'pva').map((e) => [e.value, e.length])).toEqual([
      [[1, 2], undefined],
      [null, 4],
      [[9], undefined],
    ]);
    expect(of(sink.events, 'update', 'T:mode', 'pva').map((e) => e.value)).toEqual([0, 1]);
    expect(of(sink.events, 'update', `${L}TEMP`, 'pva').map((e) => [e.value, e.status, e.severity, e.float])).toEqual([
      [25, AlarmStatus.NO_ALARM, Severity.NO_ALARM, true],
      [26, AlarmStatus.HIGH, Severity.MINOR, true],
      [26, AlarmStatus.NO_ALARM, Severity.NO_ALARM, true],
    ]);
    // One sequence over both recorders, in the order events were written.
    expect(sink.events.map((e) => e.seq)).toEqual(sink.events.map((_, i) => i + 1));
    expect(seq.count).toBe(caRec.count + pvaRec.count);
  }, 30_000);

  it('--mask alarm over PVA: the first update, then alarm changes only', async () => {
    const { s, pvaEnv } = await session();
    const temp = s.twin.db.lookup(`${L}TEMP`)!;
    const sink = new MemorySink();
    const rec = new PvaRecorder(sink, { names: [`${L}TEMP`], env: pvaEnv, mask: DBE.ALARM }).start();
    defer(() => rec.stop());
    await expect.poll(() => of(sink.events, 'update').length, { timeout: 10_000 }).toBe(1);
    temp.set(27);
    temp.set(28, { status: AlarmStatus.HIHI, severity: Severity.MAJOR });
    temp.setAlarm(AlarmStatus.NO_ALARM, Severity.NO_ALARM);
    temp.set(29);
    // A last alarm change ends the stream: a value change recorded by mistake would sit before it.
    temp.set(30, { status: AlarmStatus.HIGH, severity: Severity.MINOR });
    await expect.poll(() => of(sink.events, 'update').map((e) => [e.value, e.severity]), { timeout: 10_000 }).toEqual([
      [25, Severity.NO_ALARM],
      [28, Severity.MAJOR],
      [28, Severity.NO_ALARM],
      [30, Severity.MINOR],
    ]);
  }, 30_000);

  it('reports a disconnect when the PVA server goes away, names that never connect, and stops cleanly', async () => {
    const { s, pvaEnv } = await session();
    const sink = new MemorySink();
    const rec = new PvaRecorder(sink, { names: [`${L}TEMP`, `${L}TEMP`, 'NO:SUCH:PV'], env: pvaEnv, timeout: 0.5 }).start();
    await expect.poll(() => of(sink.events, 'update').length, { timeout: 10_000 }).toBe(1);
    await s.pva.stop();
    await expect.poll(() => sink.events.map((e) => [e.kind, e.protocol]), { timeout: 10_000 }).toEqual([
      ['connect', 'pva'],
      ['update', 'pva'],
      ['disconnect', 'pva'],
    ]);
    expect(of(sink.events, 'disconnect')[0]!.message).toMatch(/closed/);
    await rec.stop();
    expect([...rec.connected]).toEqual([`${L}TEMP`]);
  }, 30_000);
});

describe('PvaRecorder reconnects', () => {
  it('searches again after a disconnect and records the PV from the server that comes back', async () => {
    const udpPort = await freeUdpPort();
    const serve = async (value: number) => {
      const db = new PvDatabase(new RealClock());
      db.create('r:x', { type: DbrBase.DOUBLE, value });
      const server = new PvaServer({ source: db, config: { tcpPort: 0, udpPort, interfaces: ['127.0.0.1'], beaconAddrs: [] } });
      await server.start();
      return { db, server };
    };
    const first = await serve(1);
    const sink = new MemorySink();
    const rec = new PvaRecorder(sink, { names: ['r:x'], env: first.server.clientEnv(), timeout: 0.5 }).start();
    defer(() => rec.stop());
    await expect.poll(() => of(sink.events, 'update').length, { timeout: 10_000 }).toBe(1);
    await first.server.stop();
    await expect.poll(() => of(sink.events, 'disconnect').length, { timeout: 10_000 }).toBe(1);
    const second = await serve(2);
    defer(() => second.server.stop());
    await expect.poll(() => of(sink.events, 'update').map((e) => e.value), { timeout: 10_000 }).toEqual([1, 2]);
    second.db.lookup('r:x')!.set(3);
    await expect.poll(() => of(sink.events, 'update').map((e) => e.value), { timeout: 10_000 }).toEqual([1, 2, 3]);
    expect(sink.events.map((e) => e.kind)).toEqual(['connect', 'update', 'disconnect', 'connect', 'update', 'update']);
  }, 30_000);
});

describe('PvaRecorder and structured PVs', () => {
  it('an NTNDArray (the detector PVA plugin\'s) is recorded by the length of its pixels, with its time stamp', async () => {
    const db = new PvDatabase(new RealClock());
    const frame = (n: number, uniqueId: number) => ntNdArrayValue({ pixels: new Uint16Array(n).fill(7), dims: [n, 1], uniqueId, secPastEpoch: 1000 + uniqueId, nsec: 5 });
    const image = new SharedPv('r:image', ntNdArrayDesc, frame(2, 1));
    sharedPvs(db).set('r:image', image);
    const server = new PvaServer({ source: db, config: { tcpPort: 0, udpPort: 0, interfaces: ['127.0.0.1'], beaconAddrs: [] } });
    await server.start();
    defer(() => server.stop());
    const sink = new MemorySink();
    const rec = new PvaRecorder(sink, { names: ['r:image'], env: server.clientEnv(), maxArray: 4 }).start();
    defer(() => rec.stop());
    await expect.poll(() => of(sink.events, 'update').length, { timeout: 10_000 }).toBe(1);
    image.post(frame(1000, 2));
    await expect.poll(() => of(sink.events, 'update').map((e) => [e.value, e.length, e.epics]), { timeout: 10_000 }).toEqual([
      [[7, 7], undefined, [1001, 5]],
      [null, 1000, [1002, 5]],
    ]);
  }, 30_000);
});

describe('PvaRecorder against a p4p (pvxs) server', () => {
  /** A p4p server with an NTScalar double and an NTEnum; each stdin line "name value [severity message]" posts. */
  async function p4pServer(): Promise<{ env: Record<string, string>; post: (line: string) => void; proc: ChildProcessWithoutNullStreams }> {
    const udp = await freeUdpPort();
    const script = String.raw`
import sys, time
from p4p.nt import NTScalar, NTEnum
from p4p.server import Server
from p4p.server.thread import SharedPV
x = SharedPV(nt=NTScalar('d'), initial=1.5)
e = SharedPV(nt=NTEnum(), initial={'index': 0, 'choices': ['Closed', 'Open']})
pvs = {'p4p:x': x, 'p4p:e': e}
with Server(providers=[pvs], conf={'EPICS_PVAS_INTF_ADDR_LIST': '127.0.0.1', 'EPICS_PVA_SERVER_PORT': '0', 'EPICS_PVA_BROADCAST_PORT': '${udp}', 'EPICS_PVAS_BEACON_ADDR_LIST': '', 'EPICS_PVAS_AUTO_BEACON_ADDR_LIST': 'NO'}, useenv=False):
    print('ready', flush=True)
    for line in sys.stdin:
        parts = line.split()
        name, value = parts[0], parts[1]
        if name == 'p4p:e':
            e.post({'index': int(value), 'choices': ['Closed', 'Open']}, timestamp=1767225600.25)
        elif len(parts) > 2:
            x.post({'value': float(value), 'alarm': {'severity': int(parts[2]), 'status': 3, 'message': parts[3]}}, timestamp=1767225601.5)
        else:
            x.post(float(value), timestamp=1767225602.0)
`;
    const proc = spawn(venvPython(), ['-c', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    defer(() => {
      proc.stdin.end();
      proc.kill();
    });
    await new Promise<void>((resolve, reject) => {
      proc.stdout.on('data', (d: Buffer) => String(d).includes('ready') && resolve());
      proc.on('close', (c) => reject(new Error(`p4p server exited ${c}`)));
    });
    return { env: { EPICS_PVA_ADDR_LIST: `127.0.0.1:${udp}`, EPICS_PVA_AUTO_ADDR_LIST: 'NO' }, post: (l) => proc.stdin.write(`${l}\n`), proc };
  }

  it('records a p4p server: values with its time stamps, an NTEnum index, alarms by severity and message', async () => {
    const { env, post } = await p4pServer();
    const sink = new MemorySink();
    const rec = new PvaRecorder(sink, { names: ['p4p:x', 'p4p:e'], env }).start();
    defer(() => rec.stop());
    await expect.poll(() => of(sink.events, 'update').length, { timeout: 10_000 }).toBe(2);
    post('p4p:e 1');
    post('p4p:x 2.5');
    post('p4p:x 3.5 2 HIHI');
    post('p4p:x 4.5 1 overheating');
    await expect.poll(() => of(sink.events, 'update', 'p4p:x').length, { timeout: 10_000 }).toBe(4);
    await expect.poll(() => of(sink.events, 'update', 'p4p:e').length, { timeout: 10_000 }).toBe(2);
    const x = of(sink.events, 'update', 'p4p:x');
    expect(x.map((e) => [e.value, e.severity, e.status, e.message, e.float])).toEqual([
      [1.5, 0, AlarmStatus.NO_ALARM, undefined, true],
      [2.5, 0, AlarmStatus.NO_ALARM, undefined, true],
      [3.5, 2, AlarmStatus.HIHI, undefined, true],
      // Not an EPICS alarm status name: the message is kept instead.
      [4.5, 1, undefined, 'overheating', true],
    ]);
    expect(x[1]!.timestamp).toBe(1767225602);
    expect(x[1]!.epics).toEqual([1767225602 - 631152000, 0]);
    expect(x[2]!.epics).toEqual([1767225601 - 631152000, 500_000_000]);
    const e = of(sink.events, 'update', 'p4p:e');
    expect(e.map((u) => u.value)).toEqual([0, 1]);
    expect(e[1]!.epics).toEqual([1767225600 - 631152000, 250_000_000]);
    expect(sink.events.every((ev) => ev.protocol === 'pva')).toBe(true);
  }, 30_000);
});
