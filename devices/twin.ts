import { DbrBase } from '../ioc/epics/field-type.js';
import type { Clock } from '../ioc/clock.js';
import { PvDatabase } from '../ioc/db/database.js';
import type { Pv } from '../ioc/db/pv.js';
import { RecordDatabase } from '../ioc/records/index.js';
import { loadDb } from '../ioc/records/load-db.js';
import { installCatchAll, type CatchAllHit } from './catch-all/catch-all.js';
import type { DeviceHandle } from './device.js';
import { checkSettings, createDevice, deviceKind, specWithDefaults } from './profile/kinds.js';
import type { Profile } from './profile/profile.js';
import './profile/builtin-kinds.js';

export interface TwinOptions {
  /** Simulated time: a VirtualClock in tests, a RealClock (wall time, optionally faster) when serving. */
  readonly clock: Clock;
  /** No catch-all: unknown names stay unknown. */
  readonly strict?: boolean;
}

/**
 * One beamline twin: the PV database, records, device models from a profile, the catch-all, and the
 * control PVs `<controlPrefix>reset` (write 1: back to the reset state) and `<controlPrefix>marker`
 * (write a name: a marker event in the trace).
 */
export class Twin {
  readonly db: PvDatabase;
  readonly records: RecordDatabase;
  readonly devices: DeviceHandle[] = [];
  readonly catchAllHits: CatchAllHit[];
  readonly tracked: readonly string[];
  readonly marker: Pv;
  readonly resetPv: Pv;
  private readonly isCatchAll: (pv: Pv) => boolean;

  constructor(
    readonly profile: Profile,
    opts: TwinOptions,
  ) {
    this.db = new PvDatabase(opts.clock);
    this.records = new RecordDatabase(this.db);
    const ctx = { db: this.db, records: this.records };
    const excluded: string[] = [];
    for (const raw of profile.devices) {
      const spec = specWithDefaults(profile, raw);
      const kind = deviceKind(spec.kind);
      checkSettings(kind, spec);
      this.devices.push(createDevice(kind, ctx, spec));
      excluded.push(...kind.prefixes(spec));
    }
    const control = profile.controlPrefix ?? 'beamtwin:';
    this.resetPv = this.db.create(`${control}reset`, {
      type: DbrBase.LONG,
      put: (pv, v) => {
        pv.set(v, { force: true });
        if (Number(v)) this.reset();
      },
    });
    this.marker = this.db.create(`${control}marker`, { type: DbrBase.STRING, put: (pv, v) => void pv.set(v, { force: true }) });
    this.tracked = profile.tracked ?? [];
    if (profile.catchAll && !opts.strict) {
      const ca = installCatchAll(this.db, { prefixes: profile.catchAll.prefixes, exclude: [...(profile.catchAll.exclude ?? []), ...excluded, control] });
      this.catchAllHits = ca.hits;
      this.isCatchAll = ca.isCatchAll;
    } else {
      this.catchAllHits = [];
      this.isCatchAll = () => false;
    }
  }

  get clock(): Clock {
    return this.db.clock;
  }

  /**
   * Load the profile's database files (all or nothing: DbLoadError names every problem), then start the
   * records (PINI, scans). Call once after construction.
   */
  start(): this {
    const { db = [], substitutions = [] } = this.profile;
    if (db.length || substitutions.length) {
      loadDb(this.records, {
        files: db.map((d) => ({ path: d.file, ...(d.macros ? { macros: d.macros } : {}) })),
        ...(substitutions.length ? { substitutions: substitutions.map((d) => (d.macros ? { path: d.file, macros: d.macros } : d.file)) } : {}),
      });
      // Record names are served from the start (fields appear on demand).
      for (const name of this.records.records.keys()) this.db.lookup(name);
    }
    this.records.start();
    return this;
  }

  /** Return every device and the profile's reset values at once: no motion, no ramps. */
  reset(): void {
    for (const d of this.devices) d.reset();
    for (const [name, value] of Object.entries(this.profile.reset ?? {})) {
      const pv = this.served(name);
      if (pv && !sameScalar(pv.value, value)) pv.set(value);
    }
  }

  /** A PV the twin serves by itself (record fields made on demand), never one the catch-all would fabricate. */
  served(name: string): Pv | undefined {
    const dot = name.lastIndexOf('.');
    return this.db.get(name) ?? (this.records.findRecord(dot > 0 ? name.slice(0, dot) : name) ? this.db.lookup(name) : undefined);
  }

  isCatchAllPv(pv: Pv): boolean {
    return this.isCatchAll(pv);
  }

  stop(): void {
    for (const d of this.devices) d.stop();
    this.records.stop();
  }
}

const sameScalar = (a: unknown, b: unknown) => a === b;
