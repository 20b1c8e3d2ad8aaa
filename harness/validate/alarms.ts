import { alarmStatusNames, severityNames } from '../../ioc/epics/alarm.js';
import { owns, type DeclaredDevice, type LimitMeaning } from '../../devices/meaning.js';
import type { TraceEvent } from '../../recorder/event.js';
import type { Finding } from './finding.js';
import { num } from './trace-value.js';

/** From `start` until `end` (Infinity: still so at the end of the run). */
interface Span {
  readonly start: number;
  end: number;
}

interface Trip extends Span {
  readonly device: DeclaredDevice;
  readonly meaning: LimitMeaning;
  alarm?: Episode;
}

/** A device (or a record no device declares) in alarm: from its first field's alarm until all are clear. */
interface Episode extends Span {
  readonly owner: string;
  readonly device: DeclaredDevice | undefined;
  readonly channel: string;
  severity: number;
  status: number;
}

const overlap = (a: Span, b: Span) => a.start <= b.end && b.start <= a.end;

/** EPICS' names for an alarm: MAJOR, HIGH (ioc/epics/alarm.ts). */
export const alarmNames = (severity: number, status: number) => ({
  severity: severityNames[severity] ?? `severity ${severity}`,
  status: alarmStatusNames[status] ?? `status ${status}`,
});

/**
 * Limit hits and alarms, one finding per event: a device's PVs go into alarm together (every field of a
 * record carries the record's alarm), so a device's alarm is one episode, and an episode that overlaps a
 * limit hit of the same device is told in that hit's finding.
 */
export function limitAndAlarmFindings(
  devices: readonly DeclaredDevice[],
  events: readonly TraceEvent[],
  rel: (ts: number) => number,
  limitsBreak: boolean,
): Finding[] {
  const trips = limitTrips(devices, events);
  const findings: Finding[] = [];
  const standalone: Episode[] = [];
  for (const ep of alarmEpisodes(devices, events)) {
    const trip = ep.device && trips.find((t) => t.device === ep.device && !t.alarm && overlap(t, ep));
    if (trip) trip.alarm = ep;
    else standalone.push(ep);
  }
  for (const t of trips) {
    const alarm = t.alarm && alarmNames(t.alarm.severity, t.alarm.status);
    findings.push({
      kind: t.meaning.limit === 'hard' ? 'hard-limit' : 'limit-violation',
      pv: devicePv(t.device, t.meaning.trip.channel),
      device: t.device.device,
      ...(alarm ? { alarm } : {}),
      message: `${t.device.device}: ${t.meaning.says}${alarm ? `; ${alarm.severity} alarm (${alarm.status})` : ''}`,
      at: rel(t.start),
      breaks: limitsBreak,
    });
  }
  for (const ep of standalone) {
    const alarm = alarmNames(ep.severity, ep.status);
    const who = ep.device ? `${ep.device.device}: ` : '';
    findings.push({
      kind: 'alarm',
      pv: ep.device ? devicePv(ep.device, ep.channel) : ep.owner,
      ...(ep.device ? { device: ep.device.device } : {}),
      alarm,
      message: `${who}${ep.channel} went into ${alarm.severity} alarm (${alarm.status})`,
      at: rel(ep.start),
      breaks: false,
    });
  }
  return findings.sort((a, b) => a.at - b.at);
}

/** The PV that names a device in findings: its first served name, else the channel. */
const devicePv = (d: DeclaredDevice, channel: string) => d.names?.[0] ?? channel;

/** Each time a limit channel turns to its trip value, until it leaves it. */
function limitTrips(devices: readonly DeclaredDevice[], events: readonly TraceEvent[]): Trip[] {
  const watch = new Map<string, { device: DeclaredDevice; meaning: LimitMeaning; open?: Trip }[]>();
  for (const device of devices) {
    for (const meaning of device.meanings) {
      if (meaning.kind !== 'limit') continue;
      const list = watch.get(meaning.trip.channel) ?? [];
      list.push({ device, meaning });
      watch.set(meaning.trip.channel, list);
    }
  }
  const trips: Trip[] = [];
  for (const e of events) {
    if (e.kind !== 'update') continue;
    for (const w of watch.get(e.channel) ?? []) {
      const tripped = num(e.value) === w.meaning.trip.value;
      if (tripped && !w.open) {
        w.open = { device: w.device, meaning: w.meaning, start: e.timestamp, end: Infinity };
        trips.push(w.open);
      } else if (!tripped && w.open) {
        w.open.end = e.timestamp;
        delete w.open;
      }
    }
  }
  return trips.sort((a, b) => a.start - b.start);
}

/** Alarm episodes per device (or per record, for PVs no device declares). */
function alarmEpisodes(devices: readonly DeclaredDevice[], events: readonly TraceEvent[]): Episode[] {
  const ownerOf = new Map<string, { key: string; device: DeclaredDevice | undefined }>();
  const alarmed = new Map<string, Set<string>>();
  const open = new Map<string, Episode>();
  const episodes: Episode[] = [];
  for (const e of events) {
    if (e.kind !== 'update' || e.severity === undefined) continue;
    let owner = ownerOf.get(e.channel);
    if (!owner) {
      const device = devices.find((d) => owns(d, e.channel));
      // A record's fields share its alarm: NAME.FIELD belongs to NAME.
      owner = { key: device ? `device ${device.device}` : e.channel.split('.')[0]!, device };
      ownerOf.set(e.channel, owner);
    }
    const set = alarmed.get(owner.key) ?? new Set<string>();
    alarmed.set(owner.key, set);
    const ep = open.get(owner.key);
    if (e.severity > 0) {
      set.add(e.channel);
      if (!ep) {
        const next: Episode = { owner: owner.device ? owner.device.device : owner.key, device: owner.device, channel: e.channel, severity: e.severity, status: e.status ?? 0, start: e.timestamp, end: Infinity };
        open.set(owner.key, next);
        episodes.push(next);
      } else if (e.severity > ep.severity) {
        ep.severity = e.severity;
        ep.status = e.status ?? ep.status;
      }
    } else {
      set.delete(e.channel);
      if (ep && set.size === 0) {
        ep.end = e.timestamp;
        open.delete(owner.key);
      }
    }
  }
  return episodes;
}
