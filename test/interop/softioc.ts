// pythonSoftIOC (the real EPICS IOC core, record support and RSRV CA server inside Python) as a test
// peer: one process per IOC, its own CA server port, loopback only, no beacons off the machine, no
// pvAccess. The record types' fields come from EPICS base's own .dbd files shipped with epicscorelibs.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadDatabase, type DbRecordDef } from '../../ioc/dbfile/index.js';
import { freeUdpPort } from '../helpers/ports.js';
import { venvPython } from '../helpers/python.js';

/** One database for the IOC: a file and its macros (`P=X:,R=y`). */
export interface SoftIocDb {
  readonly path: string;
  readonly macros?: string;
}

const SCRIPT = String.raw`
import json, sys
from softioc import softioc, asyncio_dispatcher
for db in json.loads(sys.argv[1]):
    softioc.dbLoadDatabase(db['path'], db['dir'], db.get('macros', ''))
softioc.iocInit(asyncio_dispatcher.AsyncioDispatcher(), enable_pva=False)
sys.stdout.write('@@ ready\n')
sys.stdout.flush()
sys.stdin.read()
softioc.safeEpicsExit(0)
`;

/** A running pythonSoftIOC. `restart()` brings a fresh IOC up on the same port (clients reconnect). */
export class SoftIoc {
  private proc: ChildProcessWithoutNullStreams | undefined;
  private output = '';
  private exited: Promise<number | null> = Promise.resolve(null);

  private constructor(
    private readonly dbs: readonly SoftIocDb[],
    readonly port: number,
    private readonly beaconPort: number,
  ) {}

  static async start(dbs: readonly SoftIocDb[]): Promise<SoftIoc> {
    const ioc = new SoftIoc(dbs, await freeUdpPort(), await freeUdpPort());
    await ioc.launch();
    return ioc;
  }

  /** What a CA client needs to reach this IOC only. */
  get env(): Record<string, string> {
    return { EPICS_CA_ADDR_LIST: `127.0.0.1:${this.port}`, EPICS_CA_AUTO_ADDR_LIST: 'NO', EPICS_CA_SERVER_PORT: String(this.port) };
  }

  private launch(): Promise<void> {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('EPICS_')) env[k] = v;
    Object.assign(env, {
      EPICS_CA_SERVER_PORT: String(this.port),
      EPICS_CAS_INTF_ADDR_LIST: '127.0.0.1',
      EPICS_CAS_BEACON_ADDR_LIST: '127.0.0.1',
      EPICS_CAS_AUTO_BEACON_ADDR_LIST: 'NO',
      EPICS_CA_REPEATER_PORT: String(this.beaconPort),
      EPICS_CA_AUTO_ADDR_LIST: 'NO',
      EPICS_CA_ADDR_LIST: '',
      PYTHONUNBUFFERED: '1',
      PYTHONDONTWRITEBYTECODE: '1',
    });
    const arg = JSON.stringify(this.dbs.map((d) => ({ path: path.basename(d.path), dir: path.dirname(d.path), macros: d.macros ?? '' })));
    // EPICS opens an include name that has a '/' relative to the working directory, not the file.
    const cwd = this.dbs[0] ? path.dirname(this.dbs[0].path) : undefined;
    const proc = spawn(venvPython(), ['-c', SCRIPT, arg], { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc = proc;
    this.output = '';
    proc.stdin.on('error', () => {});
    this.exited = new Promise((resolve) => proc.on('close', (code) => resolve(code)));
    return new Promise<void>((resolve, reject) => {
      const onData = (s: Buffer) => {
        this.output += s.toString();
        if (this.output.includes('@@ ready\n')) resolve();
      };
      proc.stdout.on('data', onData);
      proc.stderr.on('data', (s: Buffer) => {
        this.output += s.toString();
      });
      void this.exited.then((code) => reject(new Error(`pythonSoftIOC exited (code ${code}) before iocInit finished:\n${this.output}`)));
    });
  }

  /** The IOC's console output so far (load errors, iocInit messages). */
  get log(): string {
    return this.output;
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    this.proc = undefined;
    proc.stdin.end();
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }

  /** Stop the IOC and start a fresh one with the same databases on the same port. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }
}

/**
 * DBF type of every CA-readable field of an EPICS base record type, in .dbd order: DBF_NOACCESS fields are
 * left out except VAL and OVAL, which array and long-string records serve through cvt_dbaddr.
 */
export function epicsFields(recordType: string): Map<string, string> {
  const dir = epicsDbdDir();
  const common = readFileSync(path.join(dir, 'dbCommon.dbd'), 'utf8');
  const text = readFileSync(path.join(dir, `${recordType}Record.dbd`), 'utf8').replace(/include\s+"dbCommon\.dbd"/, common);
  const fields = new Map<string, string>();
  for (const m of text.matchAll(/^\s*field\(\s*(\w+)\s*,\s*DBF_(\w+)\s*\)/gm)) if (m[2] !== 'NOACCESS' || m[1] === 'VAL' || m[1] === 'OVAL') fields.set(m[1]!, m[2]!);
  return fields;
}

function epicsDbdDir(): string {
  const lib = path.join(path.dirname(path.dirname(venvPython())), 'lib');
  const py = readdirSync(lib).find((d) => d.startsWith('python3'));
  return path.join(lib, py ?? 'python3', 'site-packages', 'epicscorelibs', 'dbd');
}

/**
 * A substitutions file expanded by beamtwin's loader into one flat .db for pythonSoftIOC (which has no
 * dbLoadTemplate), with record types EPICS base lacks mapped to their nearest base type (busy → bo).
 */
export function flattenSubstitutions(file: string, macros?: string): { path: string; records: DbRecordDef[] } {
  const r = loadDatabase({ substitutions: [macros ? { path: file, macros } : file] });
  if (r.errors.length) throw new Error(r.errors.join('\n'));
  const q = (s: string) => JSON.stringify(s);
  const text = r.records
    .map((rec) => {
      const type = rec.type === 'busy' ? 'bo' : rec.type;
      const fields = rec.fields.map((f) => `    field(${f.name}, ${q(f.value)})`).join('\n');
      return `record(${type}, ${q(rec.name)})\n{\n${fields}\n}\n`;
    })
    .join('\n');
  const out = path.join(tmpdir(), `beamtwin-flat-${process.pid}-${path.basename(file)}.db`);
  writeFileSync(out, text);
  return { path: out, records: r.records };
}
