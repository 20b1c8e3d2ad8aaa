import { expect } from 'vitest';
import {
  ByteWriter,
  DbrBase,
  frameDatagram,
  noLimits,
  type DbrSnapshot,
  type RawMessage,
} from '../../../../ioc/ca/protocol/index.js';

export function snapshot(over: Partial<DbrSnapshot> = {}): DbrSnapshot {
  return {
    nativeType: DbrBase.DOUBLE,
    value: 0,
    status: 0,
    severity: 0,
    secPastEpoch: 0,
    nsec: 0,
    units: '',
    precision: 0,
    limits: noLimits,
    enumStrings: [],
    ...over,
  };
}

/** Run an encoder against a fresh writer and return the bytes. */
export function encode(fn: (w: ByteWriter) => void, initial = 64): Buffer {
  const w = new ByteWriter(initial);
  fn(w);
  return w.take();
}

/** A framed message with its payload copied, comparable with toEqual. */
export interface Framed {
  command: number;
  payloadSize: number;
  dataType: number;
  dataCount: number;
  p1: number;
  p2: number;
  payload: Buffer;
  headerBytes: Buffer;
}

export const copyMessage = (m: RawMessage): Framed => ({
  command: m.command,
  payloadSize: m.payloadSize,
  dataType: m.dataType,
  dataCount: m.dataCount,
  p1: m.p1,
  p2: m.p2,
  payload: Buffer.from(m.payload),
  headerBytes: Buffer.from(m.headerBytes),
});

/** Frame a complete buffer and assert every byte was consumed by whole messages. */
export function frameAll(buf: Buffer): Framed[] {
  const out: Framed[] = [];
  const { complete } = frameDatagram(buf, (m) => out.push(copyMessage(m)));
  expect(complete).toBe(true);
  const consumed = out.reduce((n, m) => n + m.headerBytes.length + m.payload.length, 0);
  expect(consumed).toBe(buf.length);
  return out;
}

/** Frame a buffer that must hold exactly one message. */
export function frameOne(buf: Buffer): Framed {
  const all = frameAll(buf);
  expect(all).toHaveLength(1);
  return all[0]!;
}
