import type { DeclaredDevice, ExposureMeaning, StateMeaning, TemperatureMeaning } from '../../devices/meaning.js';
import type { TraceEvent } from '../../recorder/event.js';
import { nameMatcher } from '../../recorder/filter.js';
import { limitAndAlarmFindings } from './alarms.js';
import type { Finding } from './finding.js';
import { findMoves, type Move } from './moves.js';
import type { Rules } from './rules.js';
import { num } from './trace-value.js';

export type { Finding } from './finding.js';
export type { Move } from './moves.js';

export interface Exposures {
  readonly detector: string;
  /** Acquisitions started (the acquire channel going to 1). */
  readonly count: number;
  /** Images read out. */
  readonly images: number;
  /** Exposure seconds summed over the images. */
  readonly totalSeconds: number;
}

export interface Temperatures {
  readonly device: string;
  readonly pv: string;
  readonly from: number;
  readonly to: number;
  readonly min: number;
  readonly max: number;
  readonly setpoints: readonly number[];
}

/** A channel with named states (a shutter) and the states it went through. */
export interface StateChanges {
  readonly device: string;
  readonly pv: string;
  readonly from: string;
  readonly changes: readonly { readonly at: number; readonly state: string }[];
}

export interface ValidationReport {
  readonly command: readonly string[];
  readonly exitCode: number;
  readonly timedOut: boolean;
  readonly duration: number;
  readonly moves: readonly Move[];
  readonly exposures: readonly Exposures[];
  readonly temperatures: readonly Temperatures[];
  readonly states: readonly StateChanges[];
  readonly writes: Readonly<Record<string, number>>;
  readonly findings: readonly Finding[];
  readonly changed: Readonly<Record<string, { readonly before: unknown; readonly after: unknown }>>;
  readonly score?: { readonly preset: string; readonly full: number; readonly accurate: boolean };
  readonly ok: boolean;
}

type Snapshot = Readonly<Record<string, unknown>>;

/**
 * Turn a recorded run into what a scientist asks before beam time: what moved and how far, exposures,
 * temperatures, shutters, limit problems, unknown PVs, failed puts, alarms, and what the run left changed.
 * Everything device-specific comes from the devices' declarations (devices/meaning.ts).
 */
export function analyzeRun(input: {
  readonly command: readonly string[];
  readonly events: readonly TraceEvent[];
  /** The twin's devices and what each declares matters (devices/profile/meanings.ts profileMeanings). */
  readonly devices: readonly DeclaredDevice[];
  readonly before: Snapshot;
  readonly after: Snapshot;
  readonly exitCode: number;
  readonly timedOut: boolean;
  /** The signal that ended the script, if one did. */
  readonly signal?: string | null;
  /** Why the script could not start at all. */
  readonly startError?: string;
  readonly catchAllHits: readonly string[];
  readonly rules?: Rules;
  /** Twin time (POSIX s) of the command's start and end; default: the first and last event. */
  readonly startTs?: number;
  readonly endTs?: number;
}): Omit<ValidationReport, 'score' | 'ok'> & { ok: boolean } {
  const { events, devices, rules } = input;
  const t0 = input.startTs ?? events[0]?.timestamp ?? 0;
  const tEnd = input.endTs ?? events[events.length - 1]?.timestamp ?? t0;
  const relTs = (ts: number) => Math.max(0, ts - t0);
  const rel = (e: TraceEvent) => relTs(e.timestamp);
  const writes: Record<string, number> = {};
  for (const e of events) if (e.kind === 'put' && e.origin === 'ca') writes[e.channel] = (writes[e.channel] ?? 0) + 1;

  const moves: Move[] = [];
  const exposures: Exposures[] = [];
  const temperatures: Temperatures[] = [];
  const states: StateChanges[] = [];
  for (const d of devices) {
    for (const m of d.meanings) {
      if (m.kind === 'move') moves.push(...findMoves(d, m, events, { before: input.before, after: input.after, t0 }));
      else if (m.kind === 'exposure') exposures.push(countExposures(d, m, events, input.before));
      else if (m.kind === 'temperature') temperatures.push(followTemperature(d, m, events, input.before, input.after));
      else if (m.kind === 'state') states.push(followStates(d, m, events, input.before, relTs));
    }
  }

  const findings: Finding[] = limitAndAlarmFindings(devices, events, relTs, rules?.allowLimitViolations !== true);
  for (const name of input.catchAllHits) {
    const wrote = writes[name] !== undefined;
    findings.push({
      kind: 'unknown-pv',
      pv: name,
      message: `${name} does not exist on the real beamline (${wrote ? 'written' : 'read'})`,
      at: 0,
      breaks: rules?.allowUnknownPvs !== true,
    });
  }
  for (const e of events) {
    if (e.kind === 'put-complete' && e.eca !== undefined && e.eca !== 1) {
      findings.push({ kind: 'put-failed', pv: e.channel, message: `put to ${e.channel} failed: ${e.message ?? `status ${e.eca}`}`, at: rel(e), breaks: false });
    }
  }

  // Site rules.
  for (const [pattern, range] of Object.entries(rules?.ranges ?? {})) {
    const match = nameMatcher([pattern]);
    for (const e of events) {
      if ((e.kind !== 'put' && e.kind !== 'update') || !match(e.channel)) continue;
      const v = num(e.value);
      if (v === undefined) continue;
      if ((range.min !== undefined && v < range.min) || (range.max !== undefined && v > range.max)) {
        findings.push({ kind: 'rule', pv: e.channel, message: `${e.channel} = ${v} is outside the allowed range [${range.min ?? '-inf'}, ${range.max ?? 'inf'}]`, at: rel(e), breaks: true });
        break;
      }
    }
  }
  if (rules?.forbidden?.length) {
    const match = nameMatcher(rules.forbidden);
    for (const ch of Object.keys(writes)) if (match(ch)) findings.push({ kind: 'rule', pv: ch, message: `${ch} must not be written`, at: 0, breaks: true });
  }
  const duration = Math.max(0, tEnd - t0);
  if (rules?.maxDuration !== undefined && duration > rules.maxDuration) {
    findings.push({ kind: 'rule', pv: '', message: `the run took ${duration.toFixed(1)} s, more than the allowed ${rules.maxDuration} s`, at: duration, breaks: true });
  }

  // How the script itself ended: a failing plan is a finding, whatever it did to the beamline.
  const exit = exitFinding(input);
  if (exit) findings.unshift({ kind: 'exit', pv: '', message: exit, at: 0, breaks: true });

  const changed: Record<string, { before: unknown; after: unknown }> = {};
  for (const [k, v] of Object.entries(input.after)) {
    if (JSON.stringify(v) !== JSON.stringify(input.before[k])) changed[k] = { before: input.before[k], after: v };
  }
  const ok = input.exitCode === 0 && !input.timedOut && !findings.some((f) => f.breaks);
  return { command: input.command, exitCode: input.exitCode, timedOut: input.timedOut, duration, moves, exposures, temperatures, states, writes, findings, changed, ok };
}

/** Acquisitions (acquire 0 → 1) and images (counter increments), each image with its exposure time. */
function countExposures(d: DeclaredDevice, m: ExposureMeaning, events: readonly TraceEvent[], before: Snapshot): Exposures {
  let count = 0;
  let images = 0;
  let total = 0;
  const was = (channel: string | undefined) => (channel === undefined ? undefined : num(before[channel]));
  let acquireTime = was(m.exposureTime) ?? 0;
  let perImage = Math.max(1, was(m.exposuresPerImage) ?? 1);
  let counter = was(m.imageCounter);
  let acquiring = false;
  for (const e of events) {
    if (e.kind !== 'update') continue;
    const v = num(e.value);
    if (e.channel === m.exposureTime) acquireTime = v ?? acquireTime;
    else if (e.channel === m.exposuresPerImage) perImage = Math.max(1, v ?? 1);
    else if (e.channel === m.imageCounter) {
      // Each image the detector read out counts its own exposure (Multiple/Continuous modes take several).
      if (v !== undefined && counter !== undefined && v > counter) {
        images += v - counter;
        total += (v - counter) * acquireTime * perImage;
      }
      counter = v;
    } else if (e.channel === m.acquire) {
      if (v === 1 && !acquiring) count++;
      acquiring = v === 1;
    }
  }
  return { detector: d.device, count, images, totalSeconds: total };
}

function followTemperature(d: DeclaredDevice, m: TemperatureMeaning, events: readonly TraceEvent[], before: Snapshot, after: Snapshot): Temperatures {
  const pv = m.temperature;
  const values = numbers(events.filter((e) => e.kind === 'update' && e.channel === pv));
  const from = num(before[pv]) ?? values[0] ?? 0;
  const to = num(after[pv]) ?? values[values.length - 1] ?? from;
  const all = [from, ...values, to];
  const sp = new Set(m.setpoint);
  const setpoints = numbers(events.filter((e) => e.kind === 'put' && sp.has(e.channel)));
  return { device: d.device, pv, from, to, min: Math.min(...all), max: Math.max(...all), setpoints };
}

function followStates(d: DeclaredDevice, m: StateMeaning, events: readonly TraceEvent[], before: Snapshot, relTs: (ts: number) => number): StateChanges {
  const name = (v: unknown) => {
    const n = num(v);
    return n !== undefined ? (m.states[n] ?? String(n)) : String(v);
  };
  const from = before[m.channel] === undefined ? '?' : name(before[m.channel]);
  const changes: { at: number; state: string }[] = [];
  let last = from;
  for (const e of events) {
    if (e.kind !== 'update' || e.channel !== m.channel) continue;
    const state = name(e.value);
    if (state !== last) changes.push({ at: relTs(e.timestamp), state });
    last = state;
  }
  return { device: d.device, pv: m.channel, from, changes };
}

const numbers = (events: readonly TraceEvent[]) => events.map((e) => num(e.value)).filter((v): v is number => v !== undefined);

/** The script's own failure in words: did not start, killed at the timeout, by a signal, or a non-zero status. */
function exitFinding(r: { exitCode: number; timedOut: boolean; signal?: string | null; startError?: string; command: readonly string[] }): string | undefined {
  if (r.startError) return `the script did not start: ${r.command[0]}: ${r.startError} (exit status ${r.exitCode})`;
  if (r.timedOut) return `the script was killed at the timeout (exit status ${r.exitCode})`;
  if (r.signal) return `the script was killed by ${r.signal} (exit status ${r.exitCode})`;
  if (r.exitCode !== 0) return `the script exited with status ${r.exitCode}`;
  return undefined;
}
