// A write from the page takes the path a CA write takes: the same checks (write access, element count),
// the same conversion from text to the PV's native type (convertForPut, as for a DBR_STRING put), then
// Pv.put — so device models, the recorder and monitors see it like any client's put, with origin 'web'.
import { ConversionError, convertForPut } from '../ioc/ca/protocol/convert.js';
import { DbrBase } from '../ioc/ca/protocol/dbr-types.js';
import type { Pv, PutContext } from '../ioc/db/pv.js';

export class WebPutError extends Error {
  override name = 'WebPutError';
}

/**
 * Write `value` (a number, a text, or a list of them) to `pv`. Refusals throw WebPutError at once; the
 * returned Promise is the put's completion (a motor's move, an acquisition).
 */
export function webPut(pv: Pv, value: unknown, ctx: { host?: string }): Promise<void> {
  if (!pv.writable) throw new WebPutError(`write access denied to ${pv.name}`);
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.length > pv.maxCount) throw new WebPutError(`bad element count ${list.length} for ${pv.name} (${pv.maxCount} max)`);
  if (!list.every((v) => typeof v === 'number' || typeof v === 'string')) throw new WebPutError('a value is a number, a text, or a list of them');
  const numeric = list.every((v) => typeof v === 'number');
  let converted;
  try {
    converted = convertForPut(
      numeric ? (list as number[]) : list.map(String),
      numeric ? DbrBase.DOUBLE : DbrBase.STRING,
      pv.nativeType,
      pv.enumStrings,
    );
  } catch (e) {
    if (e instanceof ConversionError) throw new WebPutError(e.message);
    throw e;
  }
  const put: PutContext = { origin: 'web', user: 'web', ...(ctx.host !== undefined ? { host: ctx.host } : {}) };
  return pv.put(converted, put);
}
