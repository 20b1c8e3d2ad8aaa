import { EPICS_EPOCH_OFFSET } from '../ioc/epics/time.js';
import type { TraceEvent } from './event.js';
import type { TraceSink } from './jsonl.js';

export type MutableEvent = { -readonly [K in keyof TraceEvent]: TraceEvent[K] };

/** Network recorders say which protocol delivered each event. */
export type RecordProtocol = 'ca' | 'pva';

/**
 * Numbers events in the order they are written: one sequencer shared by the CA and the PVA recorder of one
 * `beamtwin record` keeps `seq` consecutive over the whole trace.
 */
export class Sequencer {
  private seq = 0;

  constructor(readonly sink: TraceSink) {}

  /** Events written so far. */
  get count(): number {
    return this.seq;
  }

  write(e: MutableEvent): void {
    e.seq = ++this.seq;
    this.sink.write(e);
  }
}

/** An event stamped with this host's clock, for what has no server time stamp. */
export function localEvent(kind: 'connect' | 'disconnect' | 'update', channel: string, protocol: RecordProtocol): MutableEvent {
  const ms = Date.now();
  const sec = Math.floor(ms / 1000) - EPICS_EPOCH_OFFSET;
  return { seq: 0, kind, channel, timestamp: ms / 1000, epics: [sec, (ms % 1000) * 1e6], protocol };
}

/** A channel connected or went away. */
export function linkEvent(kind: 'connect' | 'disconnect', channel: string, protocol: RecordProtocol, message?: string): MutableEvent {
  const e = localEvent(kind, channel, protocol);
  if (message) e.message = message;
  return e;
}
