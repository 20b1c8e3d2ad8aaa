// PV values and metadata as the page gets them.
import { valueAsStrings } from '../ioc/ca/protocol/convert.js';
import { dbrBaseNames } from '../ioc/ca/protocol/dbr-types.js';
import type { DbrValue } from '../ioc/ca/protocol/snapshot.js';
import type { Pv, PutContext } from '../ioc/db/pv.js';
import type { PvMeta, WireValue } from './protocol.js';

/** Arrays longer than this go by length only (the image travels apart, as a picture). */
export const MAX_WIRE_ARRAY = 64;

export function wireValue(v: DbrValue | unknown): WireValue {
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && 'length' in v) {
    const a = v as ArrayLike<number | string>;
    if (a.length > MAX_WIRE_ARRAY) return { length: a.length };
    return Array.from(a) as number[] | string[];
  }
  return null;
}

export function metaOf(pv: Pv): PvMeta {
  return {
    type: dbrBaseNames[pv.nativeType] ?? String(pv.nativeType),
    ...(pv.units ? { units: pv.units } : {}),
    ...(pv.precision ? { precision: pv.precision } : {}),
    ...(pv.enumStrings.length ? { enums: pv.enumStrings } : {}),
    writable: pv.writable,
    count: pv.maxCount,
  };
}

/** The value as caget prints it (enum names, the record's precision), without materializing long arrays. */
export function textOf(pv: Pv): string {
  if (pv.count > MAX_WIRE_ARRAY) return `[${pv.count} elements]`;
  const s = valueAsStrings(pv);
  return s.length === 1 ? s[0]! : s.join(' ');
}

/** Who wrote, as the timeline labels a put: origin, then user@host and the channel id when known. */
export function clientOf(ctx: Pick<PutContext, 'origin' | 'user' | 'host' | 'cid'>): string {
  const who = ctx.user !== undefined || ctx.host !== undefined ? `${ctx.user ?? '?'}@${ctx.host ?? '?'}` : '';
  return [ctx.origin ?? 'internal', who, ctx.cid !== undefined ? `cid ${ctx.cid}` : ''].filter(Boolean).join(' ');
}
