import { BitSet } from '../protocol/bitset.js';
import { Cmd, Ctrl, Sub } from '../protocol/constants.js';
import { readFieldDesc, TypeCache, type FieldDesc, type StructureDesc } from '../protocol/field-desc.js';
import { PvaFramer, type PvaFrame } from '../protocol/framer.js';
import { isControl, PvaProtocolError } from '../protocol/header.js';
import {
  readBitsAndValue,
  readCreateChannelResponse,
  readDestroyChannel,
  readMessage,
  readOpResponse,
  readServerValidation,
  writeClientValidation,
  writeCreateChannelRequest,
  writeGetFieldRequest,
  writeOpInit,
  writeRequestControl,
} from '../protocol/messages.js';
import { buildPvRequest } from '../protocol/pv-request.js';
import { PvaReader } from '../protocol/reader.js';
import { readStatus, type Status } from '../protocol/status.js';
import { defaultOf, mergeStruct, writePartial, type PvStruct } from '../protocol/value.js';
import { PvaWriter } from '../protocol/writer.js';

/** A request the server refused or failed, with its status message. */
export class PvaRequestError extends Error {
  override name = 'PvaRequestError';
  constructor(
    message: string,
    readonly status?: Status,
  ) {
    super(message);
  }
}

export interface MonitorHandlers {
  /** Each update: the whole value so far (partial updates merged in), what changed, and the type. */
  readonly onUpdate: (value: PvStruct, changed: BitSet, overrun: BitSet, desc: StructureDesc) => void;
  readonly onError?: (e: Error) => void;
}

interface Pending {
  readonly cmd: number;
  readonly sid: number;
  desc?: StructureDesc;
  /** The last full value (monitors merge partial updates into it). */
  value: PvStruct;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: Error) => void;
  monitor?: MonitorHandlers;
  stage: 'init' | 'exec' | 'monitor';
  onInit?: () => void;
}

/**
 * The client side of one TCP circuit, sans I/O: answers the server's hello, then creates channels and runs
 * GET/PUT/MONITOR/GET_FIELD requests. Bytes go out through `send`.
 */
export class PvaClientCircuit {
  private readonly framer = new PvaFramer();
  private readonly cache = new TypeCache();
  private readonly w = new PvaWriter(false, 0);
  private readonly ops = new Map<number, Pending>();
  private readonly creating = new Map<number, { resolve: (sid: number) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private readyResolve!: () => void;
  private readyReject!: (e: Error) => void;
  readonly ready: Promise<void>;
  private dead: Error | undefined;
  /** The server destroyed channel `sid` (its PV went away): its requests have failed. */
  onChannelDestroyed: ((sid: number) => void) | undefined;

  constructor(
    private readonly send: (b: Buffer) => void,
    private readonly identity: { user: string; host: string } = { user: '', host: '' },
  ) {
    this.ready = new Promise((res, rej) => {
      this.readyResolve = res;
      this.readyReject = rej;
    });
    this.ready.catch(() => {});
  }

  recv(chunk: Buffer): void {
    try {
      for (const f of this.framer.push(chunk)) this.handle(f);
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
    }
    this.flush();
  }

  /** The connection is gone: every pending request fails. */
  fail(e: Error): void {
    if (this.dead) return;
    this.dead = e;
    this.readyReject(e);
    for (const p of this.ops.values()) (p.monitor?.onError ?? p.reject)(e);
    for (const c of this.creating.values()) c.reject(e);
    this.ops.clear();
    this.creating.clear();
  }

  private flush(): void {
    if (this.w.length) this.send(this.w.take());
  }

  private handle(f: PvaFrame): void {
    if (isControl(f.header)) {
      if (f.header.command === Ctrl.ECHO_REQUEST) this.w.control(Ctrl.ECHO_RESPONSE, f.header.size);
      return;
    }
    const r = new PvaReader(f.payload, f.be);
    switch (f.header.command) {
      case Cmd.CONNECTION_VALIDATION: {
        const v = readServerValidation(r);
        const method = v.methods.includes('ca') ? 'ca' : 'anonymous';
        writeClientValidation(this.w, { method, ...this.identity });
        return;
      }
      case Cmd.CONNECTION_VALIDATED: {
        const s = readStatus(r);
        if (s.type >= 2) this.fail(new PvaRequestError(`connection refused: ${s.message}`, s));
        else this.readyResolve();
        return;
      }
      case Cmd.CREATE_CHANNEL: {
        const { cid, sid, status } = readCreateChannelResponse(r);
        const c = this.creating.get(cid);
        this.creating.delete(cid);
        if (!c) return;
        if (status.type >= 2) c.reject(new PvaRequestError(status.message || 'channel refused', status));
        else c.resolve(sid);
        return;
      }
      case Cmd.GET:
      case Cmd.PUT:
      case Cmd.MONITOR:
        return this.onOpReply(f.header.command, r);
      case Cmd.GET_FIELD: {
        const ioid = r.u32();
        const status = readStatus(r);
        const p = this.ops.get(ioid);
        if (!p) return;
        this.ops.delete(ioid);
        if (status.type >= 2) p.reject(new PvaRequestError(status.message, status));
        else p.resolve(readFieldDesc(r, this.cache));
        return;
      }
      case Cmd.MESSAGE:
        readMessage(r);
        return;
      case Cmd.DESTROY_CHANNEL: {
        // We never destroy channels ourselves, so this is the server dropping one.
        const { sid } = readDestroyChannel(r);
        if (!r.ok) throw new PvaProtocolError(`malformed destroy channel: ${r.fault}`);
        const gone = new PvaRequestError('channel destroyed by the server');
        for (const [ioid, p] of [...this.ops]) {
          if (p.sid !== sid) continue;
          this.ops.delete(ioid);
          (p.monitor?.onError ?? p.reject)(gone);
        }
        this.onChannelDestroyed?.(sid);
        return;
      }
    }
  }

  private onOpReply(cmd: number, r: PvaReader): void {
    const ioid = r.u32();
    const sub = r.u8();
    const p = this.ops.get(ioid);
    if (!p) return;
    if (cmd === Cmd.MONITOR && p.stage === 'monitor' && !(sub & (Sub.INIT | Sub.DESTROY))) {
      const { bits, value } = readBitsAndValue(r, p.desc!, this.cache);
      const overrun = BitSet.read(r);
      if (!r.ok) throw new PvaProtocolError(`malformed monitor update: ${r.fault}`);
      p.value = mergeStruct(p.value, value);
      p.monitor!.onUpdate(p.value, bits, overrun, p.desc!);
      return;
    }
    const status = readStatus(r);
    if (status.type >= 2) {
      this.ops.delete(ioid);
      (p.monitor?.onError ?? p.reject)(new PvaRequestError(status.message, status));
      return;
    }
    if (sub & Sub.INIT) {
      p.desc = readFieldDesc(r, this.cache) as StructureDesc;
      if (!r.ok || !p.desc || p.desc.kind !== 'structure') throw new PvaProtocolError('malformed INIT reply');
      p.stage = cmd === Cmd.MONITOR ? 'monitor' : 'exec';
      // Fields an update never marked read as their defaults, as a pvxs client's Value built from the type.
      if (cmd === Cmd.MONITOR) p.value = defaultOf(p.desc) as PvStruct;
      p.onInit?.();
      return;
    }
    if (sub & Sub.DESTROY) this.ops.delete(ioid);
    if (cmd === Cmd.GET || sub & Sub.GET) {
      const { value } = readBitsAndValue(r, p.desc!, this.cache);
      if (!r.ok) throw new PvaProtocolError(`malformed data: ${r.fault}`);
      p.resolve({ desc: p.desc, value });
    } else p.resolve(undefined);
  }

  createChannel(name: string): Promise<number> {
    const cid = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.dead) return reject(this.dead);
      this.creating.set(cid, { resolve, reject });
      writeCreateChannelRequest(this.w, cid, name);
      this.flush();
    });
  }

  /** GET: the selected structure. */
  get(sid: number, request = ''): Promise<{ desc: StructureDesc; value: PvStruct }> {
    return this.op(Cmd.GET, sid, request, (ioid) => {
      this.w.begin(Cmd.GET).u32(sid).u32(ioid).u8(Sub.DESTROY).finish();
    }) as Promise<{ desc: StructureDesc; value: PvStruct }>;
  }

  /** PUT: `make` builds the value to write from the put type (e.g. { value: 3 }); resolves when done. */
  put(sid: number, make: (desc: StructureDesc) => { value: PvStruct; bits: BitSet }, request = 'field(value)'): Promise<void> {
    return this.op(Cmd.PUT, sid, request, (ioid, desc) => {
      const { value, bits } = make(desc);
      this.w.begin(Cmd.PUT).u32(sid).u32(ioid).u8(Sub.DESTROY);
      bits.write(this.w);
      writePartial(this.w, desc, value, bits);
      this.w.finish();
    }) as Promise<void>;
  }

  getField(sid: number, field = ''): Promise<FieldDesc> {
    const ioid = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.dead) return reject(this.dead);
      this.ops.set(ioid, { cmd: Cmd.GET_FIELD, sid, value: {}, resolve: resolve as (v: unknown) => void, reject, stage: 'exec' });
      writeGetFieldRequest(this.w, sid, ioid, field);
      this.flush();
    });
  }

  /** MONITOR; returns a function that stops it. */
  monitor(sid: number, handlers: MonitorHandlers, request = ''): () => void {
    const ioid = this.nextId++;
    if (this.dead) {
      const dead = this.dead;
      queueMicrotask(() => handlers.onError?.(dead));
      return () => {};
    }
    const p: Pending = { cmd: Cmd.MONITOR, sid, value: {}, resolve: () => {}, reject: (e) => handlers.onError?.(e), monitor: handlers, stage: 'init' };
    p.onInit = () => this.w.begin(Cmd.MONITOR).u32(sid).u32(ioid).u8(0x44).finish();
    this.ops.set(ioid, p);
    writeOpInit(this.w, Cmd.MONITOR, sid, ioid, buildPvRequest(request));
    this.flush();
    return () => {
      if (!this.ops.delete(ioid) || this.dead) return;
      writeRequestControl(this.w, Cmd.DESTROY_REQUEST, sid, ioid);
      this.flush();
    };
  }

  private op(cmd: number, sid: number, request: string, exec: (ioid: number, desc: StructureDesc) => void): Promise<unknown> {
    const ioid = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.dead) return reject(this.dead);
      const p: Pending = { cmd, sid, value: {}, resolve, reject, stage: 'init' };
      p.onInit = () => {
        try {
          exec(ioid, p.desc!);
        } catch (e) {
          this.ops.delete(ioid);
          reject(e as Error);
        }
      };
      this.ops.set(ioid, p);
      writeOpInit(this.w, cmd, sid, ioid, buildPvRequest(request));
      this.flush();
    });
  }
}
