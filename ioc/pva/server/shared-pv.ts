import type { StructureDesc } from '../protocol/field-desc.js';
import type { PvStruct } from '../protocol/value.js';
import { PutConversionError } from './put-value.js';
import type { PvaTarget } from './target.js';

/**
 * A PVA-only PV holding a whole structure (pvxs' SharedPV idea): an NTNDArray image, say. Read-only to
 * clients; its owner posts new values.
 */
export class SharedPv implements PvaTarget {
  readonly key = this;
  readonly readable = true;
  readonly writable = false;
  private value: PvStruct;
  private pending: (() => PvStruct) | undefined;
  private readonly listeners = new Set<(value: PvStruct, changed: ReadonlySet<string> | null) => void>();

  constructor(
    readonly name: string,
    readonly desc: StructureDesc,
    initial: PvStruct,
  ) {
    this.value = initial;
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  current(): PvStruct {
    if (this.pending) {
      this.value = this.pending();
      this.pending = undefined;
    }
    return this.value;
  }

  /** Replace the value; `changed` names the top-level fields that changed (default: all). */
  post(value: PvStruct, changed: ReadonlySet<string> | null = null): void {
    this.pending = undefined;
    this.value = value;
    for (const l of [...this.listeners]) l(value, changed);
  }

  /** A new value made only when someone reads it (a frame nobody watches is never converted). */
  postLazy(make: () => PvStruct): void {
    this.pending = make;
    if (this.listeners.size) this.post(this.current());
  }

  subscribe(cb: (value: PvStruct, changed: ReadonlySet<string> | null) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  put(): Promise<void> {
    return Promise.reject(new PutConversionError(`${this.name} is read-only`));
  }
}

const registries = new WeakMap<object, Map<string, SharedPv>>();

/**
 * The structured PVs served beside a PV source (keyed by the source object, e.g. a twin's PvDatabase), so
 * a device can publish one and every PVA server of that database serves it.
 */
export function sharedPvs(owner: object): Map<string, SharedPv> {
  let m = registries.get(owner);
  if (!m) registries.set(owner, (m = new Map()));
  return m;
}
