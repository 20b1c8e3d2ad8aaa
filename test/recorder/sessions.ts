// Twin sessions for the network recorders' tests, stopped (with whatever a test deferred) after each test.
import { afterEach } from 'vitest';
import { TwinSession } from '../../harness/twin-session.js';
import { scenarioProfile } from './profile.js';

const deferred: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of deferred.splice(0).reverse()) await f();
});

/** Run `f` after the current test (last deferred, first run). */
export function defer(...f: (() => Promise<void> | void)[]): void {
  deferred.push(...f);
}

/** A twin on free ports, with CA client options and the PVA client environment that reach it alone. */
export async function session() {
  const s = await TwinSession.start({ profile: scenarioProfile() });
  defer(() => s.stop());
  const client = { addrList: [`127.0.0.1:${s.server.udpPort}`], autoAddrList: false, repeaterPort: s.repeater!.port };
  return { s, client, pvaEnv: s.pva.clientEnv() };
}
