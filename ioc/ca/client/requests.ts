import { ECA } from '../protocol/constants.js';
import type { ChannelState } from './channel-state.js';
import { CaError } from './errors.js';
import type { CaValue, TypeSpec } from './values.js';

export interface GetOptions {
  readonly type?: TypeSpec;
  /** Elements to read; 0 (the default with CA 4.13 servers) = the current length. */
  readonly count?: number;
  /** Seconds; default the client's timeout. */
  readonly timeout?: number;
}

export interface PutOptions {
  /** Put-callback (WRITE_NOTIFY): resolve only when the server reports completion. */
  readonly wait?: boolean;
  readonly type?: TypeSpec;
  readonly timeout?: number;
}

export interface MonitorOptions {
  readonly type?: TypeSpec;
  readonly count?: number;
  /** DBE mask; default DBE_VALUE | DBE_ALARM. */
  readonly mask?: number;
}

/** How a request's outcome comes back: a get's value, a put-callback's completion, or the error. */
export interface Reply<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

/** Where a monitor's updates go (an rxjs Subscriber is one). */
export interface MonitorObserver {
  next(value: CaValue): void;
  error(error: unknown): void;
  complete(): void;
}

/** What a pending request needs to know of its channel. */
export interface RequestChannel {
  readonly name: string;
  readonly state: ChannelState;
}

export interface PendingOp<C extends RequestChannel> extends Reply<any> {
  readonly ch: C;
  readonly what: string;
  readonly deadline: number;
}

interface Waiter extends Reply<void> {
  readonly deadline: number;
}

/** The earlier of two optional deadlines. */
export const earliest = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? b : b === undefined ? a : Math.min(a, b);

/**
 * Requests waiting for the server, by ioid (READ_NOTIFY, WRITE_NOTIFY), and callers waiting for a channel
 * to connect, each with a deadline. `due` is never late and may be early (a request settled since): an
 * early `expire` only re-checks. One earliest deadline for all, not a timer per request.
 */
export class PendingRequests<C extends RequestChannel> {
  private readonly ops = new Map<number, PendingOp<C>>();
  private readonly waiters = new Map<C, Waiter[]>();
  private nextIoid = 1;
  private opDue: number | undefined;
  private waitDue: number | undefined;

  /** The earliest deadline (ms), or undefined when nothing waits. */
  get due(): number | undefined {
    return earliest(this.opDue, this.waitDue);
  }

  /** A fresh ioid (wrapping, never 0). */
  allocIoid(): number {
    const id = this.nextIoid;
    this.nextIoid = (this.nextIoid + 1) >>> 0 || 1;
    return id;
  }

  /** Wait for the reply carrying `ioid` until `deadline`. */
  add(ioid: number, op: PendingOp<C>): void {
    this.ops.set(ioid, op);
    this.opDue = earliest(this.opDue, op.deadline);
  }

  /** The request a reply answers, now settled by the caller; undefined for an ioid not (or no longer) ours. */
  take(ioid: number): PendingOp<C> | undefined {
    const op = this.ops.get(ioid);
    if (op) this.ops.delete(ioid);
    return op;
  }

  /** Fail every request of the channels `match` picks. */
  fail(match: (ch: C) => boolean, status: number, text: string): void {
    for (const [ioid, op] of this.ops) {
      if (!match(op.ch)) continue;
      this.ops.delete(ioid);
      op.reject(new CaError(status, `${op.what} ${text}`, op.ch.name));
    }
  }

  waitConnected(ch: C, deadline: number, reply: Reply<void>): void {
    const list = this.waiters.get(ch);
    const w = { resolve: reply.resolve, reject: reply.reject, deadline };
    if (list) list.push(w);
    else this.waiters.set(ch, [w]);
    this.waitDue = earliest(this.waitDue, deadline);
  }

  /** The channel connected: everyone waiting for it goes on. */
  connected(ch: C): void {
    const list = this.waiters.get(ch);
    this.waiters.delete(ch);
    for (const w of list ?? []) w.resolve();
  }

  /** The channel closed: everyone waiting for it fails with `error`. */
  abandon(ch: C, error: CaError): void {
    const list = this.waiters.get(ch);
    this.waiters.delete(ch);
    for (const w of list ?? []) w.reject(error);
  }

  /** Fail whatever is past its deadline at `t` with ECA_TIMEOUT. */
  expire(t: number): void {
    if (this.opDue !== undefined && t >= this.opDue) this.expireOps(t);
    if (this.waitDue !== undefined && t >= this.waitDue) this.expireWaiters(t);
  }

  private expireOps(t: number): void {
    let next: number | undefined;
    for (const [ioid, op] of this.ops) {
      if (op.deadline > t) {
        next = earliest(next, op.deadline);
        continue;
      }
      this.ops.delete(ioid);
      op.reject(new CaError(ECA.TIMEOUT, `${op.what} timed out`, op.ch.name));
    }
    this.opDue = next;
  }

  private expireWaiters(t: number): void {
    let next: number | undefined;
    for (const [ch, list] of this.waiters) {
      const keep: Waiter[] = [];
      for (const w of list) {
        if (w.deadline > t) {
          keep.push(w);
          next = earliest(next, w.deadline);
        } else {
          w.reject(new CaError(ECA.TIMEOUT, `channel connect timed out (${ch.state === 'searching' ? 'not found' : ch.state})`, ch.name));
        }
      }
      if (keep.length === 0) this.waiters.delete(ch);
      else this.waiters.set(ch, keep);
    }
    this.waitDue = next;
  }
}
