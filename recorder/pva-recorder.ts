import { alarmStatusNames, AlarmStatus } from '../ioc/epics/alarm.js';
import { DBE } from '../ioc/epics/events.js';
import { EPICS_EPOCH_OFFSET } from '../ioc/epics/time.js';
import type { Env } from '../ioc/epics/env.js';
import type { BitSet } from '../ioc/pva/protocol/bitset.js';
import { bitCount, type FieldDesc, type StructureDesc } from '../ioc/pva/protocol/field-desc.js';
import type { PvStruct } from '../ioc/pva/protocol/value.js';
import { PvaClient, PvaRequestError } from '../ioc/pva/client/client.js';
import type { TraceValue } from './event.js';
import type { TraceSink } from './jsonl.js';
import { linkEvent, localEvent, Sequencer, type MutableEvent } from './sequencer.js';

export interface PvaRecorderOptions {
  readonly names: readonly string[];
  /** DBE mask to record with (default VALUE | LOG | ALARM), applied to what each update changed. */
  readonly mask?: number;
  /** The EPICS_PVA_* environment to search with (default: the process's). */
  readonly env?: Env;
  /** Seconds per connection attempt before searching again. */
  readonly timeout?: number;
  /** Arrays longer than this (default 4096) are recorded by length only, as the other recorders do. */
  readonly maxArray?: number;
}

/** Where each field group of a monitored structure sits in its changed-bits (bit ranges [from, to)). */
interface Layout {
  readonly value?: FieldRange;
  readonly float: boolean;
  readonly alarm?: FieldRange;
  readonly property: FieldRange[];
}
interface FieldRange {
  readonly from: number;
  readonly to: number;
}

/** Pause between connection attempts that failed at once (a refused channel), so they do not spin. */
const RETRY_MS = 1000;

const PROPERTY_FIELDS = new Set(['display', 'control', 'valueAlarm']);

function layoutOf(desc: StructureDesc): Layout {
  let at = 1;
  let value: FieldRange | undefined;
  let alarm: FieldRange | undefined;
  let float = false;
  const property: FieldRange[] = [];
  for (const m of desc.fields) {
    const range = { from: at, to: at + bitCount(m.type) };
    if (m.name === 'value') {
      value = range;
      float = isFloat(m.type);
    } else if (m.name === 'alarm') alarm = range;
    else if (PROPERTY_FIELDS.has(m.name)) property.push(range);
    at = range.to;
  }
  return { value, float, alarm, property };
}

const isFloat = (t: FieldDesc): boolean => (t.kind === 'scalar' || t.kind === 'scalarArray') && (t.type === 'double' || t.type === 'float');

const touched = (changed: BitSet, r: FieldRange | undefined): boolean => r !== undefined && (changed.get(0) || changed.any(r.from, r.to));

/**
 * Records any IOC over pvAccess: monitors each name (the whole structure), writes updates with the
 * server's time stamps, and connect/disconnect events as channels come and go, searching again after a
 * disconnect. Values are read as the normative types carry them: `value` (an NTEnum's index, the selected
 * member of a union such as NTNDArray's), `alarm` (the EPICS alarm status from QSRV's message text) and
 * `timeStamp`. The DBE mask has no pvAccess counterpart, so it filters what each update changed: value
 * (VALUE, LOG), the alarm's content (ALARM), display/control/valueAlarm (PROPERTY).
 */
export class PvaRecorder {
  readonly client: PvaClient;
  private readonly out: Sequencer;
  private readonly maxArray: number;
  private readonly mask: number;
  private readonly stops = new Set<() => void>();
  private readonly wakers = new Set<() => void>();
  private stopped = false;
  private readonly following: Promise<void>[] = [];
  count = 0;
  /** Names that connected at least once. */
  readonly connected = new Set<string>();

  /** `sink` may be a Sequencer shared with another recorder of the same trace. */
  constructor(
    sink: TraceSink | Sequencer,
    private readonly opts: PvaRecorderOptions,
  ) {
    this.out = sink instanceof Sequencer ? sink : new Sequencer(sink);
    this.client = new PvaClient({ env: opts.env, timeout: opts.timeout ?? 5 });
    this.maxArray = opts.maxArray ?? 4096;
    this.mask = opts.mask ?? DBE.VALUE | DBE.LOG | DBE.ALARM;
  }

  start(): this {
    for (const name of new Set(this.opts.names)) this.following.push(this.follow(name));
    return this;
  }

  /** Connect, record until the channel goes, say so, and connect again, until stop(). */
  private async follow(name: string): Promise<void> {
    while (!this.stopped) {
      try {
        await this.client.channel(name);
      } catch {
        await this.pause(RETRY_MS); // no answer within the timeout, or refused: search again
        continue;
      }
      if (this.stopped) return;
      this.connected.add(name);
      this.emit(linkEvent('connect', name, 'pva'));
      const ended = await this.monitorUntilGone(name);
      if (this.stopped) return;
      this.emit(linkEvent('disconnect', name, 'pva', ended.message));
      // The server refused the monitor itself: asking again would be refused again.
      if (ended instanceof PvaRequestError && ended.status) return;
    }
  }

  /** Wait `ms`, or less if stop() comes first. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.wakers.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  private monitorUntilGone(name: string): Promise<Error> {
    return new Promise((resolve) => {
      let layout: Layout | undefined;
      let lastAlarm = '';
      let stop: (() => void) | undefined;
      const end = (e: Error) => {
        if (stop) this.stops.delete(stop);
        this.wakers.delete(wake);
        resolve(e);
      };
      const wake = () => end(new Error('stopped'));
      this.wakers.add(wake);
      this.client
        .monitor(name, {
          onUpdate: (v, changed, _overrun, desc) => {
            const first = layout === undefined;
            layout ??= layoutOf(desc);
            const alarm = v['alarm'] as PvStruct | undefined;
            const alarmKey = alarm ? `${String(alarm['severity'])}/${String(alarm['status'])}/${String(alarm['message'])}` : '';
            const alarmChanged = alarmKey !== lastAlarm;
            lastAlarm = alarmKey;
            // As a CA monitor: the first update whatever the mask, then what the mask asks for.
            const wanted =
              first ||
              (this.mask & (DBE.VALUE | DBE.LOG) && touched(changed, layout.value)) ||
              (this.mask & DBE.ALARM && alarmChanged && touched(changed, layout.alarm)) ||
              (this.mask & DBE.PROPERTY && layout.property.some((r) => touched(changed, r)));
            if (wanted) this.update(name, v, layout, alarm);
          },
          onError: end,
        })
        .then(
          (s) => {
            stop = s;
            if (this.stopped) s();
            else this.stops.add(s);
          },
          end,
        );
    });
  }

  private update(name: string, v: PvStruct, layout: Layout, alarm: PvStruct | undefined): void {
    const ts = v['timeStamp'] as PvStruct | undefined;
    const posix = Number(ts?.['secondsPastEpoch'] ?? 0);
    const nsec = Number(ts?.['nanoseconds'] ?? 0);
    let e: MutableEvent;
    if (posix === 0 && nsec === 0) {
      // No server time stamp (a PV without timeStamp, or one never set): stamped on arrival.
      e = localEvent('update', name, 'pva');
    } else {
      const sec = posix - EPICS_EPOCH_OFFSET;
      e = { seq: 0, kind: 'update', channel: name, timestamp: posix + nsec / 1e9, epics: [sec, nsec], protocol: 'pva' };
    }
    const value = plainValue(v['value']);
    if (typeof value === 'object' && value !== null && value.length > this.maxArray) {
      e.value = null;
      e.length = value.length;
    } else e.value = value === null || typeof value !== 'object' ? value : (Array.from(value) as TraceValue);
    if (layout.float) e.float = true;
    if (alarm) {
      e.severity = Number(alarm['severity']);
      const status = alarmStatusOf(alarm);
      if (status !== undefined) e.status = status;
      else if (alarm['message']) e.message = String(alarm['message']);
    }
    this.emit(e);
  }

  private emit(e: MutableEvent): void {
    this.count++;
    this.out.write(e);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const s of this.stops) s();
    this.stops.clear();
    for (const w of [...this.wakers]) w();
    await this.client.close();
    await Promise.all(this.following);
    this.out.sink.flush();
  }
}

type Plain = number | string | boolean | null | ArrayLike<number | string>;

/** A structure's `value` as a trace value: an enum's index, a union's selected member, scalars, arrays. */
function plainValue(v: unknown): Plain {
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (!v || typeof v !== 'object') return null;
  if (ArrayBuffer.isView(v) || Array.isArray(v)) return v as ArrayLike<number | string>;
  const o = v as Record<string, unknown>;
  if ('index' in o && 'choices' in o) return Number(o['index']);
  if ('select' in o) return plainValue(o['value']); // a union (NTNDArray's value)
  return null;
}

/** QSRV puts the EPICS alarm status name in alarm.message ("HIHI"); no alarm is NO_ALARM. */
function alarmStatusOf(alarm: PvStruct): number | undefined {
  const message = String(alarm['message'] ?? '');
  if (message === '') return Number(alarm['severity']) === 0 ? AlarmStatus.NO_ALARM : undefined;
  const i = alarmStatusNames.indexOf(message);
  return i >= 0 ? i : undefined;
}
