import type { PvSource } from '../../db/database.js';
import { PutError } from '../../db/errors.js';
import type { Pv } from '../../db/pv.js';
import type { Logger } from '../../log.js';
import { BitSet } from '../protocol/bitset.js';
import { Cmd, cmdName, Ctrl, Flags, Sub } from '../protocol/constants.js';
import { bitCount, member, TypeCache, type FieldDesc, type StructureDesc } from '../protocol/field-desc.js';
import { PvaFramer, type PvaFrame } from '../protocol/framer.js';
import { isControl, PvaProtocolError } from '../protocol/header.js';
import {
  readBitsAndValue,
  readClientValidation,
  readCreateChannelRequest,
  readDestroyChannel,
  readGetFieldRequest,
  readOpInit,
  readOpRequest,
  readRequestControl,
  readSearchRequest,
  writeConnectionValidated,
  writeCreateChannelResponse,
  writeDataResponse,
  writeDestroyChannel,
  writeGetFieldResponse,
  writeInitResponse,
  writeMonitorUpdate,
  writeSearchResponse,
  writeServerHello,
  writeStatusResponse,
} from '../protocol/messages.js';
import { readPvRequest, selectDesc, selectValue, type Selection } from '../protocol/pv-request.js';
import { PvaReader } from '../protocol/reader.js';
import { errorStatus, OK, type Status } from '../protocol/status.js';
import type { PvStruct } from '../protocol/value.js';
import { PvaWriter } from '../protocol/writer.js';
import { PutConversionError } from './put-value.js';
import { sharedPvs } from './shared-pv.js';
import { pvTarget, type PvaTarget } from './target.js';

/** The socket side of a circuit, as the I/O shell provides it. */
export interface PvaTransport {
  /** Chunks to send in order, as one write (a frame's pixels are a chunk of their own, not copied). */
  write(chunks: readonly Buffer[]): void;
  /** Bytes queued in the socket, not yet sent: monitors hold back above a high-water mark. */
  readonly backlog: number;
  close(): void;
}

export interface PvaCircuitOptions {
  readonly source: PvSource;
  readonly log: Logger;
  readonly peer: string;
  /** This server's identity and TCP port, for search replies over TCP. */
  readonly guid: Buffer;
  readonly tcpPort: number;
  /** Largest message a client may send (bytes). */
  readonly maxMessage?: number;
  /** Channels and operations one client may hold open. */
  readonly maxChannels?: number;
  readonly maxOps?: number;
  /** Socket backlog above which monitor updates wait (coalescing meanwhile). */
  readonly highWater?: number;
}

interface Channel {
  readonly sid: number;
  readonly cid: number;
  readonly target: PvaTarget;
}

interface OpBase {
  readonly ch: Channel;
  readonly ioid: number;
  /** The selected NT type this operation carries. */
  readonly desc: StructureDesc;
}
interface GetOp extends OpBase {
  readonly kind: typeof Cmd.GET | typeof Cmd.PUT | typeof Cmd.PUT_GET;
}
interface QueuedUpdate {
  value: PvStruct;
  bits: BitSet;
  overrun: BitSet;
}
interface MonitorOp extends OpBase {
  readonly kind: typeof Cmd.MONITOR;
  readonly pipeline: boolean;
  /** Updates the client can still take (pipeline credit). */
  window: number;
  readonly maxQueue: number;
  readonly queue: QueuedUpdate[];
  running: boolean;
  unsubscribe?: () => void;
}
type Op = GetOp | MonitorOp;

/**
 * Socket backlog above which monitor updates wait (and coalesce): room for a few 1024×1024 frames in
 * flight, so a frame subscriber is not held to one frame per drain event; still a bound per client.
 */
export const HIGH_WATER = 16 * 1024 * 1024;

/** Default and largest per-monitor queue (pvxs' default queueSize is 4). */
export const DEFAULT_QUEUE = 4;
export const MAX_QUEUE = 64;

/**
 * One client's TCP circuit, sans I/O: bytes in through recv(), bytes out through the transport. Every
 * channel is a Pv of the source, served as its normative type; puts go through Pv.put like CA's.
 */
export class PvaServerCircuit {
  private readonly framer: PvaFramer;
  private readonly out = new PvaWriter(false, Flags.SERVER);
  private readonly cache = new TypeCache();
  private readonly channels = new Map<number, Channel>();
  private readonly ops = new Map<number, Op>();
  private nextSid = 1;
  private validated = false;
  private closed = false;
  user = '';
  host = '';

  constructor(
    private readonly transport: PvaTransport,
    private readonly opts: PvaCircuitOptions,
  ) {
    this.framer = new PvaFramer(opts.maxMessage);
  }

  get channelCount(): number {
    return this.channels.size;
  }
  get opCount(): number {
    return this.ops.size;
  }

  /** The server speaks first: byte order, then the authentication methods it offers. */
  start(): void {
    writeServerHello(this.out, ['anonymous', 'ca']);
    this.flush();
  }

  recv(chunk: Buffer): void {
    if (this.closed) return;
    try {
      for (const f of this.framer.push(chunk)) {
        this.handle(f);
        if (this.closed) return;
      }
    } catch (e) {
      if (!(e instanceof PvaProtocolError)) throw e;
      this.opts.log.warn(`${this.opts.peer}: ${e.message}; closing circuit`);
      this.flush();
      this.close();
      return;
    }
    this.flush();
  }

  /** The socket drained: send what monitors held back. */
  drained(): void {
    for (const op of this.ops.values()) if (op.kind === Cmd.MONITOR) this.pump(op);
    this.flush();
  }

  dispose(): void {
    this.closed = true;
    for (const op of this.ops.values()) if (op.kind === Cmd.MONITOR) op.unsubscribe?.();
    this.ops.clear();
    this.channels.clear();
  }

  /** The PV is gone: tell the client its channels on it are destroyed. */
  disconnectPv(pv: Pv | object): void {
    for (const ch of [...this.channels.values()]) {
      if (ch.target.key !== pv) continue;
      this.dropChannel(ch);
      writeDestroyChannel(this.out, ch.sid, ch.cid);
    }
    this.flush();
  }

  private close(): void {
    this.dispose();
    this.transport.close();
  }

  private flush(): void {
    if (this.out.length && !this.closed) this.transport.write(this.out.takeChunks());
    else if (this.out.length) this.out.takeChunks();
  }

  private handle(f: PvaFrame): void {
    if (isControl(f.header)) {
      // Echo keeps old peers' circuits alive; byte order and flow-control marks need no answer.
      if (f.header.command === Ctrl.ECHO_REQUEST) this.out.control(Ctrl.ECHO_RESPONSE, f.header.size);
      return;
    }
    const r = new PvaReader(f.payload, f.be);
    const cmd = f.header.command;
    switch (cmd) {
      case Cmd.CONNECTION_VALIDATION: {
        const v = readClientValidation(r, this.cache);
        this.check(r, 'connection validation');
        this.user = v.user ?? '';
        this.host = v.host ?? '';
        this.validated = true;
        writeConnectionValidated(this.out, OK);
        return;
      }
      case Cmd.ECHO:
        this.out.begin(Cmd.ECHO).bytes(f.payload).finish();
        return;
      case Cmd.SEARCH:
        return this.onSearch(r);
    }
    if (!this.validated) throw new PvaProtocolError(`command ${cmd} before connection validation`);
    switch (cmd) {
      case Cmd.CREATE_CHANNEL:
        return this.onCreateChannel(r);
      case Cmd.DESTROY_CHANNEL: {
        const { sid, cid } = readDestroyChannel(r);
        this.check(r, 'destroy channel');
        const ch = this.channels.get(sid);
        if (ch && ch.cid === cid) {
          this.dropChannel(ch);
          writeDestroyChannel(this.out, sid, cid);
        }
        return;
      }
      case Cmd.GET:
      case Cmd.PUT:
      case Cmd.PUT_GET:
      case Cmd.MONITOR:
        return this.onOp(cmd, r);
      case Cmd.GET_FIELD:
        return this.onGetField(r);
      case Cmd.DESTROY_REQUEST:
      case Cmd.CANCEL_REQUEST: {
        const { ioid } = readRequestControl(r);
        this.check(r, 'request control');
        // Cancel has nothing in flight to stop here (puts complete on their own); destroy forgets the op.
        if (cmd === Cmd.DESTROY_REQUEST) this.dropOp(ioid);
        return;
      }
      case Cmd.RPC:
      case Cmd.ARRAY:
      case Cmd.PROCESS:
        return this.onUnsupportedOp(cmd, r);
      default:
        // Anything else a client has no business sending (AUTHNZ, MULTIPLE_DATA, unknown codes): skipped
        // whole, as pvxs does; the framing is intact, so the circuit goes on.
        return;
    }
  }

  /**
   * RPC, ARRAY and PROCESS are not served. Each request carries its ioid, so it gets an error status of its
   * own (pvxs answers an RPC to a PV without an RPC handler the same way); the client neither waits nor
   * loses its circuit.
   */
  private onUnsupportedOp(cmd: number, r: PvaReader): void {
    const { sid, ioid, sub } = readOpRequest(r);
    if (!r.ok) return; // too short to name a request: nobody to answer
    const ch = this.channels.get(sid);
    const what = `${cmdName[cmd]} is not supported by this server (it serves GET, PUT, PUT_GET, MONITOR and GET_FIELD)`;
    writeStatusResponse(this.out, cmd, ioid, sub, errorStatus(ch ? `${ch.target.name}: ${what}` : what));
  }

  /** A malformed message breaks the circuit: we cannot tell where the next field starts. */
  private check(r: PvaReader, what: string): void {
    if (!r.ok) throw new PvaProtocolError(`malformed ${what}: ${r.fault}`);
  }

  private onSearch(r: PvaReader): void {
    const s = readSearchRequest(r);
    this.check(r, 'search');
    const found = s.channels.filter((c) => this.resolve(c.name)).map((c) => c.id);
    if (found.length === 0) return;
    writeSearchResponse(this.out, { guid: this.opts.guid, seq: s.seq, addr: '0.0.0.0', port: this.opts.tcpPort, protocol: 'tcp', found: true, ids: found });
  }

  /** A database PV (as its normative type), else a structured PV published beside the database. */
  private resolve(name: string): PvaTarget | undefined {
    const pv = this.opts.source.lookup(name);
    if (pv) return pvTarget(pv);
    return sharedPvs(this.opts.source).get(name);
  }

  private onCreateChannel(r: PvaReader): void {
    const reqs = readCreateChannelRequest(r);
    this.check(r, 'create channel');
    for (const { cid, name } of reqs) {
      const target = this.resolve(name);
      if (!target) {
        writeCreateChannelResponse(this.out, cid, 0, errorStatus(`no such channel ${name}`));
        continue;
      }
      if (this.channels.size >= (this.opts.maxChannels ?? 100_000)) {
        writeCreateChannelResponse(this.out, cid, 0, errorStatus('too many channels on this circuit'));
        continue;
      }
      const sid = this.nextSid++ >>> 0;
      this.channels.set(sid, { sid, cid, target });
      writeCreateChannelResponse(this.out, cid, sid, OK);
    }
  }

  private onGetField(r: PvaReader): void {
    const { sid, ioid, field } = readGetFieldRequest(r);
    this.check(r, 'get field');
    const ch = this.channels.get(sid);
    if (!ch) return writeGetFieldResponse(this.out, ioid, errorStatus(`no channel ${sid}`));
    let desc: FieldDesc | undefined = ch.target.desc;
    for (const part of field ? field.split('.') : []) desc = desc && (desc.kind === 'structure' ? member(desc, part) : undefined);
    if (!desc) return writeGetFieldResponse(this.out, ioid, errorStatus(`no field ${field}`));
    writeGetFieldResponse(this.out, ioid, OK, desc);
  }

  private onOp(cmd: typeof Cmd.GET | typeof Cmd.PUT | typeof Cmd.PUT_GET | typeof Cmd.MONITOR, r: PvaReader): void {
    const { sid, ioid, sub } = readOpRequest(r);
    if (sub & Sub.INIT) {
      const init = readOpInit(r, sub, cmd, this.cache);
      this.check(r, 'request init');
      return this.initOp(cmd, sid, ioid, sub, init.requestDesc, init.request, init.queueSize);
    }
    const op = this.ops.get(ioid);
    if (!op || op.ch.sid !== sid || op.kind !== cmd) {
      // pvxs drops requests for unknown ids; tell the client instead, so it does not wait.
      if (!(sub & Sub.DESTROY) && cmd !== Cmd.MONITOR) writeStatusResponse(this.out, cmd, ioid, sub, errorStatus(`no request ${ioid} on channel ${sid}`));
      return;
    }
    if (op.kind === Cmd.MONITOR) return this.monitorControl(op, sub, r);
    if (cmd === Cmd.GET) {
      this.check(r, 'get');
      writeDataResponse(this.out, cmd, ioid, sub, op.ch.target.readable ? OK : errorStatus('read access denied'), this.current(op));
      if (sub & Sub.DESTROY) this.ops.delete(ioid);
      return;
    }
    if (sub & Sub.GET || (cmd === Cmd.PUT_GET && sub & Sub.GET_PUT)) {
      // PUT 0x40 / PUT_GET 0x40, 0x80: fetch without writing.
      this.check(r, 'fetch');
      writeDataResponse(this.out, cmd, ioid, sub, OK, this.current(op));
      if (sub & Sub.DESTROY) this.ops.delete(ioid);
      return;
    }
    const { value } = readBitsAndValue(r, op.desc, this.cache);
    this.check(r, 'put');
    this.put(op, sub, value);
  }

  private current(op: OpBase): { desc: StructureDesc; value: PvStruct; bits: BitSet } {
    return { desc: op.desc, value: selectValue(op.desc, op.ch.target.current()), bits: BitSet.of(0) };
  }

  private initOp(cmd: Op['kind'], sid: number, ioid: number, sub: number, requestDesc: FieldDesc | null, request: unknown, queueSize?: number): void {
    const ch = this.channels.get(sid);
    const fail = (s: Status) => writeInitResponse(this.out, cmd, ioid, sub, s);
    if (!ch) return fail(errorStatus(`no channel ${sid}`));
    if (this.ops.has(ioid)) return fail(errorStatus(`request id ${ioid} in use`));
    if (this.ops.size >= (this.opts.maxOps ?? 100_000)) return fail(errorStatus('too many requests on this circuit'));
    const req = readPvRequest(requestDesc, request);
    const desc = selectDesc(ch.target.desc, req.fields as Selection | null);
    if (!desc) return fail(errorStatus(`pvRequest selects no field of ${ch.target.name}`));
    if (cmd === Cmd.MONITOR) {
      const pipeline = req.options['pipeline'] === 'true' || (sub & Sub.PIPELINE) !== 0;
      const asked = Number(req.options['queueSize'] ?? queueSize ?? DEFAULT_QUEUE);
      const maxQueue = Math.min(MAX_QUEUE, Math.max(1, Number.isFinite(asked) ? Math.trunc(asked) : DEFAULT_QUEUE));
      const op: MonitorOp = { kind: Cmd.MONITOR, ch, ioid, desc, pipeline, window: pipeline ? (queueSize ?? maxQueue) : Infinity, maxQueue, queue: [], running: false };
      this.ops.set(ioid, op);
      writeInitResponse(this.out, cmd, ioid, sub & ~Sub.PIPELINE, OK, desc);
      return;
    }
    if ((cmd === Cmd.PUT || cmd === Cmd.PUT_GET) && !ch.target.writable) return fail(errorStatus(`write access denied to ${ch.target.name}`));
    this.ops.set(ioid, { kind: cmd, ch, ioid, desc });
    if (cmd === Cmd.PUT_GET) writeInitResponse(this.out, cmd, ioid, sub, OK, desc, desc);
    else writeInitResponse(this.out, cmd, ioid, sub, OK, desc);
  }

  private put(op: GetOp, sub: number, partial: PvStruct): void {
    const { target } = op.ch;
    const reply = (s: Status) => {
      if (this.closed) return;
      if (op.kind === Cmd.PUT_GET) writeDataResponse(this.out, op.kind, op.ioid, sub, s, this.current(op));
      else writeStatusResponse(this.out, op.kind, op.ioid, sub, s);
      if (sub & Sub.DESTROY) this.ops.delete(op.ioid);
      this.flush();
    };
    if (!target.writable) return reply(errorStatus(`write access denied to ${target.name}`));
    if (!('value' in partial)) return reply(OK); // nothing we store was written (alarm, timeStamp …)
    let done: Promise<void>;
    try {
      // The one write path: for a database PV the same Pv.put as a CA put (handlers, completion, recorder).
      done = target.put(partial['value'], { user: this.user, host: this.host, cid: op.ch.cid });
    } catch (e) {
      if (!(e instanceof PutConversionError)) done = Promise.reject(e);
      else return reply(errorStatus(e.message));
    }
    done.then(
      () => reply(OK),
      (e: unknown) => {
        if (!(e instanceof PutError) && !(e instanceof PutConversionError)) this.opts.log.error(`put to ${target.name} failed: ${(e as Error)?.stack ?? e}`);
        reply(errorStatus((e as Error)?.message ?? String(e)));
      },
    );
  }

  private monitorControl(op: MonitorOp, sub: number, r: PvaReader): void {
    if (sub & Sub.DESTROY) {
      this.dropOp(op.ioid);
      return;
    }
    if (sub & Sub.PIPELINE) {
      // An ack: the client freed this many queue slots.
      const n = r.u32();
      this.check(r, 'monitor ack');
      op.window = Math.min(op.window + n, 1 << 20);
      this.pump(op);
      return;
    }
    if (sub & Sub.PROCESS) {
      const start = (sub & Sub.GET) !== 0;
      if (start && !op.running) {
        op.running = true;
        this.enqueue(op, selectValue(op.desc, op.ch.target.current()), BitSet.of(0));
        op.unsubscribe = op.ch.target.subscribe((value, changed) => this.onUpdate(op, value, changed));
      } else if (!start && op.running) {
        op.running = false;
        op.unsubscribe?.();
        op.unsubscribe = undefined;
      }
      this.pump(op);
    }
  }

  private onUpdate(op: MonitorOp, value: PvStruct, changed: ReadonlySet<string> | null): void {
    if (this.closed) return;
    const bits = new BitSet();
    if (!changed) bits.set(0);
    else {
      let at = 1;
      for (const m of op.desc.fields) {
        if (changed.has(m.name)) bits.set(at);
        at += bitCount(m.type);
      }
    }
    if (bits.empty) return;
    this.enqueue(op, selectValue(op.desc, value), bits);
    this.pump(op);
    this.flush();
  }

  /** Bounded, coalescing: when full, the newest update replaces the last queued one and marks overrun. */
  private enqueue(op: MonitorOp, value: PvStruct, bits: BitSet): void {
    const last = op.queue[op.queue.length - 1];
    if (last && op.queue.length >= op.maxQueue) {
      for (const b of bits.toArray()) if (last.bits.get(b)) last.overrun.set(b);
      last.value = value;
      last.bits.or(bits);
      return;
    }
    op.queue.push({ value, bits, overrun: new BitSet() });
  }

  private pump(op: MonitorOp): void {
    const highWater = this.opts.highWater ?? HIGH_WATER;
    while (op.running && op.queue.length && op.window > 0 && this.transport.backlog + this.out.length < highWater) {
      const u = op.queue.shift()!;
      writeMonitorUpdate(this.out, op.ioid, op.desc, u.value, u.bits, u.overrun);
      if (op.pipeline) op.window--;
    }
  }

  private dropOp(ioid: number): void {
    const op = this.ops.get(ioid);
    if (!op) return;
    if (op.kind === Cmd.MONITOR) op.unsubscribe?.();
    this.ops.delete(ioid);
  }

  private dropChannel(ch: Channel): void {
    for (const op of [...this.ops.values()]) if (op.ch === ch) this.dropOp(op.ioid);
    this.channels.delete(ch.sid);
  }
}
