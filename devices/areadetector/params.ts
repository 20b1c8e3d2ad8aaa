// Declarative asyn-style parameters for the areaDetector twin. An asyn parameter is served by EPICS as a
// writable output record (`AcquireTime`) plus an input record (`AcquireTime_RBV`, SCAN I/O Intr) that
// shows what the driver holds: the setpoint keeps what the client wrote, the readback follows the driver
// (clamped, or changed by the driver itself, e.g. counters). Records with info(asyn:READBACK, "1")
// (Acquire) make the setpoint follow driver changes too.
import { DbrBase } from '../../ioc/epics/field-type.js';
import type { DbrValue, Limits } from '../../ioc/epics/value.js';
import type { PvDatabase } from '../../ioc/db/database.js';
import type { PutContext, Pv } from '../../ioc/db/pv.js';

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
    readonly opts: ParamOptions,
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
    const p = this.params.get(name);
    if (!p) throw new Error(`no parameter ${name} under ${this.prefix}`);
    return p;
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
    if (this.params.has(name)) throw new Error(`duplicate parameter ${name} under ${this.prefix}`);
    let param: Param | undefined;
    const sp = withSp
      ? this.db.create(this.prefix + name, {
          ...this.pvOptions(o, true),
          put: (pv, value, ctx) => {
            const p = param!;
            const v = p.native(value);
            pv.set(v);
            if (o.write) return o.write(v, p, ctx);
            p.update(o.coerce ? o.coerce(v, p) : v);
            return undefined;
          },
        })
      : undefined;
    const rbv = withRbv ? this.db.create(this.prefix + rbvName, this.pvOptions(o, false)) : undefined;
    param = new Param(name, o, sp, rbv);
    this.params.set(name, param);
    this.setOpts.onCreate?.(param);
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

  // Shorthands for the record types areaDetector uses.
  long(name: string, value = 0, extra: Partial<ParamOptions> = {}): Param {
    return this.rw(name, { type: DbrBase.LONG, value, ...extra });
  }
  double(name: string, value = 0, precision = 3, extra: Partial<ParamOptions> = {}): Param {
    return this.rw(name, { type: DbrBase.DOUBLE, value, precision, ...extra });
  }
  menu(name: string, enumStrings: readonly string[], value = 0, extra: Partial<ParamOptions> = {}): Param {
    return this.rw(name, { type: DbrBase.ENUM, value, enumStrings, ...extra });
  }
  string(name: string, value = '', extra: Partial<ParamOptions> = {}): Param {
    return this.rw(name, { type: DbrBase.STRING, value, ...extra });
  }
  chars(name: string, value = '', extra: Partial<ParamOptions> = {}): Param {
    return this.rw(name, { type: DbrBase.CHAR, value, charString: true, ...extra });
  }
  roLong(fullName: string, value = 0, extra: Partial<ParamOptions> = {}): Param {
    return this.ro(fullName, { type: DbrBase.LONG, value, ...extra });
  }
  roDouble(fullName: string, value = 0, precision = 3, extra: Partial<ParamOptions> = {}): Param {
    return this.ro(fullName, { type: DbrBase.DOUBLE, value, precision, ...extra });
  }
  roMenu(fullName: string, enumStrings: readonly string[], value = 0): Param {
    return this.ro(fullName, { type: DbrBase.ENUM, value, enumStrings });
  }
  roString(fullName: string, value = ''): Param {
    return this.ro(fullName, { type: DbrBase.STRING, value });
  }
  roChars(fullName: string, value = ''): Param {
    return this.ro(fullName, { type: DbrBase.CHAR, value, charString: true });
  }

  /** Teleport every parameter back to its initial value. */
  resetAll(): void {
    for (const p of this.params.values()) p.reset();
  }
}

// Menus shared by several templates.
export const NO_YES = ['No', 'Yes'] as const;
export const DISABLE_ENABLE = ['Disable', 'Enable'] as const;
export const DONE_BUSY = (busy: string): readonly string[] => ['Done', busy];
export const DATA_TYPES = ['Int8', 'UInt8', 'Int16', 'UInt16', 'Int32', 'UInt32', 'Int64', 'UInt64', 'Float32', 'Float64'] as const;
export const DATA_TYPES_AUTO = [...DATA_TYPES, 'Automatic'] as const;
export const COLOR_MODES = ['Mono', 'Bayer', 'RGB1', 'RGB2', 'RGB3', 'YUV444', 'YUV422', 'YUV421'] as const;
export const BAYER_PATTERNS = ['RGGB', 'GBRG', 'GRBG', 'BGGR'] as const;
export const DataType = { Int8: 0, UInt8: 1, Int16: 2, UInt16: 3, Int32: 4, UInt32: 5, Int64: 6, UInt64: 7, Float32: 8, Float64: 9 } as const;
/** Bytes per element of each DataType. */
export const DATA_TYPE_BYTES = [1, 1, 2, 2, 4, 4, 8, 8, 4, 8] as const;

/** NDArrayBase's attribute-file and pool-statistics records, which the driver and every plugin serve. */
export function declareAttributesAndPool(p: ParamSet): void {
  p.chars('NDAttributesFile');
  p.chars('NDAttributesMacros');
  p.roMenu('NDAttributesStatus', ['Attributes file OK', 'File not found', 'XML syntax error', 'Macro substitution error'], 0);
  p.roDouble('PoolMaxMem', 0, 1, { units: 'MB' });
  p.roDouble('PoolUsedMem', 0, 1, { units: 'MB' });
  p.roLong('PoolAllocBuffers');
  p.roLong('PoolFreeBuffers');
  p.roLong('PoolUsedBuffers');
  p.roLong('PoolMaxBuffers');
}
