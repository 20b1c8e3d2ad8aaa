import type { AddrPort } from '../config.js';
import { writeBeacon } from '../protocol/messages.js';
import { ByteWriter } from '../protocol/writer.js';

/**
 * Beacon schedule (RSRV online_notify.c): the first beacons come fast (20 ms) and the period doubles up
 * to the configured maximum, so clients notice a (re)started server quickly. The id counts from 0.
 */
export class BeaconSchedule {
  private period = 0.02;
  private id = 0;

  constructor(private readonly maxPeriod: number) {}

  /** The next beacon's bytes and the delay (s) until the one after it. */
  next(tcpPort: number, serverAddr = 0): { bytes: Buffer; delay: number } {
    const w = new ByteWriter(16);
    writeBeacon(w, tcpPort, this.id, serverAddr);
    this.id = (this.id + 1) >>> 0;
    const delay = this.period;
    this.period = Math.min(this.period * 2, this.maxPeriod);
    return { bytes: w.take(), delay };
  }
}

export type { AddrPort };
