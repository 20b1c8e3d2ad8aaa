import type { LineRecord } from './line-records.js';

/** What the merge needs to know of a recorded (PV) event. */
export interface PvItem {
  /** Twin time (ms). */
  readonly ms: number;
  /** For a put whose line was announced with a step: its process and that step. */
  readonly putPid?: number;
  readonly putStep?: number;
}

/**
 * Interleave the recorded PV events (in their recorded order, untouched) with the records of the traced
 * processes (each process's in its own order), calling `emit` once per item in the merged order.
 *
 * Exact where it can be: a put announced at step k of process P comes after P's records up to step k and
 * before the rest (the tracer counted step k when the put left; the put is the circuit's next write).
 * Between those anchors a record goes before the first PV event stamped after it (the process's wall
 * clock mapped to twin time), never past an anchor of its own process.
 */
export function mergeLines<T>(pv: Iterable<T>, itemOf: (e: T) => PvItem, processes: readonly (readonly LineRecord[])[], emit: (e: T | LineRecord) => void): void {
  // First pass: each process's announced put steps, in recorded order.
  const anchors = new Map<number, number[]>();
  for (const e of pv) {
    const it = itemOf(e);
    if (it.putPid !== undefined && it.putStep !== undefined) {
      let a = anchors.get(it.putPid);
      if (!a) anchors.set(it.putPid, (a = []));
      a.push(it.putStep);
    }
  }
  const queues = processes.map((records) => ({ records, next: 0, anchors: anchors.get(records[0]?.pid ?? -1) ?? [], anchor: 0 }));
  type Queue = (typeof queues)[number];
  /** The head of a queue, if nothing of its own process must come first. */
  const ready = (q: Queue): LineRecord | undefined => {
    const r = q.records[q.next];
    if (!r) return undefined;
    return q.anchor < q.anchors.length && r.step > q.anchors[q.anchor]! ? undefined : r;
  };
  /** Emit records stamped up to `ms` (all ready ones when Infinity), earliest first. */
  const drainUntil = (ms: number) => {
    for (;;) {
      let best: Queue | undefined;
      let bestMs = ms;
      for (const q of queues) {
        const r = ready(q);
        if (r && r.ms <= bestMs && (!best || r.ms < bestMs)) {
          best = q;
          bestMs = r.ms;
        }
      }
      if (!best) return;
      emit(best.records[best.next++]!);
    }
  };
  for (const e of pv) {
    const it = itemOf(e);
    const q = it.putPid !== undefined && it.putStep !== undefined ? queues.find((x) => x.records[0]?.pid === it.putPid) : undefined;
    // Everything of the put's process up to its step, in its own order; the rest waits for the put.
    if (q) while (q.next < q.records.length && q.records[q.next]!.step <= it.putStep!) emit(q.records[q.next++]!);
    drainUntil(it.ms);
    emit(e);
    if (q) q.anchor++;
  }
  drainUntil(Number.POSITIVE_INFINITY);
  // Whatever an unmatched anchor still holds back (a put recorded out of step order).
  for (const q of queues) while (q.next < q.records.length) emit(q.records[q.next++]!);
}
