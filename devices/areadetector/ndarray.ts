// NDArrays and the asyn port graph they travel along. An NDArray here is a description plus a lazy pixel
// getter: a frame, or a plugin's view of one (ROI, transform …), computes its pixels only when a consumer
// asks (Stats, image1:ArrayData, a file writer), once, and shares them.

/** Pixels, x fastest (row-major, dims [x, y]). */
export type Pixels = Int32Array | Float64Array;

export interface NDArray {
  readonly uniqueId: number;
  /** Seconds since the EPICS epoch (ADCore's NDArray timeStamp). */
  readonly timeStamp: number;
  readonly epicsTs: { readonly sec: number; readonly nsec: number };
  /** [sizeX, sizeY]. */
  readonly dims: readonly number[];
  /** DataType menu index. */
  readonly dataType: number;
  readonly colorMode: number;
  /** The pixels (computed on first call, then shared). Do not modify. */
  data(): Pixels;
}

/** Wrap a pixel producer so it runs at most once. */
export function lazyPixels(make: () => Pixels): () => Pixels {
  let cached: Pixels | undefined;
  return () => (cached ??= make());
}

/** A derived array: same identity and time as `src`, new dims and pixels. */
export function deriveArray(src: NDArray, dims: readonly number[], make: () => Pixels, dataType = src.dataType): NDArray {
  return {
    uniqueId: src.uniqueId,
    timeStamp: src.timeStamp,
    epicsTs: src.epicsTs,
    dims,
    dataType,
    colorMode: src.colorMode,
    data: lazyPixels(make),
  };
}

/** `sync`: the producer waits for this array's processing (WaitForPlugins, blocking callbacks). */
export type ArrayCallback = (array: NDArray, sync: boolean) => void;

/** The registry key of an asyn port's address: arrays of address 0 travel on the port name itself. */
export function portKey(port: string, address = 0): string {
  return address > 0 ? `${port}#${Math.trunc(address)}` : port;
}

/**
 * The asyn ports of one detector IOC: the driver and every plugin register a port name; plugins listen
 * to the port their NDArrayPort names. Arrays published to a port reach its listeners synchronously, in
 * the order they connected (blocking callbacks: the driver's readout finishes when all plugins did).
 */
export class PortRegistry {
  private readonly listeners = new Map<string, Set<ArrayCallback>>();
  private readonly owners = new Map<string, string>();

  /** Declare `port` (owned by the record prefix `owner`). Port names are unique. */
  register(port: string, owner: string): void {
    if (this.owners.has(port)) throw new Error(`duplicate asyn port ${port}`);
    this.owners.set(port, owner);
  }

  has(port: string): boolean {
    return this.owners.has(port);
  }
  ports(): ReadonlyMap<string, string> {
    return this.owners;
  }

  /** Listen to arrays published on `port` (it need not exist yet). Returns the disconnect function. */
  connect(port: string, cb: ArrayCallback): () => void {
    let set = this.listeners.get(port);
    if (!set) this.listeners.set(port, (set = new Set()));
    set.add(cb);
    return () => {
      set.delete(cb);
    };
  }

  hasListeners(port: string): boolean {
    return (this.listeners.get(port)?.size ?? 0) > 0;
  }

  publish(port: string, array: NDArray, sync = true): void {
    const set = this.listeners.get(port);
    if (!set) return;
    for (const cb of [...set]) cb(array, sync);
  }
}
