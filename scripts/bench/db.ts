/**
 * Records loaded per second and memory per record for a generated database of 100 000 records (a mix
 * of ai, ao, calc, bo, mbbo, longin, stringin with $(P) macros, links and FLNKs), loaded from a file
 * through loadDb (parse, macro expansion, validation against the record types, record creation) and
 * started (iocInit: init_record, scans, PINI). One figure per line.
 * Build with `npx tsc -p .`, run `node --expose-gc dist/scripts/bench/db.js [records]`.
 * Targets: ≥ 50 000 records/s, ≤ 4 KiB per record.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { VirtualClock } from '../../ioc/clock.js';
import { PvDatabase } from '../../ioc/db/database.js';
import { loadDb } from '../../ioc/records/load-db.js';
import { RecordDatabase } from '../../ioc/records/record-database.js';

const N = Number(process.argv[2] ?? 100_000);
const ROUNDS = 3;

function record(i: number): string {
  const p = '$(P)';
  switch (i % 7) {
    case 0:
      return `record(ai, "${p}ai${i}") {\n  field(DESC, "input ${i}")\n  field(SCAN, "1 second")\n  field(INP, "${p}calc${i + 2} NPP NMS")\n  field(EGU, "mm")\n  field(PREC, "3")\n  field(HOPR, "100")\n  field(LOPR, "-100")\n  field(HIGH, "90")\n  field(HSV, "MINOR")\n  field(MDEL, "0.01")\n}\n`;
    case 1:
      return `record(ao, "${p}ao${i}") {\n  field(DESC, "output ${i}")\n  field(VAL, "1.5")\n  field(DRVH, "10")\n  field(DRVL, "-10")\n  field(EGU, "V")\n  field(PREC, "2")\n  field(FLNK, "${p}calc${i + 1}")\n}\n`;
    case 2:
      return `record(calc, "${p}calc${i}") {\n  field(INPA, "${p}ao${i - 1} NPP MS")\n  field(INPB, "2")\n  field(CALC, "A*B+1")\n  field(PREC, "3")\n}\n`;
    case 3:
      return `record(bo, "${p}bo${i}") {\n  field(ZNAM, "Off")\n  field(ONAM, "On")\n  field(OSV, "MINOR")\n}\n`;
    case 4:
      return `record(mbbo, "${p}mbbo${i}") {\n  field(ZRST, "Single")\n  field(ONST, "Multiple")\n  field(TWST, "Continuous")\n  field(VAL, "0")\n}\n`;
    case 5:
      return `record(longin, "${p}longin${i}") {\n  field(VAL, "${i}")\n  field(HOPR, "100000")\n}\n`;
    default:
      return `record(stringin, "${p}str${i}") {\n  field(VAL, "value ${i}")\n}\n`;
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beamtwin-bench-db-'));
const file = path.join(dir, 'gen.db');
const parts: string[] = [];
for (let i = 0; i < N; i++) parts.push(record(i));
fs.writeFileSync(file, parts.join(''));

const gc = (globalThis as { gc?: () => void }).gc;
const heap = (): number => {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
};

function loadOnce(): { seconds: number; records: RecordDatabase } {
  const pvs = new PvDatabase(new VirtualClock());
  const records = new RecordDatabase(pvs);
  const t0 = process.hrtime.bigint();
  const r = loadDb(records, { files: [{ path: file, macros: { P: 'BL13:' } }] });
  records.start();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.records.length !== N) throw new Error(`expected ${N} records, got ${r.records.length}`);
  records.stop();
  return { seconds, records };
}

try {
  let best = Infinity;
  for (let i = 0; i < ROUNDS; i++) best = Math.min(best, loadOnce().seconds);
  console.log(`records loaded per second (${N} records, parse + validate + create + start): ${Math.round(N / best)}`);

  const before = heap();
  const kept = loadOnce().records;
  const after = heap();
  const perRecord = (after - before) / N;
  console.log(`memory per record: ${Math.round(perRecord)} bytes (${(perRecord / 1024).toFixed(2)} KiB)${gc ? '' : ' (run with --expose-gc for a settled figure)'}`);
  if (kept.records.size !== N) throw new Error('records went missing');
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
