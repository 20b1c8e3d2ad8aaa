// An isolated in-process CA server for tests (style item 11): loopback only, kernel-chosen port, no
// beacons, quiet logs unless BEAMTWIN_LOG says otherwise. `stop()` is idempotent.
import { randomBytes } from 'node:crypto';
import { CaServer } from '../../ioc/ca/server/server.js';
import type { ServerConfig } from '../../ioc/ca/config.js';
import { RealClock } from '../../ioc/clock.js';
import { PvDatabase } from '../../ioc/db/database.js';
import { getLogger, type Logger } from '../../ioc/log.js';

export interface TestServer {
  readonly db: PvDatabase;
  readonly server: CaServer;
  /** Random prefix for this server's PV names, so tests never collide with each other or real IOCs. */
  readonly prefix: string;
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

/** A logger that records warnings/errors (circuits log protocol errors) and prints nothing. */
export function quietLogger(lines: string[] = []): Logger {
  const make = (name: string): Logger => ({
    debug: () => {},
    info: () => {},
    warn: (m) => lines.push(`WARN ${name}: ${m}`),
    error: (m) => lines.push(`ERROR ${name}: ${m}`),
    child: (n) => make(`${name}.${n}`),
  });
  return make('beamtwin.ca.server');
}

export function randomPrefix(): string {
  return `T${randomBytes(4).toString('hex')}:`;
}

export async function startTestServer(
  setup: (db: PvDatabase, prefix: string) => void = () => {},
  config: Partial<ServerConfig> = {},
  opts: { db?: PvDatabase; log?: Logger; prefix?: string } = {},
): Promise<TestServer> {
  const db = opts.db ?? new PvDatabase(new RealClock());
  const prefix = opts.prefix ?? randomPrefix();
  setup(db, prefix);
  const log = opts.log ?? (process.env['BEAMTWIN_LOG'] ? getLogger('beamtwin.ca.server') : quietLogger());
  const server = new CaServer({
    source: db,
    env: {},
    log,
    config: { port: 0, interfaces: ['127.0.0.1'], beaconAddrs: [], autoBeaconAddrs: false, ...config },
  });
  await server.start();
  let stopped = false;
  return {
    db,
    server,
    prefix,
    env: server.clientEnv(),
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
    },
  };
}
