// A detector model as data: ADCore's templates as record tables (devices/areadetector/templates/*.json,
// one per template: NDArrayBase, ADBase, simDetector, NDPluginBase, NDStats …) and a model file
// (devices/areadetector/models/*.json) listing an IOC's template instances — which templates each record
// prefix (`cam1:`, `Stats1:` …) loads and the start-up values in which it differs from them. A second
// detector model is another model file (and, for a new driver, its template table).
// scripts/dev/areadetector-tables.py factors an IOC's record listing into these files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DbrBase } from '../../ioc/epics/field-type.js';
import type { DbrValue } from '../../ioc/epics/value.js';

/** One record of a template, as a CA client sees it (DBR_CTRL) plus its start-up value. */
export interface TemplateRecord {
  /** Record type (`ai`, `busy`, `waveform` …). */
  readonly r: string;
  /** Native DBR type: long, double, enum, string, char. */
  readonly t: 'long' | 'double' | 'enum' | 'string' | 'char';
  /** Element count (NELM), a number or a macro `$(NELEMENTS)`. Default 1. */
  readonly n?: number | string;
  readonly e?: readonly string[];
  readonly u?: string;
  readonly p?: number;
  /** Start-up value: numbers, enum state strings, strings, arrays (CHAR waveforms: bytes). */
  readonly v: unknown;
}

export type TemplateTable = Readonly<Record<string, TemplateRecord>>;

export interface ModelInstance {
  /** Record prefix after the detector prefix (`cam1:`, `Stats1:TS:`). */
  readonly suffix: string;
  /** Templates in load order; a later one redefines a record of an earlier one. */
  readonly templates: readonly string[];
  /** Start-up values that differ from the templates'. */
  readonly values: Readonly<Record<string, unknown>>;
}

/** One way of starting the IOC: start-up values by instance, and whether it starts acquiring. */
export interface ModelStart {
  readonly why: string;
  readonly values: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly acquire: boolean;
}

export interface DetectorModel {
  /** A model this one adds instances to (its macros and start-ups too, unless given here). */
  readonly extends?: string;
  readonly macros: Readonly<Record<string, number>>;
  /** Start-ups by name (`idle`, `running`). */
  readonly starts?: Readonly<Record<string, ModelStart>>;
  readonly instances: readonly ModelInstance[];
}

/** A record ready to serve: metadata and start-up value in DBR terms. */
export interface RecordSpec {
  readonly name: string;
  readonly recordType: string;
  readonly type: DbrBase;
  readonly count: number;
  readonly enumStrings: readonly string[];
  readonly units: string;
  readonly precision: number;
  readonly value: DbrValue;
  /** A CHAR waveform holding a C string. */
  readonly charString: boolean;
}

const TYPES: Readonly<Record<TemplateRecord['t'], DbrBase>> = {
  long: DbrBase.LONG,
  double: DbrBase.DOUBLE,
  enum: DbrBase.ENUM,
  string: DbrBase.STRING,
  char: DbrBase.CHAR,
};

/** Record types whose value a client reads, not sets (their PVs refuse puts, as the twin's readbacks do). */
const INPUT_RECORDS = new Set(['ai', 'bi', 'longin', 'mbbi', 'stringin', 'calc']);

/** Whether a client may write this record. */
export function writableRecord(spec: Pick<RecordSpec, 'name' | 'recordType'>): boolean {
  return !INPUT_RECORDS.has(spec.recordType) && !spec.name.endsWith('_RBV');
}

function dataDir(): string {
  // The JSON tables live beside the sources; from dist/ walk up to the package root.
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'devices', 'areadetector');
}

const tableCache = new Map<string, TemplateTable>();

export function loadTemplate(name: string): TemplateTable {
  let t = tableCache.get(name);
  if (!t) {
    if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`bad template name ${name}`);
    t = JSON.parse(fs.readFileSync(path.join(dataDir(), 'templates', `${name}.json`), 'utf8')) as TemplateTable;
    tableCache.set(name, t);
  }
  return t;
}

/** A model by name (`adsim-pil2m`) or file path; one that `extends` another adds its instances to it. */
export function loadModel(nameOrFile: string, seen: readonly string[] = []): DetectorModel {
  const file = nameOrFile.endsWith('.json') ? nameOrFile : path.join(dataDir(), 'models', `${nameOrFile}.json`);
  const model = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<DetectorModel>;
  if (!model.extends) return model as DetectorModel;
  if (seen.includes(model.extends)) throw new Error(`detector model ${nameOrFile}: extends itself (${[...seen, model.extends].join(' → ')})`);
  const base = loadModel(model.extends, [...seen, nameOrFile]);
  return {
    macros: { ...base.macros, ...model.macros },
    ...(model.starts ?? base.starts ? { starts: model.starts ?? base.starts } : {}),
    instances: [...base.instances, ...(model.instances ?? [])],
  };
}

export const DEFAULT_MODEL = 'adsim-pil2m';

function count(n: number | string | undefined, macros: Readonly<Record<string, number>>): number {
  if (n === undefined) return 1;
  if (typeof n === 'number') return n;
  const m = /^\$\((\w+)\)$/.exec(n);
  const v = m ? macros[m[1]!] : undefined;
  if (v === undefined) throw new Error(`template count ${n}: no such macro`);
  return v;
}

/** A table value in DBR terms (enum state names to indices, byte lists of CHAR waveforms to strings). */
function dbrValue(rec: TemplateRecord, v: unknown, name: string): DbrValue {
  if (rec.t === 'enum') {
    if (typeof v === 'number') return v;
    const i = (rec.e ?? []).indexOf(String(v));
    if (i < 0) throw new Error(`${name}: ${String(v)} is not one of its states`);
    return i;
  }
  if (rec.t === 'char') {
    if (typeof v === 'string') return v as unknown as DbrValue;
    const bytes = (v as number[]) ?? [];
    const end = bytes.indexOf(0);
    return Buffer.from(end < 0 ? bytes : bytes.slice(0, end)).toString('latin1');
  }
  if (rec.t === 'string') return String(v ?? '');
  if (Array.isArray(v)) return rec.t === 'double' ? Float64Array.from(v as number[]) : Int32Array.from(v as number[]);
  return Number(v ?? 0);
}

/**
 * The records of one instance: its templates merged in order, start-up values from the model (and
 * `values`, the caller's overrides, last). Macros set counts.
 */
export function instanceRecords(
  inst: ModelInstance,
  macros: Readonly<Record<string, number>>,
  values: Readonly<Record<string, unknown>> = {},
): RecordSpec[] {
  const merged = new Map<string, TemplateRecord>();
  for (const t of inst.templates) for (const [name, rec] of Object.entries(loadTemplate(t))) merged.set(name, rec);
  const out: RecordSpec[] = [];
  for (const [name, rec] of merged) {
    const raw = name in values ? values[name] : name in inst.values ? inst.values[name] : rec.v;
    const n = count(rec.n, macros);
    const charString = rec.t === 'char' && rec.r === 'waveform' && n > 1 && !name.endsWith('ArrayData');
    out.push({
      name,
      recordType: rec.r,
      type: TYPES[rec.t],
      count: n,
      enumStrings: rec.e ?? [],
      units: rec.u ?? '',
      precision: rec.p ?? 0,
      value: dbrValue(rec, raw, name),
      charString,
    });
  }
  return out;
}
