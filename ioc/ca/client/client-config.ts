import os from 'node:os';
import { AUTO_ARRAY_BYTES_CAP, parseAddrList, type AddrPort, type Env } from '../config.js';
import { CA_DEFAULT_MAX_ARRAY_BYTES, CA_DEFAULT_REPEATER_PORT, CA_DEFAULT_SERVER_PORT } from '../protocol/constants.js';

/** Client settings; CaClient takes them from the EPICS_CA_* environment, options override. */
export interface ClientConfig {
  /** Where searches go (EPICS_CA_ADDR_LIST; "host" or "host:port"). */
  readonly addrList: readonly AddrPort[];
  /** Also search every interface's broadcast address (EPICS_CA_AUTO_ADDR_LIST, default YES). */
  readonly autoAddrList: boolean;
  /** Default port for address-list entries without one (EPICS_CA_SERVER_PORT). */
  readonly serverPort: number;
  /** The local repeater we register with to receive beacons (EPICS_CA_REPEATER_PORT). */
  readonly repeaterPort: number;
  /** Seconds of circuit silence before an ECHO probe; unanswered → circuit dropped (EPICS_CA_CONN_TMO). */
  readonly connTmo: number;
  /** Largest reply payload accepted (EPICS_CA_MAX_ARRAY_BYTES; unbounded-ish with AUTO_ARRAY_BYTES). */
  readonly maxArrayBytes: number;
  /** Longest interval between search retries, seconds (EPICS_CA_MAX_SEARCH_PERIOD, min 60). */
  readonly maxSearchPeriod: number;
  /** Default timeout of connect/get/put, seconds. */
  readonly timeout: number;
  /** Circuit priority 0–99. */
  readonly priority: number;
  /** CLIENT_NAME / HOST_NAME sent on every circuit. */
  readonly user: string;
  readonly host: string;
}

/** Options as a user writes them: address entries may be "host:port" strings. */
export type ClientOptions = Partial<Omit<ClientConfig, 'addrList'>> & {
  readonly addrList?: readonly (string | AddrPort)[];
  readonly env?: Env;
};

const yes = (v: string | undefined, dflt: boolean): boolean =>
  v === undefined || v.trim() === '' ? dflt : /^(y|yes|true|1)$/i.test(v.trim());

const num = (v: string | undefined, dflt: number): number => {
  const n = Number(v);
  return v !== undefined && v.trim() !== '' && Number.isFinite(n) ? n : dflt;
};

function safeUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env['USER'] ?? 'beamtwin';
  }
}

export function clientConfig(opts: ClientOptions = {}): ClientConfig {
  const env = opts.env ?? process.env;
  const serverPort = opts.serverPort ?? num(env['EPICS_CA_SERVER_PORT'], CA_DEFAULT_SERVER_PORT);
  const addrList = opts.addrList
    ? opts.addrList.flatMap((a) => (typeof a === 'string' ? parseAddrList(a, serverPort) : [a]))
    : parseAddrList(env['EPICS_CA_ADDR_LIST'], serverPort);
  const autoArray = yes(env['EPICS_CA_AUTO_ARRAY_BYTES'], true);
  return {
    addrList,
    autoAddrList: opts.autoAddrList ?? yes(env['EPICS_CA_AUTO_ADDR_LIST'], true),
    serverPort,
    repeaterPort: opts.repeaterPort ?? num(env['EPICS_CA_REPEATER_PORT'], CA_DEFAULT_REPEATER_PORT),
    connTmo: opts.connTmo ?? num(env['EPICS_CA_CONN_TMO'], 30),
    maxArrayBytes:
      opts.maxArrayBytes ??
      (autoArray ? AUTO_ARRAY_BYTES_CAP : Math.max(CA_DEFAULT_MAX_ARRAY_BYTES, num(env['EPICS_CA_MAX_ARRAY_BYTES'], CA_DEFAULT_MAX_ARRAY_BYTES))),
    maxSearchPeriod: opts.maxSearchPeriod ?? Math.max(60, num(env['EPICS_CA_MAX_SEARCH_PERIOD'], 300)),
    timeout: opts.timeout ?? 5,
    priority: Math.max(0, Math.min(99, opts.priority ?? 0)),
    user: opts.user ?? safeUser(),
    host: opts.host ?? os.hostname(),
  };
}

/**
 * Where searches go: the address list plus, with the automatic list, each interface's broadcast address
 * at the server port (libca skips loopback; without any other interface we search 127.0.0.1).
 */
export function searchDestinations(cfg: ClientConfig): AddrPort[] {
  const out: AddrPort[] = [...cfg.addrList];
  if (cfg.autoAddrList) {
    let found = false;
    for (const list of Object.values(os.networkInterfaces())) {
      for (const i of list ?? []) {
        if (i.family !== 'IPv4' || i.internal) continue;
        const a = ipToInt(i.address);
        const m = ipToInt(i.netmask);
        out.push({ host: intToIp((a | ~m) >>> 0), port: cfg.serverPort });
        found = true;
      }
    }
    if (!found) out.push({ host: '127.0.0.1', port: cfg.serverPort });
  }
  const seen = new Set<string>();
  return out.filter((a) => {
    const k = `${a.host}:${a.port}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export const ipToInt = (ip: string): number => ip.split('.').reduce((acc, o) => ((acc << 8) | Number(o)) >>> 0, 0);
export const intToIp = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
