// Declarative asyn-style parameters for the areaDetector twin. An asyn parameter is served by EPICS as a
// writable output record (`AcquireTime`) plus an input record (`AcquireTime_RBV`, SCAN I/O Intr) that
// shows what the driver holds: the setpoint keeps what the client wrote, the readback follows the driver
// (clamped, or changed by the driver itself, e.g. counters). Records with info(asyn:READBACK, "1")
// (Acquire) make the setpoint follow driver changes too.
import { DbrBase } from '../../ioc/epics/field-type.js';
import type { DbrValue, Limits } from '../../ioc/epics/value.js';
import type { PvDatabase } from '../../ioc/db/database.js';
import type { PutContext, Pv } from '../../ioc/db/pv.js';
import { PutError } from '../../ioc/db/errors.js';
import { writableRecord, type RecordSpec } from './model.js';

/** NELM of the CHAR waveforms areaDetector uses for strings (FilePath, FileName, StatusMessage …). */
export const CHAR_NELM = 256;

/** A C string as a CHAR waveform value: the bytes and the terminating NUL (NORD = strlen + 1). */
export function encodeChars(text: string, nelm = CHAR_NELM): Uint8Array {
  const bytes = Buffer.from(text, 'latin1');
  const n = Math.min(bytes.length, nelm - 1);
  const out = new Uint8Array(n + 1);
  out.set(bytes.subarray(0, n));
  return out;
}

/** The string a CHAR waveform holds: bytes up to the first NUL. */
export function decodeChars(value: DbrValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return value === 0 ? '' : String.fromCharCode(value & 0xff);
  if (value.length > 0 && typeof value[0] === 'string') return (value as readonly string[])[0] ?? '';
  const nums = value as ArrayLike<number>;
  let s = '';
  for (let i = 0; i < nums.length; i++) {
    const c = nums[i]! & 0xff;
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

/** What a put does after the setpoint took the value: default, the readback follows. */
export type ParamWrite = (value: DbrValue, param: Param, ctx: PutContext) => void | Promise<void>;

export interface ParamOptions {
  readonly type: DbrBase;
  /** Initial value (strings for STRING and CHAR-string params). */
  readonly value?: DbrValue;
  readonly enumStrings?: readonly string[];
  readonly units?: string;
  readonly precision?: number;
  readonly limits?: Partial<Limits>;
  /** Array capacity; CHAR strings default to 256. */
  readonly maxCount?: number;
  /** A CHAR waveform holding a C string (FilePath …). */
  readonly charString?: boolean;
  /** The setpoint follows driver updates too (asyn:READBACK). */
  readonly readback?: boolean;
  /** Driver-side coercion of a written value; the readback shows the result. */
  readonly coerce?: (value: DbrValue, param: Param) => DbrValue;
  /** Driver action on write (after the setpoint changed); replaces "readback follows". */
  readonly write?: ParamWrite;
  readonly description?: string;
  /** A busy record: without driver behaviour, the operation completes at once (back to Done). */
  readonly busy?: boolean;
}

const clone = (v: DbrValue): DbrValue => (typeof v === 'object' && !Array.isArray(v) ? Array.from(v as ArrayLike<number>) : v);

/**
 * One driver parameter: an optional setpoint PV and an optional readback PV sharing one driver value.
 * `value` is the driver's value (what the readback shows).
 */
export class Param {
  private current: DbrValue;
  readonly initial: DbrValue;

  constructor(
    readonly name: string,
    /** Metadata and behaviour; `behave` adds the driver's behaviour to a param declared from a table. */
    public opts: ParamOptions,
    readonly sp: Pv | undefined,
    readonly rbv: Pv | undefined,
  ) {
    this.current = (rbv ?? sp)!.value;
    this.initial = clone(this.current);
  }

  get value(): DbrValue {
    return this.current;
  }
  get num(): number {
    const v = this.current;
    if (typeof v === 'number') return v;
    if (typeof v === 'string') return Number(v);
    return Number((v as ArrayLike<number>)[0] ?? 0);
  }
  get bool(): boolean {
    return this.num !== 0;
  }
  get str(): string {
    return this.opts.charString ? decodeChars(this.current) : typeof this.current === 'string' ? this.current : String(this.num);
  }

  /** Attach driver behaviour (coerce, write, readback) to this param; its metadata stays. */
  behave(b: Pick<ParamOptions, 'coerce' | 'write' | 'readback'>): void {
    this.opts = { ...this.opts, ...(b.coerce ? { coerce: b.coerce } : {}), ...(b.write ? { write: b.write } : {}), ...(b.readback !== undefined ? { readback: b.readback } : {}) };
  }

  /** The native value for `v` (strings to CHAR arrays for char-string params). */
  native(v: DbrValue | boolean): DbrValue {
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (this.opts.charString) return encodeChars(decodeChars(v), this.opts.maxCount ?? CHAR_NELM);
    return v;
  }

  /** The driver changes the value: the readback (and a READBACK setpoint) post. */
  update(v: DbrValue | boolean, opts: { force?: boolean; status?: number; severity?: number } = {}): void {
    const value = this.native(v);
    this.current = value;
    if (this.rbv) this.rbv.set(value, opts);
    if (this.sp && (this.opts.readback || !this.rbv)) this.sp.set(value, opts);
  }

  /** Teleport setpoint and readback to `v` (reset): no driver action. */
  reset(v: DbrValue | boolean = this.initial): void {
    const value = this.native(v);
    this.current = value;
    this.sp?.set(value);
    this.rbv?.set(value);
  }
}

export interface ParamSetOptions {
  /** Called for every param created (the detector counts and indexes them). */
  readonly onCreate?: (param: Param) => void;
}

/** Creates params under one record prefix (`P:R`, e.g. `XF:11BMB-ES{Det:PIL2M}:cam1:`). */
export class ParamSet {
  readonly params = new Map<string, Param>();

  constructor(
    readonly db: PvDatabase,
    readonly prefix: string,
    private readonly setOpts: ParamSetOptions = {},
  ) {}

  /** Every PV this set created. */
  pvs(): Pv[] {
    const out: Pv[] = [];
    for (const p of this.params.values()) {
      if (p.sp) out.push(p.sp);
      if (p.rbv) out.push(p.rbv);
    }
    return out;
  }

  get(name: string): Param {
    const p = this.find(name);
    if (!p) throw new Error(`no parameter ${name} under ${this.prefix}`);
    return p;
  }

  /** The param named `name`; `X_RBV` also finds the pair `X` whose readback it is. */
  find(name: string): Param | undefined {
    const p = this.params.get(name);
    if (p) return p;
    if (name.endsWith('_RBV')) {
      const pair = this.params.get(name.slice(0, -4));
      if (pair?.rbv) return pair;
    }
    return undefined;
  }

  /**
   * Serve the records of a template table: `X` and `X_RBV` become one param (setpoint and readback),
   * other records params of their own. Code declaring a param again later adds behaviour only.
   */
  declare(specs: readonly RecordSpec[]): void {
    const byName = new Map(specs.map((s) => [s.name, s]));
    for (const s of specs) {
      if (s.name.endsWith('_RBV') && byName.has(s.name.slice(0, -4))) continue;
      const rbv = byName.get(`${s.name}_RBV`);
      const o = (r: RecordSpec): ParamOptions => ({
        type: r.type,
        value: r.value,
        ...(r.enumStrings.length ? { enumStrings: r.enumStrings } : {}),
        units: r.units,
        precision: r.precision,
        maxCount: r.count,
        charString: r.charString,
        busy: r.recordType === 'busy',
      });
      if (rbv) this.create(s.name, o(s), this.pv(s, o(s)), this.pv(rbv, o(rbv)));
      else if (writableRecord(s)) this.create(s.name, o(s), this.pv(s, o(s)), undefined);
      else this.create(s.name, o(s), undefined, this.pv(s, o(s)));
    }
  }

  private pv(spec: RecordSpec, o: ParamOptions): Pv {
    const writable = writableRecord(spec);
    return this.db.create(this.prefix + spec.name, {
      ...this.pvOptions(o, writable),
      maxCount: spec.count,
      recordType: spec.recordType,
      ...(writable ? { put: (pv: Pv, value: DbrValue, ctx: PutContext) => this.putParam(this.find(spec.name)!, pv, value, ctx) } : {}),
    });
  }

  private putParam(p: Param, pv: Pv, value: DbrValue, ctx: PutContext): void | Promise<void> {
    // A longout holds an epicsInt32: a value beyond it is refused (dbPut's overflow), never wrapped.
    if (p.opts.type === DbrBase.LONG && typeof value === 'number' && !(Number.isFinite(value) && value >= -(2 ** 31) && value < 2 ** 31)) {
      throw new PutError(`${pv.name}: ${value} does not fit a 32-bit integer`);
    }
    const v = p.native(value);
    pv.set(v);
    if (p.opts.write) return p.opts.write(v, p, ctx);
    p.update(p.opts.coerce ? p.opts.coerce(v, p) : v);
    if (p.opts.busy && p.num !== 0) p.update(0);
    return undefined;
  }

  private create(name: string, o: ParamOptions, sp: Pv | undefined, rbv: Pv | undefined): Param {
    const param = new Param(name, o, sp, rbv);
    this.params.set(name, param);
    this.setOpts.onCreate?.(param);
    return param;
  }

  private pvOptions(o: ParamOptions, writable: boolean) {
    const charString = o.charString ?? false;
    const maxCount = o.maxCount ?? (charString ? CHAR_NELM : undefined);
    let value = o.value ?? (o.type === DbrBase.STRING ? '' : 0);
    if (charString) value = encodeChars(decodeChars(value), maxCount);
    return {
      type: o.type,
      value,
      ...(maxCount !== undefined ? { maxCount } : {}),
      ...(o.enumStrings ? { enumStrings: o.enumStrings } : {}),
      ...(o.units !== undefined ? { units: o.units } : {}),
      ...(o.precision !== undefined ? { precision: o.precision } : {}),
      ...(o.limits ? { limits: o.limits } : {}),
      ...(o.description ? { description: o.description } : {}),
      writable,
    };
  }

  private add(name: string, o: ParamOptions, withSp: boolean, withRbv: boolean, rbvName = `${name}_RBV`): Param {
    const declared = this.find(withSp ? name : rbvName);
    if (declared) {
      // Served from a template table: the code adds the driver's behaviour.
      declared.behave(o);
      return declared;
    }
    if (this.db.get(this.prefix + name) || this.db.get(this.prefix + rbvName)) throw new Error(`duplicate parameter ${name} under ${this.prefix}`);
    let param: Param | undefined;
    const sp = withSp
      ? this.db.create(this.prefix + name, {
          ...this.pvOptions(o, true),
          put: (pv, value, ctx) => this.putParam(param!, pv, value, ctx),
        })
      : undefined;
    const rbv = withRbv ? this.db.create(this.prefix + rbvName, this.pvOptions(o, false)) : undefined;
    param = this.create(name, o, sp, rbv);
    return param;
  }

  /** A writable parameter with its `_RBV` readback. */
  rw(name: string, o: ParamOptions): Param {
    return this.add(name, o, true, true);
  }
  /** A writable record without readback (bo WaitForPlugins, busy WriteFile without _RBV …). */
  wo(name: string, o: ParamOptions): Param {
    return this.add(name, o, true, false);
  }
  /** A read-only record, named in full (`ArrayCounter_RBV`, `QueueFree`). */
  ro(fullName: string, o: ParamOptions): Param {
    return this.add(fullName, o, false, true, fullName);
  }

  // Shorthands for records the code adds beyond a model's tables (the Pilatus records).
  double(name: string, value = 0, precision = 3, extra: Partial<ParamOptions> = {}): Param {
    return this.rw(name, { type: DbrBase.DOUBLE, value, precision, ...extra });
  }
  menu(name: string, enumStrings: readonly string[], value = 0, extra: Partial<ParamOptions> = {}): Param {
    return this.rw(name, { type: DbrBase.ENUM, value, enumStrings, ...extra });
  }
  chars(name: string, value = '', extra: Partial<ParamOptions> = {}): Param {
    return this.rw(name, { type: DbrBase.CHAR, value, charString: true, ...extra });
  }
  roMenu(fullName: string, enumStrings: readonly string[], value = 0): Param {
    return this.ro(fullName, { type: DbrBase.ENUM, value, enumStrings });
  }

  /** Teleport every parameter back to its initial value. */
  resetAll(): void {
    for (const p of this.params.values()) p.reset();
  }
}

// Menus shared by several templates.
export const NO_YES = ['No', 'Yes'] as const;
export const DATA_TYPES = ['Int8', 'UInt8', 'Int16', 'UInt16', 'Int32', 'UInt32', 'Int64', 'UInt64', 'Float32', 'Float64'] as const;
export const DATA_TYPES_AUTO = [...DATA_TYPES, 'Automatic'] as const;
export const DataType = { Int8: 0, UInt8: 1, Int16: 2, UInt16: 3, Int32: 4, UInt32: 5, Int64: 6, UInt64: 7, Float32: 8, Float64: 9 } as const;
/** Bytes per element of each DataType. */
export const DATA_TYPE_BYTES = [1, 1, 2, 2, 4, 4, 8, 8, 4, 8] as const;
