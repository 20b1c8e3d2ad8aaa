/**
 * A circuit's channels by server id (sid). Ids index an array: the lookup every get, put and subscription
 * starts with costs an array load instead of a hash probe. Ids the client freed (CLEAR_CHANNEL) are
 * handed out again (most recent first), so the array never grows past the most channels open at once;
 * ids the server took away (`retire`) are not: the client may still have requests for them on the wire,
 * which must find no channel rather than the next one created.
 */
export class SidTable<T> {
  private readonly slots: (T | undefined)[] = [undefined]; // sid 0 is never used
  private readonly free: number[] = [];
  private live = 0;
  /** An id was ever handed out (CA fixes the client's names once the first channel exists). */
  used = false;

  get size(): number {
    return this.live;
  }

  /** Store `make(sid)` under a new sid. */
  add(make: (sid: number) => T): T {
    const sid = this.free.pop() ?? this.slots.length;
    const item = make(sid);
    this.slots[sid] = item;
    this.live++;
    this.used = true;
    return item;
  }

  get(sid: number): T | undefined {
    // Any 32-bit id may come from the wire: only small integers index the array.
    return sid < this.slots.length ? this.slots[sid] : undefined;
  }

  delete(sid: number): void {
    if (this.get(sid) === undefined) return;
    this.slots[sid] = undefined;
    this.free.push(sid);
    this.live--;
  }

  /** Forget `sid` without handing it out again. */
  retire(sid: number): void {
    if (this.get(sid) === undefined) return;
    this.slots[sid] = undefined;
    this.live--;
  }

  /** Live entries (a snapshot: deleting while iterating is safe). */
  values(): T[] {
    return this.slots.filter((x): x is T => x !== undefined);
  }

  clear(): void {
    this.slots.length = 1;
    this.free.length = 0;
    this.live = 0;
  }
}
