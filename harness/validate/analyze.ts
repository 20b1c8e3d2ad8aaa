import type { DeviceSpec, Profile } from '../../devices/profile/profile.js';
import type { TraceEvent } from '../../recorder/event.js';
import { nameMatcher } from '../../recorder/filter.js';
import type { Rules } from './rules.js';

export interface MotorMove {
  readonly motor: string;
  readonly pv: string;
  readonly from: number;
  readonly to: number;
  readonly distance: number;
  /** Seconds from the first setpoint change to the last readback change. */
  readonly seconds: number;
  readonly setpoints: readonly number[];
}

export interface Finding {
  readonly kind: 'limit-violation' | 'hard-limit' | 'unknown-pv' | 'put-failed' | 'alarm' | 'rule' | 'exit';
  readonly pv: string;
  readonly message: string;
  /** Seconds since the start of the run. */
  readonly at: number;
  /** Breaks the rules (non-zero exit). */
  readonly breaks: boolean;
}

export interface ValidationReport {
  readonly command: readonly string[];
  readonly exitCode: number;
  readonly timedOut: boolean;
  readonly duration: number;
  readonly moves: readonly MotorMove[];
  readonly exposures: { readonly count: number; readonly images: number; readonly totalSeconds: number; readonly detector: string }[];
  readonly temperatures: { readonly pv: string; readonly from: number; readonly to: number; readonly min: number; readonly max: number; readonly setpoints: readonly number[] }[];
  readonly writes: Readonly<Record<string, number>>;
  readonly findings: readonly Finding[];
  readonly changed: Readonly<Record<string, { readonly before: unknown; readonly after: unknown }>>;
  readonly score?: { readonly preset: string; readonly full: number; readonly accurate: boolean };
  readonly ok: boolean;
}

/** Motor record fields whose write starts motion. */
const MOTION_FIELDS = new Set(['VAL', 'DVAL', 'RVAL', 'RLV', 'TWF', 'TWR', 'HOMF', 'HOMR', 'JOGF', 'JOGR']);

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : Array.isArray(v) && typeof v[0] === 'number' ? v[0] : undefined);

function devicesOf(profile: Profile, kind: string): DeviceSpec[] {
  return profile.devices.filter((d) => d.kind === kind);
}

/**
 * Turn a recorded run into what a scientist asks before beam time: what moved and how far, exposures,
 * temperatures, limit problems, unknown PVs, failed puts, alarms, and what the run left changed.
 */
export function analyzeRun(input: {
  readonly command: readonly string[];
  readonly events: readonly TraceEvent[];
  readonly profile: Profile;
  readonly before: Readonly<Record<string, unknown>>;
  readonly after: Readonly<Record<string, unknown>>;
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
  const { events, profile, rules } = input;
  const t0 = input.startTs ?? events[0]?.timestamp ?? 0;
  const tEnd = input.endTs ?? events[events.length - 1]?.timestamp ?? t0;
  const rel = (e: TraceEvent) => Math.max(0, e.timestamp - t0);
  const findings: Finding[] = [];
  const writes: Record<string, number> = {};
  for (const e of events) if (e.kind === 'put' && e.origin === 'ca') writes[e.channel] = (writes[e.channel] ?? 0) + 1;

  const moves: MotorMove[] = [];
  for (const m of devicesOf(profile, 'motor')) {
    const pv = String(m['pv']);
    const name = String(m['name'] ?? pv);
    const rbv = events.filter((e) => e.kind === 'update' && e.channel === `${pv}.RBV`);
    const setpointPuts = events.filter((e) => e.kind === 'put' && (e.channel === pv || e.channel === `${pv}.VAL`));
    const setpoints = setpointPuts.map((e) => num(e.value)).filter((v): v is number => v !== undefined);
    // Any command that starts motion: setpoints in any coordinate, tweaks, jogs, homing.
    const motionPuts = events.filter((e) => e.kind === 'put' && (e.channel === pv || MOTION_FIELDS.has(e.channel.slice(pv.length + 1))) && e.channel.startsWith(pv));
    const from = num(input.before[`${pv}.RBV`]);
    const to = num(input.after[`${pv}.RBV`]);
    if (from === undefined || to === undefined || (from === to && setpoints.length === 0)) continue;
    const firstPut = motionPuts[0];
    const lastRbv = rbv[rbv.length - 1];
    moves.push({
      motor: name,
      pv,
      from,
      to,
      distance: Math.abs(to - from),
      seconds: firstPut && lastRbv ? Math.max(0, lastRbv.timestamp - firstPut.timestamp) : 0,
      setpoints,
    });
    for (const e of events) {
      if (e.kind !== 'update') continue;
      if (e.channel === `${pv}.LVIO` && num(e.value) === 1) {
        findings.push({ kind: 'limit-violation', pv, message: `${name}: move refused, outside the soft limits (LVIO)`, at: rel(e), breaks: rules?.allowLimitViolations !== true });
      }
      if ((e.channel === `${pv}.HLS` || e.channel === `${pv}.LLS`) && num(e.value) === 1) {
        findings.push({ kind: 'hard-limit', pv, message: `${name}: hit the ${e.channel.endsWith('HLS') ? 'high' : 'low'} limit switch`, at: rel(e), breaks: rules?.allowLimitViolations !== true });
      }
    }
  }

  const exposures = devicesOf(profile, 'areaDetector').map((d) => {
    const cam = `${String(d['prefix'])}:cam1:`;
    let count = 0;
    let images = 0;
    let total = 0;
    let acquireTime = num(input.before[`${cam}AcquireTime`]) ?? 0;
    let exposures = 1;
    let counter = num(input.before[`${cam}ArrayCounter_RBV`]);
    let acquiring = false;
    for (const e of events) {
      if (e.kind !== 'update') continue;
      if (e.channel === `${cam}AcquireTime`) acquireTime = num(e.value) ?? acquireTime;
      else if (e.channel === `${cam}NumExposures`) exposures = Math.max(1, num(e.value) ?? 1);
      else if (e.channel === `${cam}ArrayCounter_RBV`) {
        // Each image the detector read out counts its own exposure (Multiple/Continuous modes take several).
        const v = num(e.value);
        if (v !== undefined && counter !== undefined && v > counter) {
          images += v - counter;
          total += (v - counter) * acquireTime * exposures;
        }
        counter = v;
      } else if (e.channel === `${cam}Acquire`) {
        const v = num(e.value);
        if (v === 1 && !acquiring) count++;
        acquiring = v === 1;
      }
    }
    return { detector: String(d['name'] ?? d['prefix']), count, images, totalSeconds: total };
  });

  const temperatures = devicesOf(profile, 'linkam').map((d) => {
    const pv = `${String(d['prefix'])}TEMP`;
    const values = events.filter((e) => e.kind === 'update' && e.channel === pv).map((e) => num(e.value)).filter((v): v is number => v !== undefined);
    const from = num(input.before[pv]) ?? values[0] ?? 0;
    const to = num(input.after[pv]) ?? values[values.length - 1] ?? from;
    const all = [from, ...values, to];
    const setpoints = events
      .filter((e) => e.kind === 'put' && e.channel === `${String(d['prefix'])}SETPOINT:SET`)
      .map((e) => num(e.value))
      .filter((v): v is number => v !== undefined);
    return { pv, from, to, min: Math.min(...all), max: Math.max(...all), setpoints };
  });

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
  const alarmed = new Set<string>();
  for (const e of events) {
    if (e.kind === 'update' && (e.severity ?? 0) > 0 && !alarmed.has(e.channel)) {
      alarmed.add(e.channel);
      findings.push({ kind: 'alarm', pv: e.channel, message: `${e.channel} went into alarm (severity ${e.severity}, status ${e.status})`, at: rel(e), breaks: false });
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
  return { command: input.command, exitCode: input.exitCode, timedOut: input.timedOut, duration, moves, exposures, temperatures, writes, findings, changed, ok };
}

/** The script's own failure in words: did not start, killed at the timeout, by a signal, or a non-zero status. */
function exitFinding(r: { exitCode: number; timedOut: boolean; signal?: string | null; startError?: string; command: readonly string[] }): string | undefined {
  if (r.startError) return `the script did not start: ${r.command[0]}: ${r.startError} (exit status ${r.exitCode})`;
  if (r.timedOut) return `the script was killed at the timeout (exit status ${r.exitCode})`;
  if (r.signal) return `the script was killed by ${r.signal} (exit status ${r.exitCode})`;
  if (r.exitCode !== 0) return `the script exited with status ${r.exitCode}`;
  return undefined;
}
