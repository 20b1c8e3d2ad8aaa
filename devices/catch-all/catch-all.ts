import { DbrBase } from '../../ioc/epics/field-type.js';
import type { PvDatabase } from '../../ioc/db/database.js';
import type { Pv, PvOptions } from '../../ioc/db/pv.js';
import { getLogger } from '../../ioc/log.js';

const log = getLogger('beamtwin.catch-all');

export interface CatchAllOptions {
  /** Unknown names under these prefixes are fabricated on first search. */
  readonly prefixes: readonly string[];
  /** Names under these prefixes (the simulated devices) are never fabricated. */
  readonly exclude?: readonly string[];
  /** At most this many fabricated PVs (default 10 000). */
  readonly maxPvs?: number;
}

export interface CatchAllHit {
  readonly name: string;
  /** Clock time (ms) of the first search. */
  readonly firstMs: number;
  readonly type: 'string' | 'enum' | 'double';
}

/** Enum choices by the name's last component, as areaDetector/asyn templates define them. */
const enumChoices: [RegExp, string[]][] = [
  [/EnableCallbacks|ArrayCallbacks/i, ['Disable', 'Enable']],
  [/ImageMode/i, ['Single', 'Multiple', 'Continuous']],
  [/WriteMode/i, ['Single', 'Capture', 'Stream']],
  [/TriggerMode/i, ['Internal', 'External']],
  [/AutoIncrement|AutoSave|BlockingCallbacks|WaitForPlugins|CreateDirectory|DeleteDriverFile|LazyOpen/i, ['No', 'Yes']],
  [/Capture/i, ['Done', 'Capture']],
  [/Acquire(?!Time|Period)/i, ['Done', 'Acquire']],
  [/ColorMode/i, ['Mono', 'Bayer', 'RGB1', 'RGB2', 'RGB3', 'YUV444', 'YUV422', 'YUV421']],
  [/DataType/i, ['Int8', 'UInt8', 'Int16', 'UInt16', 'Int32', 'UInt32', 'Int64', 'UInt64', 'Float32', 'Float64']],
];
/** Generic on/off switches, tried after the string rules (a `FileFormat…Mode` name is still a string). */
const onOff: [RegExp, string[]] = [/Compute|Enable|Mode|Select|Status/i, ['Off', 'On']];

/** Guess a fabricated PV's type from its name (the CMS note's rules). */
export function guessPvType(name: string): { type: 'string' | 'enum' | 'double'; options: PvOptions } {
  // A fabricated motor reports "done moving", so clients waiting on DMOV do not hang.
  if (/\.DMOV$/.test(name)) return { type: 'double', options: { type: DbrBase.SHORT, value: 1 } };
  const last = name.split(/[:}]/).pop() ?? name;
  const double = { type: 'double', options: { type: DbrBase.DOUBLE, value: 0, precision: 3 } } as const;
  const enumOf = (choices: string[]) => ({ type: 'enum', options: { type: DbrBase.ENUM, value: 0, enumStrings: choices } }) as const;
  // Counts (NumImages, NumCapture, NumCaptured_RBV …) are numbers, whatever else their name holds.
  if (/^Num[A-Z]/.test(last)) return double;
  // The named enums first: FileWriteMode is the NDFile menu, not a string because it says "File".
  for (const [re, choices] of enumChoices) if (re.test(last)) return enumOf(choices);
  if (/PortName|name|file/i.test(last)) return { type: 'string', options: { type: DbrBase.STRING, value: '' } };
  if (onOff[0].test(last)) return enumOf(onOff[1]);
  return double;
}

/**
 * The explicit catch-all: names under configured prefixes that nothing else serves are created on first
 * search, typed by name, and every hit is recorded — a script touching a PV the real beamline lacks is
 * exactly what validation must report. `hits` lists them in order.
 */
export function installCatchAll(db: PvDatabase, opts: CatchAllOptions): { readonly hits: CatchAllHit[]; isCatchAll(pv: Pv): boolean } {
  const hits: CatchAllHit[] = [];
  const made = new WeakSet<Pv>();
  let full = false;
  db.addResolver((name) => {
    if (!opts.prefixes.some((p) => name.startsWith(p))) return undefined;
    if (opts.exclude?.some((p) => name.startsWith(p))) return undefined;
    if (!/^[\x21-\x7e]+$/.test(name) || name.length > 200) return undefined;
    // Bounded, like everything a client can make the twin allocate.
    if (hits.length >= (opts.maxPvs ?? 10_000)) {
      if (!full) log.warn(`catch-all limit of ${hits.length} fabricated PVs reached; further unknown names stay unknown`);
      full = true;
      return undefined;
    }
    const { type, options } = guessPvType(name);
    const pv = db.create(name, { ...options, description: 'catch-all' });
    made.add(pv);
    hits.push({ name, firstMs: db.clock.now(), type });
    return pv;
  });
  return { hits, isCatchAll: (pv) => made.has(pv) };
}
