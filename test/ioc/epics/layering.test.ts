import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as ca from '../../../ioc/ca/protocol/index.js';
import * as epics from '../../../ioc/epics/index.js';
import { projectRoot as root, tsFiles } from '../../helpers/source-files.js';

const importsOf = (file: string): string[] =>
  [...readFileSync(path.join(root, file), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => path.join(path.dirname(file), m[1]!));

describe('EPICS-wide types live in ioc/epics', () => {
  it.each(['ioc/db', 'ioc/records', 'ioc/dbfile', 'ioc/epics', 'ioc/pva', 'devices'])('%s takes them from ioc/epics, not from the CA protocol', (dir) => {
    const offenders = tsFiles(dir).flatMap((f) => importsOf(f).filter((i) => i.startsWith('ioc/ca/protocol')).map((i) => `${f} → ${i}`));
    expect(offenders).toEqual([]);
  });

  it('ioc/pva and ioc/epics never import ioc/ca', () => {
    const offenders = [...tsFiles('ioc/pva'), ...tsFiles('ioc/epics')].flatMap((f) =>
      importsOf(f).filter((i) => i.startsWith('ioc/ca/') || i === 'ioc/ca').map((i) => `${f} → ${i}`),
    );
    expect(offenders).toEqual([]);
  });

  it('the old ioc/ca/protocol names still resolve to the same objects (code on other branches compiles)', () => {
    expect(ca.DbrBase).toBe(epics.DbrBase);
    expect(ca.Severity).toBe(epics.Severity);
    expect(ca.AlarmStatus).toBe(epics.AlarmStatus);
    expect(ca.DBE).toBe(epics.DBE);
    expect(ca.ECA).toBe(epics.ECA);
    expect(ca.noLimits).toBe(epics.noLimits);
    expect(ca.epicsTimeFromMs).toBe(epics.epicsTimeFromMs);
    expect(ca.EPICS_EPOCH_OFFSET).toBe(631152000);
    expect(ca.MAX_STRING_SIZE).toBe(40);
  });
});
