import type { Logger } from '../../log.js';
import { CA_MINOR_VERSION, Command, DBE, ECA, INADDR_NONE, ecaMessage } from '../protocol/constants.js';
import { frameDatagram } from '../protocol/framer.js';
import { decodeServerMessage, writeRepeaterRegister } from '../protocol/messages.js';
import { ByteWriter } from '../protocol/writer.js';
import { nextChannelState, type ChannelState, type ChannelTrigger } from './channel-state.js';
import { ClientCircuit, type CircuitMessage } from './circuit.js';
import { intToIp, ipToInt, type ClientConfig } from './client-config.js';
import { CaError } from './errors.js';
import { earliest, PendingRequests, type GetOptions, type MonitorObserver, type MonitorOptions, type PutOptions, type Reply } from './requests.js';
import { BeaconTracker, SearchSchedule } from './search.js';
import { putPayload, resolveType, toCaValue, type CaValue, type PutValue, type TypeSpec } from './values.js';

export type { GetOptions, MonitorObserver, MonitorOptions, PutOptions, Reply } from './requests.js';

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

/**
 * What the core asks of its shell. The core never touches a socket or a timer: it says which circuit to
 * open, write or drop and which datagrams to send, and reports connection changes; the shell schedules
 * `tick()` at `nextDeadline()`.
 */
export interface ContextIo {
  /** Open TCP circuit `id` to host:port; report back with circuitUp / circuitData / circuitClosed. */
  open(id: number, host: string, port: number): void;
  /** Circuit `id` has bytes queued: write `takeOutput(id)` (once per tick however often asked). */
  flush(id: number): void;
  /** Destroy circuit `id`'s socket: the core has already given up on it and forgotten it. */
  drop(id: number): void;
  /** Send each datagram to every search destination. */
  search(datagrams: readonly Buffer[]): void;
  /** Send this REPEATER_REGISTER to the local repeater. */
  register(datagram: Buffer): void;
  /** A channel connected (true) or lost its server (false). */
  connection(cid: number, up: boolean): void;
  /** An asynchronous error with no request to fail (ERROR replying to a plain WRITE …). */
  error(e: CaError): void;
}

interface Sub {
  readonly id: number;
  readonly ch: ChannelRecord;
  readonly spec: TypeSpec | undefined;
  readonly requestedCount: number | undefined;
  readonly mask: number;
  readonly observer: MonitorObserver;
  /** Type and count of the EVENT_ADD on the current circuit (undefined while not registered). */
  type: number | undefined;
  count: number;
}

/** One TCP circuit as the core sees it: the protocol state and the ECHO watchdog's clock. */
interface CircuitRecord {
  readonly id: number;
  /** "ip:port": channels of one server share a circuit. */
  readonly key: string;
  readonly proto: ClientCircuit;
  readonly channels: Set<ChannelRecord>;
  /** The shell reported the socket connected. */
  up: boolean;
  lastRecv: number;
  echoSentAt: number | undefined;
}

/** A channel's state in the core; the public Channel reads it. */
export class ChannelRecord {
  private _state: ChannelState = 'searching';
  /** @internal */ circuit: CircuitRecord | undefined;
  sid = 0;
  rights = 0;
  /** Native DBR base type once connected. */
  nativeType: number | undefined;
  count = 0;
  serverMinor = 0;
  /** "ip:port" of the serving circuit, kept while reconnecting. */
  host: string | undefined;
  /** @internal */ readonly subs = new Set<Sub>();

  constructor(
    readonly name: string,
    readonly cid: number,
  ) {}

  get state(): ChannelState {
    return this._state;
  }
  /** Move by the transition table; an unlisted move throws ChannelStateError. */
  move(trigger: ChannelTrigger): ChannelState {
    this._state = nextChannelState(this._state, trigger, this.name);
    return this._state;
  }
}

/** The part of ClientConfig the core uses. */
export type ContextConfig = Pick<ClientConfig, 'connTmo' | 'maxSearchPeriod' | 'serverPort' | 'timeout' | 'priority' | 'user' | 'host' | 'maxArrayBytes'>;

export interface ContextOptions {
  readonly config: ContextConfig;
  readonly io: ContextIo;
  /** Milliseconds, monotonic: the injected clock's `now` (the shell's wall clock, a test's virtual one). */
  readonly now: () => number;
  readonly log: Logger;
}

/** libca retries REPEATER_REGISTER this often until confirmed, and gives up after this many tries. */
const REGISTER_PERIOD_MS = 1000;
const REGISTER_TRIES = 10;
/** Longest wait for an ECHO reply before the circuit is declared dead (libca: min(5 s, CONN_TMO)). */
const ECHO_TMO_MS = 5000;

/**
 * The Channel Access client without I/O (caproto's Context/VirtualCircuit split): channels and their
 * state table, circuits, ioid and subscription-id matching, re-subscription on reconnect, the search
 * schedule, beacons, repeater registration and the ECHO watchdog. Inputs are decoded server bytes and
 * datagrams; time comes from the injected `now`; outputs go through `ContextIo` and the callbacks each
 * request carries. Everything timed is a deadline: the shell calls `tick()` once `nextDeadline()` passes.
 */
export class ClientContext {
  readonly stats: ClientStats = { writes: 0, bytesOut: 0, searchDatagrams: 0, beacons: 0, beaconAnomalies: 0 };
  private readonly cfg: ContextConfig;
  private readonly io: ContextIo;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly search: SearchSchedule;
  private readonly beacons = new BeaconTracker();
  private readonly channels = new Map<number, ChannelRecord>();
  private readonly circuitsByKey = new Map<string, CircuitRecord>();
  private readonly circuitsById = new Map<number, CircuitRecord>();
  private readonly pending = new PendingRequests<ChannelRecord>();
  private readonly subs = new Map<number, Sub>();
  private nextCid = 1;
  private nextSubid = 1;
  private nextCircuitId = 1;
  private closed = false;
  /** The UDP socket is bound: searches may go out. */
  private udpReady = false;
  /** Deadlines (ms). May be early (a request settled since), never late: an early tick only re-checks. */
  private searchDue: number | undefined;
  private registerDue: number | undefined;
  private registerTries = 0;
  /** The repeater confirmed our registration: beacons will reach us. */
  repeaterConfirmed = false;

  constructor(opts: ContextOptions) {
    this.cfg = opts.config;
    this.io = opts.io;
    this.now = opts.now;
    this.log = opts.log;
    this.search = new SearchSchedule({ maxIntervalMs: this.cfg.maxSearchPeriod * 1000 });
  }

  get channelCount(): number {
    return this.channels.size;
  }
  get circuitCount(): number {
    return this.circuitsByKey.size;
  }

  // ---------------------------------------------------------------------------------------------
  // Time
  // ---------------------------------------------------------------------------------------------

  /** When `tick()` next has work (ms, the injected clock's time), or undefined when nothing is timed. */
  nextDeadline(): number | undefined {
    if (this.closed) return undefined;
    let due = earliest(this.pending.due, this.registerDue);
    if (this.udpReady && this.search.size > 0) due = earliest(due, this.searchDue);
    for (const c of this.circuitsById.values()) due = earliest(due, this.watchdogDue(c));
    return due;
  }

  /** Do whatever is due: searches, repeater registration, request timeouts, the ECHO watchdog. */
  tick(): void {
    if (this.closed) return;
    const t = this.now();
    if (this.registerDue !== undefined && t >= this.registerDue) this.register();
    if (this.udpReady && this.searchDue !== undefined && t >= this.searchDue) this.pollSearch(t);
    this.pending.expire(t);
    this.watchdog(t);
    this.beacons.expire(t, this.cfg.maxSearchPeriod * 2000);
  }

  // ---------------------------------------------------------------------------------------------
  // Channels and requests
  // ---------------------------------------------------------------------------------------------

  /** A new channel, searching at once. */
  createChannel(name: string): ChannelRecord {
    if (this.closed) throw new CaError(ECA.DISCONN, 'client is closed', name);
    const cid = this.nextCid;
    this.nextCid = (this.nextCid + 1) >>> 0 || 1;
    const ch = new ChannelRecord(name, cid);
    this.channels.set(cid, ch);
    this.startSearch(ch, this.now());
    return ch;
  }

  /** Fail its requests, complete its monitors, CLEAR_CHANNEL if connected: the channel is gone for good. */
  closeChannel(ch: ChannelRecord, why = 'channel closed'): void {
    if (ch.state === 'closed') return;
    this.search.remove(ch.cid);
    this.channels.delete(ch.cid);
    this.pending.fail((c) => c === ch, ECA.DISCONN, why);
    for (const sub of [...ch.subs]) {
      this.dropSub(sub, false);
      sub.observer.complete();
    }
    const wasConnected = ch.state === 'connected';
    const c = ch.circuit;
    if (c) {
      c.channels.delete(ch);
      if (wasConnected && !this.closed) {
        c.proto.clearChannel(ch.sid, ch.cid);
        this.io.flush(c.id);
      }
    }
    ch.move('close');
    ch.circuit = undefined;
    this.pending.abandon(ch, new CaError(ECA.DISCONN, why, ch.name));
    if (wasConnected) this.io.connection(ch.cid, false);
  }

  /** Resolve `reply` when the channel connects; reject with ECA_TIMEOUT after `timeout` seconds. */
  waitConnected(ch: ChannelRecord, timeout: number | undefined, reply: Reply<void>): void {
    if (ch.state === 'connected') return reply.resolve();
    if (ch.state === 'closed') return reply.reject(new CaError(ECA.BADCHID, 'channel is closed', ch.name));
    this.pending.waitConnected(ch, this.deadline(timeout), reply);
  }

  /** READ_NOTIFY; the value (or the error) comes back through `reply`. */
  get(ch: ChannelRecord, opts: GetOptions | undefined, reply: Reply<CaValue>): void {
    const c = this.circuitOf(ch, 'get', reply);
    if (!c) return;
    let type: number;
    try {
      type = resolveType(opts?.type, ch.nativeType!);
    } catch (e) {
      return reply.reject(e as Error);
    }
    const count = opts?.count ?? (ch.serverMinor >= 13 ? 0 : ch.count);
    const ioid = this.addOp(ch, 'get', opts?.timeout, reply);
    c.proto.readNotify(ch.sid, type, count, ioid);
    this.io.flush(c.id);
  }

  /** WRITE, or WRITE_NOTIFY with `wait` (then `reply` settles when the server reports completion). */
  put(ch: ChannelRecord, value: PutValue, opts: PutOptions | undefined, reply: Reply<void>): void {
    const c = this.circuitOf(ch, 'put', reply);
    if (!c) return;
    let payload: ReturnType<typeof putPayload>;
    try {
      payload = putPayload(value, ch.nativeType!, opts?.type);
    } catch (e) {
      return reply.reject(e instanceof CaError ? new CaError(e.status, undefined, ch.name) : (e as Error));
    }
    if (payload.values.length === 0 || payload.values.length > ch.count) {
      return reply.reject(new CaError(ECA.BADCOUNT, `cannot write ${payload.values.length} elements (max ${ch.count})`, ch.name));
    }
    if (!(ch.rights & 2)) return reply.reject(new CaError(ECA.NOWTACCESS, undefined, ch.name));
    const wait = opts?.wait ?? false;
    const ioid = wait ? this.pending.allocIoid() : 0;
    try {
      c.proto.write(ch.sid, payload.type, payload.values, wait, ioid);
    } catch (e) {
      return reply.reject(new CaError(ECA.BADTYPE, (e as Error).message, ch.name));
    }
    this.io.flush(c.id);
    if (!wait) return reply.resolve();
    this.addOp(ch, 'put', opts?.timeout, reply, ioid);
  }

  /**
   * A monitor (EVENT_ADD now if connected, and again on every reconnection under the same id until
   * unsubscribed). Returns the subscription id, or undefined when the channel is closed.
   */
  subscribe(ch: ChannelRecord, opts: MonitorOptions | undefined, observer: MonitorObserver): number | undefined {
    if (ch.state === 'closed') {
      observer.error(new CaError(ECA.BADCHID, 'channel is closed', ch.name));
      return undefined;
    }
    const id = this.nextSubid;
    this.nextSubid = (this.nextSubid + 1) >>> 0 || 1;
    const sub: Sub = {
      id,
      ch,
      spec: opts?.type,
      requestedCount: opts?.count,
      mask: opts?.mask ?? DBE.VALUE | DBE.ALARM,
      observer,
      type: undefined,
      count: 0,
    };
    this.subs.set(id, sub);
    ch.subs.add(sub);
    if (ch.state === 'connected') {
      this.sendEventAdd(sub);
      this.io.flush(ch.circuit!.id);
    }
    return id;
  }

  /** EVENT_CANCEL (if registered on a live circuit) and forget the subscription. */
  unsubscribe(subid: number): void {
    const sub = this.subs.get(subid);
    if (sub) this.dropSub(sub, true);
  }

  /** Close every channel (their requests fail with ECA_DISCONN) and forget every circuit. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const ch of [...this.channels.values()]) this.closeChannel(ch, 'client closed');
    this.circuitsByKey.clear();
    this.circuitsById.clear();
  }

  // ---------------------------------------------------------------------------------------------
  // Input from the shell
  // ---------------------------------------------------------------------------------------------

  /** The UDP socket is bound: register with the repeater, and let searches go out. */
  udpBound(): void {
    if (this.udpReady) return;
    this.udpReady = true;
    this.registerDue = this.now();
    this.searchDue = earliest(this.searchDue, this.now());
  }

  /** A datagram on the UDP socket, from `fromAddress`. */
  datagram(buf: Buffer, fromAddress: string): void {
    if (this.closed) return;
    frameDatagram(buf, (m) => {
      const msg = decodeServerMessage(m);
      switch (msg.kind) {
        case 'SEARCH':
          return this.onSearchReply(msg, fromAddress);
        case 'RSRV_IS_UP':
          return this.onBeacon(msg, fromAddress);
        case 'REPEATER_CONFIRM':
          this.repeaterConfirmed = true;
          this.registerDue = undefined;
          return;
        default:
          return; // VERSION heads every reply datagram; NOT_FOUND only if we asked (we do not)
      }
    });
  }

  circuitUp(id: number): void {
    const c = this.circuitsById.get(id);
    if (!c) return;
    c.up = true;
    c.lastRecv = this.now();
    this.io.flush(id);
  }

  /** Bytes from circuit `id`. A stream the framer cannot follow drops the circuit. */
  circuitData(id: number, chunk: Buffer): void {
    const c = this.circuitsById.get(id);
    if (!c) return;
    c.lastRecv = this.now();
    c.echoSentAt = undefined;
    try {
      c.proto.recv(chunk);
    } catch (e) {
      this.log.error(`circuit ${c.key}: ${(e as Error).stack ?? e}`);
      this.giveUp(c);
    }
  }

  /** The socket of circuit `id` closed: its channels search again, its requests fail. */
  circuitClosed(id: number): void {
    const c = this.circuitsById.get(id);
    if (!c || this.closed) return;
    this.log.debug(`circuit ${c.key} closed; ${c.channels.size} channels searching again`);
    this.lose(c);
  }

  /** Bytes queued on circuit `id` since the last call (counted as one write), or undefined. */
  takeOutput(id: number): Buffer | undefined {
    const out = this.circuitsById.get(id)?.proto.takeOutput();
    if (out) {
      this.stats.writes++;
      this.stats.bytesOut += out.length;
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Name resolution
  // ---------------------------------------------------------------------------------------------

  private startSearch(ch: ChannelRecord, due: number): void {
    this.search.add(ch.cid, ch.name, due);
    this.searchDue = earliest(this.searchDue, due);
  }

  private pollSearch(t: number): void {
    const { datagrams, nextDue } = this.search.poll(t);
    this.searchDue = nextDue;
    if (datagrams.length === 0) return;
    this.stats.searchDatagrams += datagrams.length;
    this.io.search(datagrams);
  }

  /** REPEATER_REGISTER until the repeater confirms (libca tries for a while, then gives up). */
  private register(): void {
    if (this.repeaterConfirmed || this.registerTries >= REGISTER_TRIES) {
      this.registerDue = undefined;
      return;
    }
    this.registerTries++;
    const w = new ByteWriter(16);
    writeRepeaterRegister(w, ipToInt('127.0.0.1'));
    this.io.register(w.take());
    this.registerDue = this.now() + REGISTER_PERIOD_MS;
  }

  private onSearchReply(msg: { port: number; serverAddr: number; cid: number; minor: number }, from: string): void {
    const ch = this.channels.get(msg.cid);
    if (!ch || !this.search.remove(msg.cid)) return; // a late or duplicate answer
    const host = msg.serverAddr !== INADDR_NONE && msg.serverAddr !== 0 ? intToIp(msg.serverAddr) : from;
    // Without the minor-version payload (CA < 4.8 servers) the port field means nothing: use the default.
    const port = msg.minor > 0 ? msg.port : this.cfg.serverPort;
    const c = this.circuitFor(host, port);
    ch.move('found');
    ch.circuit = c;
    ch.rights = 0;
    c.channels.add(ch);
    c.proto.createChannel(ch.name, ch.cid);
    this.io.flush(c.id);
  }

  private onBeacon(msg: { port: number; beaconId: number; serverAddr: number }, from: string): void {
    const addr = msg.serverAddr !== 0 && msg.serverAddr !== INADDR_NONE ? intToIp(msg.serverAddr) : from;
    const key = `${addr}:${msg.port}`;
    const t = this.now();
    const c = this.circuitsByKey.get(key);
    if (c) c.lastRecv = Math.max(c.lastRecv, t); // libca: a beacon proves the server alive
    this.beacons.expire(t, this.cfg.maxSearchPeriod * 2000);
    this.stats.beacons++;
    const anomaly = this.beacons.observe(key, msg.beaconId, t);
    if (anomaly) this.stats.beaconAnomalies++;
    if (anomaly && this.search.size > 0) {
      this.log.debug(`beacon anomaly from ${key}: searching again`);
      this.search.reset(t);
      this.searchDue = t;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Circuits and the ECHO watchdog
  // ---------------------------------------------------------------------------------------------

  private circuitFor(host: string, port: number): CircuitRecord {
    const key = `${host}:${port}`;
    const found = this.circuitsByKey.get(key);
    if (found) return found;
    const id = this.nextCircuitId++;
    const c: CircuitRecord = {
      id,
      key,
      proto: new ClientCircuit((m) => this.onCircuitMessage(c, m), {
        priority: this.cfg.priority,
        user: this.cfg.user,
        host: this.cfg.host,
        maxPayload: this.cfg.maxArrayBytes + 64,
      }),
      channels: new Set(),
      up: false,
      lastRecv: this.now(),
      echoSentAt: undefined,
    };
    this.circuitsByKey.set(key, c);
    this.circuitsById.set(id, c);
    this.io.open(id, host, port);
    return c;
  }

  /** libca's watchdog: silence for EPICS_CA_CONN_TMO → ECHO; no answer within the echo timeout → dead. */
  private watchdogDue(c: CircuitRecord): number | undefined {
    if (!c.up) return undefined;
    const tmo = this.cfg.connTmo * 1000;
    return c.echoSentAt !== undefined ? c.echoSentAt + Math.min(ECHO_TMO_MS, tmo) : c.lastRecv + tmo;
  }

  private watchdog(t: number): void {
    for (const c of [...this.circuitsById.values()]) {
      const due = this.watchdogDue(c);
      if (due === undefined || t < due) continue;
      if (c.echoSentAt !== undefined) {
        this.log.warn(`circuit ${c.key} unresponsive for ${((t - c.lastRecv) / 1000).toFixed(1)} s; disconnecting`);
        this.giveUp(c);
      } else {
        c.echoSentAt = t;
        c.proto.echo();
        this.io.flush(c.id);
      }
    }
  }

  /** The core decided the circuit is dead: the shell drops the socket, its channels search again now. */
  private giveUp(c: CircuitRecord): void {
    this.io.drop(c.id);
    this.lose(c);
  }

  private lose(c: CircuitRecord): void {
    this.circuitsById.delete(c.id);
    if (this.circuitsByKey.get(c.key) === c) this.circuitsByKey.delete(c.key);
    c.up = false;
    const lost = new Set(c.channels);
    c.channels.clear();
    this.pending.fail((ch) => lost.has(ch), ECA.DISCONN, `disconnected (circuit to ${c.key} lost)`);
    const t = this.now();
    for (const ch of lost) this.disconnect(ch, 'lost', t, false);
  }

  /** A channel lost its server: fail its requests, keep its monitors for the next circuit, search again. */
  private disconnect(ch: ChannelRecord, trigger: 'lost' | 'refused', due: number, failOps = true): void {
    ch.circuit?.channels.delete(ch);
    if (failOps) this.pending.fail((c) => c === ch, ECA.DISCONN, `disconnected (${trigger === 'lost' ? 'dropped' : 'refused'} by ${ch.circuit?.key})`);
    for (const sub of ch.subs) sub.type = undefined;
    const was = ch.state;
    ch.move(trigger);
    ch.circuit = undefined;
    ch.sid = 0;
    if (was === 'connected') this.io.connection(ch.cid, false);
    this.startSearch(ch, due);
  }

  // ---------------------------------------------------------------------------------------------
  // Replies
  // ---------------------------------------------------------------------------------------------

  private onCircuitMessage(c: CircuitRecord, msg: CircuitMessage): void {
    switch (msg.kind) {
      case 'READ_NOTIFY': {
        const op = this.pending.take(msg.ioid);
        if (!op) return; // an ioid we never issued, or one that timed out: ignore
        if (msg.status === ECA.NORMAL && msg.dbr) op.resolve(toCaValue(op.ch.name, msg.dbr, msg.count, op.ch.count <= 1));
        else op.reject(new CaError(msg.dbr ? msg.status : ECA.BADTYPE, `get failed: ${ecaMessage[msg.status] ?? msg.status}`, op.ch.name));
        return;
      }
      case 'WRITE_NOTIFY': {
        const op = this.pending.take(msg.ioid);
        if (!op) return;
        if (msg.status === ECA.NORMAL) op.resolve(undefined);
        else op.reject(new CaError(msg.status, `put failed: ${ecaMessage[msg.status] ?? msg.status}`, op.ch.name));
        return;
      }
      case 'EVENT_ADD': {
        const sub = this.subs.get(msg.subid);
        if (!sub || !msg.dbr) return; // unknown subid, or the empty EVENT_ADD confirming EVENT_CANCEL
        if (msg.status === ECA.NORMAL) sub.observer.next(toCaValue(sub.ch.name, msg.dbr, msg.count, sub.ch.count <= 1));
        else this.log.debug(`${sub.ch.name}: monitor update with status ${ecaMessage[msg.status] ?? msg.status}`);
        return;
      }
      case 'ACCESS_RIGHTS': {
        const ch = this.channelOn(c, msg.cid);
        if (ch) ch.rights = msg.rights;
        return;
      }
      case 'CREATE_CHAN': {
        const ch = this.channelOn(c, msg.cid);
        if (ch?.state !== 'connecting') return;
        ch.move('created');
        ch.sid = msg.sid;
        ch.nativeType = msg.nativeType;
        ch.count = msg.count;
        ch.serverMinor = c.proto.serverMinor || CA_MINOR_VERSION;
        ch.host = c.key;
        this.pending.connected(ch);
        this.io.connection(ch.cid, true);
        for (const sub of ch.subs) this.sendEventAdd(sub);
        this.io.flush(c.id);
        return;
      }
      case 'CREATE_CH_FAIL': {
        const ch = this.channelOn(c, msg.cid);
        if (ch?.state !== 'connecting') return;
        this.log.debug(`${ch.name}: CREATE_CHAN refused by ${c.key}; retrying later`);
        this.disconnect(ch, 'refused', this.now() + 1000);
        return;
      }
      case 'SERVER_DISCONN': {
        const ch = this.channelOn(c, msg.cid);
        if (ch) this.disconnect(ch, 'lost', this.now());
        return;
      }
      case 'ERROR':
        return this.onError(msg);
      case 'TOO_LARGE': {
        const req = msg.request;
        if (req.command === Command.READ_NOTIFY) {
          const op = this.pending.take(req.p2);
          op?.reject(new CaError(ECA.TOLARGE, 'reply exceeds EPICS_CA_MAX_ARRAY_BYTES', op.ch.name));
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

  /** ERROR quotes the request it answers: fail that get, put-callback or monitor, else report it. */
  private onError(msg: Extract<CircuitMessage, { kind: 'ERROR' }>): void {
    const req = msg.request;
    const err = (name?: string) => new CaError(msg.status, msg.text || undefined, name);
    if (req && (req.command === Command.READ_NOTIFY || req.command === Command.WRITE_NOTIFY)) {
      const op = this.pending.take(req.p2);
      if (op) return op.reject(err(op.ch.name));
    }
    if (req && req.command === Command.EVENT_ADD) {
      const sub = this.subs.get(req.p2);
      if (sub) {
        this.dropSub(sub, false);
        return sub.observer.error(err(sub.ch.name));
      }
    }
    this.io.error(err(this.channels.get(msg.cid)?.name));
  }

  /** The channel `cid` if it lives on circuit `c` (a reply for a channel since moved elsewhere is stale). */
  private channelOn(c: CircuitRecord, cid: number): ChannelRecord | undefined {
    const ch = this.channels.get(cid);
    return ch && ch.circuit === c ? ch : undefined;
  }

  // ---------------------------------------------------------------------------------------------
  // Requests and subscriptions
  // ---------------------------------------------------------------------------------------------

  /** The channel's circuit if it is connected; else `reply` fails with ECA_DISCONN. */
  private circuitOf(ch: ChannelRecord, what: string, reply: Pick<Reply<unknown>, 'reject'>): CircuitRecord | undefined {
    if (ch.state === 'connected' && ch.circuit) return ch.circuit;
    reply.reject(new CaError(ch.state === 'closed' ? ECA.BADCHID : ECA.DISCONN, `${what}: channel is ${ch.state}`, ch.name));
    return undefined;
  }

  private addOp(ch: ChannelRecord, what: string, timeout: number | undefined, reply: Reply<any>, ioid = this.pending.allocIoid()): number {
    this.pending.add(ioid, { ch, what, deadline: this.deadline(timeout), resolve: reply.resolve, reject: reply.reject });
    return ioid;
  }

  /** `timeout` seconds (default the client's) from now. */
  private deadline(timeout: number | undefined): number {
    return this.now() + (timeout ?? this.cfg.timeout) * 1000;
  }

  private sendEventAdd(sub: Sub): void {
    const ch = sub.ch;
    let type: number;
    try {
      type = resolveType(sub.spec, ch.nativeType!);
    } catch (e) {
      this.dropSub(sub, false);
      sub.observer.error(e);
      return;
    }
    sub.type = type;
    sub.count = sub.requestedCount ?? (ch.serverMinor >= 13 ? 0 : ch.count);
    ch.circuit!.proto.eventAdd(ch.sid, type, sub.count, sub.id, sub.mask);
  }

  private dropSub(sub: Sub, cancelOnWire: boolean): void {
    if (!this.subs.delete(sub.id)) return;
    const ch = sub.ch;
    ch.subs.delete(sub);
    if (cancelOnWire && sub.type !== undefined && ch.state === 'connected' && ch.circuit && !this.closed) {
      ch.circuit.proto.eventCancel(ch.sid, sub.type, sub.count, sub.id);
      this.io.flush(ch.circuit.id);
    }
  }
}
