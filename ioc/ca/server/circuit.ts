import type { Subscription as RxSubscription } from 'rxjs';
import type { PvSource } from '../../db/database.js';
import { PutError } from '../../db/errors.js';
import type { Pv, PvUpdate } from '../../db/pv.js';
import type { DbrValue } from '../protocol/snapshot.js';
import type { Logger } from '../../log.js';
import {
  AccessRights,
  CA_DEFAULT_MAX_ARRAY_BYTES,
  CA_MINIMUM_SUPPORTED_VERSION,
  CA_MINOR_VERSION,
  Command,
  HEADER_SIZE,
  DBE,
  ECA,
  SEARCH_DO_REPLY,
  commandName,
} from '../protocol/constants.js';
import { ConversionError, convertForPut, convertNumberForPut, valueAsStrings } from '../protocol/convert.js';
import { readPlainNumber } from '../protocol/dbr.js';
import { DBR_PUT_ACKS, DBR_PUT_ACKT, DbrBase, DbrClass, dbrInfo, dbrSizeN, isValidDbrType } from '../protocol/dbr-types.js';
import { Framer } from '../protocol/framer.js';
import type { RawMessage } from '../protocol/header.js';
import {
  decodeClientMessage,
  decodeWriteValues,
  writeAccessRights,
  writeCreateChanReply,
  writeCreateChFail,
  writeError,
  writeEventAddReply,
  writeEventCancelReply,
  writeNotFound,
  writeReadNotifyReply,
  writeSearchReply,
  writeServerDisconn,
  writeVersion,
  writeWriteNotifyReply,
  writeClearChannel,
  writeEcho,
  writeReadSync,
  type ClientMessage,
} from '../protocol/messages.js';
import { ByteWriter } from '../protocol/writer.js';
import { SidTable } from './sid-table.js';

/** The socket side of a circuit: the thin I/O shell implements this. */
export interface CircuitTransport {
  write(bytes: Buffer): void;
  /** Bytes accepted but not yet sent; above the high-water mark monitors coalesce and reading stops. */
  readonly backlog: number;
  close(): void;
  /** Stop reading from the client (backpressure) until resume(); call drained() once output has gone. */
  pause?(): void;
  resume?(): void;
}

export interface CircuitOptions {
  readonly source: PvSource;
  readonly log: Logger;
  readonly maxArrayBytes: number;
  readonly tcpPort: number;
  readonly peer: string;
  /**
   * Queue bytes above which monitor updates coalesce to the newest value per subscription and the
   * circuit stops reading requests until the client has taken its replies.
   */
  readonly highWater?: number;
  /** Defer a flush to the end of the current turn (setImmediate in production, sync in tests). */
  readonly defer?: (fn: () => void) => void;
}

interface ServerChannel {
  readonly sid: number;
  readonly cid: number;
  readonly pv: Pv;
  /** Made on the first subscription (most channels never have one). */
  subs: Map<number, MonitorSub> | undefined;
  /** Put-callbacks in flight: dropped (never answered) when the channel is cleared. */
  pendingPuts: number;
  /** A put-callback is running: further WRITE_NOTIFYs wait here, in order (RSRV: one per channel). */
  notifyBusy: boolean;
  notifyQueue: PendingPut[] | undefined;
  cleared: boolean;
}

/** A put accepted from WRITE or WRITE_NOTIFY: running, or waiting for the channel's busy put-callback. */
interface PendingPut {
  readonly ch: ServerChannel;
  readonly notify: boolean;
  readonly value: DbrValue;
  readonly type: number;
  readonly count: number;
  readonly ioid: number;
  readonly sid: number;
  readonly payloadSize: number;
  readonly extendedHeader: Buffer | undefined;
  /** The request's ordinal among this circuit's writes (traces pair a line announcement with it). */
  readonly write: number;
}

/** The 16-byte WRITE header a put came with, rebuilt for an ERROR that quotes it. */
function writeHeader(put: PendingPut): Buffer {
  const b = Buffer.alloc(HEADER_SIZE);
  b.writeUInt16BE(Command.WRITE, 0);
  b.writeUInt16BE(put.payloadSize, 2);
  b.writeUInt16BE(put.type, 4);
  b.writeUInt16BE(put.count, 6);
  b.writeUInt32BE(put.sid >>> 0, 8);
  b.writeUInt32BE(put.ioid >>> 0, 12);
  return b;
}

interface MonitorSub {
  readonly subid: number;
  readonly channel: ServerChannel;
  readonly type: number;
  /** Requested count; 0 = the current length at each update. */
  readonly count: number;
  readonly mask: number;
  rx: RxSubscription | undefined;
  /** A change is waiting because the client is slow or asked for EVENTS_OFF. */
  pending: boolean;
}

const HIGH_WATER = 4 * 1024 * 1024;
/** CA_PROTO_PRIORITY_MAX */
const CA_PROTO_PRIORITY_MAX = 99;
/**
 * Put-callbacks waiting behind busy ones (all channels of a circuit) at which the circuit stops reading
 * requests; it reads again once half of them completed. libca sync groups send 1000+ back to back: they
 * all complete, in order, and memory stays bounded (RSRV blocks its receive thread the same way).
 */
const NOTIFY_QUEUE_HIGH = 1024;

/**
 * One CA virtual circuit on the server side: frames requests, applies them to the PV source and writes
 * replies. No sockets here; `transport` is the shell. Errors follow RSRV: protocol violations are
 * answered (where CA has an answer) and close the circuit; failed operations keep it.
 */
/** Circuits get distinct ids for the life of the process (traces pair a client's writes by circuit). */
let circuitIds = 0;

export class ServerCircuit {
  /** Names this circuit in put contexts. */
  readonly id = ++circuitIds;
  /** WRITE and WRITE_NOTIFY requests received, refused ones included: a put's ordinal on its circuit. */
  private writes = 0;
  private readonly out = new ByteWriter(16 * 1024);
  private readonly framer: Framer;
  private readonly channels = new SidTable<ServerChannel>();
  private readonly subs = new Map<number, MonitorSub>();
  private readonly pendingSubs = new Set<MonitorSub>();
  private flushScheduled = false;
  private processing = false;
  /** Put-callbacks waiting in channels' notifyQueues. */
  private queuedNotifies = 0;
  /** Whether the transport is reading (false while backpressure holds requests back). */
  private reading = true;
  private eventsOff = false;
  private closed = false;
  clientMinor = 0;
  priority = 0;
  user = '';
  host = '';

  constructor(
    private readonly transport: CircuitTransport,
    private readonly opts: CircuitOptions,
  ) {
    // The header can announce at most this much; RSRV refuses larger with ECA_TOLARGE.
    this.framer = new Framer(
      {
        message: (m) => this.onMessage(m),
        oversized: (header, size) => {
          this.opts.log.warn(`${this.opts.peer}: request of ${size} bytes exceeds EPICS_CA_MAX_ARRAY_BYTES`);
          writeError(this.out, 0xffffffff, ECA.TOLARGE, header, `request of ${size} bytes is too large`);
        },
      },
      opts.maxArrayBytes + 64,
    );
    // RSRV sends VERSION right after accept.
    writeVersion(this.out, 0, CA_MINOR_VERSION);
    this.flush();
  }

  get channelCount(): number {
    return this.channels.size;
  }
  get subscriptionCount(): number {
    return this.subs.size;
  }
  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes arrived from the client. Replies are batched and flushed once the input is drained. */
  recv(chunk: Buffer): void {
    if (this.closed) return;
    this.run(() => this.framer.push(chunk));
  }

  /** The socket drained: send what coalesced meanwhile, and read requests again if they were held. */
  drained(): void {
    if (this.closed) return;
    if (!this.eventsOff) this.sendPending();
    this.unstall();
  }

  /** Put-callbacks waiting behind busy ones (white box for tests). */
  get queuedPutCallbacks(): number {
    return this.queuedNotifies;
  }

  /**
   * Apply requests (`step` frames them), then flush. The framer pauses itself past the high-water marks
   * (onMessage); requests then stay buffered and the transport stops reading until unstall().
   */
  private run(step: () => void): void {
    this.processing = true;
    try {
      step();
      // A synchronous transport may have taken everything already: go on at once if so.
      while (this.framer.paused && !this.closed) {
        this.flush();
        if (!this.canResume()) break;
        this.framer.resume();
      }
    } finally {
      this.processing = false;
    }
    this.flush();
    this.setReading(!this.framer.paused);
  }

  /** Held requests may go on: the queue of put-callbacks halved, or the client took its replies. */
  private unstall(): void {
    if (this.closed || !this.framer.paused || !this.canResume()) return;
    this.run(() => this.framer.resume());
  }

  private setReading(on: boolean): void {
    if (on === this.reading || this.closed) return;
    this.reading = on;
    if (on) this.transport.resume?.();
    else this.transport.pause?.();
  }

  private get outputBytes(): number {
    return this.transport.backlog + this.out.pos;
  }
  private get highWater(): number {
    return this.opts.highWater ?? HIGH_WATER;
  }
  /** Stop applying requests: too many put-callbacks waiting, or too many replies the client has not taken. */
  private overHigh(): boolean {
    return this.queuedNotifies >= NOTIFY_QUEUE_HIGH || this.outputBytes >= this.highWater;
  }
  private canResume(): boolean {
    return this.queuedNotifies <= NOTIFY_QUEUE_HIGH / 2 && this.outputBytes < this.highWater;
  }

  /** The client went away (or we closed): release every subscription and pending callback. */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.queuedNotifies = 0;
    for (const sub of this.subs.values()) sub.rx?.unsubscribe();
    this.subs.clear();
    this.pendingSubs.clear();
    for (const ch of this.channels.values()) ch.cleared = true;
    this.channels.clear();
  }

  /** Tell the client a PV went away (SERVER_DISCONN): it will search again. */
  disconnectPv(pv: Pv): void {
    for (const ch of this.channels.values()) {
      if (ch.pv !== pv) continue;
      this.dropChannel(ch, true);
      writeServerDisconn(this.out, ch.cid);
    }
    this.scheduleFlush();
  }

  private flush(): void {
    if (this.out.pos === 0 || this.closed) return;
    this.transport.write(this.out.take());
  }

  private scheduleFlush(): void {
    if (this.processing || this.flushScheduled) return;
    this.flushScheduled = true;
    const run = () => {
      this.flushScheduled = false;
      this.flush();
    };
    if (this.opts.defer) this.opts.defer(run);
    else setImmediate(run);
  }

  /** Queue an error reply and close the circuit after flushing it (RSRV_ERROR). */
  private fail(cid: number, status: number, header: Buffer, text: string): void {
    this.opts.log.warn(`${this.opts.peer}: ${text}; closing circuit`);
    writeError(this.out, cid, status, header, text);
    this.closeNow();
  }

  private closeNow(): void {
    this.flush();
    this.dispose();
    this.transport.close();
  }

  private onMessage(m: RawMessage): void {
    if (this.closed) return;
    if ((m.payloadSize & 7) !== 0) {
      // RSRV: "Missaligned protocol rejected".
      this.fail(0xffffffff, ECA.INTERNAL, m.headerBytes, 'Missaligned protocol rejected');
      return;
    }
    try {
      // The hot requests are served straight from the header fields, without a decoded message object.
      switch (m.command) {
        case Command.READ_NOTIFY:
          this.read(true, m);
          break;
        case Command.WRITE:
          this.write(false, m);
          break;
        case Command.WRITE_NOTIFY:
          this.write(true, m);
          break;
        default: {
          const msg = decodeClientMessage(m);
          if (!msg) {
            this.fail(0xffffffff, ECA.INTERNAL, m.headerBytes, `malformed ${commandName[m.command] ?? m.command} request`);
            return;
          }
          this.apply(msg, m);
        }
      }
    } catch (e) {
      // A bug in a handler must not take down the server: report and drop this circuit only.
      this.opts.log.error(`${this.opts.peer}: internal error on ${commandName[m.command] ?? m.command}: ${(e as Error).stack ?? e}`);
      this.fail(0xffffffff, ECA.INTERNAL, m.headerBytes, 'internal server error');
    }
    // Backpressure: hold the following requests (in the framer, then in the socket) until this eases.
    if (!this.closed && this.overHigh()) this.framer.pause();
  }

  private apply(msg: ClientMessage, m: RawMessage): void {
    switch (msg.kind) {
      case 'VERSION':
        if (msg.priority > CA_PROTO_PRIORITY_MAX) {
          // RSRV tcp_version_action: an impossible priority is a protocol error; close without a message.
          this.opts.log.warn(`${this.opts.peer}: priority ${msg.priority} out of range; closing circuit`);
          this.closeNow();
          return;
        }
        this.clientMinor = msg.minor;
        this.priority = msg.priority;
        return;
      case 'CLIENT_NAME':
      case 'HOST_NAME':
        if (this.channels.used) {
          // RSRV: names are fixed once a channel exists (access security was evaluated with them).
          writeError(this.out, 0xffffffff, ECA.INTERNAL, m.headerBytes, 'attempts to use protocol to set user or host name after creating first channel ignored by server');
          return;
        }
        if (msg.kind === 'CLIENT_NAME') this.user = msg.name;
        else this.host = msg.name;
        return;
      case 'ECHO':
        writeEcho(this.out);
        return;
      case 'READ_SYNC':
        writeReadSync(this.out);
        return;
      case 'EVENTS_OFF':
        this.eventsOff = true;
        return;
      case 'EVENTS_ON':
        this.eventsOff = false;
        this.sendPending();
        return;
      case 'SEARCH':
        this.search(msg);
        return;
      case 'CREATE_CHAN':
        this.createChannel(msg.cid, msg.minor, msg.name);
        return;
      case 'READ_NOTIFY':
      case 'READ':
        this.read(msg.kind === 'READ_NOTIFY', m);
        return;
      case 'WRITE':
      case 'WRITE_NOTIFY':
        this.write(msg.kind === 'WRITE_NOTIFY', m);
        return;
      case 'EVENT_ADD':
        this.eventAdd(msg, m);
        return;
      case 'EVENT_CANCEL':
        this.eventCancel(msg, m);
        return;
      case 'CLEAR_CHANNEL':
        this.clearChannel(msg.sid, msg.cid);
        return;
      case 'REPEATER_REGISTER':
      case 'UNKNOWN':
        // Obsolete (SNAPSHOT, BUILD, READ_BUILD, SIGNAL) and unknown commands: RSRV's bad_tcp_cmd_action.
        this.fail(0xffffffff, ECA.INTERNAL, m.headerBytes, `Invalid request code ${m.command}`);
        return;
    }
  }

  private search(msg: { reply: number; minor: number; cid: number; name: string }): void {
    if (this.opts.source.lookup(msg.name)) {
      writeSearchReply(this.out, this.opts.tcpPort, msg.cid, 0xffffffff, false);
    } else if (msg.reply === SEARCH_DO_REPLY) {
      writeNotFound(this.out, msg.reply, msg.minor, msg.cid);
    }
  }

  private createChannel(cid: number, minor: number, name: string): void {
    if (minor) this.clientMinor = minor;
    if (this.clientMinor && this.clientMinor < CA_MINIMUM_SUPPORTED_VERSION) {
      writeError(this.out, cid, ECA.DEFUNCT, Buffer.alloc(16), 'client protocol version is too old');
      return;
    }
    const pv = this.opts.source.lookup(name);
    if (!pv) {
      writeCreateChFail(this.out, cid);
      return;
    }
    const ch = this.channels.add((sid): ServerChannel => ({ sid, cid, pv, subs: undefined, pendingPuts: 0, notifyBusy: false, notifyQueue: undefined, cleared: false }));
    const sid = ch.sid;
    // RSRV sends ACCESS_RIGHTS before the CREATE_CHAN reply.
    writeAccessRights(this.out, cid, rightsOf(pv));
    writeCreateChanReply(this.out, pv.nativeType, this.cappedCount(pv.maxCount), cid, sid);
  }

  /** Clients before 4.9 cannot take an extended header: cap what we announce. */
  private cappedCount(n: number): number {
    return this.clientMinor >= 9 ? n : Math.min(n, 0xfffe);
  }

  /**
   * A reply of `count` elements of `type` is refused (ECA_TOLARGE) when it exceeds EPICS_CA_MAX_ARRAY_BYTES,
   * or when it asks for more elements than the PV has and the zero padding would take it past both the
   * PV's own size and EPICS' default 16 kB: so no request makes the server allocate more than the PV.
   * (RSRV pads any count its buffers can hold and, with EPICS_CA_AUTO_ARRAY_BYTES, grows them to 1.8 GB
   * for one EVENT_ADD of 200M elements.)
   */
  private tooLarge(type: number, count: number, pv: Pv): boolean {
    const bytes = dbrSizeN(type, count);
    if (bytes > this.opts.maxArrayBytes) return true;
    return count > pv.maxCount && bytes > Math.max(dbrSizeN(type, pv.maxCount), CA_DEFAULT_MAX_ARRAY_BYTES);
  }

  /**
   * Count a reply carries: 0 asks for the current length. RSRV's read_reply does so for every client,
   * whatever minor version it announced (count 0 only became legal in 4.13, but older clients never send it).
   */
  private replyCount(requested: number, pv: Pv): number {
    return requested === 0 ? pv.count : requested;
  }

  /** READ_NOTIFY (`isNotify`) or the deprecated READ: dataType, count, sid = p1, ioid = p2. */
  private read(isNotify: boolean, m: RawMessage): void {
    const type = m.dataType;
    const sid = m.p1;
    const ioid = m.p2;
    const ch = this.channels.get(sid);
    if (!ch) {
      this.fail(0xffffffff, ECA.INTERNAL, m.headerBytes, `Bad Resource ID ${sid} in read request`);
      return;
    }
    if (!isValidDbrType(type) || type === DBR_PUT_ACKT || type === DBR_PUT_ACKS) {
      // RSRV closes without a message for READ_NOTIFY (conformance tests expect it); the old READ says why.
      if (!isNotify) {
        this.fail(ch.cid, ECA.BADTYPE, m.headerBytes, `invalid DBR type ${type} in read`);
        return;
      }
      this.opts.log.warn(`${this.opts.peer}: invalid DBR type ${type} in read; closing circuit`);
      this.closeNow();
      return;
    }
    const pv = ch.pv;
    const count = this.replyCount(m.dataCount, pv);
    if (this.tooLarge(type, count, pv)) {
      writeError(this.out, ch.cid, ECA.TOLARGE, m.headerBytes, `read of ${count} elements of ${pv.name} is too large`);
      return;
    }
    // The deprecated READ answers with the channel's cid in p1; READ_NOTIFY with a status there.
    if (!pv.readable) {
      if (isNotify) writeReadNotifyReply(this.out, type, count, ECA.NORDACCESS, ioid, undefined);
      else writeError(this.out, ch.cid, ECA.NORDACCESS, m.headerBytes, 'read access denied');
      return;
    }
    const start = this.out.pos;
    try {
      if (isNotify) writeReadNotifyReply(this.out, type, count, ECA.NORMAL, ioid, pv);
      else readReply(this.out, type, count, ch.cid, ioid, pv);
    } catch (e) {
      this.encodeFailed(e, pv, type);
      this.out.pos = start;
      if (isNotify) writeReadNotifyReply(this.out, type, count, ECA.GETFAIL, ioid, undefined);
      else writeError(this.out, ch.cid, ECA.GETFAIL, m.headerBytes, (e as Error)?.message ?? String(e));
    }
  }

  /** WRITE or WRITE_NOTIFY (`notify`): dataType, count, sid = p1, ioid = p2, the values as payload. */
  private write(notify: boolean, m: RawMessage): void {
    const write = ++this.writes;
    const type = m.dataType;
    const count = m.dataCount;
    const sid = m.p1;
    const ch = this.channels.get(sid);
    if (!ch) {
      this.fail(0xffffffff, ECA.INTERNAL, m.headerBytes, `Bad Resource ID ${sid} in write request`);
      return;
    }
    const pv = ch.pv;
    const info = dbrInfo(type);
    const plain = info && (info.cls === DbrClass.PLAIN || type === DBR_PUT_ACKT || type === DBR_PUT_ACKS);
    if (!info || !plain || type === 38) {
      // The payload was framed whole, so the circuit is still in step: answer and keep it, as the CA server
      // library does (RSRV hangs up), so the client can still clear the channel afterwards.
      this.putRefused(notify, m, ch, ECA.BADTYPE, `invalid DBR type ${type} in write to ${pv.name}`);
      return;
    }
    if (!pv.writable) {
      this.putRefused(notify, m, ch, ECA.NOWTACCESS, `write access denied to ${pv.name}`);
      return;
    }
    if (count > pv.maxCount || count === 0) {
      this.putRefused(notify, m, ch, ECA.BADCOUNT, `bad element count ${count} for ${pv.name} (${pv.maxCount} max)`);
      return;
    }
    if (type === DBR_PUT_ACKT || type === DBR_PUT_ACKS) {
      // Alarm acknowledgement: accepted, nothing to acknowledge in a twin.
      if (notify) writeWriteNotifyReply(this.out, type, count, ECA.NORMAL, m.p2);
      return;
    }
    let value: DbrValue;
    try {
      // One number (the common put) is read and converted without arrays in between.
      if (count === 1 && info.base !== DbrBase.STRING && m.payloadSize >= info.valueSize) {
        const v = m.buffer ? readPlainNumber(info.base, m.buffer, m.payloadOffset!) : readPlainNumber(info.base, m.payload, 0);
        value = convertNumberForPut(v, info.base, pv.nativeType, pv.enumStrings);
      } else {
        const raw = decodeWriteValues(type, count, m.payload);
        if (!raw) {
          this.fail(ch.cid, ECA.INTERNAL, m.headerBytes, `write payload too short for ${count} elements`);
          return;
        }
        value = convertForPut(raw, info.base, pv.nativeType, pv.enumStrings);
      }
    } catch (e) {
      if (!(e instanceof ConversionError)) throw e;
      // A value that does not convert ("abc" to a LONG) is a failed put, not a bad type: softIoc answers
      // ECA_PUTFAIL to WRITE and WRITE_NOTIFY alike (EPICS' caput aborts on ECA_BADTYPE). Value kept.
      this.putRefused(notify, m, ch, ECA.PUTFAIL, e.message);
      return;
    }
    const put: PendingPut = {
      ch,
      notify,
      value,
      type,
      count,
      ioid: m.p2,
      sid,
      payloadSize: m.payloadSize,
      write,
      // The receive buffer is reused: a header that needs the extended form, which an asynchronous ERROR
      // would quote, is kept now; a standard one is rebuilt from its fields if ever needed (most puts
      // succeed: no copy, not even a view, per put).
      extendedHeader: !notify && (m.payloadSize >= 0xffff || count >= 0xffff) ? Buffer.from(m.headerBytes) : undefined,
    };
    if (notify && ch.notifyBusy) {
      // RSRV runs one put-callback per channel at a time; the next waits for the first to complete.
      (ch.notifyQueue ??= []).push(put);
      this.queuedNotifies++;
      return;
    }
    this.startPuts(put);
  }

  /** A put refused before it started: WRITE_NOTIFY with the status, or ERROR quoting the WRITE. */
  private putRefused(notify: boolean, m: RawMessage, ch: ServerChannel, status: number, text: string): void {
    if (notify) writeWriteNotifyReply(this.out, m.dataType, m.dataCount, status, m.p2);
    else writeError(this.out, ch.cid, status, m.headerBytes, text);
  }

  /** Start `put`, and the put-callbacks that waited for it while each completes at once (a loop, not recursion). */
  private startPuts(put: PendingPut): void {
    for (let next: PendingPut | undefined = put; next; ) next = this.startPut(next);
  }

  /**
   * Start one put. A put that completes at once (a plain PV, or a handler that returns nothing; puts to
   * records loaded from .db files complete through a promise) is answered now, in request order, as RSRV
   * answers a synchronous dbPutNotify; the channel's next waiting put-callback is returned
   * to be started. A put that completes later is answered from putDone().
   */
  private startPut(put: PendingPut): PendingPut | undefined {
    const ch = put.ch;
    ch.pendingPuts++;
    if (put.notify) ch.notifyBusy = true;
    let done: Promise<void> | undefined;
    try {
      done = ch.pv.start(put.value, { user: this.user, host: this.host, cid: ch.cid, notify: put.notify, origin: 'ca', circuit: this.id, write: put.write });
    } catch (e) {
      return this.completePut(put, e);
    }
    if (!done) return this.completePut(put, undefined);
    done.then(
      () => this.putDone(put, undefined),
      (e: unknown) => this.putDone(put, e),
    );
    return undefined;
  }

  /** A put that went asynchronous completed: answer it, start what waited for it, send. */
  private putDone(put: PendingPut, error: unknown): void {
    const next = this.completePut(put, error);
    if (next) this.startPuts(next);
    if (this.out.pos > 0) this.scheduleFlush();
    this.unstall();
  }

  /** Answer a completed put (`error` undefined: success); returns the channel's next put-callback to start. */
  private completePut(put: PendingPut, error: unknown): PendingPut | undefined {
    const ch = put.ch;
    let status: number = ECA.NORMAL;
    let text = '';
    if (error !== undefined) {
      status = error instanceof PutError ? error.status : ECA.PUTFAIL;
      if (!(error instanceof PutError)) this.opts.log.error(`put to ${ch.pv.name} failed: ${(error as Error)?.stack ?? error}`);
      text = (error as Error)?.message ?? String(error);
    }
    ch.pendingPuts--;
    let next: PendingPut | undefined;
    if (put.notify) {
      ch.notifyBusy = false;
      next = ch.notifyQueue?.shift();
      if (next) this.queuedNotifies--;
    }
    if (this.closed || ch.cleared) return undefined;
    // Reply first: the next put-callback may complete at once and must be answered after this one.
    if (put.notify) writeWriteNotifyReply(this.out, put.type, put.count, status, put.ioid);
    else if (status !== ECA.NORMAL) writeError(this.out, ch.cid, status, put.extendedHeader ?? writeHeader(put), text);
    return next;
  }

  private eventAdd(msg: { type: number; count: number; sid: number; subid: number; mask: number }, m: RawMessage): void {
    const ch = this.channels.get(msg.sid);
    if (!ch) {
      this.fail(0xffffffff, ECA.INTERNAL, m.headerBytes, `Bad Resource ID ${msg.sid} in subscription request`);
      return;
    }
    if (!isValidDbrType(msg.type) || msg.type === DBR_PUT_ACKT || msg.type === DBR_PUT_ACKS) {
      this.opts.log.warn(`${this.opts.peer}: invalid DBR type ${msg.type} in subscription; closing circuit`);
      this.closeNow();
      return;
    }
    if (this.subs.has(msg.subid)) {
      // A duplicate id would orphan the first; replace it, as a client that reuses an id means the new one.
      this.cancelSub(this.subs.get(msg.subid)!);
    }
    const mask = msg.mask & (DBE.VALUE | DBE.LOG | DBE.ALARM | DBE.PROPERTY) || DBE.VALUE | DBE.ALARM;
    const sub: MonitorSub = { subid: msg.subid, channel: ch, type: msg.type, count: msg.count, mask, rx: undefined, pending: false };
    this.subs.set(msg.subid, sub);
    (ch.subs ??= new Map()).set(msg.subid, sub);
    // Bounded like reads, once for all: a count-0 update is never longer than the PV's maximum.
    if (this.tooLarge(msg.type, msg.count === 0 ? ch.pv.maxCount : msg.count, ch.pv)) {
      // Refused with ERROR, as RSRV's read_reply when its buffer cannot hold an update. The subscription
      // stays registered but silent, so the client's EVENT_CANCEL is still confirmed.
      writeError(this.out, ch.cid, ECA.TOLARGE, m.headerBytes, `subscription of ${msg.count} elements of ${ch.pv.name} is too large`);
      return;
    }
    // First update always, whatever the mask.
    this.sendUpdate(sub);
    sub.rx = ch.pv.updates.subscribe((u) => this.onUpdate(sub, u));
  }

  private onUpdate(sub: MonitorSub, u: PvUpdate): void {
    if ((u.mask & sub.mask) === 0 || this.closed) return;
    // Replies not yet flushed count too: a device may post many updates within one turn.
    if (this.eventsOff || this.outputBytes > this.highWater) {
      // Slow client or flow control: keep only the newest value per subscription (EPICS coalesces too).
      sub.pending = true;
      this.pendingSubs.add(sub);
      return;
    }
    // This update is the newest: a coalesced one still pending would only repeat it.
    if (sub.pending) {
      sub.pending = false;
      this.pendingSubs.delete(sub);
    }
    this.sendUpdate(sub, u);
    this.scheduleFlush();
  }

  /** Send coalesced updates while the client keeps up; the rest wait for the next drain. */
  private sendPending(): void {
    if (this.pendingSubs.size === 0) return;
    for (const sub of this.pendingSubs) {
      if (this.outputBytes > this.highWater) break;
      this.pendingSubs.delete(sub);
      if (sub.pending && this.subs.get(sub.subid) === sub) this.sendUpdate(sub);
      sub.pending = false;
    }
    this.scheduleFlush();
    this.flush();
  }

  /** Encode one update from `u` (the value at post time) or, for coalesced ones, the PV's current state. */
  private sendUpdate(sub: MonitorSub, u?: PvUpdate): void {
    const pv = sub.channel.pv;
    const count = this.replyCount(sub.count, pv);
    const snap = u ? updateSnapshot(pv, u) : pv;
    // EVENT_ADD checked the size: `count` never exceeds what the PV and EPICS_CA_MAX_ARRAY_BYTES allow.
    if (!pv.readable) {
      writeEventAddReply(this.out, sub.type, count, ECA.NORDACCESS, sub.subid, undefined);
      return;
    }
    const start = this.out.pos;
    try {
      writeEventAddReply(this.out, sub.type, count, ECA.NORMAL, sub.subid, snap);
    } catch (e) {
      // This runs inside the PV's rxjs stream too, where a throw would resurface as an uncaught exception.
      this.encodeFailed(e, pv, sub.type);
      this.out.pos = start;
      writeEventAddReply(this.out, sub.type, count, ECA.GETFAIL, sub.subid, undefined);
    }
  }

  /**
   * A value could not be encoded: the client gets ECA_GETFAIL, as RSRV's read_reply answers a failed
   * dbChannel_get. A ConversionError is the value's fault; anything else is a bug worth a log line.
   */
  private encodeFailed(e: unknown, pv: Pv, type: number): void {
    if (e instanceof ConversionError) return;
    this.opts.log.error(`${this.opts.peer}: encoding ${pv.name} as DBR type ${type} failed: ${(e as Error)?.stack ?? e}`);
  }

  private eventCancel(msg: { type: number; count: number; sid: number; subid: number }, m: RawMessage): void {
    const ch = this.channels.get(msg.sid);
    if (!ch) {
      this.fail(0xffffffff, ECA.INTERNAL, m.headerBytes, `Bad Resource ID ${msg.sid} in subscription cancel`);
      return;
    }
    const sub = this.subs.get(msg.subid);
    if (!sub || sub.channel !== ch) {
      this.fail(ch.cid, ECA.BADMONID, m.headerBytes, `Bad subscription id ${msg.subid}`);
      return;
    }
    this.cancelSub(sub);
    // Confirmed with an empty EVENT_ADD carrying the request's fields.
    writeEventCancelReply(this.out, msg.type, msg.count, msg.sid, msg.subid);
  }

  private cancelSub(sub: MonitorSub): void {
    sub.rx?.unsubscribe();
    this.subs.delete(sub.subid);
    sub.channel.subs?.delete(sub.subid);
    this.pendingSubs.delete(sub);
  }

  private clearChannel(sid: number, cid: number): void {
    const ch = this.channels.get(sid);
    if (ch) this.dropChannel(ch);
    // Answer a repeated clear too: the client's state is the same either way.
    writeClearChannel(this.out, sid, cid);
  }

  /** `retire`: the server dropped it, and the client may still send requests for its sid (SidTable). */
  private dropChannel(ch: ServerChannel, retire = false): void {
    if (ch.subs) for (const sub of ch.subs.values()) this.cancelSub(sub);
    // Put-callbacks still waiting are dropped unanswered, as the one in flight (RSRV rsrvFreePutNotify).
    if (ch.notifyQueue) {
      this.queuedNotifies -= ch.notifyQueue.length;
      ch.notifyQueue.length = 0;
    }
    ch.cleared = true;
    if (retire) this.channels.retire(ch.sid);
    else this.channels.delete(ch.sid);
  }
}

function rightsOf(pv: Pv): number {
  return (pv.readable ? AccessRights.READ : 0) | (pv.writable ? AccessRights.WRITE : 0);
}

/** A snapshot with the value and alarm of one posted update, metadata from the PV. */
function updateSnapshot(pv: Pv, u: PvUpdate) {
  if (u.value === pv.value && u.secPastEpoch === pv.secPastEpoch && u.nsec === pv.nsec && u.status === pv.status && u.severity === pv.severity) {
    return pv;
  }
  return {
    nativeType: pv.nativeType,
    value: u.value,
    status: u.status,
    severity: u.severity,
    secPastEpoch: u.secPastEpoch,
    nsec: u.nsec,
    units: pv.units,
    precision: pv.precision,
    limits: pv.limits,
    enumStrings: pv.enumStrings,
    ackt: pv.ackt,
    acks: pv.acks,
    recordType: pv.recordType,
  };
}

/** Deprecated READ reply: cmd 3, p1 = cid, p2 = ioid; a lone DBR_STRING is cut to strlen+1 (RSRV read_action). */
function readReply(w: ByteWriter, type: number, count: number, cid: number, ioid: number, pv: Pv): void {
  if (type === DbrBase.STRING && count === 1) {
    const s = w.begin();
    w.cString(valueAsStrings(pv)[0] ?? '');
    w.finish(s, Command.READ, type, count, cid, ioid);
    return;
  }
  // Same layout as READ_NOTIFY, different header meaning; encode then patch the command.
  const start = w.pos;
  writeReadNotifyReply(w, type, count, cid, ioid, pv);
  w.buf.writeUInt16BE(Command.READ, start);
}
