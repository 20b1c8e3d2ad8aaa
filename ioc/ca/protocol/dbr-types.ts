import { DbrBase, dbrBaseNames, MAX_STRING_SIZE } from '../../epics/field-type.js';

// The native field types are EPICS-wide (ioc/epics); re-exported for existing imports.
export { DbrBase, dbrBaseNames } from '../../epics/field-type.js';

/** Metadata families: the DBR type id is base + 7 × class. */
export const DbrClass = { PLAIN: 0, STS: 1, TIME: 2, GR: 3, CTRL: 4 } as const;
export type DbrClass = (typeof DbrClass)[keyof typeof DbrClass];
export const dbrClassNames = ['', 'STS_', 'TIME_', 'GR_', 'CTRL_'] as const;

export const DBR_PUT_ACKT = 35;
export const DBR_PUT_ACKS = 36;
export const DBR_STSACK_STRING = 37;
export const DBR_CLASS_NAME = 38;
export const LAST_BUFFER_TYPE = 38;

export const valueSize: readonly number[] = [MAX_STRING_SIZE, 2, 4, 2, 1, 4, 8];

/**
 * Offset of the first value element in each DBR layout, indexed [class][base]; the structures of
 * db_access.h including their RISC padding (TIME_SHORT +2, TIME_CHAR +3, TIME_DOUBLE +4, STS_CHAR +1 …).
 */
const valueOffsetTable: readonly (readonly number[])[] = [
  /* plain */ [0, 0, 0, 0, 0, 0, 0],
  /* STS   */ [4, 4, 4, 4, 5, 4, 8],
  /* TIME  */ [12, 14, 12, 14, 15, 12, 16],
  /* GR    */ [4, 24, 40, 422, 19, 36, 64],
  /* CTRL  */ [4, 28, 48, 422, 21, 44, 80],
];

export interface DbrTypeInfo {
  readonly type: number;
  readonly base: DbrBase;
  readonly cls: DbrClass;
  readonly valueOffset: number;
  readonly valueSize: number;
  readonly name: string;
}

const infos: DbrTypeInfo[] = [];
for (let cls = 0; cls < 5; cls++) {
  for (let base = 0; base < 7; base++) {
    infos.push({
      type: cls * 7 + base,
      base: base as DbrBase,
      cls: cls as DbrClass,
      valueOffset: valueOffsetTable[cls]![base]!,
      valueSize: valueSize[base]!,
      name: `DBR_${dbrClassNames[cls]}${dbrBaseNames[base]}`,
    });
  }
}
infos.push({ type: DBR_PUT_ACKT, base: DbrBase.SHORT, cls: DbrClass.PLAIN, valueOffset: 0, valueSize: 2, name: 'DBR_PUT_ACKT' });
infos.push({ type: DBR_PUT_ACKS, base: DbrBase.SHORT, cls: DbrClass.PLAIN, valueOffset: 0, valueSize: 2, name: 'DBR_PUT_ACKS' });
infos.push({ type: DBR_STSACK_STRING, base: DbrBase.STRING, cls: DbrClass.STS, valueOffset: 8, valueSize: MAX_STRING_SIZE, name: 'DBR_STSACK_STRING' });
infos.push({ type: DBR_CLASS_NAME, base: DbrBase.STRING, cls: DbrClass.PLAIN, valueOffset: 0, valueSize: MAX_STRING_SIZE, name: 'DBR_CLASS_NAME' });

/** Layout facts for a DBR type id, or undefined when it is not a valid buffer type. */
export function dbrInfo(type: number): DbrTypeInfo | undefined {
  return infos[type];
}

export const isValidDbrType = (type: number): boolean => type >= 0 && type <= LAST_BUFFER_TYPE;

/** Unpadded payload bytes of `count` elements of `type` (dbr_size_n). */
export function dbrSizeN(type: number, count: number): number {
  const info = infos[type];
  if (!info) throw new RangeError(`invalid DBR type ${type}`);
  return info.valueOffset + Math.max(count, 1) * info.valueSize;
}

export function dbrTypeFor(base: DbrBase, cls: DbrClass): number {
  return cls * 7 + base;
}

/** Parse "DBR_TIME_DOUBLE", "time_double", "TIME_DOUBLE" or a number into a type id. */
export function parseDbrType(text: string): number | undefined {
  const n = Number(text);
  if (text.trim() !== '' && Number.isInteger(n)) return isValidDbrType(n) ? n : undefined;
  const want = text.toUpperCase().replace(/^DBR_/, '');
  return infos.find((i) => i.name === `DBR_${want}`)?.type;
}
