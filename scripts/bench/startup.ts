// Start-up of the `beamtwin` command line: wall time from spawning `node dist/cli/main.js …` until it
// exits, median of N runs (default 15; `node dist/scripts/bench/startup.js N`), for forms that do no
// work of their own beyond starting (or little: a 10 ms wait for a PV that is not there, a file that is
// not there), next to bare `node -e 0`. One figure per line. `--help` goes through full yargs; the
// other forms through the quick parser (cli/quick-parse.ts).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const asked = Number(process.argv[2] ?? 15);
const runs = Number.isInteger(asked) && asked > 0 ? asked : 15;
// CA and PVA clients that search nowhere: a tool given a missing PV ends after its -w wait (10 ms).
const env = { ...process.env, EPICS_CA_ADDR_LIST: '127.0.0.1:9', EPICS_CA_AUTO_ADDR_LIST: 'NO', EPICS_PVA_ADDR_LIST: '127.0.0.1:9', EPICS_PVA_AUTO_ADDR_LIST: 'NO' };
const missing = 'beamtwin:bench:missing';

const forms: [string, string[]][] = [
  ['node -e 0 (baseline)', ['-e', '0']],
  ['beamtwin --version', [main, '--version']],
  ['beamtwin --help', [main, '--help']],
  ['beamtwin get --help', [main, 'get', '--help']],
  ['beamtwin score --help', [main, 'score', '--help']],
  ['beamtwin serve --help', [main, 'serve', '--help']],
  ['beamtwin eval --help', [main, 'eval', '--help']],
  // Refused by the handler before it loads a client: start-up up to the command's own work.
  ['beamtwin get -d bogus PV (exit 2 in its handler, before any CA)', [main, 'get', '-d', 'bogus', missing]],
  ['beamtwin put -a PV 0 (same)', [main, 'put', '-a', missing, '0']],
  ['beamtwin pvget -r "field(" PV (same, before any PVA)', [main, 'pvget', '-r', 'field(', missing]],
  ['beamtwin get -w 0.01 missing (CA client made, 10 ms wait)', [main, 'get', '-w', '0.01', missing]],
  ['beamtwin put -w 0.01 missing 1 (same)', [main, 'put', '-w', '0.01', missing, '1']],
  ['beamtwin info -w 0.01 missing (same)', [main, 'info', '-w', '0.01', missing]],
  ['beamtwin monitor -w 0.01 missing (same)', [main, 'monitor', '-w', '0.01', missing]],
  ['beamtwin pvget -w 0.01 missing (PVA client made, 10 ms wait)', [main, 'pvget', '-w', '0.01', missing]],
  ['beamtwin score --gt missing --pred missing (exit 2 at the first file)', [main, 'score', '--gt', '/nonexistent/gt.json', '--pred', '/nonexistent/pred.jsonl']],
  ['beamtwin eval missing.yaml (exit 2 at the manifest)', [main, 'eval', '/nonexistent/manifest.yaml']],
];

function once(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { env, stdio: 'ignore', timeout: 30_000 });
  if (r.error) throw r.error;
  return performance.now() - t0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// Interleaved rounds, so a burst of load on a shared machine falls on every form alike.
const times = forms.map((): number[] => []);
for (let i = 0; i < runs; i++) forms.forEach(([, args], k) => times[k]!.push(once(args)));
const base = median(times[0]!);
forms.forEach(([label], k) => {
  const m = median(times[k]!);
  console.log(`${label} ms: ${m.toFixed(0)}${k ? ` (+${(m - base).toFixed(0)} over node)` : ''}`);
});
