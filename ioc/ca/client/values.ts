import { ECA } from '../protocol/constants.js';
import { parseNumber } from '../protocol/convert.js';
import { DBR_PUT_ACKS, DBR_PUT_ACKT, DbrBase, DbrClass, dbrInfo, dbrTypeFor, parseDbrType } from '../protocol/dbr-types.js';
import type { DecodedDbr } from '../protocol/dbr.js';
import { EPICS_EPOCH_OFFSET } from '../protocol/constants.js';
import type { Limits } from '../protocol/snapshot.js';
import { CaError } from './errors.js';

/**
 * Which DBR type to ask for: a DBR type id, a class of the channel's native type ('plain'/'native',
 * 'sts', 'time', 'gr', 'ctrl'), or a DBR name ('string', 'DBR_TIME_DOUBLE', 'ctrl_enum' …).
 */
export type TypeSpec = number | 'native' | 'plain' | 'sts' | 'time' | 'gr' | 'ctrl' | (string & {});

/** A value read or monitored, with the metadata its DBR class carries. */
export interface CaValue {
  readonly name: string;
  /** DBR type of the reply. */
  readonly type: number;
  /** Elements in the reply. */
  readonly count: number;
  /** A scalar for scalar channels, an array otherwise; strings for DBR_STRING. */
  readonly value: number | string | number[] | string[];
  readonly status?: number;
  readonly severity?: number;
  /** EPICS time stamp (TIME class): seconds since 1990 and nanoseconds … */
  readonly secPastEpoch?: number;
  readonly nsec?: number;
  /** … and the same as POSIX seconds. */
  readonly timestamp?: number;
  readonly units?: string;
  readonly precision?: number;
  readonly limits?: Partial<Limits>;
  readonly enumStrings?: string[];
  readonly ackt?: number;
  readonly acks?: number;
  readonly recordType?: string;
}

const classes: Record<string, number> = {
  native: DbrClass.PLAIN,
  plain: DbrClass.PLAIN,
  sts: DbrClass.STS,
  time: DbrClass.TIME,
  gr: DbrClass.GR,
  ctrl: DbrClass.CTRL,
};

/** Resolve a TypeSpec against the channel's native type; CaError(ECA_BADTYPE) when it names nothing. */
export function resolveType(spec: TypeSpec | undefined, nativeType: number): number {
  if (spec === undefined) return nativeType;
  if (typeof spec === 'number') {
    if (!dbrInfo(spec)) throw new CaError(ECA.BADTYPE, `invalid DBR type ${spec}`);
    return spec;
  }
  const cls = classes[spec.toLowerCase()];
  if (cls !== undefined) return dbrTypeFor(nativeType as DbrBase, cls as DbrClass);
  const t = parseDbrType(spec);
  if (t === undefined) throw new CaError(ECA.BADTYPE, `unknown DBR type "${spec}"`);
  return t;
}

/** A decoded reply as a CaValue (scalar when the channel is a scalar). */
export function toCaValue(name: string, dbr: DecodedDbr, count: number, scalar: boolean): CaValue {
  const out: { -readonly [K in keyof CaValue]: CaValue[K] } = {
    name,
    type: dbr.type,
    count,
    value: scalar && dbr.value.length === 1 ? dbr.value[0]! : dbr.value,
  };
  if (dbr.status !== undefined) out.status = dbr.status;
  if (dbr.severity !== undefined) out.severity = dbr.severity;
  if (dbr.secPastEpoch !== undefined) {
    out.secPastEpoch = dbr.secPastEpoch;
    out.nsec = dbr.nsec ?? 0;
    out.timestamp = dbr.secPastEpoch + EPICS_EPOCH_OFFSET + (dbr.nsec ?? 0) / 1e9;
  }
  if (dbr.units !== undefined) out.units = dbr.units;
  if (dbr.precision !== undefined) out.precision = dbr.precision;
  if (dbr.limits !== undefined) out.limits = dbr.limits;
  if (dbr.enumStrings !== undefined) out.enumStrings = dbr.enumStrings;
  if (dbr.ackt !== undefined) out.ackt = dbr.ackt;
  if (dbr.acks !== undefined) out.acks = dbr.acks;
  if (dbr.recordType !== undefined) out.recordType = dbr.recordType;
  return out;
}

/** What a put may be given. */
export type PutValue = number | string | boolean | ArrayLike<number> | readonly string[] | readonly (number | string | boolean)[];

/**
 * Choose the wire type and values of a put. Strings go as DBR_STRING (the server parses them and maps enum
 * state names), numbers in the native type (as text to a string channel); an explicit `type` (plain
 * class, PUT_ACKT or PUT_ACKS) converts here and fails with ECA_BADTYPE when a value cannot be converted.
 */
export function putPayload(
  value: PutValue,
  nativeType: number,
  spec: TypeSpec | undefined,
): { type: number; values: ArrayLike<number> | readonly string[] } {
  let items: ArrayLike<number | string | boolean>;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') items = [value];
  else items = value as ArrayLike<number | string | boolean>;
  let type: number;
  if (spec === undefined) {
    const anyString = items.length > 0 && typeof items[0] === 'string';
    type = anyString || nativeType === DbrBase.STRING ? DbrBase.STRING : nativeType;
  } else {
    type = resolveType(spec, nativeType);
    const info = dbrInfo(type)!;
    if (info.cls !== DbrClass.PLAIN && type !== DBR_PUT_ACKT && type !== DBR_PUT_ACKS) {
      throw new CaError(ECA.BADTYPE, `${info.name} cannot be written`);
    }
    if (type === 38) throw new CaError(ECA.BADTYPE, 'DBR_CLASS_NAME cannot be written');
  }
  if (type === DbrBase.STRING) {
    const out: string[] = new Array(items.length);
    for (let i = 0; i < items.length; i++) {
      const v = items[i]!;
      out[i] = typeof v === 'string' ? v : typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
    }
    return { type, values: out };
  }
  if (ArrayBuffer.isView(items) || (items.length > 0 && typeof items[0] === 'number' && allNumbers(items))) {
    return { type, values: items as ArrayLike<number> };
  }
  const nums: number[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const v = items[i]!;
    if (typeof v === 'number') nums[i] = v;
    else if (typeof v === 'boolean') nums[i] = v ? 1 : 0;
    else {
      try {
        nums[i] = parseNumber(v);
      } catch {
        throw new CaError(ECA.BADTYPE, `cannot write "${v}" as ${dbrInfo(type)!.name}`);
      }
    }
  }
  return { type, values: nums };
}

function allNumbers(a: ArrayLike<unknown>): boolean {
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'number') return false;
  return true;
}
