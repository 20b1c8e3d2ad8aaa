import type { Subscription } from 'rxjs';
import { DBE, EPICS_EPOCH_OFFSET } from '../ioc/ca/protocol/constants.js';
import { DbrBase } from '../ioc/ca/protocol/dbr-types.js';
import { CaClient, type Channel, type ClientOptions } from '../ioc/ca/client/index.js';
import type { TraceEvent, TraceValue } from './event.js';
import type { TraceSink } from './jsonl.js';

export interface CaRecorderOptions {
  readonly names: readonly string[];
  /** DBE mask to subscribe with (default VALUE | LOG | ALARM). */
  readonly mask?: number;
  readonly client?: ClientOptions;
}

/**
 * Records any IOC over Channel Access: subscribes (DBR_TIME of the native type) to each name, writes
 * updates with the server's time stamps, and connect/disconnect events as channels come and go.
 */
export class CaRecorder {
  readonly client: CaClient;
  private readonly subs: Subscription[] = [];
  private readonly channels: Channel[] = [];
  private seq = 0;
  count = 0;

  constructor(
    private readonly sink: TraceSink,
    private readonly opts: CaRecorderOptions,
  ) {
    this.client = new CaClient(opts.client ?? {});
  }

  start(): this {
    const mask = this.opts.mask ?? DBE.VALUE | DBE.LOG | DBE.ALARM;
    for (const name of this.opts.names) {
      const ch = this.client.channel(name);
      this.channels.push(ch);
      let wasUp = false;
      this.subs.push(
        ch.connection$.subscribe((up) => {
          if (up === wasUp) return;
          wasUp = up;
          this.local(up ? 'connect' : 'disconnect', name);
        }),
      );
      this.subs.push(
        ch.subscribe({ type: 'time', mask }).subscribe({
          next: (v) => {
            const sec = v.secPastEpoch ?? 0;
            const nsec = v.nsec ?? 0;
            const float = ch.nativeType === DbrBase.DOUBLE || ch.nativeType === DbrBase.FLOAT;
            this.emit({
              kind: 'update',
              channel: name,
              timestamp: sec + EPICS_EPOCH_OFFSET + nsec / 1e9,
              epics: [sec, nsec],
              value: v.value as TraceValue,
              ...(float ? { float: true } : {}),
              ...(v.status !== undefined ? { status: v.status } : {}),
              ...(v.severity !== undefined ? { severity: v.severity } : {}),
            });
          },
          error: (e: Error) => this.local('disconnect', name, e.message),
        }),
      );
    }
    return this;
  }

  private local(kind: 'connect' | 'disconnect', channel: string, message?: string): void {
    const ms = Date.now();
    const sec = Math.floor(ms / 1000) - EPICS_EPOCH_OFFSET;
    this.emit({ kind, channel, timestamp: ms / 1000, epics: [sec, (ms % 1000) * 1e6], ...(message ? { message } : {}) });
  }

  private emit(e: Omit<TraceEvent, 'seq'>): void {
    this.count++;
    this.sink.write({ seq: ++this.seq, ...e } as TraceEvent);
  }

  async stop(): Promise<void> {
    for (const s of this.subs) s.unsubscribe();
    this.subs.length = 0;
    await this.client.close();
    this.sink.flush();
  }
}
