import type { Dbf } from './dbf.js';

/** A field value as stored in a record: numbers, strings (also links), or arrays (waveform VAL). */
export type FieldValue = number | string | readonly number[] | ArrayLike<number> | readonly string[];

/** One field of a record type, as a .dbd `field(NAME, DBF_x) { … }` declares it. */
export interface FieldDef {
  readonly name: string;
  readonly dbf: Dbf;
  /** Choices of a DBF_MENU field. */
  readonly menu?: readonly string[];
  readonly initial?: FieldValue;
  /** SPC_NOMOD: clients cannot write it. */
  readonly readOnly?: boolean;
  /** pp(TRUE): a put processes the record when its SCAN is Passive. */
  readonly pp?: boolean;
  /** Element capacity for array fields (sized by NELM at init). */
  readonly array?: boolean;
  readonly prompt?: string;
}

/** Compact field declarations: `f('HIHI', 'DOUBLE', { pp: true })`. */
export function f(name: string, dbf: Dbf, opts: Omit<FieldDef, 'name' | 'dbf'> = {}): FieldDef {
  return { name, dbf, ...opts };
}

export function menu(name: string, choices: readonly string[], opts: Omit<FieldDef, 'name' | 'dbf' | 'menu'> = {}): FieldDef {
  return { name, dbf: 'MENU', menu: choices, ...opts };
}

/** An ordered field table with a name index, built once per record type. */
export class FieldTable {
  readonly byName = new Map<string, FieldDef>();
  /** Initial values, used as the prototype of every record's field storage. */
  readonly defaults: Record<string, FieldValue> = Object.create(null);

  constructor(readonly fields: readonly FieldDef[]) {
    for (const fd of fields) {
      this.byName.set(fd.name, fd);
      this.defaults[fd.name] = fd.initial ?? defaultFor(fd);
    }
  }

  get(name: string): FieldDef | undefined {
    return this.byName.get(name);
  }
}

function defaultFor(fd: FieldDef): FieldValue {
  switch (fd.dbf) {
    case 'STRING':
    case 'INLINK':
    case 'OUTLINK':
    case 'FWDLINK':
    case 'NOACCESS':
    case 'DEVICE':
      return '';
    default:
      return 0;
  }
}
