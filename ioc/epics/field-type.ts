/**
 * Native field types of EPICS PVs. The numbering is db_access.h's DBR_STRING … DBR_DOUBLE (CA sends it on
 * the wire; pvAccess maps each to a pvData scalar type), so both protocols read one enumeration.
 */
export const DbrBase = {
  STRING: 0,
  SHORT: 1, // = DBR_INT
  FLOAT: 2,
  ENUM: 3,
  CHAR: 4,
  LONG: 5,
  DOUBLE: 6,
} as const;
export type DbrBase = (typeof DbrBase)[keyof typeof DbrBase];
export const dbrBaseNames = ['STRING', 'SHORT', 'FLOAT', 'ENUM', 'CHAR', 'LONG', 'DOUBLE'] as const;

/** dbDefs.h: a DBF_STRING holds at most 40 bytes including its terminating NUL. */
export const MAX_STRING_SIZE = 40;
