import { DbrBase } from '../epics/field-type.js';

/** EPICS database field types (dbFldTypes.h). */
export type Dbf =
  | 'STRING'
  | 'CHAR'
  | 'UCHAR'
  | 'SHORT'
  | 'USHORT'
  | 'LONG'
  | 'ULONG'
  | 'INT64'
  | 'UINT64'
  | 'FLOAT'
  | 'DOUBLE'
  | 'ENUM'
  | 'MENU'
  | 'DEVICE'
  | 'INLINK'
  | 'OUTLINK'
  | 'FWDLINK'
  | 'NOACCESS';

/** The CA type a field is served as (dbAccess' mapping of DBF to the old DBR types). */
export function dbrBaseOfDbf(dbf: Dbf): DbrBase {
  switch (dbf) {
    case 'STRING':
    case 'INLINK':
    case 'OUTLINK':
    case 'FWDLINK':
    case 'NOACCESS':
    case 'DEVICE': // served as the device support's name (EPICS serves an enum of the type's supports)
      return DbrBase.STRING;
    case 'CHAR':
    case 'UCHAR':
      return DbrBase.CHAR;
    case 'SHORT':
      return DbrBase.SHORT;
    case 'USHORT':
    case 'LONG':
      return DbrBase.LONG;
    case 'ULONG':
    case 'INT64':
    case 'UINT64':
    case 'DOUBLE':
      return DbrBase.DOUBLE;
    case 'FLOAT':
      return DbrBase.FLOAT;
    case 'ENUM':
    case 'MENU':
      return DbrBase.ENUM;
  }
}

export const isLinkDbf = (dbf: Dbf): boolean => dbf === 'INLINK' || dbf === 'OUTLINK' || dbf === 'FWDLINK';
export const isNumericDbf = (dbf: Dbf): boolean => !isLinkDbf(dbf) && dbf !== 'STRING' && dbf !== 'NOACCESS' && dbf !== 'DEVICE';

/** Store a number in a field of this type with C's narrowing. */
export function narrow(dbf: Dbf, v: number): number {
  if (dbf === 'DOUBLE') return v;
  if (dbf === 'FLOAT') return Math.fround(v);
  if (!Number.isFinite(v)) return 0;
  const t = Math.trunc(v);
  switch (dbf) {
    case 'CHAR':
      return (t << 24) >> 24;
    case 'UCHAR':
      return t & 0xff;
    case 'SHORT':
      return (t << 16) >> 16;
    case 'USHORT':
    case 'ENUM':
    case 'MENU':
    case 'DEVICE':
      return t & 0xffff;
    case 'LONG':
      return t | 0;
    case 'ULONG':
      return t >>> 0;
    default:
      return t;
  }
}
