import dgram from 'node:dgram';
import net from 'node:net';
import os from 'node:os';
import { parseAddrList, type AddrPort, type Env } from '../../epics/env.js';
import { BitSet } from '../protocol/bitset.js';
import { Cmd, PVA_DEFAULT_BROADCAST_PORT, SearchFlags } from '../protocol/constants.js';
import { bitOffset, member, type FieldDesc, type StructureDesc } from '../protocol/field-desc.js';
import { PvaFramer } from '../protocol/framer.js';
import { readSearchResponse, writeSearchRequest } from '../protocol/messages.js';
import { PvaReader } from '../protocol/reader.js';
import type { PvStruct } from '../protocol/value.js';
import { PvaWriter } from '../protocol/writer.js';
import { PvaClientCircuit, PvaRequestError, type MonitorHandlers } from './circuit.js';

export { PvaRequestError };

export interface PvaClientOptions {
  readonly env?: Env;
  /** Seconds to wait for a search answer, a connection or a reply. */
  readonly timeout?: number;
}

/**
 * A pvAccess client: UDP search to EPICS_PVA_ADDR_LIST (with EPICS_PVA_BROADCAST_PORT for entries without a
 * port), one TCP circuit per server, channels by name. get/put/monitor/info take pvRequest text.
 */
export class PvaClient {
  private readonly addrs: AddrPort[];
  private readonly timeoutMs: number;
  private readonly circuits = new Map<string, Promise<{ circuit: PvaClientCircuit; socket: net.Socket }>>();
  private readonly channels = new Map<string, Promise<{ circuit: PvaClientCircuit; sid: number }>>();
  /** The circuit of each connected channel, known synchronously: a closed circuit's channels go at once. */
  private readonly channelCircuit = new Map<string, PvaClientCircuit>();
  private readonly channelSid = new Map<string, number>();
  private udp: dgram.Socket | undefined;
  private udpReady: Promise<dgram.Socket> | undefined;
  private searchSeq = 1;
  /** Searches in flight: close() ends them at once rather than at their timeout. */
  private readonly searches = new Set<(e: Error) => void>();
  private closed = false;

  constructor(opts: PvaClientOptions = {}) {
    const env = opts.env ?? process.env;
    const bport = Number(env['EPICS_PVA_BROADCAST_PORT']) || PVA_DEFAULT_BROADCAST_PORT;
    this.addrs = parseAddrList(env['EPICS_PVA_ADDR_LIST'], bport);
    if (this.addrs.length === 0 && !/^(n|no|false|0)$/i.test(env['EPICS_PVA_AUTO_ADDR_LIST'] ?? '')) this.addrs.push({ host: '127.0.0.1', port: bport });
    this.timeoutMs = (opts.timeout ?? 5) * 1000;
  }

  private withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new PvaRequestError(`timeout: ${what}`)), this.timeoutMs);
      p.then(
        (v) => (clearTimeout(t), resolve(v)),
        (e) => (clearTimeout(t), reject(e)),
      );
    });
  }

  /** Find the server of `name`: host:port of its TCP listener. */
  private async search(name: string): Promise<AddrPort> {
    const sock = await (this.udpReady ??= new Promise<dgram.Socket>((resolve) => {
      const s = (this.udp = dgram.createSocket('udp4'));
      s.bind(0, () => resolve(s));
      s.unref();
    }));
    const seq = this.searchSeq++;
    const w = new PvaWriter(false, 0);
    writeSearchRequest(w, { seq, flags: SearchFlags.UNICAST, replyAddr: '0.0.0.0', replyPort: sock.address().port, protocols: ['tcp'], channels: [{ id: seq, name }] });
    const msg = w.take();
    return new Promise((resolve, reject) => {
      let tries = 0;
      const onMsg = (buf: Buffer, rinfo: dgram.RemoteInfo) => {
        for (const f of safeFrames(buf)) {
          if (f.header.command !== Cmd.SEARCH_RESPONSE) continue;
          const s = readSearchResponse(new PvaReader(f.payload, f.be));
          if (s.seq !== seq || !s.found || !s.ids.includes(seq)) continue;
          done();
          resolve({ host: s.addr === '0.0.0.0' ? rinfo.address : s.addr, port: s.port });
        }
      };
      const send = () => {
        for (const a of this.addrs) sock.send(msg, a.port, a.host, () => {});
        // Resend with backoff until the timeout, as pvxs does for unanswered searches.
        timer = setTimeout(send, Math.min(1000, 50 * 2 ** tries++));
      };
      const done = () => {
        clearTimeout(timer);
        clearTimeout(giveUp);
        sock.off('message', onMsg);
        this.searches.delete(abort);
      };
      const abort = (e: Error) => {
        done();
        reject(e);
      };
      this.searches.add(abort);
      let timer: NodeJS.Timeout;
      const giveUp = setTimeout(() => {
        done();
        reject(new PvaRequestError(`no server answered for ${name}`));
      }, this.timeoutMs);
      sock.on('message', onMsg);
      send();
    });
  }

  private circuitFor(a: AddrPort): Promise<{ circuit: PvaClientCircuit; socket: net.Socket }> {
    const key = `${a.host}:${a.port}`;
    let c = this.circuits.get(key);
    if (!c) {
      c = new Promise((resolve, reject) => {
        const socket = net.createConnection({ host: a.host, port: a.port, noDelay: true });
        const circuit = new PvaClientCircuit((b) => socket.write(b), { user: os.userInfo().username, host: os.hostname() });
        // A channel the server destroyed is searched for again by the next request on its name.
        circuit.onChannelDestroyed = (sid) => {
          for (const [n, c] of this.channelCircuit) if (c === circuit && this.channelSid.get(n) === sid) this.forget(n);
        };
        socket.on('data', (d) => circuit.recv(d));
        socket.on('error', (e) => circuit.fail(e));
        socket.on('close', () => {
          // Forget first: whoever hears of the failure may ask for the channel again straight away.
          this.circuits.delete(key);
          for (const [n, c] of this.channelCircuit) if (c === circuit) this.forget(n);
          circuit.fail(new PvaRequestError('circuit closed'));
        });
        circuit.ready.then(() => resolve({ circuit, socket }), reject);
      });
      c.catch(() => this.circuits.delete(key));
      this.circuits.set(key, c);
    }
    return c;
  }

  /** Connect a channel (searching once per name while connected). */
  channel(name: string): Promise<{ circuit: PvaClientCircuit; sid: number }> {
    if (this.closed) return Promise.reject(new PvaRequestError('client closed'));
    let ch = this.channels.get(name);
    if (!ch) {
      ch = this.withTimeout(
        (async () => {
          const where = await this.search(name);
          const { circuit } = await this.circuitFor(where);
          const sid = await circuit.createChannel(name);
          this.channelCircuit.set(name, circuit);
          this.channelSid.set(name, sid);
          return { circuit, sid };
        })(),
        `connecting ${name}`,
      );
      ch.catch(() => this.channels.delete(name));
      this.channels.set(name, ch);
    }
    return ch;
  }

  private forget(name: string): void {
    this.channels.delete(name);
    this.channelCircuit.delete(name);
    this.channelSid.delete(name);
  }

  async get(name: string, request = ''): Promise<{ desc: StructureDesc; value: PvStruct }> {
    const { circuit, sid } = await this.channel(name);
    return this.withTimeout(circuit.get(sid, request), `get ${name}`);
  }

  /** Write `value` to the `value` field (for NTEnum: an index or a choice name). Resolves on completion. */
  async put(name: string, value: unknown, request = 'field(value)'): Promise<void> {
    const { circuit, sid } = await this.channel(name);
    let choices: readonly string[] = [];
    const enumLike = async () => {
      const cur = await circuit.get(sid, 'field(value)');
      choices = ((cur.value['value'] as PvStruct | undefined)?.['choices'] as string[] | undefined) ?? [];
    };
    const t = await circuit.getField(sid, 'value');
    if (t.kind === 'structure' && member(t, 'index')) await enumLike();
    await this.withTimeout(
      circuit.put(sid, (desc) => {
        const vt = member(desc, 'value');
        if (!vt) throw new PvaRequestError(`${name} has no value field`);
        if (vt.kind === 'structure' && member(vt, 'index')) {
          const i = typeof value === 'string' && choices.includes(value) ? choices.indexOf(value) : Number(value);
          if (!Number.isInteger(i)) throw new PvaRequestError(`"${String(value)}" is not a choice of ${name} (${choices.join(', ')})`);
          return { value: { value: { index: i } }, bits: BitSet.of(bitOffset(desc, 'value.index')) };
        }
        return { value: { value: coerceFor(vt, value) }, bits: BitSet.of(bitOffset(desc, 'value')) };
      }, request),
      `put ${name}`,
    );
  }

  async info(name: string): Promise<FieldDesc> {
    const { circuit, sid } = await this.channel(name);
    return this.withTimeout(circuit.getField(sid), `info ${name}`);
  }

  async monitor(name: string, handlers: MonitorHandlers, request = ''): Promise<() => void> {
    const { circuit, sid } = await this.channel(name);
    return circuit.monitor(sid, handlers, request);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const abort of [...this.searches]) abort(new PvaRequestError('client closed'));
    for (const c of this.circuits.values()) {
      try {
        (await c).socket.destroy();
      } catch {
        /* a failed connection has nothing to close */
      }
    }
    this.circuits.clear();
    this.channels.clear();
    this.channelCircuit.clear();
    this.channelSid.clear();
    if (this.udpReady) await this.udpReady;
    if (this.udp) await new Promise<void>((r) => this.udp!.close(() => r()));
    this.udp = undefined;
    this.udpReady = undefined;
  }
}

function safeFrames(buf: Buffer) {
  try {
    return new PvaFramer().push(buf);
  } catch {
    return [];
  }
}

/** A command-line value in the type of the `value` field: numbers parse, arrays split on commas/space. */
function coerceFor(t: FieldDesc, v: unknown): unknown {
  if (t.kind === 'scalarArray') {
    const list = Array.isArray(v) ? v : String(v).trim().split(/[\s,]+/).filter(Boolean);
    return t.type === 'string' ? list.map(String) : list.map((x) => num(x));
  }
  if (t.kind === 'scalar') return t.type === 'string' ? String(v) : t.type === 'boolean' ? /^(1|true|yes)$/i.test(String(v)) : num(v);
  return v;
}

function num(x: unknown): number {
  const n = typeof x === 'number' ? x : Number(String(x).trim());
  if (Number.isNaN(n) && String(x).trim().toLowerCase() !== 'nan') throw new PvaRequestError(`"${String(x)}" is not a number`);
  return n;
}
