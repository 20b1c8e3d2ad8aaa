import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DBE, EPICS_EPOCH_OFFSET } from '../../ioc/ca/protocol/constants.js';
import { DbrBase } from '../../ioc/ca/protocol/dbr-types.js';
import { VirtualClock } from '../../ioc/clock.js';
import { PvDatabase } from '../../ioc/db/database.js';
import type { TraceEvent } from '../../recorder/event.js';
import { JsonlTraceWriter } from '../../recorder/jsonl.js';
import { InProcessRecorder } from '../../recorder/tap.js';

describe('no event is lost', () => {
  it('100 000 updates per second for 10 s of virtual time: all 1 000 000 in the file, in order, consecutive seq', () => {
    const RATE = 100_000; // per second
    const SECONDS = 10;
    const PER_MS = RATE / 1000;
    const start = Date.UTC(2026, 0, 1);
    const clock = new VirtualClock(start);
    const db = new PvDatabase(clock);
    const pvs = ['rate:a', 'rate:b', 'rate:c', 'rate:d'].map((n) => db.create(n, { type: DbrBase.DOUBLE, value: 0 }));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-noloss-'));
    const file = path.join(dir, 'trace.jsonl');
    try {
      const writer = new JsonlTraceWriter(file, { format: 'beamtwin-trace', version: 1, producer: 'test', clock: 'virtual', start: start / 1000, source: 'in-process' });
      const recorder = new InProcessRecorder(db, writer).start();
      // A device posting every 10 µs: one 1 ms tick of the clock carries 100 updates, each stamped at its own time.
      let posted = 0;
      clock.setInterval(() => {
        const tickMs = clock.now() - 1;
        for (let i = 0; i < PER_MS; i++) {
          const pv = pvs[posted % pvs.length]!;
          pv.set(posted + 1, { timeMs: tickMs + i / PER_MS });
          posted++;
        }
      }, 1);
      clock.advance(SECONDS * 1000);
      recorder.stop();
      writer.close();
      expect(posted).toBe(RATE * SECONDS);
      expect(recorder.count).toBe(posted);

      // Check the file line by line (a million parsed events at once would only test the heap).
      const text = fs.readFileSync(file, 'utf8');
      let at = text.indexOf('\n') + 1;
      let n = 0;
      let lastTs = 0;
      const problems: string[] = [];
      while (at < text.length) {
        const end = text.indexOf('\n', at);
        const e = JSON.parse(text.slice(at, end)) as TraceEvent;
        at = end + 1;
        n++;
        // In order: seq n, the n-th value posted, on the PV it was posted on, at non-decreasing server time.
        if (e.seq !== n || e.value !== n || e.channel !== pvs[(n - 1) % pvs.length]!.name || e.kind !== 'update' || e.mask !== (DBE.VALUE | DBE.LOG)) {
          problems.push(`line ${n + 1}: ${JSON.stringify(e)}`);
        }
        if (e.timestamp < lastTs || e.timestamp !== e.epics[0] + EPICS_EPOCH_OFFSET + e.epics[1] / 1e9) problems.push(`line ${n + 1}: time ${e.timestamp}`);
        lastTs = e.timestamp;
        if (problems.length > 5) break;
      }
      expect(problems).toEqual([]);
      expect(n).toBe(RATE * SECONDS);
      // The last update was posted 10 µs before the end of the 10 s.
      expect(lastTs).toBeCloseTo(start / 1000 + SECONDS - 1e-5, 6);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
