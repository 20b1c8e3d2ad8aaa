import { CA_MINOR_VERSION, SEARCH_DONT_REPLY } from '../protocol/constants.js';
import { writeSearchRequest, writeVersion } from '../protocol/messages.js';
import { ByteWriter } from '../protocol/writer.js';

interface PendingSearch {
  readonly cid: number;
  readonly name: string;
  tries: number;
  /** When the next request for this name is due (ms, caller's clock). */
  due: number;
}

export interface SearchOptions {
  /** First retry interval, ms; doubles per try (libca's lanes start near 32 ms). */
  readonly initialIntervalMs?: number;
  /** Longest interval between tries, ms (EPICS_CA_MAX_SEARCH_PERIOD). */
  readonly maxIntervalMs: number;
  /** Bytes per datagram (libca uses MAX_UDP_SEND 1024; an Ethernet frame fits 1472). */
  readonly datagramBytes?: number;
  /** Datagrams per poll; more due names wait for the next poll (a crude congestion limit). */
  readonly burst?: number;
}

/**
 * The search schedule of a client (sans-I/O): which names still need a server, when to ask again, and the
 * datagrams that ask — many SEARCH requests per datagram after one VERSION carrying a sequence number.
 * The shell calls `poll(now)`, sends each datagram to every search destination and sleeps until `nextDue`.
 */
export class SearchSchedule {
  private readonly pending = new Map<number, PendingSearch>();
  private sequence = 0;
  private readonly initial: number;
  private readonly maxInterval: number;
  private readonly datagramBytes: number;
  private readonly burst: number;

  constructor(opts: SearchOptions) {
    this.initial = opts.initialIntervalMs ?? 32;
    this.maxInterval = opts.maxIntervalMs;
    this.datagramBytes = opts.datagramBytes ?? 1400;
    this.burst = opts.burst ?? 64;
  }

  get size(): number {
    return this.pending.size;
  }
  has(cid: number): boolean {
    return this.pending.has(cid);
  }

  /** Start searching for `name` (due at once). */
  add(cid: number, name: string, now: number): void {
    this.pending.set(cid, { cid, name, tries: 0, due: now });
  }

  /** A server answered (or the channel went away): stop searching. */
  remove(cid: number): boolean {
    return this.pending.delete(cid);
  }

  /** Beacon anomaly (a server appeared or restarted): ask for every pending name again, soon. */
  reset(now: number): void {
    for (const p of this.pending.values()) {
      p.tries = 0;
      p.due = now;
    }
  }

  private interval(tries: number): number {
    return Math.min(this.initial * 2 ** Math.min(tries, 30), this.maxInterval);
  }

  /**
   * Datagrams for the names due at `now` (at most `burst` datagrams) and when the next poll is due
   * (`now` itself when names are left over; undefined when nothing is pending).
   */
  poll(now: number): { datagrams: Buffer[]; nextDue: number | undefined } {
    const datagrams: Buffer[] = [];
    let w: ByteWriter | undefined;
    let leftOver = false;
    for (const p of this.pending.values()) {
      if (p.due > now) continue;
      const need = 16 + ((p.name.length + 1 + 7) & ~7);
      if (w && w.pos + need > this.datagramBytes) {
        datagrams.push(w.take());
        w = undefined;
      }
      if (!w) {
        if (datagrams.length >= this.burst) {
          leftOver = true;
          break;
        }
        w = new ByteWriter(this.datagramBytes + 64);
        // UDP VERSION: dataType 1 = "sequence number valid", p1 = sequence (CA 4.11).
        this.sequence = (this.sequence + 1) >>> 0;
        writeVersion(w, 1, CA_MINOR_VERSION, this.sequence);
      }
      // libca asks over UDP with DONT_REPLY: servers that lack the name stay silent.
      writeSearchRequest(w, p.name, p.cid, SEARCH_DONT_REPLY, CA_MINOR_VERSION);
      p.due = now + this.interval(p.tries);
      p.tries++;
    }
    if (w && w.pos > 16) datagrams.push(w.take());
    if (leftOver) return { datagrams, nextDue: now };
    let next: number | undefined;
    for (const p of this.pending.values()) if (next === undefined || p.due < next) next = p.due;
    return { datagrams, nextDue: next };
  }
}

/**
 * Beacon bookkeeping (libca bhe.cpp, simplified): a beacon from a server not heard before, or whose
 * beacon id does not follow the last one (the server restarted and counts from 0 again), is an anomaly —
 * the client then searches again at once for everything unresolved.
 */
export class BeaconTracker {
  private readonly servers = new Map<string, { id: number; at: number }>();

  /** Record a beacon from `server` ("ip:port"); true when it is an anomaly. */
  observe(server: string, beaconId: number, now: number): boolean {
    const last = this.servers.get(server);
    this.servers.set(server, { id: beaconId, at: now });
    if (!last) return true;
    return beaconId !== ((last.id + 1) >>> 0) && beaconId !== last.id;
  }

  /** Forget servers silent for longer than `ms` (they are gone; their return is news). */
  expire(now: number, ms: number): void {
    for (const [k, v] of this.servers) if (now - v.at > ms) this.servers.delete(k);
  }
}
