import dgram from 'node:dgram';
import net from 'node:net';
import { createRequire } from 'node:module';
import type { BehaviorSubject, Observable, Subscriber } from 'rxjs';
import { getLogger, type Logger } from '../../log.js';
import type { AddrPort } from '../config.js';
import { ECA } from '../protocol/constants.js';
import type { ChannelState } from './channel-state.js';
import { clientConfig, searchDestinations, type ClientConfig, type ClientOptions } from './client-config.js';
import { ChannelRecord, ClientContext, type ClientStats, type ContextIo, type GetOptions, type MonitorOptions, type PutOptions, type Reply } from './context.js';
import { CaError } from './errors.js';
import type { CaValue, PutValue } from './values.js';

export type { ChannelState } from './channel-state.js';
export type { ClientStats, GetOptions, MonitorOptions, PutOptions } from './context.js';

// rxjs loads on first use (a monitor, connection$, errors), and from its own two files, not its index:
// a caget/cainfo-style command never pays for it, the others ≈15 ms instead of the index's ≈70 ms.
const require = createRequire(import.meta.url);
let rxjs: { Observable: typeof Observable; BehaviorSubject: typeof BehaviorSubject } | undefined;
function rx(): NonNullable<typeof rxjs> {
  return (rxjs ??= {
    Observable: (require('rxjs/internal/Observable') as typeof import('rxjs/internal/Observable')).Observable,
    BehaviorSubject: (require('rxjs/internal/BehaviorSubject') as typeof import('rxjs/internal/BehaviorSubject')).BehaviorSubject,
  });
}

/** The socket of one circuit. */
interface CircuitSocket {
  readonly socket: net.Socket;
  connected: boolean;
  flushScheduled: boolean;
}

/** The shell's clock: monotonic milliseconds (what the core measures deadlines in). */
const now = (): number => performance.now();
/** Node timers take at most 2^31-1 ms. */
const MAX_TIMER_MS = 0x7fffffff;

/**
 * A Channel Access client: UDP name resolution (batched searches with back-off, beacons via the repeater),
 * one TCP circuit per server, channels with get/put/put-callback/monitor, an ECHO watchdog and
 * reconnection. Every protocol decision and every deadline lives in the sans-I/O ClientContext; this
 * class owns the sockets and the one timer that wakes the context, and `close()` releases all of them.
 */
export class CaClient {
  readonly config: ClientConfig;
  /** Asynchronous errors with no request to fail (ERROR replies to plain WRITE, bad monitors …). */
  get errors(): Observable<CaError> {
    return (this.errors$ ??= new (rx().Observable)<CaError>((s) => {
      this.errorSubscribers.add(s);
      return () => this.errorSubscribers.delete(s);
    }));
  }
  private errors$?: Observable<CaError>;
  private readonly errorSubscribers = new Set<Subscriber<CaError>>();
  private readonly log: Logger;
  private readonly destinations: AddrPort[];
  private readonly core: ClientContext;
  private readonly sockets = new Map<number, CircuitSocket>();
  private readonly channelsByCid = new Map<number, Channel>();
  private readonly cache = new Map<string, Channel>();
  private udp: dgram.Socket | undefined;
  private udpReady: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  /** When the armed timer (or immediate) fires; undefined when none is armed. */
  private timerDue: number | undefined;
  private closed = false;

  constructor(opts: ClientOptions & { readonly log?: Logger } = {}) {
    this.config = clientConfig(opts);
    this.log = opts.log ?? getLogger('beamtwin.ca.client');
    this.destinations = searchDestinations(this.config);
    this.core = new ClientContext({ config: this.config, io: this.io(), now, log: this.log });
  }

  /** Counters for tests and benchmarks. */
  get stats(): ClientStats {
    return this.core.stats;
  }
  /** The repeater confirmed our registration: beacons will reach us. */
  get repeaterConfirmed(): boolean {
    return this.core.repeaterConfirmed;
  }
  /** Channels currently known (open). */
  get channelCount(): number {
    return this.core.channelCount;
  }
  get circuitCount(): number {
    return this.core.circuitCount;
  }

  /** Create a channel; it searches at once. Await `ch.connected()` before relying on its metadata. */
  channel(name: string): Channel {
    if (this.closed) throw new CaError(ECA.DISCONN, 'client is closed', name);
    const ch = new Channel(this, this.core.createChannel(name));
    this.channelsByCid.set(ch.cid, ch);
    this.ensureUdp();
    this.schedule();
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
    const channels = [...this.channelsByCid.values()];
    this.core.close();
    for (const ch of channels) this.forget(ch);
    for (const s of this.errorSubscribers) s.complete();
    this.errorSubscribers.clear();
    this.disarm();
    const closing: Promise<void>[] = [];
    for (const { socket } of this.sockets.values()) {
      closing.push(new Promise((r) => (socket.destroyed ? r() : socket.once('close', () => r()))));
      socket.destroy();
    }
    this.sockets.clear();
    if (this.udp) {
      const udp = this.udp;
      this.udp = undefined;
      await this.udpReady?.catch(() => {});
      closing.push(new Promise((r) => udp.close(() => r())));
    }
    await Promise.all(closing);
  }

  // ---------------------------------------------------------------------------------------------
  // Called by Channel
  // ---------------------------------------------------------------------------------------------

  /** @internal Run a request on the core and wake it in time for whatever deadline it added. */
  _request<T>(start: (reply: Reply<T>) => void): Promise<T> {
    const p = new Promise<T>((resolve, reject) => start({ resolve, reject }));
    this.schedule();
    return p;
  }

  /** @internal */
  _subscribe(ch: Channel, opts: MonitorOptions | undefined): Observable<CaValue> {
    return new (rx().Observable)<CaValue>((subscriber) => {
      const id = this.core.subscribe(ch._rec, opts, subscriber);
      return () => {
        if (id !== undefined) this.core.unsubscribe(id);
      };
    });
  }

  /** @internal */
  closeChannel(ch: Channel, why = 'channel closed'): void {
    if (ch.state === 'closed') return;
    this.core.closeChannel(ch._rec, why);
    this.forget(ch);
  }

  /** @internal */
  get _core(): ClientContext {
    return this.core;
  }

  private forget(ch: Channel): void {
    this.channelsByCid.delete(ch.cid);
    if (this.cache.get(ch.name) === ch) this.cache.delete(ch.name);
    ch._closed();
  }

  // ---------------------------------------------------------------------------------------------
  // The core's requests
  // ---------------------------------------------------------------------------------------------

  private io(): ContextIo {
    return {
      open: (id, host, port) => this.openCircuit(id, host, port),
      flush: (id) => this.scheduleFlush(id),
      drop: (id) => {
        this.sockets.get(id)?.socket.destroy();
        this.sockets.delete(id);
      },
      search: (datagrams) => {
        for (const d of datagrams) {
          for (const dest of this.destinations) {
            this.udp?.send(d, dest.port, dest.host, (err) => {
              if (err) this.log.debug(`search to ${dest.host}:${dest.port}: ${err.message}`);
            });
          }
        }
      },
      register: (datagram) =>
        this.udp?.send(datagram, this.config.repeaterPort, '127.0.0.1', (err) => {
          if (err) this.log.debug(`repeater register: ${err.message}`);
        }),
      connection: (cid, up) => this.channelsByCid.get(cid)?._connectionChanged(up),
      error: (e) => {
        if (this.errorSubscribers.size === 0) this.log.warn(e.message);
        for (const s of this.errorSubscribers) s.next(e);
      },
    };
  }

  private openCircuit(id: number, host: string, port: number): void {
    const socket = net.connect({ host, port, noDelay: true });
    const cs: CircuitSocket = { socket, connected: false, flushScheduled: false };
    this.sockets.set(id, cs);
    const key = `${host}:${port}`;
    socket.on('connect', () => {
      cs.connected = true;
      this.core.circuitUp(id);
      this.schedule();
    });
    socket.on('data', (chunk) => {
      this.core.circuitData(id, chunk);
      this.schedule();
    });
    socket.on('error', (e) => this.log.debug(`circuit ${key}: ${e.message}`));
    socket.on('close', () => {
      cs.connected = false;
      if (this.sockets.get(id) === cs) this.sockets.delete(id);
      this.core.circuitClosed(id);
      this.schedule();
    });
  }

  /** Write what the circuit queued, once per tick however many requests were made. */
  private scheduleFlush(id: number): void {
    const cs = this.sockets.get(id);
    if (!cs || cs.flushScheduled) return;
    cs.flushScheduled = true;
    setImmediate(() => {
      cs.flushScheduled = false;
      if (!cs.connected || cs.socket.destroyed) return;
      const out = this.core.takeOutput(id);
      if (out) cs.socket.write(out);
    });
  }

  private ensureUdp(): void {
    if (this.udp || this.closed) return;
    const udp = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 } as dgram.SocketOptions);
    this.udp = udp;
    udp.on('message', (msg, rinfo) => {
      this.core.datagram(msg, rinfo.address);
      this.schedule();
    });
    udp.on('error', (e) => this.log.debug(`UDP: ${e.message}`));
    this.udpReady = new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, () => {
        udp.off('error', reject);
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
        if (this.closed) return;
        this.core.udpBound();
        this.schedule();
      },
      (e: Error) => this.log.error(`cannot bind UDP socket: ${e.message}`),
    );
  }

  // ---------------------------------------------------------------------------------------------
  // The one timer
  // ---------------------------------------------------------------------------------------------

  /** Arm the timer for the core's next deadline, unless one already fires earlier. */
  private schedule(): void {
    if (this.closed) return;
    const due = this.core.nextDeadline();
    if (due === undefined || (this.timerDue !== undefined && this.timerDue <= due)) return;
    this.disarm();
    this.timerDue = due;
    const wait = due - now();
    // Due now: run after this tick's I/O, so that channels created together share search datagrams.
    if (wait <= 0) this.immediate = setImmediate(() => this.fire());
    else this.timer = setTimeout(() => this.fire(), Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(wait))));
  }

  private fire(): void {
    this.timer = this.immediate = this.timerDue = undefined;
    this.core.tick();
    this.schedule();
  }

  private disarm(): void {
    clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = this.immediate = this.timerDue = undefined;
  }
}

/** One named channel. Operations wait for the connection (within their timeout) when issued before it. */
export class Channel {
  /** Made on the first connection$ (with the state then): a channel nobody watches needs no rxjs. */
  private connection?: BehaviorSubject<boolean>;
  private forgotten = false;
  readonly name: string;
  readonly cid: number;

  constructor(
    private readonly client: CaClient,
    /** @internal */ readonly _rec: ChannelRecord,
  ) {
    this.name = _rec.name;
    this.cid = _rec.cid;
  }

  get state(): ChannelState {
    return this._rec.state;
  }
  get isConnected(): boolean {
    return this._rec.state === 'connected';
  }
  /** Native DBR base type (0–6) once connected. */
  get nativeType(): number | undefined {
    return this._rec.nativeType;
  }
  /** Native element count once connected. */
  get count(): number {
    return this._rec.count;
  }
  get serverMinor(): number {
    return this._rec.serverMinor;
  }
  /** "ip:port" of the serving circuit, once connected (kept while reconnecting). */
  get host(): string | undefined {
    return this._rec.host;
  }
  get readAccess(): boolean {
    return (this._rec.rights & 1) !== 0;
  }
  get writeAccess(): boolean {
    return (this._rec.rights & 2) !== 0;
  }
  /** true/false on every connect/disconnect; completes when the channel is closed. */
  get connection$(): Observable<boolean> {
    if (!this.connection) {
      this.connection = new (rx().BehaviorSubject)<boolean>(this.isConnected);
      if (this.forgotten) this.connection.complete();
    }
    return this.connection.asObservable();
  }

  /** @internal */
  _connectionChanged(up: boolean): void {
    this.connection?.next(up);
  }

  /** @internal */
  _closed(): void {
    this.forgotten = true;
    this.connection?.complete();
  }

  /** Resolves once connected; rejects with CaError(ECA_TIMEOUT) after `timeout` seconds. */
  async connected(timeout?: number): Promise<this> {
    if (this.state === 'connected') return this;
    if (this.state === 'closed') throw new CaError(ECA.BADCHID, 'channel is closed', this.name);
    await this.client._request<void>((reply) => this.client._core.waitConnected(this._rec, timeout, reply));
    return this;
  }

  get(opts?: GetOptions): Promise<CaValue> {
    const get = () => this.client._request<CaValue>((reply) => this.client._core.get(this._rec, opts, reply));
    return this.state === 'connected' ? get() : this.connected(opts?.timeout).then(get);
  }

  put(value: PutValue, opts?: PutOptions): Promise<void> {
    const put = () => this.client._request<void>((reply) => this.client._core.put(this._rec, value, opts, reply));
    return this.state === 'connected' ? put() : this.connected(opts?.timeout).then(put);
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
}
