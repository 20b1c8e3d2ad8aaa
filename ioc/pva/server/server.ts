import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { closeAll, listen } from '../../net/sockets.js';
import type { PvSource } from '../../db/database.js';
import type { Pv } from '../../db/pv.js';
import { getLogger, type Logger } from '../../log.js';
import { pvaServerConfigFromEnv, type Env, type PvaServerConfig } from '../config.js';
import { writeBeacon } from '../protocol/messages.js';
import { Flags } from '../protocol/constants.js';
import { PvaWriter } from '../protocol/writer.js';
import { PvaServerCircuit } from './circuit.js';
import { answerSearchDatagram, type PvaSearchStats } from './search.js';

export interface PvaServerOptions {
  readonly source: PvSource;
  /** Defaults come from the environment (EPICS_PVAS_*, EPICS_PVA_*); these override them. */
  readonly config?: Partial<PvaServerConfig>;
  readonly env?: Env;
  readonly log?: Logger;
}

/**
 * The pvAccess server: UDP search and beacons, TCP circuits. A thin I/O shell; what is said on the wire
 * is decided in PvaServerCircuit and answerSearchDatagram.
 */
export class PvaServer {
  readonly config: PvaServerConfig;
  /** This server instance's identity in search replies and beacons. */
  readonly guid = randomBytes(12);
  private readonly log: Logger;
  private readonly udp: dgram.Socket[] = [];
  private readonly tcp: net.Server[] = [];
  private readonly circuits = new Set<PvaServerCircuit>();
  private readonly sockets = new Set<net.Socket>();
  private beaconTimer: NodeJS.Timeout | undefined;
  private beaconSeq = 0;
  private _udpPort = 0;
  private _tcpPort = 0;
  private started = false;
  readonly stats: PvaSearchStats = { datagrams: 0, searches: 0, hits: 0, malformed: 0 };

  constructor(private readonly opts: PvaServerOptions) {
    this.config = pvaServerConfigFromEnv(opts.env ?? process.env, opts.config);
    this.log = opts.log ?? getLogger('beamtwin.pva.server');
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

  /**
   * Environment that aims a PVA client (p4p, pvxs tools, our client) at this server alone: UDP search to
   * its port, and TCP search through EPICS_PVA_NAME_SERVERS. Not EPICS_PVA_BROADCAST_PORT: a pvxs client
   * binds that port itself (for beacons) and would collide with the server.
   */
  clientEnv(): Record<string, string> {
    const host = this.config.interfaces.find((a) => a !== '0.0.0.0') ?? '127.0.0.1';
    return {
      EPICS_PVA_ADDR_LIST: `${host}:${this._udpPort}`,
      EPICS_PVA_AUTO_ADDR_LIST: 'NO',
      EPICS_PVA_NAME_SERVERS: `${host}:${this._tcpPort}`,
    };
  }

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
    let udpPort = this.config.udpPort;
    for (const addr of this.config.interfaces) {
      // A configured port is shared with other servers on this host (SO_REUSEADDR, as pvxs); a free one (0)
      // is taken exclusively so two isolated twins never answer each other's searches.
      const sock = dgram.createSocket({ type: 'udp4', reuseAddr: udpPort !== 0 });
      this.udp.push(sock);
      await new Promise<void>((resolve, reject) => {
        sock.once('error', reject);
        sock.bind(udpPort, addr, () => {
          sock.off('error', reject);
          resolve();
        });
      });
      udpPort = sock.address().port;
      sock.on('message', (msg, rinfo) => this.onDatagram(sock, msg, rinfo));
      sock.on('error', (e) => this.log.error(`UDP socket: ${e.message}`));
    }
    this._udpPort = udpPort;
    let tcpPort = this.config.tcpPort;
    for (const addr of this.config.interfaces) {
      const server = net.createServer({ noDelay: true }, (s) => this.onConnection(s));
      this.tcp.push(server);
      try {
        tcpPort = await listen(server, tcpPort, addr);
      } catch (e) {
        // As pvxs: the configured TCP port is a preference; when taken, any free port (search replies say which).
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || this.tcp.length > 1) throw e;
        tcpPort = await listen(server, 0, addr);
      }
      server.on('error', (e) => this.log.error(`TCP listener: ${e.message}`));
    }
    this._tcpPort = tcpPort;
    this.scheduleBeacons();
    this.log.info(`serving PVA on UDP ${this._udpPort}, TCP ${this._tcpPort}`);
  }

  private scheduleBeacons(): void {
    if (this.config.beaconAddrs.length === 0 || this.udp.length === 0) return;
    const sock = this.udp[0]!;
    const tick = () => {
      const w = new PvaWriter(false, Flags.SERVER);
      writeBeacon(w, { guid: this.guid, seq: this.beaconSeq++, changeCount: 0, addr: '0.0.0.0', port: this._tcpPort, protocol: 'tcp' });
      const bytes = w.take();
      for (const a of this.config.beaconAddrs) {
        // A beacon to our own search socket would only be ignored: skip it.
        if (a.port === this._udpPort && this.config.interfaces.includes(a.host)) continue;
        sock.send(bytes, a.port, a.host, (err) => {
          if (err) this.log.debug(`beacon to ${a.host}:${a.port}: ${err.message}`);
        });
      }
      this.beaconTimer = setTimeout(tick, this.config.beaconPeriod * 1000);
      this.beaconTimer.unref();
    };
    tick();
  }

  private onDatagram(sock: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.config.ignoreAddrs.includes(rinfo.address)) return;
    try {
      const a = answerSearchDatagram(msg, this.opts.source, this.guid, this._tcpPort, this.stats);
      if (!a) return;
      const host = a.addr === '0.0.0.0' ? rinfo.address : a.addr;
      const port = a.port || rinfo.port;
      sock.send(a.reply, port, host, (err) => {
        if (err) this.log.debug(`search reply to ${host}:${port}: ${err.message}`);
      });
    } catch (e) {
      this.log.error(`search datagram from ${rinfo.address}:${rinfo.port}: ${(e as Error).stack ?? e}`);
    }
  }

  private onConnection(socket: net.Socket): void {
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    this.sockets.add(socket);
    let closing = false;
    const circuit = new PvaServerCircuit(
      {
        write: (chunks) => {
          if (socket.destroyed) return;
          if (chunks.length === 1) {
            socket.write(chunks[0]!);
            return;
          }
          // One vectored write: the header bytes and the viewed pixels go out without being joined.
          socket.cork();
          for (const c of chunks) socket.write(c);
          socket.uncork();
        },
        get backlog() {
          return socket.writableLength;
        },
        close: () => {
          if (closing) return;
          closing = true;
          socket.end();
          setTimeout(() => socket.destroy(), 1000).unref();
        },
      },
      { source: this.opts.source, log: this.log.child('circuit'), peer, guid: this.guid, tcpPort: this._tcpPort, maxMessage: this.config.maxMessage },
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
    circuit.start();
  }

  /** Tell every client connected to `pv` that it is gone. */
  disconnectPv(pv: Pv): void {
    for (const c of this.circuits) c.disconnectPv(pv);
  }

  async stop(): Promise<void> {
    if (this.beaconTimer) clearTimeout(this.beaconTimer);
    this.beaconTimer = undefined;
    for (const s of this.sockets) s.destroy();
    for (const c of this.circuits) c.dispose();
    this.circuits.clear();
    await closeAll(this.tcp, this.udp);
  }
}
