// Side-by-side reading of two IOCs through pyepics (the test environment's libca): every field of
// every record in its CTRL and TIME forms, time stamps masked, and the differences between two reads.
import { venvPython } from '../helpers/python.js';
import { PythonSession } from './pyepics.js';

/** What one channel reads as: native type and count, the CTRL form (metadata) and the TIME form. */
export interface FieldRead {
  readonly type: number;
  readonly count: number;
  readonly ctrl: Record<string, unknown>;
  readonly time: Record<string, unknown>;
}

export type Dump = Record<string, FieldRead | { readonly error: string }>;

const READER = String.raw`
chids = {}

def clean(v):
    if hasattr(v, 'tolist'):
        v = v.tolist()
    if isinstance(v, float):
        if math.isnan(v):
            return 'NaN'
        if math.isinf(v):
            return 'Inf' if v > 0 else '-Inf'
        return v
    if isinstance(v, bytes):
        return v.decode('latin-1')
    if isinstance(v, (list, tuple)):
        return [clean(x) for x in v]
    if isinstance(v, dict):
        return {k: clean(x) for k, x in v.items()}
    return v

def open_all(names, timeout=30.0):
    new = [n for n in names if n not in chids]
    for n in new:
        chids[n] = ca.create_channel(n, connect=False, auto_cb=False)
    wait_until(lambda: all(ca.isConnected(chids[n]) for n in new), timeout)
    return [n for n in new if not ca.isConnected(chids[n])]

def dump(names):
    missing = set(open_all(names))
    forms = {}
    for n in names:
        if n in missing:
            continue
        c = chids[n]
        for kind in ('ctrl', 'time'):
            ft = ca.promote_type(c, use_ctrl=(kind == 'ctrl'), use_time=(kind == 'time'))
            forms[(n, kind)] = ft
            ca.get_with_metadata(c, ftype=ft, wait=False)
    ca.pend_io(5.0)
    res = {}
    for n in names:
        if n in missing:
            res[n] = {'error': 'not connected'}
            continue
        c = chids[n]
        r = {'type': ca.field_type(c), 'count': ca.element_count(c)}
        for kind in ('ctrl', 'time'):
            md = ca.get_complete_with_metadata(c, ftype=forms[(n, kind)], timeout=10)
            if md is None:
                r = {'error': kind + ' get failed'}
                break
            for k in ('timestamp', 'posixseconds', 'nanoseconds'):
                md.pop(k, None)
            r[kind] = clean(md)
        res[n] = r
    return res

out({'ready': True})
while True:
    c = cmd()
    op = c['op']
    if op == 'dump':
        out({'dump': dump(c['names'])})
    elif op == 'put':
        missing = open_all([c['pv']])
        if missing:
            out({'put': c['pv'], 'status': 'not connected'})
            continue
        st = ca.put(chids[c['pv']], c['value'], wait=c['wait'], timeout=10)
        out({'put': c['pv'], 'status': st})
    elif op == 'wait':
        open_all([w['pv'] for w in c['conds']])
        ok = wait_until(lambda: all(clean(ca.get(chids[w['pv']], timeout=5)) == w['value'] for w in c['conds']), 20)
        out({'waited': ok})
    elif op == 'quit':
        break
`;

/** A pyepics session aimed at one IOC that dumps fields, puts and waits for values on command. */
export class FieldReader {
  private constructor(private readonly session: PythonSession) {}

  static async start(env: Record<string, string>): Promise<FieldReader> {
    const session = await PythonSession.start(READER, { env, python: venvPython(), timeoutMs: 170_000 });
    await session.next((m) => 'ready' in m);
    return new FieldReader(session);
  }

  async dump(names: readonly string[]): Promise<Dump> {
    this.session.send({ op: 'dump', names });
    return (await this.session.next<{ dump: Dump }>((m) => 'dump' in m)).dump;
  }

  /** A put with completion (put-callback) unless `wait` is false; resolves with pyepics' status (1 = done). */
  async put(pv: string, value: unknown, wait = true): Promise<unknown> {
    this.session.send({ op: 'put', pv, value, wait });
    return (await this.session.next<{ status: unknown }>((m) => 'put' in m)).status;
  }

  /** Wait (event-driven polling inside libca, bounded) until every PV reads its value. */
  async waitFor(conds: readonly { pv: string; value: unknown }[]): Promise<boolean> {
    this.session.send({ op: 'wait', conds });
    return (await this.session.next<{ waited: boolean }>((m) => 'waited' in m)).waited;
  }

  async close(): Promise<void> {
    this.session.send({ op: 'quit' });
    await this.session.finish();
  }
}

/** One difference between the reference (EPICS) and beamtwin. */
export interface Difference {
  readonly pv: string;
  /** `type`, `count`, `ctrl.units`, `time.value` … or `read` when one side could not read at all. */
  readonly what: string;
  readonly epics: unknown;
  readonly beamtwin: unknown;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Every key of every form that differs between two dumps, over the names both were asked for. */
export function compareDumps(names: readonly string[], epics: Dump, beamtwin: Dump): Difference[] {
  const out: Difference[] = [];
  for (const pv of names) {
    const e = epics[pv];
    const b = beamtwin[pv];
    if (!e || !b || 'error' in e || 'error' in b) {
      if (!same(e, b)) out.push({ pv, what: 'read', epics: e, beamtwin: b });
      continue;
    }
    if (e.type !== b.type) out.push({ pv, what: 'type', epics: e.type, beamtwin: b.type });
    if (e.count !== b.count) out.push({ pv, what: 'count', epics: e.count, beamtwin: b.count });
    for (const form of ['ctrl', 'time'] as const) {
      // The TIME form repeats value/status/severity of the CTRL form: report each difference once.
      const keys = new Set([...Object.keys(e[form]), ...Object.keys(b[form])]);
      for (const k of keys) {
        if (form === 'time' && k in e.ctrl && same(e.ctrl[k], e.time[k]) && same(b.ctrl[k], b.time[k])) continue;
        if (!same(e[form][k], b[form][k])) out.push({ pv, what: `${form}.${k}`, epics: e[form][k], beamtwin: b[form][k] });
      }
    }
  }
  return out;
}
