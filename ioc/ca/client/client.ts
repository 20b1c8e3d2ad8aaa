import dgram from 'node:dgram';
import net from 'node:net';
import { BehaviorSubject, Observable, type Subscriber } from 'rxjs';
import { getLogger, type Logger } from '../../log.js';
import type { AddrPort } from '../config.js';
import { CA_MINOR_VERSION, Command, DBE, ECA, INADDR_NONE, ecaMessage } from '../protocol/constants.js';
import { frameDatagram } from '../protocol/framer.js';
import { decodeServerMessage, writeRepeaterRegister } from '../protocol/messages.js';
import { ByteWriter } from '../protocol/writer.js';
import { ClientCircuit, type CircuitMessage } from './circuit.js';
import { clientConfig, intToIp, ipToInt, searchDestinations, type ClientConfig, type ClientOptions } from './client-config.js';
import { CaError } from './errors.js';
import { BeaconTracker, SearchSchedule } from './search.js';
import { putPayload, resolveType, toCaValue, type CaValue, type PutValue, type TypeSpec } from './values.js';

export interface GetOptions {
  readonly type?: TypeSpec;
  /** Elements to read; 0 (the default with CA 4.13 servers) = the current length. */
  readonly count?: number;
  /** Seconds; default the client's timeout. */
  readonly timeout?: number;
}

export interface PutOptions {
  /** Put-callback (WRITE_NOTIFY): resolve only when the server reports completion. */
  readonly wait?: boolean;
  readonly type?: TypeSpec;
  readonly timeout?: number;
}

export interface MonitorOptions {
  readonly type?: TypeSpec;
  readonly count?: number;
  /** DBE mask; default DBE_VALUE | DBE_ALARM. */
  readonly mask?: number;
}

/** Counters for tests and benchmarks. */
export interface ClientStats {
  /** Socket writes on all circuits (requests are batched: one write per circuit per tick). */
  writes: number;
  bytesOut: number;
  /** Search datagrams sent (each to every destination). */
  searchDatagrams: number;
  /** Beacons received (through the repeater) and anomalies among them (new or restarted servers). */
  beacons: number;
  beaconAnomalies: number;
}

export type ChannelState = 'searching' | 'connecting' | 'connected' | 'closed';

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
  readonly deadline: number;
}

interface Op {
  readonly ch: Channel;
  readonly notify: boolean;
  readonly count: number;
  readonly resolve: (v: any) => void;
  readonly reject: (e: Error) => void;
  readonly deadline: number;
  readonly what: string;
}

interface Sub {
  readonly id: number;
  readonly ch: Channel;
  readonly spec: TypeSpec | undefined;
  readonly requestedCount: number | undefined;
  readonly mask: number;
  readonly subscriber: Subscriber<CaValue>;
  /** Type and count of the EVENT_ADD on the current circuit (undefined while not registered). */
  type: number | undefined;
  count: number;
}

const now = (): number => performance.now();

/** The socket side of one circuit. */
class CircuitShell {
  readonly circuit: ClientCircuit;
  readonly channels = new Set<Channel>();
  socket: net.Socket;
  connected = false;
  dead = false;
  lastRecv = now();
  echoSentAt: number | undefined;
  private flushScheduled = false;

  constructor(
    readonly key: string,
    readonly host: string,
    readonly port: number,
    client: CaClient,
    cfg: ClientConfig,
    onMessage: (shell: CircuitShell, msg: CircuitMessage) => void,
    onClose: (shell: CircuitShell) => void,
    log: Logger,
    private readonly stats: ClientStats,
  ) {
    this.circuit = new ClientCircuit((m) => onMessage(this, m), {
      priority: cfg.priority,
      user: cfg.user,
      host: cfg.host,
      maxPayload: cfg.maxArrayBytes + 64,
    });
    const socket = net.connect({ host, port, noDelay: true });
    this.socket = socket;
    socket.on('connect', () => {
      this.connected = true;
      this.lastRecv = now();
      this.flush();
    });
    socket.on('data', (chunk) => {
      this.lastRecv = now();
      this.echoSentAt = undefined;
      try {
        this.circuit.recv(chunk);
      } catch (e) {
        log.error(`circuit ${key}: ${(e as Error).stack ?? e}`);
        this.destroy();
      }
    });
    socket.on('error', (e) => log.debug(`circuit ${key}: ${e.message}`));
    socket.on('close', () => {
      this.dead = true;
      this.connected = false;
      onClose(this);
    });
    void client;
  }

  /** Write what the circuit queued, once per tick however many requests were made. */
  scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  flush(): void {
    if (!this.connected || this.dead) return;
    const out = this.circuit.takeOutput();
    if (!out) return;
    this.stats.writes++;
    this.stats.bytesOut += out.length;
    this.socket.write(out);
  }

  destroy(): void {
    this.dead = true;
    this.socket.destroy();
  }
}

/**
 * A Channel Access client: UDP name resolution (batched searches with back-off, beacons via the repeater),
 * one TCP circuit per server, channels with get/put/put-callback/monitor, an ECHO watchdog and
 * reconnection. Protocol decisions live in ClientCircuit, SearchSchedule and BeaconTracker; this class
 * owns the sockets and timers, and `close()` releases all of them.
 */
export class CaClient {
  readonly config: ClientConfig;
  /** Asynchronous errors with no request to fail (ERROR replies to plain WRITE, bad monitors …). */
  readonly errors = new Observable<CaError>((s) => {
    this.errorSubscribers.add(s);
    return () => this.errorSubscribers.delete(s);
  });
  private readonly errorSubscribers = new Set<Subscriber<CaError>>();
  private readonly log: Logger;
  private readonly destinations: AddrPort[];
  private readonly search: SearchSchedule;
  private readonly beacons = new BeaconTracker();
  private readonly channelsByCid = new Map<number, Channel>();
  private readonly circuits = new Map<string, CircuitShell>();
  private readonly ops = new Map<number, Op>();
  private readonly subs = new Map<number, Sub>();
  private readonly waiting = new Set<Channel>();
  private readonly cache = new Map<string, Channel>();
  private udp: dgram.Socket | undefined;
  private udpReady: Promise<void> | undefined;
  private udpBound = false;
  private searchTimer: NodeJS.Timeout | undefined;
  private searchImmediate: NodeJS.Immediate | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private watchdogTimer: NodeJS.Timeout | undefined;
  private registerTimer: NodeJS.Timeout | undefined;
  private registerTries = 0;
  private nextCid = 1;
  private nextIoid = 1;
  private nextSubid = 1;
  private closed = false;
  readonly stats: ClientStats = { writes: 0, bytesOut: 0, searchDatagrams: 0, beacons: 0, beaconAnomalies: 0 };
  /** The repeater confirmed our registration: beacons will reach us. */
  repeaterConfirmed = false;

  constructor(opts: ClientOptions & { readonly log?: Logger } = {}) {
    this.config = clientConfig(opts);
    this.log = opts.log ?? getLogger('beamtwin.ca.client');
    this.destinations = searchDestinations(this.config);
    this.search = new SearchSchedule({ maxIntervalMs: this.config.maxSearchPeriod * 1000 });
  }

  /** Channels currently known (open). */
  get channelCount(): number {
    return this.channelsByCid.size;
  }
  get circuitCount(): number {
    return this.circuits.size;
  }

  /** Create a channel; it searches at once. Await `ch.connected()` before relying on its metadata. */
  channel(name: string): Channel {
    if (this.closed) throw new CaError(ECA.DISCONN, 'client is closed', name);
    const cid = this.nextCid;
    this.nextCid = (this.nextCid + 1) >>> 0 || 1;
    const ch = new Channel(this, name, cid);
    this.channelsByCid.set(cid, ch);
    this.startSearch(ch, now());
    return ch;
  }

  /** A shared channel per name, for one-off operations (get/put by name). */
  cachedChannel(name: string): Channel {
    let ch = this.cache.get(name);
    if (!ch || ch.state === 'closed') {
      ch = this.channel(name);
      this.cache.set(name, ch);
    }
    return ch;
  }

  get(name: string | Channel, opts?: GetOptions): Promise<CaValue> {
    return (typeof name === 'string' ? this.cachedChannel(name) : name).get(opts);
  }
  put(name: string | Channel, value: PutValue, opts?: PutOptions): Promise<void> {
    return (typeof name === 'string' ? this.cachedChannel(name) : name).put(value, opts);
  }
  monitor(name: string | Channel, opts?: MonitorOptions): Observable<CaValue> {
    return (typeof name === 'string' ? this.cachedChannel(name) : name).subscribe(opts);
  }

  /** Close every channel, circuit, socket and timer. Pending operations fail with ECA_DISCONN. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const ch of [...this.channelsByCid.values()]) this.closeChannel(ch, 'client closed');
    for (const s of this.errorSubscribers) s.complete();
    this.errorSubscribers.clear();
    clearTimeout(this.searchTimer);
    if (this.searchImmediate) clearImmediate(this.searchImmediate);
    clearInterval(this.sweepTimer);
    clearInterval(this.watchdogTimer);
    clearTimeout(this.registerTimer);
    this.searchTimer = this.sweepTimer = this.watchdogTimer = this.registerTimer = undefined;
    this.searchImmediate = undefined;
    const closing: Promise<void>[] = [];
    for (const shell of this.circuits.values()) {
      closing.push(new Promise((r) => (shell.socket.destroyed ? r() : shell.socket.once('close', () => r()))));
      shell.destroy();
    }
    this.circuits.clear();
    if (this.udp) {
      const udp = this.udp;
      this.udp = undefined;
      await this.udpReady?.catch(() => {});
      closing.push(new Promise((r) => udp.close(() => r())));
    }
    await Promise.all(closing);
  }

  // ---------------------------------------------------------------------------------------------
  // Name resolution
  // ---------------------------------------------------------------------------------------------

  private startSearch(ch: Channel, due: number): void {
    this.search.add(ch.cid, ch.name, due);
    this.ensureUdp();
    this.kickSearch();
  }

  private ensureUdp(): void {
    if (this.udp || this.closed) return;
    const udp = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 } as dgram.SocketOptions);
    this.udp = udp;
    udp.on('message', (msg, rinfo) => this.onDatagram(msg, rinfo));
    udp.on('error', (e) => this.log.debug(`UDP: ${e.message}`));
    this.udpReady = new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, () => {
        udp.off('error', reject);
        this.udpBound = true;
        try {
          udp.setBroadcast(true);
          udp.setRecvBufferSize(4 * 1024 * 1024);
        } catch {
          // not fatal: a smaller buffer only means more retries under load
        }
        resolve();
      });
    });
    this.udpReady.then(
      () => {
        this.registerWithRepeater();
        this.kickSearch();
      },
      (e: Error) => this.log.error(`cannot bind UDP socket: ${e.message}`),
    );
  }

  /** REPEATER_REGISTER to the local repeater until it confirms (libca tries for a while, then gives up). */
  private registerWithRepeater(): void {
    if (this.closed || !this.udp || this.repeaterConfirmed) return;
    if (this.registerTries++ >= 10) return;
    const w = new ByteWriter(16);
    writeRepeaterRegister(w, ipToInt('127.0.0.1'));
    this.udp.send(w.take(), this.config.repeaterPort, '127.0.0.1', (err) => {
      if (err) this.log.debug(`repeater register: ${err.message}`);
    });
    this.registerTimer = setTimeout(() => this.registerWithRepeater(), 1000);
  }

  private kickSearch(): void {
    if (this.closed || this.searchImmediate || !this.udp) return;
    this.searchImmediate = setImmediate(() => {
      this.searchImmediate = undefined;
      this.pollSearch();
    });
  }

  private pollSearch(): void {
    if (this.closed || !this.udp) return;
    clearTimeout(this.searchTimer);
    this.searchTimer = undefined;
    if (!this.udpBound) return; // udpReady kicks again once bound
    const t = now();
    const { datagrams, nextDue } = this.search.poll(t);
    for (const d of datagrams) {
      this.stats.searchDatagrams++;
      for (const dest of this.destinations) {
        this.udp.send(d, dest.port, dest.host, (err) => {
          if (err) this.log.debug(`search to ${dest.host}:${dest.port}: ${err.message}`);
        });
      }
    }
    if (nextDue === undefined) return;
    if (nextDue <= t) this.kickSearch();
    else this.searchTimer = setTimeout(() => this.pollSearch(), Math.max(1, nextDue - t));
  }

  private onDatagram(buf: Buffer, rinfo: dgram.RemoteInfo): void {
    frameDatagram(buf, (m) => {
      const msg = decodeServerMessage(m);
      switch (msg.kind) {
        case 'SEARCH':
          this.onSearchReply(msg, rinfo);
          return;
        case 'RSRV_IS_UP':
          this.onBeacon(msg, rinfo);
          return;
        case 'REPEATER_CONFIRM':
          this.repeaterConfirmed = true;
          clearTimeout(this.registerTimer);
          this.registerTimer = undefined;
          return;
        default:
          return; // VERSION heads every reply datagram; NOT_FOUND only if we asked (we do not)
      }
    });
  }

  private onSearchReply(msg: { port: number; serverAddr: number; cid: number; minor: number }, rinfo: dgram.RemoteInfo): void {
    const ch = this.channelsByCid.get(msg.cid);
    if (!ch || !this.search.remove(msg.cid)) return; // a late or duplicate answer
    const host = msg.serverAddr !== INADDR_NONE && msg.serverAddr !== 0 ? intToIp(msg.serverAddr) : rinfo.address;
    // Without the minor-version payload (CA < 4.8 servers) the port field means nothing: use the default.
    const port = msg.minor > 0 ? msg.port : this.config.serverPort;
    const shell = this.circuitFor(host, port);
    ch._attach(shell);
    shell.channels.add(ch);
    shell.circuit.createChannel(ch.name, ch.cid);
    shell.scheduleFlush();
  }

  private onBeacon(msg: { port: number; beaconId: number; serverAddr: number }, rinfo: dgram.RemoteInfo): void {
    const addr = msg.serverAddr !== 0 && msg.serverAddr !== INADDR_NONE ? intToIp(msg.serverAddr) : rinfo.address;
    const key = `${addr}:${msg.port}`;
    const t = now();
    const shell = this.circuits.get(key);
    if (shell) shell.lastRecv = Math.max(shell.lastRecv, t); // libca: a beacon proves the server alive
    this.beacons.expire(t, this.config.maxSearchPeriod * 2000);
    this.stats.beacons++;
    const anomaly = this.beacons.observe(key, msg.beaconId, t);
    if (anomaly) this.stats.beaconAnomalies++;
    if (anomaly && this.search.size > 0) {
      this.log.debug(`beacon anomaly from ${key}: searching again`);
      this.search.reset(t);
      this.kickSearch();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Circuits
  // ---------------------------------------------------------------------------------------------

  private circuitFor(host: string, port: number): CircuitShell {
    const key = `${host}:${port}`;
    let shell = this.circuits.get(key);
    if (shell && !shell.dead) return shell;
    shell = new CircuitShell(
      key,
      host,
      port,
      this,
      this.config,
      (s, m) => this.onCircuitMessage(s, m),
      (s) => this.onCircuitClosed(s),
      this.log,
      this.stats,
    );
    this.circuits.set(key, shell);
    this.ensureWatchdog();
    return shell;
  }

  private ensureWatchdog(): void {
    if (this.watchdogTimer || this.closed) return;
    const tmo = this.config.connTmo * 1000;
    const period = Math.max(50, Math.min(1000, tmo / 4));
    this.watchdogTimer = setInterval(() => this.watchdog(), period);
  }

  /** libca's circuit watchdog: silence for EPICS_CA_CONN_TMO → ECHO; no answer in time → drop the circuit. */
  private watchdog(): void {
    const t = now();
    const tmo = this.config.connTmo * 1000;
    const echoTmo = Math.min(5000, tmo);
    for (const shell of this.circuits.values()) {
      if (!shell.connected) continue;
      if (shell.echoSentAt !== undefined) {
        if (t - shell.echoSentAt > echoTmo) {
          this.log.warn(`circuit ${shell.key} unresponsive for ${((t - shell.lastRecv) / 1000).toFixed(1)} s; disconnecting`);
          shell.destroy();
        }
      } else if (t - shell.lastRecv > tmo) {
        shell.echoSentAt = t;
        shell.circuit.echo();
        shell.flush();
      }
    }
    this.beacons.expire(t, this.config.maxSearchPeriod * 2000);
    if (this.circuits.size === 0) {
      clearInterval(this.watchdogTimer);
      this.watchdogTimer = undefined;
    }
  }

  private onCircuitClosed(shell: CircuitShell): void {
    if (this.circuits.get(shell.key) === shell) this.circuits.delete(shell.key);
    if (this.closed) return;
    this.log.debug(`circuit ${shell.key} closed; ${shell.channels.size} channels searching again`);
    const t = now();
    const lost = new Set(shell.channels);
    shell.channels.clear();
    this.failOps((op) => lost.has(op.ch), ECA.DISCONN, 'disconnected');
    for (const ch of lost) this.disconnect(ch, t, 0, false);
  }

  /** A channel lost its server: fail its requests, keep its monitors, search again. */
  private disconnect(ch: Channel, t: number, delay = 0, failOps = true): void {
    if (ch.state === 'closed') return;
    const shell = ch._shell;
    shell?.channels.delete(ch);
    if (failOps) this.failOps((op) => op.ch === ch, ECA.DISCONN, 'disconnected');
    for (const sub of ch._subs) sub.type = undefined;
    const was = ch.state;
    ch._detach();
    if (was === 'connected') ch._connection.next(false);
    this.startSearch(ch, t + delay);
  }

  private failOps(match: (op: Op) => boolean, status: number, text: string): void {
    for (const [ioid, op] of this.ops) {
      if (!match(op)) continue;
      this.ops.delete(ioid);
      op.reject(new CaError(status, `${op.what} ${text}`, op.ch.name));
    }
  }

  private onCircuitMessage(shell: CircuitShell, msg: CircuitMessage): void {
    switch (msg.kind) {
      case 'READ_NOTIFY': {
        const op = this.ops.get(msg.ioid);
        if (!op) return;
        this.ops.delete(msg.ioid);
        if (msg.status === ECA.NORMAL && msg.dbr) op.resolve(toCaValue(op.ch.name, msg.dbr, msg.count, op.ch.count <= 1));
        else op.reject(new CaError(msg.dbr ? msg.status : ECA.BADTYPE, `get failed: ${ecaMessage[msg.status] ?? msg.status}`, op.ch.name));
        return;
      }
      case 'WRITE_NOTIFY': {
        const op = this.ops.get(msg.ioid);
        if (!op) return;
        this.ops.delete(msg.ioid);
        if (msg.status === ECA.NORMAL) op.resolve(undefined);
        else op.reject(new CaError(msg.status, `put failed: ${ecaMessage[msg.status] ?? msg.status}`, op.ch.name));
        return;
      }
      case 'EVENT_ADD': {
        const sub = this.subs.get(msg.subid);
        if (!sub || !msg.dbr) return; // the empty EVENT_ADD confirming EVENT_CANCEL
        if (msg.status === ECA.NORMAL) sub.subscriber.next(toCaValue(sub.ch.name, msg.dbr, msg.count, sub.ch.count <= 1));
        else this.log.debug(`${sub.ch.name}: monitor update with status ${ecaMessage[msg.status] ?? msg.status}`);
        return;
      }
      case 'ACCESS_RIGHTS': {
        const ch = this.channelsByCid.get(msg.cid);
        if (ch && ch._shell === shell) ch._rights = msg.rights;
        return;
      }
      case 'CREATE_CHAN': {
        const ch = this.channelsByCid.get(msg.cid);
        if (!ch || ch._shell !== shell || ch.state !== 'connecting') return;
        ch._connected(msg.sid, msg.nativeType, msg.count, shell.circuit.serverMinor || CA_MINOR_VERSION);
        for (const sub of ch._subs) this.sendEventAdd(sub);
        shell.scheduleFlush();
        return;
      }
      case 'CREATE_CH_FAIL': {
        const ch = this.channelsByCid.get(msg.cid);
        if (!ch || ch._shell !== shell) return;
        this.log.debug(`${ch.name}: CREATE_CHAN refused by ${shell.key}; retrying later`);
        this.disconnect(ch, now(), 1000);
        return;
      }
      case 'SERVER_DISCONN': {
        const ch = this.channelsByCid.get(msg.cid);
        if (ch && ch._shell === shell) this.disconnect(ch, now());
        return;
      }
      case 'ERROR': {
        const req = msg.request;
        const err = (name?: string) => new CaError(msg.status, msg.text || undefined, name);
        if (req && (req.command === Command.READ_NOTIFY || req.command === Command.WRITE_NOTIFY)) {
          const op = this.ops.get(req.p2);
          if (op) {
            this.ops.delete(req.p2);
            op.reject(err(op.ch.name));
            return;
          }
        }
        if (req && req.command === Command.EVENT_ADD) {
          const sub = this.subs.get(req.p2);
          if (sub) {
            this.dropSub(sub, false);
            sub.subscriber.error(err(sub.ch.name));
            return;
          }
        }
        const ch = this.channelsByCid.get(msg.cid);
        this.emitError(err(ch?.name));
        return;
      }
      case 'TOO_LARGE': {
        const req = msg.request;
        const op = this.ops.get(req.p2);
        if (req.command === Command.READ_NOTIFY && op) {
          this.ops.delete(req.p2);
          op.reject(new CaError(ECA.TOLARGE, 'reply exceeds EPICS_CA_MAX_ARRAY_BYTES', op.ch.name));
        } else if (req.command === Command.EVENT_ADD) {
          const sub = this.subs.get(req.p2);
          if (sub) this.log.warn(`${sub.ch.name}: monitor update exceeds EPICS_CA_MAX_ARRAY_BYTES; dropped`);
        }
        return;
      }
      default:
        return; // VERSION, ECHO, CLEAR_CHANNEL confirmations, …
    }
  }

  private emitError(e: CaError): void {
    if (this.errorSubscribers.size === 0) this.log.warn(e.message);
    for (const s of this.errorSubscribers) s.next(e);
  }

  // ---------------------------------------------------------------------------------------------
  // Operations (called by Channel)
  // ---------------------------------------------------------------------------------------------

  /** @internal */
  _get(ch: Channel, opts: GetOptions | undefined): Promise<CaValue> {
    const shell = ch._shell!;
    let type: number;
    try {
      type = resolveType(opts?.type, ch.nativeType!);
    } catch (e) {
      return Promise.reject(e);
    }
    const count = opts?.count ?? (ch.serverMinor >= 13 ? 0 : ch.count);
    const ioid = this.allocIoid();
    const deadline = now() + (opts?.timeout ?? this.config.timeout) * 1000;
    const p = new Promise<CaValue>((resolve, reject) => {
      this.ops.set(ioid, { ch, notify: true, count, resolve, reject, deadline, what: 'get' });
    });
    shell.circuit.readNotify(ch._sid, type, count, ioid);
    shell.scheduleFlush();
    this.ensureSweep();
    return p;
  }

  /** @internal */
  _put(ch: Channel, value: PutValue, opts: PutOptions | undefined): Promise<void> {
    const shell = ch._shell!;
    let payload: ReturnType<typeof putPayload>;
    try {
      payload = putPayload(value, ch.nativeType!, opts?.type);
    } catch (e) {
      return Promise.reject(e instanceof CaError ? new CaError(e.status, undefined, ch.name) : e);
    }
    if (payload.values.length === 0 || payload.values.length > ch.count) {
      return Promise.reject(new CaError(ECA.BADCOUNT, `cannot write ${payload.values.length} elements (max ${ch.count})`, ch.name));
    }
    if (!(ch._rights & 2)) return Promise.reject(new CaError(ECA.NOWTACCESS, undefined, ch.name));
    const wait = opts?.wait ?? false;
    const ioid = wait ? this.allocIoid() : 0;
    try {
      shell.circuit.write(ch._sid, payload.type, payload.values, wait, ioid);
    } catch (e) {
      return Promise.reject(new CaError(ECA.BADTYPE, (e as Error).message, ch.name));
    }
    shell.scheduleFlush();
    if (!wait) return Promise.resolve();
    const deadline = now() + (opts?.timeout ?? this.config.timeout) * 1000;
    const p = new Promise<void>((resolve, reject) => {
      this.ops.set(ioid, { ch, notify: true, count: payload.values.length, resolve, reject, deadline, what: 'put' });
    });
    this.ensureSweep();
    return p;
  }

  /** @internal */
  _subscribe(ch: Channel, opts: MonitorOptions | undefined): Observable<CaValue> {
    return new Observable<CaValue>((subscriber) => {
      if (ch.state === 'closed') {
        subscriber.error(new CaError(ECA.BADCHID, 'channel is closed', ch.name));
        return;
      }
      const id = this.nextSubid;
      this.nextSubid = (this.nextSubid + 1) >>> 0 || 1;
      const sub: Sub = {
        id,
        ch,
        spec: opts?.type,
        requestedCount: opts?.count,
        mask: opts?.mask ?? DBE.VALUE | DBE.ALARM,
        subscriber,
        type: undefined,
        count: 0,
      };
      this.subs.set(id, sub);
      ch._subs.add(sub);
      if (ch.state === 'connected') {
        this.sendEventAdd(sub);
        ch._shell!.scheduleFlush();
      }
      return () => this.dropSub(sub, true);
    });
  }

  private sendEventAdd(sub: Sub): void {
    const ch = sub.ch;
    let type: number;
    try {
      type = resolveType(sub.spec, ch.nativeType!);
    } catch (e) {
      this.dropSub(sub, false);
      sub.subscriber.error(e);
      return;
    }
    sub.type = type;
    sub.count = sub.requestedCount ?? (ch.serverMinor >= 13 ? 0 : ch.count);
    ch._shell!.circuit.eventAdd(ch._sid, type, sub.count, sub.id, sub.mask);
  }

  private dropSub(sub: Sub, cancelOnWire: boolean): void {
    if (!this.subs.delete(sub.id)) return;
    sub.ch._subs.delete(sub);
    const ch = sub.ch;
    if (cancelOnWire && sub.type !== undefined && ch.state === 'connected' && !this.closed) {
      ch._shell!.circuit.eventCancel(ch._sid, sub.type, sub.count, sub.id);
      ch._shell!.scheduleFlush();
    }
  }

  /** @internal */
  _waitConnected(ch: Channel, timeout: number | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      ch._waiters.push({ resolve, reject, deadline: now() + (timeout ?? this.config.timeout) * 1000 });
      this.waiting.add(ch);
      this.ensureSweep();
    });
  }

  /** @internal */
  closeChannel(ch: Channel, why = 'channel closed'): void {
    if (ch.state === 'closed') return;
    this.search.remove(ch.cid);
    this.channelsByCid.delete(ch.cid);
    if (this.cache.get(ch.name) === ch) this.cache.delete(ch.name);
    this.failOps((op) => op.ch === ch, ECA.DISCONN, why);
    for (const sub of [...ch._subs]) {
      this.dropSub(sub, false);
      sub.subscriber.complete();
    }
    const shell = ch._shell;
    if (shell) {
      shell.channels.delete(ch);
      if (ch.state === 'connected' && !this.closed) {
        shell.circuit.clearChannel(ch._sid, ch.cid);
        shell.scheduleFlush();
      }
    }
    const wasConnected = ch.state === 'connected';
    ch._close();
    this.waiting.delete(ch);
    for (const w of ch._waiters.splice(0)) w.reject(new CaError(ECA.DISCONN, why, ch.name));
    if (wasConnected) ch._connection.next(false);
    ch._connection.complete();
  }

  /** @internal */
  _connectedNotify(ch: Channel): void {
    this.waiting.delete(ch);
    for (const w of ch._waiters.splice(0)) w.resolve();
  }

  private allocIoid(): number {
    const id = this.nextIoid;
    this.nextIoid = (this.nextIoid + 1) >>> 0 || 1;
    return id;
  }

  /** One coarse timer enforces every deadline (a timer per request would cost more than the request). */
  private ensureSweep(): void {
    if (this.sweepTimer || this.closed) return;
    this.sweepTimer = setInterval(() => this.sweep(), 20);
  }

  private sweep(): void {
    const t = now();
    for (const [ioid, op] of this.ops) {
      if (op.deadline > t) continue;
      this.ops.delete(ioid);
      op.reject(new CaError(ECA.TIMEOUT, `${op.what} timed out`, op.ch.name));
    }
    for (const ch of this.waiting) {
      if (!ch._waiters.some((w) => w.deadline <= t)) continue;
      const keep: Waiter[] = [];
      for (const w of ch._waiters) {
        if (w.deadline > t) keep.push(w);
        else w.reject(new CaError(ECA.TIMEOUT, `channel connect timed out (${ch.state === 'searching' ? 'not found' : ch.state})`, ch.name));
      }
      ch._waiters = keep;
      if (keep.length === 0) this.waiting.delete(ch);
    }
    if (this.ops.size === 0 && this.waiting.size === 0) {
      clearInterval(this.sweepTimer);
      this.sweepTimer = undefined;
    }
  }
}

/** One named channel. Operations wait for the connection (within their timeout) when issued before it. */
export class Channel {
  /** @internal */ _shell: CircuitShell | undefined;
  /** @internal */ _sid = 0;
  /** @internal */ _rights = 0;
  /** @internal */ _waiters: Waiter[] = [];
  /** @internal */ readonly _subs = new Set<Sub>();
  /** @internal */ readonly _connection = new BehaviorSubject<boolean>(false);
  private _state: ChannelState = 'searching';
  private _nativeType: number | undefined;
  private _count = 0;
  private _serverMinor = 0;
  private _host: string | undefined;

  constructor(
    private readonly client: CaClient,
    readonly name: string,
    readonly cid: number,
  ) {}

  get state(): ChannelState {
    return this._state;
  }
  get isConnected(): boolean {
    return this._state === 'connected';
  }
  /** Native DBR base type (0–6) once connected. */
  get nativeType(): number | undefined {
    return this._nativeType;
  }
  /** Native element count once connected. */
  get count(): number {
    return this._count;
  }
  get serverMinor(): number {
    return this._serverMinor;
  }
  /** "ip:port" of the serving circuit, once connected (kept while reconnecting). */
  get host(): string | undefined {
    return this._host;
  }
  get readAccess(): boolean {
    return (this._rights & 1) !== 0;
  }
  get writeAccess(): boolean {
    return (this._rights & 2) !== 0;
  }
  /** true/false on every connect/disconnect; completes when the channel is closed. */
  get connection$(): Observable<boolean> {
    return this._connection.asObservable();
  }

  /** Resolves once connected; rejects with CaError(ECA_TIMEOUT) after `timeout` seconds. */
  async connected(timeout?: number): Promise<this> {
    if (this._state === 'connected') return this;
    if (this._state === 'closed') throw new CaError(ECA.BADCHID, 'channel is closed', this.name);
    await this.client._waitConnected(this, timeout);
    return this;
  }

  get(opts?: GetOptions): Promise<CaValue> {
    if (this._state === 'connected') return this.client._get(this, opts);
    return this.connected(opts?.timeout).then(() => this.client._get(this, opts));
  }

  put(value: PutValue, opts?: PutOptions): Promise<void> {
    if (this._state === 'connected') return this.client._put(this, value, opts);
    return this.connected(opts?.timeout).then(() => this.client._put(this, value, opts));
  }

  /**
   * Monitor updates (EVENT_ADD on subscribe, EVENT_CANCEL on unsubscribe). Survives disconnects: the
   * subscription is made again when the channel reconnects. Completes when the channel closes.
   */
  subscribe(opts?: MonitorOptions): Observable<CaValue> {
    return this.client._subscribe(this, opts);
  }

  close(): void {
    this.client.closeChannel(this);
  }

  /** @internal */
  _attach(shell: CircuitShell): void {
    this._shell = shell;
    this._state = 'connecting';
    this._rights = 0;
  }
  /** @internal */
  _connected(sid: number, nativeType: number, count: number, serverMinor: number): void {
    this._sid = sid;
    this._nativeType = nativeType;
    this._count = count;
    this._serverMinor = serverMinor;
    this._host = this._shell?.key;
    this._state = 'connected';
    this.client._connectedNotify(this);
    this._connection.next(true);
  }
  /** @internal */
  _detach(): void {
    this._shell = undefined;
    this._sid = 0;
    this._state = 'searching';
  }
  /** @internal */
  _close(): void {
    this._shell = undefined;
    this._state = 'closed';
  }
}
