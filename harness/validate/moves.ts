import type { DeclaredDevice, MoveMeaning } from '../../devices/meaning.js';
import type { TraceEvent } from '../../recorder/event.js';
import { num } from './trace-value.js';

/** One move: from a put to a drive channel until the device says it is done. */
export interface Move {
  readonly motor: string;
  /** The device's setpoint channel (the motor record's name). */
  readonly pv: string;
  /** Readback at the start and at the end. */
  readonly from: number;
  readonly to: number;
  /** Net displacement, signed (`to − from`). */
  readonly net: number;
  /** Distance the readback actually travelled: backlash, overshoot and reversals included. */
  readonly path: number;
  /** Seconds since the start of the run. */
  readonly at: number;
  /** Seconds from the first drive put to done (or to the last readback change if never done). */
  readonly seconds: number;
  /** Targets written during the move, in order. */
  readonly setpoints: readonly number[];
  /** False: still moving when the run ended. */
  readonly done: boolean;
}

interface Open {
  readonly start: number;
  readonly from: number | undefined;
  path: number;
  last: number;
  readonly setpoints: number[];
}

/**
 * The moves of one declared positioner. A put to a drive channel while a move is under way (a new
 * target, a reversal) belongs to that move; the move ends at the first done value after it. The path
 * sums the readback's steps, so a move 0 → 5 → 2 has net 2 and path 8.
 */
export function findMoves(
  device: DeclaredDevice,
  m: MoveMeaning,
  events: readonly TraceEvent[],
  state: { readonly before: Readonly<Record<string, unknown>>; readonly after: Readonly<Record<string, unknown>>; readonly t0: number },
): Move[] {
  const drive = new Set(m.drive);
  const setpoint = new Set(m.setpoint);
  const moves: Move[] = [];
  let pos = num(state.before[m.readback]);
  let open: Open | undefined;
  const close = (end: number, to: number | undefined, done: boolean) => {
    if (!open) return;
    const from = open.from ?? to ?? 0;
    const at = to ?? from;
    moves.push({ motor: device.device, pv: m.setpoint[0] ?? m.drive[0] ?? m.readback, from, to: at, net: at - from, path: open.path, at: Math.max(0, open.start - state.t0), seconds: Math.max(0, end - open.start), setpoints: open.setpoints, done });
    open = undefined;
  };
  for (const e of events) {
    if (e.kind === 'put' && drive.has(e.channel)) {
      open ??= { start: e.timestamp, from: pos, path: 0, last: e.timestamp, setpoints: [] };
      const v = num(e.value);
      if (setpoint.has(e.channel) && v !== undefined) open.setpoints.push(v);
    } else if (e.kind !== 'update') {
      continue;
    } else if (e.channel === m.readback) {
      const v = num(e.value);
      if (v === undefined) continue;
      if (open) {
        if (pos !== undefined) open.path += Math.abs(v - pos);
        open.last = e.timestamp;
      }
      pos = v;
    } else if (open && e.channel === m.done.channel && num(e.value) === m.done.value) {
      close(e.timestamp, pos, true);
    }
  }
  if (open) {
    // Still moving at the end: the final snapshot is the last position known.
    const end = num(state.after[m.readback]);
    if (end !== undefined && pos !== undefined) open.path += Math.abs(end - pos);
    close(open.last, end ?? pos, false);
  }
  return moves;
}
