/**
 * Records parsed per second for a generated 100 000-record database, one figure per line:
 *   parseDb without macros, parseDb with $(P)/$(R) macros, and loadDatabase from a file.
 * Build with `npx tsc -p .`, run `node dist/scripts/bench/db-parse.js [records]`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDatabase, parseDb } from '../../ioc/dbfile/index.js';

const N = Number(process.argv[2] ?? 100_000);
const ROUNDS = 5;

function generate(n: number, withMacros: boolean): string {
  const pre = withMacros ? '$(P)$(R)' : 'BL13:cam1:';
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    parts.push(
      `record(ai, "${pre}ai${i}")\n{\n` +
        `    field(DESC, "Generated input ${i}")\n` +
        `    field(SCAN, "1 second")\n` +
        `    field(INP,  "${pre}calc${i} NPP NMS")\n` +
        `    field(EGU,  "mm")\n` +
        `    field(PREC, "3")\n` +
        `    field(HOPR, 100)\n` +
        `    field(LOPR, -100)\n` +
        `    field(FLNK, "${pre}next${i}")\n` +
        `    info(autosaveFields, "VAL")\n}\n`,
    );
  }
  return parts.join('');
}

/** Best of ROUNDS: [wall-clock rate, CPU-time rate] (the second is steadier on a shared machine). */
function best(fn: () => number): [number, number] {
  let wall = 0;
  let cpu = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    const count = fn();
    const c1 = process.cpuUsage(c0);
    const dt = Number(process.hrtime.bigint() - t0) / 1e9;
    if (count !== N) throw new Error(`expected ${N} records, got ${count}`);
    wall = Math.max(wall, count / dt);
    cpu = Math.max(cpu, count / ((c1.user + c1.system) / 1e6));
  }
  return [wall, cpu];
}

const fmt = (x: number) => Math.round(x).toString();
const report = (what: string, [wall, cpu]: [number, number]) => {
  console.log(`${what}: ${fmt(wall)} records/s (wall clock)`);
  console.log(`${what}: ${fmt(cpu)} records/s (CPU time)`);
};

const plain = generate(N, false);
const macro = generate(N, true);
const macros = { P: 'BL13:', R: 'cam1:' };

report('parseDb, no macros', best(() => parseDb(plain, { file: 'gen.db' }).records.length));
report('parseDb, $(P)$(R) macros', best(() => parseDb(macro, { file: 'gen.db', macros }).records.length));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beamtwin-bench-'));
try {
  const file = path.join(dir, 'gen.db');
  fs.writeFileSync(file, macro);
  report('loadDatabase from file', best(() => loadDatabase({ files: [{ path: file, macros }] }).records.length));
  // heap per record kept by a load (records + fields + info)
  globalThis.gc?.();
  const before = process.memoryUsage().heapUsed;
  const kept = loadDatabase({ files: [{ path: file, macros }] });
  globalThis.gc?.();
  const after = process.memoryUsage().heapUsed;
  if (kept.records.length !== N) throw new Error('load failed');
  console.log(`heap per record: ${fmt((after - before) / N)} bytes${globalThis.gc ? '' : ' (approximate; run with --expose-gc)'}`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
