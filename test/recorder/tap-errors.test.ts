import { describe, expect, it } from 'vitest';
import { DbrBase } from '../../ioc/ca/protocol/dbr-types.js';
import { VirtualClock } from '../../ioc/clock.js';
import { PvDatabase } from '../../ioc/db/database.js';
import { setLogSink } from '../../ioc/log.js';
import { InProcessRecorder } from '../../recorder/tap.js';
import type { TraceSink } from '../../recorder/jsonl.js';

describe('a recorder whose sink fails', () => {
  it('reports the failure and keeps the twin running; later events still flow', () => {
    const db = new PvDatabase(new VirtualClock());
    const pv = db.create('T:x', { type: DbrBase.DOUBLE, value: 0 });
    let fail = true;
    const got: number[] = [];
    const sink: TraceSink = {
      write: (e) => {
        if (fail) throw new Error('disk full');
        got.push(e.value as number);
      },
      flush: () => {},
      close: () => {},
    };
    const logged: string[] = [];
    const prev = setLogSink((_l, _n, m) => logged.push(m));
    try {
      const rec = new InProcessRecorder(db, sink).start();
      expect(() => pv.set(1)).not.toThrow();
      expect(rec.errors).toBe(1);
      expect(logged.join('\n')).toMatch(/disk full/);
      fail = false;
      pv.set(2);
      expect(got).toEqual([2]);
      rec.stop();
    } finally {
      setLogSink(prev);
    }
  });
});
