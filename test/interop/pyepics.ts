// Harness for the interop suite: drive a CaServer through pyepics on Debian's libca, the reference C
// client. Each python process is aimed at one server only (its clientEnv(), automatic address list off)
// and at a private, unused repeater port. libca warns that it cannot start caRepeater (Debian ships
// none); that noise on stderr is ignored, a python exception or a non-zero exit is not.
//
// Protocol between the script and the test: every line the script prints that starts with "@@ " is one
// JSON message (`out(...)` in the prelude); other stdout is kept for diagnostics. `runPython` resolves
// with the last message; `PythonSession` streams them and accepts JSON commands on stdin (`cmd()`).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { freeUdpPort } from '../helpers/ports.js';
import { DEBIAN_PYTHON } from '../helpers/python.js';

/** Debian's interpreter: python3-pyepics on Debian's libca, the reference C client as shipped. */
export const PYTHON = DEBIAN_PYTHON;

/** Python helpers put in front of every script. */
export const PRELUDE = String.raw`
import sys, json, time, ctypes, struct, threading, math
import epics
from epics import ca, dbr

def _default(o):
    if hasattr(o, 'tolist'):
        return o.tolist()
    if isinstance(o, bytes):
        return o.decode('latin-1')
    if isinstance(o, (set, tuple)):
        return list(o)
    return repr(o)

def out(obj):
    sys.stdout.write('@@ ' + json.dumps(obj, default=_default) + '\n')
    sys.stdout.flush()

def cmd():
    """Next JSON command from the test (blocks)."""
    line = sys.stdin.readline()
    if not line:
        raise SystemExit(0)
    return json.loads(line)

def wait_until(pred, timeout=10.0):
    t0 = time.time()
    while not pred():
        if time.time() - t0 > timeout:
            return False
        ca.poll(evt=1e-3, iot=0.01)
    return True

def connect(name, timeout=5.0):
    chid = ca.create_channel(name, connect=False, auto_cb=False)
    if not ca.connect_channel(chid, timeout=timeout):
        raise RuntimeError('could not connect to ' + name)
    return chid

# dbr_size[] / dbr_value_size[] from db_access.h, for raw gets of the STS and GR families that pyepics
# does not unpack.
DBR_SIZE = [40, 2, 4, 2, 1, 4, 8,  44, 6, 8, 6, 6, 8, 16,  52, 16, 16, 16, 16, 16, 24,
            44, 26, 44, 424, 20, 40, 72,  44, 30, 52, 424, 22, 48, 88]
VALUE_SIZE = [40, 2, 4, 2, 1, 4, 8]

def raw_get(chid, dbr_type, count=None):
    """ca_array_get into a buffer: libca's host-order bytes of the whole DBR structure."""
    if count is None:
        count = ca.element_count(chid)
    size = DBR_SIZE[dbr_type] + (max(count, 1) - 1) * VALUE_SIZE[dbr_type % 7]
    buf = ctypes.create_string_buffer(size)
    st = ca.libca.ca_array_get(ctypes.c_long(dbr_type), ctypes.c_ulong(count), chid, buf)
    if st != dbr.ECA_NORMAL:
        raise RuntimeError('ca_array_get status %d' % st)
    st = ca.libca.ca_pend_io(5.0)
    if st != dbr.ECA_NORMAL:
        raise RuntimeError('ca_pend_io status %d' % st)
    return buf.raw
`;

export interface PythonOptions {
  /** The server's clientEnv() (or several servers' merged). */
  readonly env: Record<string, string>;
  /** Kill the process after this long (a hung client must fail the test, not hang it). */
  readonly timeoutMs?: number;
  /** The interpreter (default: Debian's python3 on Debian's libca). */
  readonly python?: string;
}

/** libca's complaints that are expected in this setup (no caRepeater program on Debian). */
const NOISE = [/caRepeater/i, /CA\.Client\.Exception/, /^\s*Context:/, /^\s*Source File:/, /^\s*Current Time:/, /^\.{5,}/, /^\s*$/, /Unable to start repeater/i, /^\*{4} /];

function meaningfulStderr(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => !NOISE.some((re) => re.test(l)))
    .join('\n')
    .trim();
}

async function pythonEnv(env: Record<string, string>): Promise<NodeJS.ProcessEnv> {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('EPICS_')) base[k] = v;
  return {
    ...base,
    ...env,
    EPICS_CA_REPEATER_PORT: String(await freeUdpPort()),
    PYTHONUNBUFFERED: '1',
    PYTHONDONTWRITEBYTECODE: '1',
  };
}

export class PythonError extends Error {
  override name = 'PythonError';
}

/**
 * A running python script. Messages printed with `out()` arrive in order; `next()` waits for the next one
 * (or one that matches), `send()` writes a JSON command the script reads with `cmd()`.
 */
export class PythonSession {
  readonly messages: unknown[] = [];
  private readonly waiters: { pred: (m: unknown) => boolean; resolve: (m: unknown) => void; reject: (e: Error) => void; from: number }[] = [];
  private consumed = 0;
  private stdoutBuf = '';
  private stdout = '';
  private stderr = '';
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly timer: NodeJS.Timeout;

  private constructor(private readonly proc: ChildProcessWithoutNullStreams, timeoutMs: number) {
    proc.stdout.setEncoding('utf8');
    proc.stderr.setEncoding('utf8');
    proc.stdout.on('data', (s: string) => this.onStdout(s));
    proc.stderr.on('data', (s: string) => {
      this.stderr += s;
    });
    proc.stdin.on('error', () => {});
    this.timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    this.timer.unref();
    this.exited = new Promise((resolve) => {
      proc.on('close', (code, signal) => {
        clearTimeout(this.timer);
        this.exitInfo = { code, signal };
        for (const w of this.waiters.splice(0)) w.reject(this.failure(`python exited (code ${code}, signal ${signal}) before the awaited message`));
        resolve(this.exitInfo);
      });
    });
  }

  static async start(script: string, opts: PythonOptions): Promise<PythonSession> {
    const env = await pythonEnv(opts.env);
    const proc = spawn(opts.python ?? PYTHON, ['-c', PRELUDE + '\n' + script], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    return new PythonSession(proc, opts.timeoutMs ?? 25_000);
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  private onStdout(s: string): void {
    this.stdoutBuf += s;
    let nl: number;
    while ((nl = this.stdoutBuf.indexOf('\n')) >= 0) {
      const line = this.stdoutBuf.slice(0, nl);
      this.stdoutBuf = this.stdoutBuf.slice(nl + 1);
      if (!line.startsWith('@@ ')) {
        this.stdout += line + '\n';
        continue;
      }
      this.messages.push(JSON.parse(line.slice(3)));
      this.dispatch();
    }
  }

  private dispatch(): void {
    for (let i = 0; i < this.waiters.length; ) {
      const w = this.waiters[i]!;
      const idx = this.messages.findIndex((m, j) => j >= w.from && w.pred(m));
      if (idx >= 0) {
        this.waiters.splice(i, 1);
        this.consumed = Math.max(this.consumed, idx + 1);
        w.resolve(this.messages[idx]);
      } else i++;
    }
  }

  /** The next message not yet returned by next() that satisfies `pred` (default: any). */
  next<T = Record<string, unknown>>(pred: (m: T) => boolean = () => true): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const w = { pred: pred as (m: unknown) => boolean, resolve: resolve as (m: unknown) => void, reject, from: this.consumed };
      if (this.exitInfo) {
        const idx = this.messages.findIndex((m, j) => j >= w.from && w.pred(m));
        if (idx >= 0) {
          this.consumed = idx + 1;
          resolve(this.messages[idx] as T);
        } else reject(this.failure('python already exited'));
        return;
      }
      this.waiters.push(w);
      this.dispatch();
    });
  }

  send(command: unknown): void {
    this.proc.stdin.write(JSON.stringify(command) + '\n');
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!this.exitInfo) this.proc.kill(signal);
  }

  /** Wait for a clean exit; throws with python's stderr when it failed. */
  async finish(): Promise<void> {
    this.proc.stdin.end();
    const { code, signal } = await this.exited;
    if (code !== 0) throw this.failure(`python failed (code ${code}, signal ${signal})`);
  }

  failure(what: string): PythonError {
    const err = meaningfulStderr(this.stderr);
    return new PythonError(`${what}\n--- stderr ---\n${err || '(only libca noise)'}\n--- stdout ---\n${this.stdout.trim()}`);
  }
}

/** Run a script to completion and return its last `out()` message. */
export async function runPython<T = Record<string, unknown>>(script: string, opts: PythonOptions): Promise<T> {
  const s = await PythonSession.start(script, opts);
  await s.finish();
  if (s.messages.length === 0) throw s.failure('python printed no result');
  return s.messages[s.messages.length - 1] as T;
}
