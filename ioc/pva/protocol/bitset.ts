import type { PvaReader } from './reader.js';
import type { PvaWriter } from './writer.js';

/** Longest BitSet a peer may send us (bits): far beyond any structure we serve. */
export const MAX_BITSET_BYTES = 8192;

/**
 * pvData BitSet: which fields of a structure a message carries (bit 0 the whole structure, then fields
 * depth-first). Kept as little-endian bytes, the order pvData's 64-bit words have on an LE wire.
 */
export class BitSet {
  private bytes: number[] = [];

  static of(...bits: number[]): BitSet {
    const b = new BitSet();
    for (const i of bits) b.set(i);
    return b;
  }

  set(i: number): this {
    const at = i >> 3;
    while (this.bytes.length <= at) this.bytes.push(0);
    this.bytes[at]! |= 1 << (i & 7);
    return this;
  }
  get(i: number): boolean {
    return ((this.bytes[i >> 3] ?? 0) & (1 << (i & 7))) !== 0;
  }
  /** Any bit set in [from, to). */
  any(from = 0, to = this.bytes.length * 8): boolean {
    for (let i = from; i < to; i++) if (this.get(i)) return true;
    return false;
  }
  get empty(): boolean {
    return this.bytes.every((b) => b === 0);
  }
  or(other: BitSet): this {
    other.bytes.forEach((b, i) => {
      if (b) {
        while (this.bytes.length <= i) this.bytes.push(0);
        this.bytes[i]! |= b;
      }
    });
    return this;
  }
  clear(): this {
    this.bytes = [];
    return this;
  }
  /** Indices of the set bits, ascending. */
  toArray(): number[] {
    const out: number[] = [];
    this.bytes.forEach((b, i) => {
      for (let k = 0; k < 8; k++) if (b & (1 << k)) out.push(i * 8 + k);
    });
    return out;
  }

  write(w: PvaWriter): void {
    let n = this.bytes.length;
    while (n > 0 && this.bytes[n - 1] === 0) n--;
    w.size(n);
    const words = n >> 3;
    for (let i = 0; i < words; i++) {
      // Whole 64-bit words go out in the stream's byte order.
      for (let k = 0; k < 8; k++) w.u8(this.bytes[i * 8 + (w.be ? 7 - k : k)]!);
    }
    for (let i = words * 8; i < n; i++) w.u8(this.bytes[i]!);
  }

  static read(r: PvaReader): BitSet {
    const out = new BitSet();
    const n = r.size(1);
    if (n > MAX_BITSET_BYTES) {
      r.fail(`BitSet of ${n} bytes`);
      return out;
    }
    const raw = r.bytes(Math.max(n, 0));
    const words = raw.length >> 3;
    const bytes = new Array<number>(raw.length);
    for (let i = 0; i < words; i++) for (let k = 0; k < 8; k++) bytes[i * 8 + k] = raw[i * 8 + (r.be ? 7 - k : k)]!;
    for (let i = words * 8; i < raw.length; i++) bytes[i] = raw[i]!;
    out.bytes = bytes;
    return out;
  }
}
