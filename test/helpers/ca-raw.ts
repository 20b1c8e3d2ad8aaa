// A test-only raw CA client: a TCP circuit that writes requests built with the protocol encoders (or any
// bytes at all) and collects the server's framed replies; plus UDP search exchanges. No retries, no
// timers: a test waits for a reply it expects, and proves silence with an ECHO round trip (TCP replies
// come back in request order, so anything not before the ECHO reply was never sent).
import dgram from 'node:dgram';
import net from 'node:net';
import { CA_MINOR_VERSION, Command } from '../../ioc/ca/protocol/constants.js';
import { Framer, frameDatagram } from '../../ioc/ca/protocol/framer.js';
import type { RawMessage } from '../../ioc/ca/protocol/header.js';
import {
  decodeServerMessage,
  writeClientName,
  writeCreateChanRequest,
  writeEcho,
  writeHostName,
  writeVersion,
  type ServerMessage,
} from '../../ioc/ca/protocol/messages.js';
import { ByteWriter } from '../../ioc/ca/protocol/writer.js';

/** A reply as received: the decoded message plus its raw header fields and a copy of the payload. */
export interface Reply {
  readonly msg: ServerMessage;
  readonly command: number;
  readonly payloadSize: number;
  readonly dataType: number;
  readonly dataCount: number;
  readonly p1: number;
  readonly p2: number;
  readonly payload: Buffer;
  /** Header bytes exactly as received (16 or 24). */
  readonly header: Buffer;
}

function toReply(m: RawMessage): Reply {
  return {
    msg: decodeServerMessage(m),
    command: m.command,
    payloadSize: m.payloadSize,
    dataType: m.dataType,
    dataCount: m.dataCount,
    p1: m.p1,
    p2: m.p2,
    payload: Buffer.from(m.payload),
    header: Buffer.from(m.headerBytes),
  };
}

/** Build request bytes with the production encoders. */
export function build(fn: (w: ByteWriter) => void): Buffer {
  const w = new ByteWriter(256);
  fn(w);
  return w.take();
}

export interface Channel {
  readonly cid: number;
  readonly sid: number;
  readonly nativeType: number;
  readonly count: number;
  readonly rights: number;
}

export class RawCircuit {
  readonly replies: Reply[] = [];
  /** Every byte received, for golden comparisons. */
  readonly received: Buffer[] = [];
  private cursor = 0;
  private readonly waiters = new Set<() => void>();
  private _closed = false;
  readonly closed: Promise<void>;
  private nextCid = 1;

  private constructor(readonly socket: net.Socket) {
    const framer = new Framer(
      {
        message: (m) => {
          this.replies.push(toReply(m));
          this.wake();
        },
        oversized: () => {
          throw new Error('unreachable: the test framer has no limit');
        },
      },
      2 ** 31,
    );
    socket.on('data', (chunk) => {
      this.received.push(Buffer.from(chunk));
      framer.push(chunk);
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this._closed = true;
        this.wake();
        resolve();
      }),
    );
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawCircuit> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, noDelay: true });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawCircuit(socket));
      });
    });
  }

  /** Connect, exchange VERSION and names: the start libca makes. */
  static async open(port: number, opts: { minor?: number; priority?: number } = {}): Promise<RawCircuit> {
    const c = await RawCircuit.connect(port);
    c.send(
      build((w) => {
        writeVersion(w, opts.priority ?? 0, opts.minor ?? CA_MINOR_VERSION);
        writeClientName(w, 'tester');
        writeHostName(w, 'testhost');
      }),
    );
    await c.next((r) => r.command === Command.VERSION);
    return c;
  }

  get isClosed(): boolean {
    return this._closed;
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  request(fn: (w: ByteWriter) => void): void {
    this.send(build(fn));
  }

  /** Replies received after the cursor; moves the cursor past them. */
  take(): Reply[] {
    const out = this.replies.slice(this.cursor);
    this.cursor = this.replies.length;
    return out;
  }

  /** Wait for the first reply after the cursor matching `pred`; the cursor moves past it. */
  next(pred: (r: Reply) => boolean = () => true): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const check = () => {
        for (let i = this.cursor; i < this.replies.length; i++) {
          const r = this.replies[i]!;
          if (pred(r)) {
            this.cursor = i + 1;
            this.waiters.delete(check);
            resolve(r);
            return;
          }
        }
        if (this._closed) {
          this.waiters.delete(check);
          reject(new Error(`circuit closed; replies after cursor: ${describe(this.replies.slice(this.cursor))}`));
        }
      };
      this.waiters.add(check);
      check();
    });
  }

  /**
   * Send ECHO and return every reply that came before its answer (cursor moves past the echo). Anything
   * the server had to say about earlier requests is in the result.
   */
  async roundTrip(): Promise<Reply[]> {
    const from = this.cursor;
    this.request(writeEcho);
    await this.next((r) => r.command === Command.ECHO);
    return this.replies.slice(from, this.cursor - 1);
  }

  async createChannel(name: string, cid = this.nextCid++): Promise<Channel> {
    this.request((w) => writeCreateChanRequest(w, name, cid));
    const r = await this.next((x) => (x.command === Command.CREATE_CHAN || x.command === Command.CREATE_CH_FAIL) && x.p1 === cid);
    if (r.command === Command.CREATE_CH_FAIL) throw new Error(`CREATE_CH_FAIL for ${name}`);
    const rights = this.replies.find((x) => x.command === Command.ACCESS_RIGHTS && x.p1 === cid);
    return { cid, sid: r.p2, nativeType: r.dataType, count: r.dataCount, rights: rights?.p2 ?? -1 };
  }

  /** Wait until the server closes the circuit (fails the test by timeout otherwise). */
  async waitClosed(): Promise<void> {
    await this.closed;
  }

  close(): void {
    this.socket.destroy();
  }
}

export function describe(rs: readonly Reply[]): string {
  return JSON.stringify(rs.map((r) => ({ kind: r.msg.kind, dt: r.dataType, n: r.dataCount, p1: r.p1, p2: r.p2, size: r.payloadSize })));
}

/** A UDP socket on loopback for search exchanges; collects every reply datagram. */
export class UdpProbe {
  readonly datagrams: Buffer[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: dgram.Socket) {
    socket.on('message', (msg) => {
      this.datagrams.push(Buffer.from(msg));
      for (const w of [...this.waiters]) w();
    });
  }

  static async open(): Promise<UdpProbe> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    return new UdpProbe(socket);
  }

  send(bytes: Buffer, port: number): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(bytes, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  }

  /** Wait for a datagram (index >= `from`) whose messages satisfy `pred`. */
  waitFor(pred: (msgs: Reply[], raw: Buffer) => boolean, from = 0): Promise<{ msgs: Reply[]; raw: Buffer; index: number }> {
    return new Promise((resolve) => {
      const check = () => {
        for (let i = from; i < this.datagrams.length; i++) {
          const msgs = parseDatagram(this.datagrams[i]!);
          if (pred(msgs, this.datagrams[i]!)) {
            this.waiters.delete(check);
            resolve({ msgs, raw: this.datagrams[i]!, index: i });
            return;
          }
        }
      };
      this.waiters.add(check);
      check();
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

export function parseDatagram(buf: Buffer): Reply[] {
  const out: Reply[] = [];
  frameDatagram(buf, (m) => out.push(toReply(m)));
  return out;
}

/** Deterministic PRNG (mulberry32) for the fuzz loops. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
