import { describe, expect, it } from 'vitest';
import { DBE } from '../../ioc/ca/protocol/constants.js';
import { DbrBase } from '../../ioc/ca/protocol/dbr-types.js';
import { CaClient } from '../../ioc/ca/client/index.js';
import { CaRecorder } from '../../recorder/ca-recorder.js';
import type { TraceEvent } from '../../recorder/event.js';
import { MemorySink } from '../../recorder/jsonl.js';
import { InProcessRecorder } from '../../recorder/tap.js';
import { SCENARIO } from './profile.js';
import { defer, session } from './sessions.js';

const L = SCENARIO.linkam;
const BURST = `${SCENARIO.unknown}:burst`;

const updatesOf = (events: readonly TraceEvent[], channel: string) => events.filter((e) => e.kind === 'update' && e.channel === channel);
const view = (e: TraceEvent) => ({ value: e.value, epics: e.epics, status: e.status, severity: e.severity });

describe('CaRecorder', () => {
  it('records the same updates as the in-process recorder of the same session: values, stamps, order per channel', async () => {
    const { s, client } = await session();
    const names = [...new Set([...s.twin.tracked, `${L}STATUS`, SCENARIO.shutter, BURST])];
    const caSink = new MemorySink();
    const ca = new CaRecorder(caSink, { names, client }).start();
    defer(() => ca.stop());
    // Each channel's monitor starts with its current value; the comparison starts after those.
    await expect.poll(() => new Set(caSink.events.filter((e) => e.kind === 'update').map((e) => e.channel)).size, { timeout: 10_000 }).toBe(names.length);
    expect(caSink.events.filter((e) => e.kind === 'connect').map((e) => e.channel).sort()).toEqual([...names].sort());
    const initial = caSink.events.length;

    const memory = new MemorySink();
    const tap = new InProcessRecorder(s.twin.db, memory, { channels: names }).start();
    // Drive the twin over CA from another client, as a script would: a Linkam ramp, the shutter, a burst.
    const driver = new CaClient(client);
    defer(() => driver.close());
    await driver.put(`${L}RAMPRATE:SET`, 60, { wait: true }); // 6 °C per step
    await driver.put(`${L}SETPOINT:SET`, 37, { wait: true });
    await driver.put(`${L}STARTHEAT`, 1, { wait: true });
    await driver.put(SCENARIO.shutter, 1, { wait: true });
    const burst = s.twin.db.lookup(BURST)!;
    for (let i = 1; i <= 2000; i++) burst.set(i);
    await expect.poll(() => (s.twin.db.lookup(`${L}TEMP`)!.value as number) === 37 && s.twin.db.lookup(`${L}STATUS`)!.value === 1, { timeout: 10_000 }).toBe(true);
    tap.stop();
    const wanted = memory.events.filter((e) => e.kind === 'update' && (e.mask! & (DBE.VALUE | DBE.LOG | DBE.ALARM)) !== 0);
    await expect.poll(() => caSink.events.filter((e) => e.kind === 'update').length, { timeout: 10_000 }).toBe(names.length + wanted.length);

    const recorded = caSink.events.slice(initial);
    for (const name of names) {
      expect(updatesOf(recorded, name).map(view), name).toEqual(updatesOf(wanted, name).map(view));
    }
    expect(updatesOf(recorded, `${L}TEMP`).map((e) => e.value)).toEqual([31, 37]);
    expect(updatesOf(recorded, BURST)).toHaveLength(2000);
    // The CA trace carries the same float flags and consecutive sequence numbers.
    expect(updatesOf(recorded, `${L}TEMP`).every((e) => e.float === true)).toBe(true);
    expect(updatesOf(recorded, `${L}STARTHEAT`).every((e) => e.float === undefined)).toBe(true);
    expect(caSink.events.map((e) => e.seq)).toEqual(caSink.events.map((_, i) => i + 1));
  }, 30_000);

  it('reports a disconnect when the IOC goes away, and stops cleanly', async () => {
    const { s, client } = await session();
    const sink = new MemorySink();
    const ca = new CaRecorder(sink, { names: [`${L}TEMP`, `${L}TEMP`], client }).start(); // a name twice is recorded once
    await expect.poll(() => sink.events.filter((e) => e.kind === 'update').length, { timeout: 10_000 }).toBe(1);
    await s.server.stop();
    await expect.poll(() => sink.events.map((e) => e.kind), { timeout: 10_000 }).toEqual(['connect', 'update', 'disconnect']);
    await ca.stop();
    expect(ca.client.channelCount).toBe(0);
  }, 30_000);

  it('records long arrays by length only, as the in-process recorder does', async () => {
    const { s, client } = await session();
    const wave = s.twin.db.create('T:wave', { type: DbrBase.DOUBLE, value: new Float64Array([1, 2]), maxCount: 100 });
    const sink = new MemorySink();
    const ca = new CaRecorder(sink, { names: ['T:wave'], client, maxArray: 3 }).start();
    defer(() => ca.stop());
    await expect.poll(() => sink.events.filter((e) => e.kind === 'update').length, { timeout: 10_000 }).toBe(1);
    wave.set(new Float64Array([1, 2, 3, 4]));
    await expect.poll(() => sink.events.filter((e) => e.kind === 'update').map((e) => [e.value, e.length]), { timeout: 10_000 }).toEqual([
      [[1, 2], undefined],
      [null, 4],
    ]);
  }, 30_000);
});
