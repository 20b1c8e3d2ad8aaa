import type { Pv } from '../../db/pv.js';
import { DBE } from '../../epics/events.js';
import type { StructureDesc } from '../protocol/field-desc.js';
import type { PvStruct } from '../protocol/value.js';
import { ntShape, ntValue } from './nt.js';
import { convertPutValue } from './put-value.js';

/** Who is writing, as a circuit knows it. */
export interface PvaPutContext {
  readonly user: string;
  readonly host: string;
  readonly cid: number;
}

/**
 * What a PVA channel serves: a structure with a type, its current value, changes, and maybe puts. Database
 * PVs (as normative types) and PVA-only structured PVs (an NTNDArray) both look like this to a circuit.
 */
export interface PvaTarget {
  readonly name: string;
  /** Identity for disconnects: the Pv or the structured PV. */
  readonly key: object;
  readonly desc: StructureDesc;
  readonly readable: boolean;
  readonly writable: boolean;
  current(): PvStruct;
  /** Each change: the full new value and the top-level fields it touches (null: all). */
  subscribe(cb: (value: PvStruct, changed: ReadonlySet<string> | null) => void): () => void;
  /** Write `value` (the request's `value` field). Rejects with the reason; throws PutConversionError for bad input. */
  put(value: unknown, ctx: PvaPutContext): Promise<void>;
}

const VALUE_FIELDS: ReadonlySet<string> = new Set(['value', 'alarm', 'timeStamp']);
const ALARM_FIELDS: ReadonlySet<string> = new Set(['alarm', 'timeStamp']);
const PROPERTY_FIELDS: ReadonlySet<string> = new Set(['value', 'display', 'control', 'valueAlarm']);

/** Top-level NT fields a posted DBE mask touches (as QSRV posts them); one set per mask, made once. */
const fieldsByMask: ReadonlySet<string>[] = [];
function fieldsFor(mask: number): ReadonlySet<string> {
  const m = mask & (DBE.VALUE | DBE.LOG | DBE.ALARM | DBE.PROPERTY);
  return (fieldsByMask[m] ??= fieldsOf(m));
}
function fieldsOf(mask: number): ReadonlySet<string> {
  const out = new Set<string>();
  if (mask & (DBE.VALUE | DBE.LOG)) for (const f of VALUE_FIELDS) out.add(f);
  if (mask & DBE.ALARM) for (const f of ALARM_FIELDS) out.add(f);
  if (mask & DBE.PROPERTY) for (const f of PROPERTY_FIELDS) out.add(f);
  return out;
}

/** A database PV served as its normative type. The write path is Pv.put, exactly as for CA. */
export function pvTarget(pv: Pv): PvaTarget {
  return {
    name: pv.name,
    key: pv,
    desc: ntShape(pv.nativeType, pv.maxCount).desc,
    get readable() {
      return pv.readable;
    },
    get writable() {
      return pv.writable;
    },
    current: () => ntValue(pv),
    subscribe: (cb) => {
      const sub = pv.updates.subscribe((u) => cb(ntValue(pv, u), fieldsFor(u.mask)));
      return () => sub.unsubscribe();
    },
    put: (value, ctx) => {
      const native = convertPutValue(value, pv.nativeType, pv.enumStrings, pv.maxCount);
      return pv.put(native, { user: ctx.user, host: ctx.host, cid: ctx.cid, notify: true, origin: 'pva' });
    },
  };
}
