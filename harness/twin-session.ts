import { CaRepeater } from '../ioc/ca/repeater/repeater.js';
import { CaServer } from '../ioc/ca/server/server.js';
import { PvaServer } from '../ioc/pva/server/server.js';
import { RealClock } from '../ioc/clock.js';
import { loadProfile, type Profile } from '../devices/profile/profile.js';
import { Twin } from '../devices/twin.js';

export interface SessionOptions {
  readonly profile?: string | Profile;
  readonly speed?: number;
  readonly strict?: boolean;
  /** Bind address; an isolated session uses loopback. */
  readonly host?: string;
  /** 0 = a free port (isolation: nothing else on the machine collides with it). */
  readonly port?: number;
  /** Run a private CA repeater so libca clients find one (and do not try to spawn caRepeater). */
  readonly repeater?: boolean;
}

/** EPICS variables that decide which servers a client finds (CA and pvAccess). */
const ADDRESSING = /^EPICS_(CA|PVA)_(ADDR_LIST|AUTO_ADDR_LIST|NAME_SERVERS|SERVER_PORT|BROADCAST_PORT|REPEATER_PORT)$/;

/**
 * A twin served over CA, as `run`, `validate` and `eval` use it: fresh, reset, on its own free ports,
 * with its own repeater, and an environment that points EPICS clients at it and nothing else.
 */
export class TwinSession {
  private constructor(
    readonly twin: Twin,
    readonly server: CaServer,
    readonly repeater: CaRepeater | undefined,
    readonly pva: PvaServer,
  ) {}

  static async start(opts: SessionOptions = {}): Promise<TwinSession> {
    const profile = typeof opts.profile === 'object' ? opts.profile : loadProfile(opts.profile ?? 'cms');
    const twin = new Twin(profile, { clock: new RealClock(opts.speed ?? 1), ...(opts.strict ? { strict: true } : {}) }).start();
    twin.reset();
    const host = opts.host ?? '127.0.0.1';
    let repeater: CaRepeater | undefined;
    if (opts.repeater ?? true) {
      repeater = new CaRepeater({ port: 0, host });
      await repeater.start();
    }
    const server = new CaServer({
      source: twin.db,
      config: {
        port: opts.port ?? 0,
        interfaces: [host],
        beaconAddrs: repeater ? [{ host, port: repeater.port }] : [],
        autoBeaconAddrs: false,
      },
    });
    // The same database over pvAccess, on free ports of its own, beacons to nobody.
    const pva = new PvaServer({ source: twin.db, config: { tcpPort: 0, udpPort: 0, interfaces: [host], beaconAddrs: [] } });
    try {
      await server.start();
      await pva.start();
    } catch (e) {
      // Leave nothing running behind a failed start (a taken port, no loopback …).
      twin.stop();
      await server.stop();
      await pva.stop();
      await repeater?.stop();
      throw e;
    }
    return new TwinSession(twin, server, repeater, pva);
  }

  /** Environment for a child process: EPICS clients reach this twin only. */
  clientEnv(): Record<string, string> {
    return {
      ...this.server.clientEnv(),
      ...(this.repeater ? { EPICS_CA_REPEATER_PORT: String(this.repeater.port) } : {}),
      // pvAccess clients find this twin's PVA server and nothing else.
      ...this.pva.clientEnv(),
      BEAMTWIN_CA_PORT: String(this.server.udpPort),
    };
  }

  /**
   * `base` (the caller's environment) with every inherited EPICS name-resolution setting removed and
   * this session's put in: a name server or address list from the user's shell would otherwise lead the
   * command to a real IOC.
   */
  childEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(base)) if (!ADDRESSING.test(k)) env[k] = v;
    return { ...env, ...this.clientEnv() };
  }

  async stop(): Promise<void> {
    this.twin.stop();
    await this.server.stop();
    await this.pva.stop();
    await this.repeater?.stop();
  }
}
