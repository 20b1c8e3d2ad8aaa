// A lean pipelining CA client for the benchmarks, built on the protocol core: one TCP circuit, requests
// encoded straight into one writer, replies framed but decoded only as far as a measurement needs.
// It measures whatever server listens on the port (beamtwin's or the C RSRV), the same way.
import net from 'node:net';
import { Command, DBE } from '../../ioc/ca/protocol/constants.js';
import { DbrBase } from '../../ioc/ca/protocol/dbr-types.js';
import { Framer } from '../../ioc/ca/protocol/framer.js';
import type { RawMessage } from '../../ioc/ca/protocol/header.js';
import {
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
} from '../../ioc/ca/protocol/messages.js';
import { ByteWriter } from '../../ioc/ca/protocol/writer.js';

const rate = (n: number, ms: number): number => Math.round((n / ms) * 1000);

export class LeanClient {
  private onMessage: (m: RawMessage) => void = () => {};
  private readonly w = new ByteWriter(1 << 20);
  /** sid of channel i (names `${prefix}${i}`), after connect(). */
  sids: number[] = [];
  /** Monitor events the last monitorEvents() received. */
  lastEvents = 0;

  private constructor(private readonly sock: net.Socket) {
    const framer = new Framer({ message: (m) => this.onMessage(m), oversized: () => {} }, 1 << 30);
    sock.on('data', (c) => framer.push(c));
  }

  static async open(port: number, host = '127.0.0.1'): Promise<LeanClient> {
    const sock = net.connect(port, host);
    sock.setNoDelay(true);
    await new Promise((r) => sock.once('connect', r));
    const c = new LeanClient(sock);
    writeVersion(c.w, 0, 13);
    writeClientName(c.w, 'bench');
    writeHostName(c.w, 'localhost');
    c.send();
    return c;
  }

  close(): void {
    this.sock.destroy();
  }

  private send(): void {
    if (this.w.pos) this.sock.write(this.w.take());
  }

  /**
   * Issue `issue(i)` for i < total keeping at most `window` unanswered; resolves with the elapsed ms once
   * `total` replies with command `cmd` have arrived.
   */
  private pipeline(total: number, cmd: number, issue: (i: number) => void, window = 4096): Promise<number> {
    return new Promise((resolve) => {
      let sent = 0;
      let got = 0;
      const t0 = performance.now();
      const pump = () => {
        while (sent < total && sent - got < window) issue(sent++);
        this.send();
      };
      this.onMessage = (m) => {
        if (m.command !== cmd) return;
        got++;
        if (got === total) resolve(performance.now() - t0);
        else if (sent - got < window / 2) pump();
      };
      pump();
    });
  }

  /** CREATE_CHAN for `${prefix}0 … ${prefix}${n-1}`; channels per second. */
  async connect(prefix: string, n: number): Promise<number> {
    this.sids = new Array<number>(n);
    const ms = await new Promise<number>((resolve) => {
      let got = 0;
      const t0 = performance.now();
      this.onMessage = (m) => {
        if (m.command !== Command.CREATE_CHAN) return;
        this.sids[m.p1] = m.p2;
        if (++got === n) resolve(performance.now() - t0);
      };
      for (let i = 0; i < n; i++) writeCreateChanRequest(this.w, `${prefix}${i}`, i);
      this.send();
    });
    return rate(n, ms);
  }

  /** CLEAR_CHANNEL for every channel connect() made; resolves when all are confirmed. */
  async clearAll(): Promise<void> {
    const n = this.sids.length;
    await this.pipeline(n, Command.CLEAR_CHANNEL, (i) => writeClearChannel(this.w, this.sids[i]!, i));
  }

  /** Pipelined READ_NOTIFYs round-robin over the channels; gets per second. */
  async gets(total: number, type: number = DbrBase.DOUBLE): Promise<number> {
    const n = this.sids.length;
    return rate(total, await this.pipeline(total, Command.READ_NOTIFY, (i) => writeReadNotifyRequest(this.w, type, 1, this.sids[i % n]!, i)));
  }

  /** Pipelined WRITE_NOTIFYs (put with completion) of DBR_DOUBLE; puts per second. */
  async putCallbacks(total: number): Promise<number> {
    const n = this.sids.length;
    return rate(total, await this.pipeline(total, Command.WRITE_NOTIFY, (i) => writeWriteRequest(this.w, true, DbrBase.DOUBLE, this.sids[i % n]!, i, [i])));
  }

  /** Pipelined WRITEs of DBR_DOUBLE (ca_put, as catime), an ECHO after every `batch` to pace them; puts per second. */
  async puts(total: number, batch = 256): Promise<number> {
    const n = this.sids.length;
    const batches = Math.ceil(total / batch);
    const ms = await this.pipeline(
      batches,
      Command.ECHO,
      (b) => {
        for (let j = 0; j < batch; j++) {
          const i = b * batch + j;
          writeWriteRequest(this.w, false, DbrBase.DOUBLE, this.sids[i % n]!, 0, [i]);
        }
        writeEcho(this.w);
      },
      16,
    );
    return rate(batches * batch, ms);
  }

  /** EVENT_ADD + EVENT_CANCEL pairs; pairs per second. */
  async subscribeCancel(total: number): Promise<number> {
    const n = this.sids.length;
    const type = DbrBase.DOUBLE + 14;
    const ms = await this.pipeline(
      total,
      Command.EVENT_ADD,
      (i) => {
        writeEventAddRequest(this.w, type, 1, this.sids[i % n]!, i, DBE.VALUE | DBE.ALARM);
        writeEventCancelRequest(this.w, type, 1, this.sids[i % n]!, i);
      },
      2048,
    );
    // Each pair answers twice (the first update, then the cancel confirmation).
    return rate(total, ms / 2);
  }

  /**
   * Subscribe DBR_DOUBLE to every channel, then write `trigger.values` to `trigger.name` `trigger.times`
   * times (the server then posts new values on every channel); resolves with the monitor events received
   * per second until every channel showed its last value, `final(i)`. Servers may coalesce updates for a
   * client that falls behind (both do): only delivered events count.
   */
  async monitorEvents(
    trigger: { name: string; type: number; values: number[] | string[]; times: number },
    final: (i: number) => number,
  ): Promise<number> {
    const n = this.sids.length;
    const SUB = 1_000_000;
    const triggerSid = await this.channel(trigger.name);
    await this.pipeline(n, Command.EVENT_ADD, (i) => writeEventAddRequest(this.w, DbrBase.DOUBLE, 1, this.sids[i]!, SUB + i, DBE.VALUE));
    const ms = await new Promise<number>((resolve) => {
      let events = 0;
      let pending = n;
      const done = new Uint8Array(n);
      const t0 = performance.now();
      this.onMessage = (m) => {
        if (m.command !== Command.EVENT_ADD || m.payloadSize === 0) return;
        events++;
        const i = m.p2 - SUB;
        if (!done[i] && m.payload.readDoubleBE(0) === final(i)) {
          done[i] = 1;
          if (--pending === 0) {
            this.lastEvents = events;
            resolve((performance.now() - t0) / events);
          }
        }
      };
      for (let k = 0; k < trigger.times; k++) writeWriteRequest(this.w, false, trigger.type, triggerSid, 0, trigger.values);
      this.send();
    });
    return Math.round(1000 / ms);
  }

  /** Create one more channel, to `name`; its sid. */
  private channel(name: string): Promise<number> {
    return new Promise<number>((resolve) => {
      this.onMessage = (m) => {
        if (m.command === Command.CREATE_CHAN && m.p1 === 0x7fffffff) resolve(m.p2);
      };
      writeCreateChanRequest(this.w, name, 0x7fffffff);
      this.send();
    });
  }

  /** Mean round-trip of one get at a time, microseconds. */
  async latency(count: number): Promise<number> {
    const n = this.sids.length;
    const ms = await new Promise<number>((resolve) => {
      let i = 0;
      const t0 = performance.now();
      const next = () => {
        writeReadNotifyRequest(this.w, DbrBase.DOUBLE, 1, this.sids[i % n]!, i);
        this.send();
      };
      this.onMessage = (m) => {
        if (m.command !== Command.READ_NOTIFY) return;
        if (++i === count) resolve(performance.now() - t0);
        else next();
      };
      next();
    });
    return (ms / count) * 1000;
  }
}
