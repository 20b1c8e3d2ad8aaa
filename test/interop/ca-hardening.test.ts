// Issue-12 behaviours seen through libca (pyepics on Debian's libca): a caput of text to a LONG is a
// warning the client survives (ECA_PUTFAIL, as softIoc), not an ECA_BADTYPE error libca's default
// exception handler aborts on; and thousands of put-callbacks issued back to back on one channel (what a
// sync group does) all complete, in order.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ECA } from '../../ioc/ca/protocol/constants.js';
import { DbrBase } from '../../ioc/ca/protocol/dbr-types.js';
import { startTestServer, type TestServer } from '../helpers/ca-server.js';
import { runPython } from './pyepics.js';
import { DBR_LIB, py } from './python-lib.js';

const N = 3000;

const SCRIPT = (prefix: string) =>
  DBR_LIB +
  String.raw`
P = ${py(prefix)}
res = {}
chid = connect(P + 'lo')
# caput P:lo abc (no completion): the server's ERROR reaches libca's default exception handler.
res['nowait'] = raw_put(chid, dbr.STRING, ['abc'])
res['after_nowait'] = ca.get(chid)
res['wait'] = put_callback_status(chid, dbr.STRING, ['abc'])
res['after_wait'] = ca.get(chid)

# N put-callbacks at once on one channel, then wait for all of them.
chid = connect(P + 'seq')
done = []
def _cb(args):
    done.append((args.usr, args.status))
cb = ctypes.CFUNCTYPE(None, dbr.event_handler_args)(_cb)
keep = []  # the callbacks' user arguments (Python objects libca hands back) must stay alive
for i in range(1, ${N} + 1):
    data = (1 * dbr.Map[dbr.DOUBLE])(float(i))
    keep.append(i)
    st = ca.libca.ca_array_put_callback(ctypes.c_long(dbr.DOUBLE), ctypes.c_ulong(1), chid, data, cb, ctypes.py_object(keep[-1]))
    if st != dbr.ECA_NORMAL:
        res['issue_failed'] = [i, st]
        break
ca.flush_io()
res['all_done'] = wait_until(lambda: len(done) >= ${N}, 60)
res['order'] = [u for u, _ in done]
res['statuses'] = sorted(set(s for _, s in done))
res['final'] = ca.get(chid)
out(res)
`;

let s: TestServer;
let res: Record<string, unknown>;
const applied: number[] = [];

beforeAll(async () => {
  s = await startTestServer((db, p) => {
    db.create(p + 'lo', { type: DbrBase.LONG, value: 5 });
    db.create(p + 'seq', {
      type: DbrBase.DOUBLE,
      value: 0,
      put: async (pv, v) => {
        applied.push(v as number);
        await new Promise<void>((r) => setImmediate(r));
        pv.set(v);
      },
    });
  });
  res = await runPython(SCRIPT(s.prefix), { env: s.env, timeoutMs: 90_000 });
}, 120_000);
afterAll(() => s?.stop());

it('caput of text to a LONG: ECA_PUTFAIL with and without completion, the value kept, the client alive', () => {
  expect(res).toMatchObject({ nowait: ECA.NORMAL, after_nowait: 5, wait: ECA.PUTFAIL, after_wait: 5 });
  expect(s.db.get(s.prefix + 'lo')!.value).toBe(5);
});

it(`${N} put-callbacks issued back to back on one channel all complete with ECA_NORMAL, in order`, () => {
  expect(res['issue_failed']).toBeUndefined();
  expect(res['all_done']).toBe(true);
  expect(res['order']).toEqual(Array.from({ length: N }, (_, i) => i + 1));
  expect(res['statuses']).toEqual([ECA.NORMAL]);
  expect(applied).toEqual(Array.from({ length: N }, (_, i) => i + 1));
  expect(res['final']).toBe(N);
});
