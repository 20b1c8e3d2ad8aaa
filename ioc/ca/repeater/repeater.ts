import dgram from 'node:dgram';
import os from 'node:os';
import { getLogger, type Logger } from '../../log.js';
import { Command, CA_DEFAULT_REPEATER_PORT, HEADER_SIZE } from '../protocol/constants.js';
import { writeRepeaterConfirm, writeVersion } from '../protocol/messages.js';
import { ByteWriter } from '../protocol/writer.js';

/** What the repeater does with one datagram (sans-I/O): register its sender, or fan it out. */
export function classifyDatagram(buf: Buffer): 'register' | 'forward' | 'ignore' {
  // libca (udpiiu.cpp) still registers with an empty datagram, "until most CA repeater daemons have been
  // restarted"; newer clients send REPEATER_REGISTER. repeater.cpp accepts both.
  if (buf.length === 0) return 'register';
  if (buf.length >= HEADER_SIZE && buf.readUInt16BE(0) === Command.REPEATER_REGISTER) return 'register';
  if (buf.length < HEADER_SIZE) return 'ignore';
  return 'forward';
}

/** REPEATER_CONFIRM for a client at `address` (p2 = its IPv4 address, as repeater.cpp sends). */
export function confirmMessage(address: string): Buffer {
  const w = new ByteWriter(16);
  writeRepeaterConfirm(w, ipv4ToInt(address));
  return w.take();
}

/** The empty VERSION the repeater sends to its clients as a no-op probe. */
export function probeMessage(): Buffer {
  const w = new ByteWriter(16);
  writeVersion(w, 0, 0, 0);
  return w.take();
}

const ipv4ToInt = (ip: string): number =>
  /^\d+\.\d+\.\d+\.\d+$/.test(ip) ? ip.split('.').reduce((acc, o) => ((acc << 8) | Number(o)) >>> 0, 0) : 0;

export interface RepeaterOptions {
  /** UDP port to bind (EPICS_CA_REPEATER_PORT, default 5065); 0 picks a free one. */
  readonly port?: number;
  /** Address to bind; default all interfaces (beacons may arrive on any). */
  readonly host?: string;
  /** Also verify every client this often (ms); 0 = only on registration and failed sends (repeater.cpp). */
  readonly probeIntervalMs?: number;
  readonly log?: Logger;
}

interface RepeaterClient {
  readonly key: string;
  readonly address: string;
  readonly port: number;
  readonly socket: dgram.Socket;
}

/**
 * The CA repeater (EPICS modules/ca/src/client/repeater.cpp): CA clients on this host cannot all bind the
 * repeater port, so one process binds it, takes REPEATER_REGISTER from each local client (answered with
 * REPEATER_CONFIRM) and forwards every other datagram it receives — server beacons — to all registered
 * clients. On each registration it sends the others an empty VERSION and verifies them; a client whose
 * port can be bound again (or that refuses a datagram and fails that test) has gone and is dropped.
 */
export class CaRepeater {
  private sock: dgram.Socket | undefined;
  private readonly clients = new Map<string, RepeaterClient>();
  private readonly log: Logger;
  private probeTimer: NodeJS.Timeout | undefined;
  private _port = 0;
  private stopped = false;
  readonly stats = { registrations: 0, forwarded: 0, dropped: 0 };

  constructor(private readonly opts: RepeaterOptions = {}) {
    this.log = opts.log ?? getLogger('beamtwin.ca.repeater');
  }

  get port(): number {
    return this._port;
  }
  /** Registered clients as "address:port". */
  get clientList(): string[] {
    return [...this.clients.keys()];
  }

  /** Bind the repeater port; rejects (EADDRINUSE) when another repeater already has it. */
  async start(): Promise<void> {
    const sock = dgram.createSocket({ type: 'udp4', reuseAddr: false });
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind({ port: this.opts.port ?? CA_DEFAULT_REPEATER_PORT, address: this.opts.host ?? '0.0.0.0', exclusive: true }, () => {
        sock.off('error', reject);
        resolve();
      });
    });
    this.sock = sock;
    this._port = sock.address().port;
    sock.on('message', (msg, rinfo) => this.onDatagram(msg, rinfo));
    sock.on('error', (e) => this.log.warn(`UDP: ${e.message}`));
    const every = this.opts.probeIntervalMs ?? 0;
    if (every > 0) {
      this.probeTimer = setInterval(() => void this.verifyAll(), every);
      this.probeTimer.unref();
    }
    this.log.info(`CA repeater on UDP port ${this._port}`);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.probeTimer);
    const closing: Promise<void>[] = [];
    for (const c of this.clients.values()) closing.push(closeSocket(c.socket));
    this.clients.clear();
    if (this.sock) closing.push(closeSocket(this.sock));
    this.sock = undefined;
    await Promise.all(closing);
  }

  private onDatagram(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    switch (classifyDatagram(msg)) {
      case 'register':
        void this.register(rinfo.address, rinfo.port);
        return;
      case 'forward':
        this.fanOut(msg, `${rinfo.address}:${rinfo.port}`);
        return;
      default:
        return;
    }
  }

  private async register(address: string, port: number): Promise<void> {
    if (this.stopped) return;
    // Repeater and clients share a host: refuse registrations from elsewhere.
    if (!isLocalAddress(address)) {
      this.log.debug(`registration from non-local ${address}:${port} ignored`);
      return;
    }
    const key = `${address}:${port}`;
    let client = this.clients.get(key);
    const isNew = !client;
    if (!client) {
      const socket = dgram.createSocket('udp4');
      socket.on('error', (e) => this.log.debug(`client ${key}: ${e.message}`));
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once('error', reject);
          socket.connect(port, address, () => {
            socket.off('error', reject);
            resolve();
          });
        });
      } catch (e) {
        this.log.debug(`cannot reach client ${key}: ${(e as Error).message}`);
        await closeSocket(socket);
        return;
      }
      if (this.stopped) {
        await closeSocket(socket);
        return;
      }
      client = this.clients.get(key) ?? { key, address, port, socket };
      if (client.socket !== socket) await closeSocket(socket);
      this.clients.set(key, client);
      this.stats.registrations++;
      this.log.debug(`client ${key} registered (${this.clients.size} clients)`);
    }
    const ok = await send(client.socket, confirmMessage(address));
    if (!ok) {
      this.drop(client);
      return;
    }
    // A no-op to everyone else, so dead clients show up even when no beacons flow (repeater.cpp).
    this.fanOut(probeMessage(), key);
    if (isNew) await this.verifyAll();
  }

  private fanOut(msg: Buffer, from: string): void {
    for (const c of this.clients.values()) {
      if (c.key === from) continue; // never reflect to the sender
      this.stats.forwarded++;
      c.socket.send(msg, (err) => {
        if (!err) return;
        void this.verify(c).then((alive) => {
          if (!alive) this.drop(c);
        });
      });
    }
  }

  /** Is the client still there? It is while its port cannot be bound (repeaterClient::verify). */
  private async verify(c: RepeaterClient): Promise<boolean> {
    const probe = dgram.createSocket({ type: 'udp4', reuseAddr: false });
    return new Promise<boolean>((resolve) => {
      probe.once('error', (e: NodeJS.ErrnoException) => {
        probe.close();
        resolve(e.code === 'EADDRINUSE');
      });
      probe.bind({ port: c.port, exclusive: true }, () => {
        probe.close();
        resolve(false);
      });
    });
  }

  private async verifyAll(): Promise<void> {
    for (const c of [...this.clients.values()]) {
      if (this.stopped) return;
      if (!(await this.verify(c))) this.drop(c);
    }
  }

  private drop(c: RepeaterClient): void {
    if (this.clients.get(c.key) !== c) return;
    this.clients.delete(c.key);
    this.stats.dropped++;
    void closeSocket(c.socket);
    this.log.debug(`client ${c.key} gone (${this.clients.size} clients)`);
  }
}

function send(sock: dgram.Socket, msg: Buffer): Promise<boolean> {
  return new Promise((resolve) => sock.send(msg, (err) => resolve(!err)));
}

function closeSocket(sock: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      sock.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}

function isLocalAddress(address: string): boolean {
  if (address.startsWith('127.') || address === '::1' || address === '::ffff:127.0.0.1') return true;
  for (const list of Object.values(os.networkInterfaces())) {
    for (const i of list ?? []) if (i.address === address) return true;
  }
  return false;
}
