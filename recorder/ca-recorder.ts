import type { Subscription } from 'rxjs';
import { DBE } from '../ioc/epics/events.js';
import { DbrBase } from '../ioc/epics/field-type.js';
import { EPICS_EPOCH_OFFSET } from '../ioc/epics/time.js';
import { CaClient, type Channel, type ClientOptions } from '../ioc/ca/client/index.js';
import type { TraceValue } from './event.js';
import type { TraceSink } from './jsonl.js';
import { linkEvent, Sequencer, type MutableEvent } from './sequencer.js';

export interface CaRecorderOptions {
  readonly names: readonly string[];
  /** DBE mask to subscribe with (default VALUE | LOG | ALARM). */
  readonly mask?: number;
  readonly client?: ClientOptions;
  /** Arrays longer than this (default 4096) are recorded by length only, as the in-process recorder does. */
  readonly maxArray?: number;
}

/**
 * Records any IOC over Channel Access: subscribes (DBR_TIME of the native type) to each name, writes
 * updates with the server's time stamps, and connect/disconnect events as channels come and go.
 */
export class CaRecorder {
  readonly client: CaClient;
  private readonly subs: Subscription[] = [];
  private readonly channels: Channel[] = [];
  private readonly out: Sequencer;
  private readonly maxArray: number;
  count = 0;
  /** Names that connected at least once. */
  readonly connected = new Set<string>();

  /** `sink` may be a Sequencer shared with another recorder of the same trace. */
  constructor(
    sink: TraceSink | Sequencer,
    private readonly opts: CaRecorderOptions,
  ) {
    this.out = sink instanceof Sequencer ? sink : new Sequencer(sink);
    this.client = new CaClient(opts.client ?? {});
    this.maxArray = opts.maxArray ?? 4096;
  }

  start(): this {
    const mask = this.opts.mask ?? DBE.VALUE | DBE.LOG | DBE.ALARM;
    // A name given twice (on the command line and in a names file) is recorded once.
    for (const name of new Set(this.opts.names)) {
      const ch = this.client.channel(name);
      this.channels.push(ch);
      let wasUp = false;
      this.subs.push(
        ch.connection$.subscribe((up) => {
          if (up === wasUp) return;
          wasUp = up;
          if (up) this.connected.add(name);
          this.emit(linkEvent(up ? 'connect' : 'disconnect', name, 'ca'));
        }),
      );
      this.subs.push(
        ch.subscribe({ type: 'time', mask }).subscribe({
          next: (v) => {
            const sec = v.secPastEpoch ?? 0;
            const nsec = v.nsec ?? 0;
            // One object per update, filled in place: this is the CA recorder's hot path.
            const e: MutableEvent = { seq: 0, kind: 'update', channel: name, timestamp: sec + EPICS_EPOCH_OFFSET + nsec / 1e9, epics: [sec, nsec], protocol: 'ca' };
            const value = v.value;
            if (typeof value === 'object' && value.length > this.maxArray) {
              e.value = null;
              e.length = value.length;
            } else e.value = value as TraceValue;
            if (ch.nativeType === DbrBase.DOUBLE || ch.nativeType === DbrBase.FLOAT) e.float = true;
            if (v.status !== undefined) e.status = v.status;
            if (v.severity !== undefined) e.severity = v.severity;
            this.emit(e);
          },
          error: (err: Error) => this.emit(linkEvent('disconnect', name, 'ca', err.message)),
        }),
      );
    }
    return this;
  }

  private emit(e: MutableEvent): void {
    this.count++;
    this.out.write(e);
  }

  async stop(): Promise<void> {
    for (const s of this.subs) s.unsubscribe();
    this.subs.length = 0;
    await this.client.close();
    this.out.sink.flush();
  }
}
