// What the input/output record pairs (ai/ao, longin/longout, bi/bo, mbbi/mbbo, stringin/stringout) share:
// the start of init_record, the closed-loop read of an output, and the monitor posting of discrete records.
import { DBE } from '../../epics/events.js';
import type { FieldValue } from '../field.js';
import type { Link } from '../link.js';
import type { EpicsRecord } from '../record.js';

/** What a constant link holds. */
export type Constant = Extract<Link, { kind: 'constant' }>['value'];

/**
 * init_record of an input (INP) or output (DOL) record: a constant link gives VAL its first value
 * (recGblInitConstantLink), which defines it (UDF 0); `toVal` converts it to VAL's type, or passes with
 * undefined. The `last` fields (MLST, ALST, LALM …) then start at VAL, so the first processing posts and
 * alarms on a change only.
 */
export function initVal(rec: EpicsRecord, link: 'INP' | 'DOL', toVal: (c: Constant) => FieldValue | undefined, last: readonly string[] = []): void {
  const l = rec.link(link);
  const v = l.kind === 'constant' ? toVal(l.value) : undefined;
  if (v !== undefined) {
    rec.v['VAL'] = v;
    rec.v['UDF'] = 0;
  }
  for (const f of last) rec.v[f] = rec.v['VAL'];
}

/** A numeric constant, converted (the numeric records pass over a string constant). */
export const numeric =
  (toVal: (n: number) => FieldValue) =>
  (c: Constant): FieldValue | undefined =>
    typeof c === 'number' ? toVal(c) : undefined;

/** Closed loop (OMSL closed_loop): DOL's number, converted to VAL's type, is VAL and defines it. */
export function closedLoop(rec: EpicsRecord, toVal: (d: number) => FieldValue): void {
  if (rec.num('OMSL') !== 1) return;
  const d = rec.readLinkNumber('DOL');
  if (d === undefined) return;
  rec.v['VAL'] = toVal(d);
  rec.v['UDF'] = 0;
}

/** RVAL posts when it differs from ORAW, the raw value posted last. */
export function postRaw(rec: EpicsRecord, mask: number): void {
  if (rec.v['ORAW'] === rec.v['RVAL']) return;
  rec.v['ORAW'] = rec.v['RVAL'];
  rec.post('RVAL', mask);
}

/** monitor() of bi/bo and mbbi/mbbo: VAL posts on any change (no deadband), then RVAL. */
export function postDiscrete(rec: EpicsRecord, alarmMask: number): void {
  let mask = alarmMask;
  if (rec.v['MLST'] !== rec.v['VAL']) {
    mask |= DBE.VALUE | DBE.LOG;
    rec.v['MLST'] = rec.v['VAL'];
  }
  if (mask) rec.post('VAL', mask);
  postRaw(rec, DBE.VALUE | DBE.LOG);
}
