import { RealClock, type Clock, type TimerHandle } from '../clock.js';
import type { PvDatabase } from '../db/database.js';
import type { Pv } from '../db/pv.js';
import { getLogger, type Logger } from '../log.js';
import { isLinkDbf } from './dbf.js';
import type { FieldDef } from './field.js';
import { FieldPv } from './field-pv.js';
import { LINK_STRING_SIZE, LongStringPv, STRING_FIELD_SIZE } from './long-string-pv.js';
import type { DeviceSupport, EpicsRecord, RecordClass, RecordEngine } from './record.js';
import { recordTypes } from './registry.js';

/** A record as a database file declares it: type, name, field texts. */
export interface RecordSpec {
  readonly type: string;
  readonly name: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly aliases?: readonly string[];
  readonly info?: Readonly<Record<string, string>>;
}

/**
 * The records of one IOC and the engine they run in: field PVs on demand in the PV database
 * (`NAME` and `NAME.FIELD`), periodic scans on the clock, PINI, CP links, device support by DTYP.
 */
export class RecordDatabase implements RecordEngine {
  readonly records = new Map<string, EpicsRecord>();
  readonly log: Logger;
  private readonly fieldPvs = new WeakMap<EpicsRecord, Map<string, FieldPv>>();
  private readonly devices = new Map<string, DeviceSupport>();
  private readonly timers: TimerHandle[] = [];
  /** The periodic scan of each record (SCAN changes at run time move it). */
  private readonly scans = new Map<EpicsRecord, TimerHandle>();
  /** Records to process once their CP/CPP links have "connected" (after PINI, as dbCa's first monitor). */
  private cpFirst: EpicsRecord[] = [];
  private started = false;

  constructor(
    readonly pvs: PvDatabase,
    readonly types: ReadonlyMap<string, RecordClass> = recordTypes,
  ) {
    this.log = getLogger('beamtwin.records');
    pvs.addResolver((name) => this.resolve(name));
  }

  get clock(): Clock {
    return this.pvs.clock ?? new RealClock();
  }

  /** Register device support for `DTYP` (for all record types, or `recordType:DTYP`). */
  addDeviceSupport(dtyp: string, support: DeviceSupport, recordType?: string): void {
    this.devices.set(recordType ? `${recordType}:${dtyp}` : dtyp, support);
  }

  deviceSupport(recordType: string, dtyp: string): DeviceSupport | undefined {
    return this.devices.get(`${recordType}:${dtyp}`) ?? this.devices.get(dtyp);
  }

  /** Problems with a spec (unknown type or field, bad value) without creating anything. */
  check(spec: RecordSpec): string[] {
    const cls = this.types.get(spec.type);
    if (!cls) return [`unknown record type "${spec.type}"`];
    const errors: string[] = [];
    for (const field of Object.keys(spec.fields)) {
      if (!cls.table.get(field)) errors.push(`record type ${spec.type} has no field ${field}`);
    }
    return errors;
  }

  /** Create a record (not yet initialised: call start() once all records exist). */
  add(spec: RecordSpec): EpicsRecord {
    const cls = this.types.get(spec.type);
    if (!cls) throw new Error(`unknown record type "${spec.type}"`);
    if (this.records.has(spec.name) || this.pvs.get(spec.name)) throw new Error(`duplicate record name ${spec.name}`);
    const rec = new cls(spec.name, this);
    for (const [field, text] of Object.entries(spec.fields)) rec.setFromText(field, text);
    this.records.set(spec.name, rec);
    for (const a of spec.aliases ?? []) this.records.set(a, rec);
    if (this.started) this.startRecord(rec);
    return rec;
  }

  /** Initialise every record, start scans, process PINI records (iocInit). */
  start(): void {
    if (this.started) return;
    this.started = true;
    const unique = new Set(this.records.values());
    for (const rec of unique) this.initRecord(rec);
    for (const rec of unique) this.startScan(rec);
    for (const rec of unique) if (rec.v['PINI'] === 1) rec.processRecord();
    this.processCpFirst();
  }

  /**
   * init_record, then scanAdd's check: I/O Intr needs device support that raises the interrupts; without
   * it (soft channel) EPICS logs an error and makes the record Passive.
   */
  private initRecord(rec: EpicsRecord): void {
    rec.init();
    if (rec.v['SCAN'] === 2 && !rec.hasDeviceSupport) {
      this.log.warn(`${rec.name}: SCAN I/O Intr needs device support with interrupts; record made Passive`);
      rec.v['SCAN'] = 0;
    }
  }

  private startRecord(rec: EpicsRecord): void {
    this.initRecord(rec);
    this.startScan(rec);
    if (rec.v['PINI'] === 1) rec.processRecord();
    this.processCpFirst();
  }

  /**
   * EPICS makes every CP/CPP link a CA link; its first monitor update, when the link connects after
   * iocInit, processes the record (CPP: only a passive one). Here the links connect at once.
   */
  private processCpFirst(): void {
    const first = this.cpFirst;
    this.cpFirst = [];
    for (const rec of first) rec.processRecord();
  }

  private startScan(rec: EpicsRecord): void {
    this.schedulePeriodic(rec);
    // CP / CPP input links: process this record whenever the source posts.
    for (const fd of rec.table.fields) {
      if (fd.dbf !== 'INLINK') continue;
      const text = rec.v[fd.name];
      if (typeof text !== 'string' || !text.includes('CP')) continue; // cheap filter before parsing
      const l = rec.link(fd.name);
      if (l.kind !== 'pv' || (l.process !== 'CP' && l.process !== 'CPP')) continue;
      const src = this.lookupPv(l.field === 'VAL' ? l.record : `${l.record}.${l.field}`);
      if (!src) {
        this.log.warn(`${rec.name}.${fd.name}: CP link target ${l.record} not found`);
        continue;
      }
      const sub = src.updates.subscribe(() => {
        if (l.process === 'CP' || rec.scanPassive) rec.processRecord();
      });
      if (l.process === 'CP' || rec.scanPassive) this.cpFirst.push(rec);
      this.timers.push({ cancel: () => sub.unsubscribe() });
    }
  }

  private schedulePeriodic(rec: EpicsRecord): void {
    this.scans.get(rec)?.cancel();
    this.scans.delete(rec);
    const period = rec.scanPeriod;
    if (period > 0) this.scans.set(rec, this.clock.setInterval(() => rec.processRecord(), period * 1000));
  }

  scanChanged(rec: EpicsRecord): void {
    if (this.started) this.schedulePeriodic(rec);
  }

  stop(): void {
    for (const rec of new Set(this.records.values())) rec.stop();
    for (const t of this.timers) t.cancel();
    this.timers.length = 0;
    for (const t of this.scans.values()) t.cancel();
    this.scans.clear();
  }

  findRecord(name: string): EpicsRecord | undefined {
    return this.records.get(name);
  }

  lookupPv(name: string): Pv | undefined {
    return this.pvs.lookup(name);
  }

  existingFieldPv(record: EpicsRecord, field: string): Pv | undefined {
    return this.fieldPvs.get(record)?.get(field);
  }

  fieldPv(record: EpicsRecord, field: string): FieldPv | undefined {
    let map = this.fieldPvs.get(record);
    const existing = map?.get(field);
    if (existing) return existing;
    const fd = record.table.get(field);
    if (!fd) return undefined;
    if (!map) {
      map = new Map();
      this.fieldPvs.set(record, map);
    }
    const pv = new FieldPv(record, fd, field === 'VAL' ? record.name : `${record.name}.${field}`);
    map.set(field, pv);
    return pv;
  }

  /**
   * Resolver for the PV database: `REC`, `REC.FIELD`, and `REC.FIELD$` — a string or link field as a
   * CHAR array (long-string access; `$` on other fields is ignored, as dbChannel does).
   */
  private resolve(name: string): Pv | undefined {
    let base = name;
    let field = 'VAL';
    let long = false;
    const dot = name.lastIndexOf('.');
    if (!this.records.has(name) && dot > 0) {
      base = name.slice(0, dot);
      field = name.slice(dot + 1);
      if (field.endsWith('$')) {
        long = true;
        field = field.slice(0, -1);
      }
    }
    const rec = this.records.get(base);
    if (!rec) return undefined;
    const pv = this.fieldPv(rec, field);
    if (!pv) return undefined;
    if (!this.pvs.get(pv.name)) this.pvs.add(pv);
    if (long && (pv.field.dbf === 'STRING' || isLinkDbf(pv.field.dbf))) return this.longStringPv(rec, pv);
    return pv;
  }

  private longStringPv(rec: EpicsRecord, plain: FieldPv): Pv {
    const name = `${rec.name}.${plain.field.name}$`;
    const existing = this.pvs.get(name);
    if (existing) return existing;
    const sized = (rec as Partial<{ longStringCapacity(fd: FieldDef): number | undefined }>).longStringCapacity?.(plain.field);
    const capacity = sized ?? (isLinkDbf(plain.field.dbf) ? LINK_STRING_SIZE : STRING_FIELD_SIZE);
    const pv = new LongStringPv(rec, plain.field, name, capacity);
    // Monitors follow the plain field's posts (the record posts fields by name).
    const sub = plain.updates.subscribe((u) => pv.post(u.mask));
    this.timers.push({ cancel: () => sub.unsubscribe() });
    this.pvs.add(pv);
    return pv;
  }
}
