import dgram from 'node:dgram';
import net from 'node:net';
import os from 'node:os';
import type { PvSource } from '../../db/database.js';
import type { Pv } from '../../db/pv.js';
import { getLogger, type Logger } from '../../log.js';
import { serverConfigFromEnv, type AddrPort, type Env, type ServerConfig } from '../config.js';
import { BeaconSchedule } from './beacon.js';
import { ServerCircuit } from './circuit.js';
import { answerSearchDatagram, type SearchStats } from './name-service.js';

export interface CaServerOptions {
  readonly source: PvSource;
  /** Defaults come from the environment (EPICS_CAS_*, EPICS_CA_*); these override them. */
  readonly config?: Partial<ServerConfig>;
  readonly env?: Env;
  readonly log?: Logger;
}

/**
 * The Channel Access server: UDP name service and beacons, TCP virtual circuits. A thin I/O shell; what
 * is said on the wire is decided in ServerCircuit and answerSearchDatagram.
 */
export class CaServer {
  readonly config: ServerConfig;
  private readonly log: Logger;
  private readonly udp: dgram.Socket[] = [];
  private readonly tcp: net.Server[] = [];
  private readonly circuits = new Set<ServerCircuit>();
  private readonly sockets = new Set<net.Socket>();
  private beaconTimer: NodeJS.Timeout | undefined;
  private beaconAddrs: AddrPort[] = [];
  private _udpPort = 0;
  private _tcpPort = 0;
  private started = false;
  readonly stats: SearchStats = { datagrams: 0, searches: 0, hits: 0, malformed: 0 };

  constructor(private readonly opts: CaServerOptions) {
    this.config = serverConfigFromEnv(opts.env ?? process.env, opts.config);
    this.log = opts.log ?? getLogger('beamtwin.ca.server');
  }

  get udpPort(): number {
    return this._udpPort;
  }
  get tcpPort(): number {
    return this._tcpPort;
  }
  get circuitCount(): number {
    return this.circuits.size;
  }

  /** Environment that aims a CA client (libca, pyepics, our client) at this server alone. */
  clientEnv(): Record<string, string> {
    const host = this.config.interfaces.find((a) => a !== '0.0.0.0') ?? '127.0.0.1';
    return {
      EPICS_CA_ADDR_LIST: `${host}:${this._udpPort}`,
      EPICS_CA_AUTO_ADDR_LIST: 'NO',
      EPICS_CA_SERVER_PORT: String(this._udpPort),
    };
  }

  /** Bind and start beaconing. On failure (a taken port …) nothing stays open and the error is rethrown. */
  async start(): Promise<void> {
    if (this.started) throw new Error('server already started');
    this.started = true;
    try {
      await this.bind();
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  private async bind(): Promise<void> {
    const interfaces = this.config.interfaces.length ? this.config.interfaces : ['0.0.0.0'];
    let port = this.config.port;
    for (const addr of interfaces) {
      // Several servers share a configured port (SO_REUSEADDR, as RSRV). A free port (0) is taken
      // exclusively: Linux may hand a reuse socket asking for port 0 a port another reuse socket holds,
      // and two isolated twins would then answer each other's searches.
      const sock = dgram.createSocket({ type: 'udp4', reuseAddr: port !== 0 });
      this.udp.push(sock);
      await new Promise<void>((resolve, reject) => {
        sock.once('error', reject);
        sock.bind(port, addr, () => {
          sock.off('error', reject);
          resolve();
        });
      });
      port = sock.address().port;
      sock.on('message', (msg, rinfo) => this.onDatagram(sock, msg, rinfo));
      sock.on('error', (e) => this.log.error(`UDP socket: ${e.message}`));
    }
    this._udpPort = port;
    // As RSRV: the TCP listener takes the UDP port number when free, else any port (advertised in replies).
    let tcpPort = port;
    for (const addr of interfaces) {
      const server = net.createServer({ noDelay: true }, (s) => this.onConnection(s));
      this.tcp.push(server);
      try {
        tcpPort = await listen(server, tcpPort, addr);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || this.tcp.length > 1) throw e;
        this.log.warn(`TCP port ${tcpPort} in use; taking a free one`);
        tcpPort = await listen(server, 0, addr);
      }
      server.on('error', (e) => this.log.error(`TCP listener: ${e.message}`));
    }
    this._tcpPort = tcpPort;
    this.beaconAddrs = [...this.config.beaconAddrs, ...(this.config.autoBeaconAddrs ? broadcastAddrs(this.config.beaconAddrs[0]?.port ?? 5065) : [])];
    if (this.config.autoBeaconAddrs) for (const s of this.udp) s.setBroadcast(true);
    this.scheduleBeacons();
    this.log.info(`serving CA on UDP ${this._udpPort}, TCP ${this._tcpPort}`);
  }

  private scheduleBeacons(): void {
    if (this.beaconAddrs.length === 0 || this.udp.length === 0) return;
    const schedule = new BeaconSchedule(this.config.beaconPeriod);
    const sock = this.udp[0]!;
    const tick = () => {
      const { bytes, delay } = schedule.next(this._tcpPort);
      for (const a of this.beaconAddrs) {
        sock.send(bytes, a.port, a.host, (err) => {
          if (err) this.log.debug(`beacon to ${a.host}:${a.port}: ${err.message}`);
        });
      }
      this.beaconTimer = setTimeout(tick, delay * 1000);
      this.beaconTimer.unref();
    };
    tick();
  }

  private onDatagram(sock: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.config.ignoreAddrs.includes(rinfo.address)) return;
    try {
      const reply = answerSearchDatagram(msg, this.opts.source, this._tcpPort, this.stats, this.log);
      if (reply) {
        sock.send(reply, rinfo.port, rinfo.address, (err) => {
          if (err) this.log.debug(`search reply to ${rinfo.address}:${rinfo.port}: ${err.message}`);
        });
      }
    } catch (e) {
      this.log.error(`search datagram from ${rinfo.address}:${rinfo.port}: ${(e as Error).stack ?? e}`);
    }
  }

  private onConnection(socket: net.Socket): void {
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    this.sockets.add(socket);
    let closing = false;
    const circuit = new ServerCircuit(
      {
        write: (b) => {
          if (!socket.destroyed) socket.write(b);
        },
        get backlog() {
          return socket.writableLength;
        },
        pause: () => socket.pause(),
        resume: () => socket.resume(),
        close: () => {
          if (closing) return;
          closing = true;
          // Let the queued error reach the client, then make sure the socket goes.
          socket.end();
          setTimeout(() => socket.destroy(), 1000).unref();
        },
      },
      {
        source: this.opts.source,
        log: this.log.child('circuit'),
        maxArrayBytes: this.config.maxArrayBytes,
        tcpPort: this._tcpPort,
        peer,
      },
    );
    this.circuits.add(circuit);
    socket.on('data', (chunk) => circuit.recv(chunk));
    socket.on('drain', () => circuit.drained());
    socket.on('error', (e) => this.log.debug(`${peer}: ${e.message}`));
    socket.on('close', () => {
      circuit.dispose();
      this.circuits.delete(circuit);
      this.sockets.delete(socket);
    });
  }

  /** Tell every client connected to `pv` that it is gone (they will search again). */
  disconnectPv(pv: Pv): void {
    for (const c of this.circuits) c.disconnectPv(pv);
  }

  async stop(): Promise<void> {
    if (this.beaconTimer) clearTimeout(this.beaconTimer);
    this.beaconTimer = undefined;
    for (const s of this.sockets) s.destroy();
    for (const c of this.circuits) c.dispose();
    this.circuits.clear();
    // Also after a failed start: a listener that never listened or a socket that never bound closes at once.
    await Promise.all(this.tcp.map((s) => new Promise<void>((r) => s.close(() => r()))));
    await Promise.all(
      this.udp.map(
        (s) =>
          new Promise<void>((r) => {
            try {
              s.close(() => r());
            } catch {
              r();
            }
          }),
      ),
    );
    this.tcp.length = 0;
    this.udp.length = 0;
  }
}

function listen(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    server.listen({ port, host, exclusive: true }, () => {
      server.off('error', onError);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

/** IPv4 broadcast addresses of this host's interfaces (EPICS' automatic beacon list). */
function broadcastAddrs(port: number): AddrPort[] {
  const out: AddrPort[] = [];
  for (const list of Object.values(os.networkInterfaces())) {
    for (const i of list ?? []) {
      if (i.family !== 'IPv4') continue;
      const a = ipToInt(i.address);
      const m = ipToInt(i.netmask);
      out.push({ host: intToIp((a | ~m) >>> 0), port });
    }
  }
  return out;
}

const ipToInt = (ip: string): number => ip.split('.').reduce((acc, o) => ((acc << 8) | Number(o)) >>> 0, 0);
const intToIp = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
