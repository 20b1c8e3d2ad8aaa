// Harness for pvAccess interop: a p4p (pvxs) client script run in the test environment's Python, aimed at
// one PVA server only. Lines starting "@@ " are JSON results (`out(...)`); the last one resolves the run.
import { spawn } from 'node:child_process';
import { venvPython } from '../helpers/python.js';

export const P4P_PRELUDE = String.raw`
import sys, json, time, threading
from p4p.client.thread import Context
import numpy

def _default(o):
    if hasattr(o, 'tolist'):
        return o.tolist()
    if isinstance(o, bytes):
        return o.decode('latin-1')
    return repr(o)

def out(obj):
    sys.stdout.write('@@ ' + json.dumps(obj, default=_default) + '\n')
    sys.stdout.flush()

def plain(v):
    """A p4p Value as nested dicts and lists."""
    if hasattr(v, 'todict'):
        return v.todict()
    return v

ctx = Context('pva', useenv=True, nt=False)
`;

/** Run `script` (after the prelude) with `env` (a PvaServer's clientEnv()); resolves with every out() message. */
export function runP4p(
  script: string,
  env: Record<string, string>,
  opts: { timeoutMs?: number; onMessage?: (m: Record<string, unknown>) => void } = {},
): Promise<Record<string, unknown>[]> {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('EPICS_')) base[k] = v;
  const proc = spawn(venvPython(), ['-c', P4P_PRELUDE + '\n' + script], {
    env: { ...base, ...env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let pending = '';
  proc.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
    pending += s;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line.startsWith('@@ ')) opts.onMessage?.(JSON.parse(line.slice(3)) as Record<string, unknown>);
    }
  });
  proc.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const timer = setTimeout(() => proc.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
  return new Promise((resolve, reject) => {
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      const msgs = stdout
        .split('\n')
        .filter((l) => l.startsWith('@@ '))
        .map((l) => JSON.parse(l.slice(3)) as Record<string, unknown>);
      if (code !== 0) reject(new Error(`p4p script failed (code ${code}, signal ${signal}):\n${stderr.slice(-3000)}\n${stdout.slice(-2000)}`));
      else resolve(msgs);
    });
  });
}
