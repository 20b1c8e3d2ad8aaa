import { envYes as yes, parseAddrList, type AddrPort, type Env } from '../epics/env.js';
import { PVA_DEFAULT_BROADCAST_PORT, PVA_DEFAULT_SERVER_PORT } from './protocol/constants.js';

export type { AddrPort, Env } from '../epics/env.js';

/** A port number variable (out of range: the default). */
const port = (v: string | undefined, dflt: number): number => {
  const n = Number(v);
  return v !== undefined && v !== '' && Number.isInteger(n) && n >= 0 && n <= 65535 ? n : dflt;
};
/** The first of several variables that is set (pvxs: EPICS_PVAS_X wins over EPICS_PVA_X). */
const first = (env: Env, ...names: string[]): string | undefined => names.map((n) => env[n]).find((v) => v !== undefined);

export interface PvaServerConfig {
  /** Preferred TCP port (EPICS_PVAS_SERVER_PORT / EPICS_PVA_SERVER_PORT, 5075); taken → any free one. */
  readonly tcpPort: number;
  /** UDP search port (EPICS_PVAS_BROADCAST_PORT / EPICS_PVA_BROADCAST_PORT, 5076); 0 = a free one. */
  readonly udpPort: number;
  /** Addresses to bind (EPICS_PVAS_INTF_ADDR_LIST); default loopback, like the twin's CA side. */
  readonly interfaces: readonly string[];
  /** Where beacons go (EPICS_PVAS_BEACON_ADDR_LIST / EPICS_PVA_ADDR_LIST). */
  readonly beaconAddrs: readonly AddrPort[];
  /** Beacon period, seconds (EPICS_PVAS_BEACON_PERIOD, 15). */
  readonly beaconPeriod: number;
  /** Search requests from these hosts are ignored (EPICS_PVAS_IGNORE_ADDR_LIST). */
  readonly ignoreAddrs: readonly string[];
  /** Largest message a client may send. */
  readonly maxMessage: number;
}

export function pvaServerConfigFromEnv(env: Env = process.env, overrides: Partial<PvaServerConfig> = {}): PvaServerConfig {
  const udpPort = port(first(env, 'EPICS_PVAS_BROADCAST_PORT', 'EPICS_PVA_BROADCAST_PORT'), PVA_DEFAULT_BROADCAST_PORT);
  const interfaces = parseAddrList(first(env, 'EPICS_PVAS_INTF_ADDR_LIST'), 0).map((a) => a.host);
  const beaconList = first(env, 'EPICS_PVAS_BEACON_ADDR_LIST', 'EPICS_PVA_ADDR_LIST');
  const beaconAddrs = parseAddrList(beaconList, udpPort);
  const auto = first(env, 'EPICS_PVAS_AUTO_BEACON_ADDR_LIST', 'EPICS_PVA_AUTO_ADDR_LIST');
  // Loopback by default: beacons stay on this host unless a list is given (no broadcasts to a site network).
  if (beaconAddrs.length === 0 && beaconList === undefined && yes(auto, true)) beaconAddrs.push({ host: '127.0.0.1', port: udpPort });
  return {
    tcpPort: port(first(env, 'EPICS_PVAS_SERVER_PORT', 'EPICS_PVA_SERVER_PORT'), PVA_DEFAULT_SERVER_PORT),
    udpPort,
    interfaces: interfaces.length ? interfaces : ['127.0.0.1'],
    beaconAddrs,
    beaconPeriod: Math.max(1, Number(first(env, 'EPICS_PVAS_BEACON_PERIOD', 'EPICS_PVA_BEACON_PERIOD')) || 15),
    ignoreAddrs: parseAddrList(first(env, 'EPICS_PVAS_IGNORE_ADDR_LIST'), 0).map((a) => a.host),
    maxMessage: 64 * 1024 * 1024 + 4096,
    ...overrides,
  };
}
