// An isolated server + client pair for client tests: our CaServer in-process on loopback, port 0, no
// beacons; a CaClient aimed at it alone. Every harness has a random PV prefix.
import { randomBytes } from 'node:crypto';
import { CaClient } from '../../../../ioc/ca/client/client.js';
import type { ClientOptions } from '../../../../ioc/ca/client/client-config.js';
import type { ServerConfig } from '../../../../ioc/ca/config.js';
import { CaServer } from '../../../../ioc/ca/server/server.js';
import { RealClock } from '../../../../ioc/clock.js';
import { PvDatabase } from '../../../../ioc/db/database.js';
import type { Logger } from '../../../../ioc/log.js';

export function silentLogger(lines: string[] = [], name = 'test'): Logger {
  return {
    debug: () => {},
    info: () => {},
    warn: (m) => lines.push(`WARN ${name}: ${m}`),
    error: (m) => lines.push(`ERROR ${name}: ${m}`),
    child: (n) => silentLogger(lines, `${name}.${n}`),
  };
}

export const randomPrefix = (): string => `C${randomBytes(4).toString('hex')}:`;

export async function startServer(db: PvDatabase, config: Partial<ServerConfig> = {}): Promise<CaServer> {
  const server = new CaServer({
    source: db,
    env: {},
    log: silentLogger(),
    config: { port: 0, interfaces: ['127.0.0.1'], beaconAddrs: [], autoBeaconAddrs: false, ...config },
  });
  await server.start();
  return server;
}

export function clientFor(port: number, opts: ClientOptions = {}): CaClient {
  return new CaClient({
    env: {},
    addrList: [`127.0.0.1:${port}`],
    autoAddrList: false,
    repeaterPort: 1, // nobody there: no repeater traffic unless a test asks for it
    log: silentLogger(),
    timeout: 5,
    ...opts,
  });
}

export interface Harness {
  readonly db: PvDatabase;
  readonly server: CaServer;
  readonly client: CaClient;
  readonly prefix: string;
  close(): Promise<void>;
}

export async function harness(setup: (db: PvDatabase, prefix: string) => void, clientOpts: ClientOptions = {}): Promise<Harness> {
  const db = new PvDatabase(new RealClock());
  const prefix = randomPrefix();
  setup(db, prefix);
  const server = await startServer(db);
  const client = clientFor(server.udpPort, clientOpts);
  return {
    db,
    server,
    client,
    prefix,
    async close() {
      await client.close();
      await server.stop();
    },
  };
}

/** Active handles of the kinds a client owns (sockets and timers), for leak checks. */
export function resourceCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

/** Resolve when `pred` holds, polling on the event loop; reject after `ms`. */
export async function until(pred: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const start = performance.now();
  while (!pred()) {
    if (performance.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
