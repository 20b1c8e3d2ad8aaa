// p4p against a whole twin as `run` serves it (TwinSession): the CMS profile plus a .db file, over PVA.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwinSession } from '../../harness/twin-session.js';
import { loadProfile } from '../../devices/profile/profile.js';
import { runP4p } from './p4p.js';

const MTR = 'XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr';

describe('the CMS twin over pvAccess (p4p)', () => {
  let session: TwinSession;
  beforeAll(async () => {
    const cms = loadProfile('cms');
    const file = path.join(__dirname, '../fixtures/db/calc-chain.db');
    session = await TwinSession.start({ profile: { ...cms, db: [...(cms.db ?? []), { file, macros: 'P=pvat:' }] } });
  });
  afterAll(() => session?.stop());

  it('.db records: NTScalar with the record metadata; a put processes the FLNK chain', async () => {
    const origins: string[] = [];
    const sub = session.twin.db.events.subscribe((e) => e.kind === 'put' && origins.push(`${e.pv.name} ${e.ctx.origin}`));
    const [m] = await runP4p(
      String.raw`
seed = ctx.get('pvat:seed', timeout=5)
ctx.put('pvat:seed', 5.0, timeout=5)
out({'seed': seed.value, 'prec': seed.display.precision, 'sum': ctx.get('pvat:sum', timeout=5).value, 'double': ctx.get('pvat:double', 'field(value)', timeout=5).todict()})
`,
      session.clientEnv(),
    );
    sub.unsubscribe();
    expect(m).toEqual({ seed: 1, prec: 2, sum: 25, double: { value: 10 } });
    expect(origins).toContain('pvat:seed pva');
  });

  it('motor fields: get RBV/EGU/DMOV; a put to VAL completes when the motor is done (DMOV=1, RBV there)', async () => {
    const [m] = await runP4p(
      String.raw`
egu = ctx.get('${MTR}.EGU', timeout=5).value
ctx.put('${MTR}', 0.05, timeout=20, wait=True)
out({'egu': egu, 'dmov': ctx.get('${MTR}.DMOV', timeout=5).value, 'rbv': ctx.get('${MTR}.RBV', timeout=5).value, 'val': ctx.get('${MTR}.VAL', timeout=5).value})
`,
      session.clientEnv(),
    );
    // EGU as the database holds it (the same Pv the CA side serves).
    expect(m).toMatchObject({ egu: session.twin.db.lookup(`${MTR}.EGU`)!.value, dmov: 1, val: 0.05 });
    expect((m as { rbv: number }).rbv).toBeCloseTo(0.05, 3);
  });
});
