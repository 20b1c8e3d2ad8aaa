import { CA_MINOR_VERSION, Command } from '../protocol/constants.js';
import { Framer } from '../protocol/framer.js';
import { parseHeader, type RawMessage } from '../protocol/header.js';
import {
  decodeServerMessage,
  writeClearChannel,
  writeClientName,
  writeCreateChanRequest,
  writeEcho,
  writeEventAddRequest,
  writeEventCancelRequest,
  writeHostName,
  writeReadNotifyRequest,
  writeVersion,
  writeWriteRequest,
  type ServerMessage,
} from '../protocol/messages.js';
import { cString } from '../protocol/reader.js';
import { ByteWriter } from '../protocol/writer.js';

/** The header of the request an ERROR message quotes. */
export interface QuotedRequest {
  readonly command: number;
  readonly dataType: number;
  readonly count: number;
  readonly p1: number;
  readonly p2: number;
}

/** What a client circuit hands up: decoded replies, with ERROR carrying the request it refers to. */
export type CircuitMessage =
  | Exclude<ServerMessage, { kind: 'ERROR' }>
  | { readonly kind: 'ERROR'; readonly cid: number; readonly status: number; readonly text: string; readonly request: QuotedRequest | undefined }
  | { readonly kind: 'TOO_LARGE'; readonly request: QuotedRequest };

export interface ClientCircuitOptions {
  readonly priority: number;
  readonly user: string;
  readonly host: string;
  /** Largest payload accepted from the server; bigger replies are skipped and reported as TOO_LARGE. */
  readonly maxPayload: number;
}

/**
 * One virtual circuit, client side, without sockets (caproto's VirtualCircuit idea): requests are encoded
 * into one output buffer that the shell takes and writes once per tick; received bytes are framed and
 * handed up as typed messages. The handshake (VERSION, CLIENT_NAME, HOST_NAME) is queued on creation, as
 * libca does before any CREATE_CHAN.
 */
export class ClientCircuit {
  private readonly out = new ByteWriter(16 * 1024);
  private readonly framer: Framer;
  /** The server's minor protocol version (from its VERSION); 0 until known. */
  serverMinor = 0;

  constructor(
    private readonly deliver: (msg: CircuitMessage) => void,
    opts: ClientCircuitOptions,
  ) {
    this.framer = new Framer(
      {
        message: (m) => this.onMessage(m),
        oversized: (header) => {
          const h = parseHeader(header, 0, header.length);
          if (h) this.deliver({ kind: 'TOO_LARGE', request: { command: h.command, dataType: h.dataType, count: h.dataCount, p1: h.p1, p2: h.p2 } });
        },
      },
      opts.maxPayload,
    );
    writeVersion(this.out, opts.priority, CA_MINOR_VERSION);
    writeClientName(this.out, opts.user);
    writeHostName(this.out, opts.host);
  }

  /** Bytes queued and not yet taken. */
  get pending(): number {
    return this.out.pos;
  }

  /** Everything queued since the last call, as one Buffer (safe to keep), or undefined. */
  takeOutput(): Buffer | undefined {
    return this.out.pos === 0 ? undefined : this.out.take();
  }

  /** Bytes from the server. */
  recv(chunk: Buffer): void {
    this.framer.push(chunk);
  }

  createChannel(name: string, cid: number): void {
    writeCreateChanRequest(this.out, name, cid, CA_MINOR_VERSION);
  }
  clearChannel(sid: number, cid: number): void {
    writeClearChannel(this.out, sid, cid);
  }
  readNotify(sid: number, type: number, count: number, ioid: number): void {
    writeReadNotifyRequest(this.out, type, count, sid, ioid);
  }
  write(sid: number, type: number, values: ArrayLike<number> | readonly string[], notify: boolean, ioid: number): void {
    const start = this.out.pos;
    try {
      writeWriteRequest(this.out, notify, type, sid, ioid, values);
    } catch (e) {
      this.out.pos = start; // keep only whole messages queued
      throw e;
    }
  }
  eventAdd(sid: number, type: number, count: number, subid: number, mask: number): void {
    writeEventAddRequest(this.out, type, count, sid, subid, mask);
  }
  eventCancel(sid: number, type: number, count: number, subid: number): void {
    writeEventCancelRequest(this.out, type, count, sid, subid);
  }
  echo(): void {
    writeEcho(this.out);
  }

  private onMessage(m: RawMessage): void {
    if (m.command === Command.ERROR) {
      // The payload quotes the offending request's header: its p2 names the ioid/subid that failed.
      const h = m.payload.length >= 16 ? parseHeader(m.payload, 0, m.payload.length) : undefined;
      const request = h ? { command: h.command, dataType: h.dataType, count: h.dataCount, p1: h.p1, p2: h.p2 } : undefined;
      const text = m.payload.length > 16 ? cString(m.payload, 16, m.payload.length) : '';
      this.deliver({ kind: 'ERROR', cid: m.p1, status: m.p2, text, request });
      return;
    }
    const msg = decodeServerMessage(m) as Exclude<ServerMessage, { kind: 'ERROR' }>;
    if (msg.kind === 'VERSION') this.serverMinor = msg.minor;
    this.deliver(msg);
  }
}
