import { envNum, envYes, parseAddrList, type AddrPort, type Env } from '../epics/env.js';
import { CA_DEFAULT_MAX_ARRAY_BYTES, CA_DEFAULT_REPEATER_PORT, CA_DEFAULT_SERVER_PORT } from './protocol/constants.js';

// Env, AddrPort and parseAddrList are EPICS-wide (ioc/epics/env.ts); re-exported for existing imports.
export { parseAddrList, type AddrPort, type Env } from '../epics/env.js';
export interface ServerConfig {
  /** UDP search port and preferred TCP port; 0 picks a free one. */
  readonly port: number;
  /** Addresses to bind (EPICS_CAS_INTF_ADDR_LIST); default all interfaces. */
  readonly interfaces: readonly string[];
  /** Where beacons go. */
  readonly beaconAddrs: readonly AddrPort[];
  /** Also beacon to every interface's broadcast address (off unless asked; see README). */
  readonly autoBeaconAddrs: boolean;
  /** Maximum beacon period, seconds. */
  readonly beaconPeriod: number;
  readonly maxArrayBytes: number;
  /** Search requests from these hosts are ignored. */
  readonly ignoreAddrs: readonly string[];
}

/** Largest payload accepted when EPICS_CA_AUTO_ARRAY_BYTES=YES (EPICS grows without bound; we cap). */
export const AUTO_ARRAY_BYTES_CAP = 512 * 1024 * 1024;

/** Server configuration from the standard EPICS_CAS_* / EPICS_CA_* environment variables. */
export function serverConfigFromEnv(env: Env = process.env, overrides: Partial<ServerConfig> = {}): ServerConfig {
  const port = envNum(env['EPICS_CAS_SERVER_PORT'], envNum(env['EPICS_CA_SERVER_PORT'], CA_DEFAULT_SERVER_PORT));
  const beaconPort = envNum(env['EPICS_CAS_BEACON_PORT'], envNum(env['EPICS_CA_REPEATER_PORT'], CA_DEFAULT_REPEATER_PORT));
  const interfaces = (env['EPICS_CAS_INTF_ADDR_LIST'] ?? '').split(/\s+/).filter(Boolean);
  const explicitBeacons = env['EPICS_CAS_BEACON_ADDR_LIST'] ?? env['EPICS_CA_ADDR_LIST'];
  const beaconAddrs = parseAddrList(explicitBeacons, beaconPort);
  const autoSetting = env['EPICS_CAS_AUTO_BEACON_ADDR_LIST'] ?? env['EPICS_CA_AUTO_ADDR_LIST'];
  // EPICS beacons to every interface's broadcast address by default. We beacon to the local repeater
  // (127.0.0.1) unless broadcast is asked for explicitly, so a twin never floods a site network by accident.
  const autoBeaconAddrs = interfaces.length === 0 && autoSetting !== undefined && envYes(autoSetting, false);
  if (beaconAddrs.length === 0 && (autoSetting === undefined || envYes(autoSetting, true))) {
    beaconAddrs.push({ host: '127.0.0.1', port: beaconPort });
  }
  const auto = envYes(env['EPICS_CA_AUTO_ARRAY_BYTES'], true);
  const maxArrayBytes = auto
    ? AUTO_ARRAY_BYTES_CAP
    : Math.max(CA_DEFAULT_MAX_ARRAY_BYTES, envNum(env['EPICS_CA_MAX_ARRAY_BYTES'], CA_DEFAULT_MAX_ARRAY_BYTES));
  return {
    port,
    interfaces,
    beaconAddrs,
    autoBeaconAddrs,
    beaconPeriod: envNum(env['EPICS_CAS_BEACON_PERIOD'], envNum(env['EPICS_CA_BEACON_PERIOD'], 15)),
    maxArrayBytes,
    ignoreAddrs: (env['EPICS_CAS_IGNORE_ADDR_LIST'] ?? '').split(/\s+/).filter(Boolean),
    ...overrides,
  };
}
