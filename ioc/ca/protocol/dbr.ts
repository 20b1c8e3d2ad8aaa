import { MAX_ENUM_STATES, MAX_ENUM_STRING_SIZE, MAX_STRING_SIZE, MAX_UNITS_SIZE } from './constants.js';
import { valueAsNumbers, valueAsStrings } from './convert.js';
import {
  DBR_CLASS_NAME,
  DBR_PUT_ACKS,
  DBR_PUT_ACKT,
  DBR_STSACK_STRING,
  DbrBase,
  DbrClass,
  dbrInfo,
} from './dbr-types.js';
import { ByteReader } from './reader.js';
import type { DbrSnapshot, Limits } from './snapshot.js';
import type { ByteWriter } from './writer.js';

/**
 * Write the payload of a DBR of `type` with `count` elements (unpadded; the message writer pads).
 * Elements past the value's length are zero, as RSRV fills a request larger than the current length.
 * Throws ConversionError when the value cannot be shown in the requested type.
 */
export function writeDbr(w: ByteWriter, type: number, count: number, snap: DbrSnapshot): void {
  const info = dbrInfo(type);
  if (!info) throw new RangeError(`invalid DBR type ${type}`);
  switch (type) {
    case DBR_STSACK_STRING:
      w.i16(snap.status);
      w.i16(snap.severity);
      w.u16(snap.ackt ?? 0);
      w.u16(snap.acks ?? 0);
      writeElements(w, DbrBase.STRING, count, snap);
      return;
    case DBR_CLASS_NAME:
      w.fixedString(snap.recordType ?? '', MAX_STRING_SIZE);
      return;
    case DBR_PUT_ACKT:
    case DBR_PUT_ACKS:
      throw new RangeError(`${info.name} is write-only`);
  }
  const { base, cls } = info;
  if (cls !== DbrClass.PLAIN) {
    w.i16(snap.status);
    w.i16(snap.severity);
  }
  if (cls === DbrClass.STS) {
    if (base === DbrBase.CHAR) w.u8(0);
    else if (base === DbrBase.DOUBLE) w.i32(0);
  } else if (cls === DbrClass.TIME) {
    w.u32(snap.secPastEpoch);
    w.u32(snap.nsec);
    if (base === DbrBase.SHORT || base === DbrBase.ENUM) w.i16(0);
    else if (base === DbrBase.CHAR) w.zeros(3);
    else if (base === DbrBase.DOUBLE) w.i32(0);
  } else if (cls === DbrClass.GR || cls === DbrClass.CTRL) {
    if (base === DbrBase.ENUM) {
      const strs = snap.enumStrings;
      const n = Math.min(strs.length, MAX_ENUM_STATES);
      w.i16(n);
      for (let i = 0; i < MAX_ENUM_STATES; i++) w.fixedString(i < n ? strs[i]! : '', MAX_ENUM_STRING_SIZE);
    } else if (base !== DbrBase.STRING) {
      if (base === DbrBase.FLOAT || base === DbrBase.DOUBLE) {
        w.i16(snap.precision);
        w.i16(0);
      }
      w.fixedString(snap.units, MAX_UNITS_SIZE);
      const l = snap.limits;
      const put = limitWriter(w, base);
      put(l.upperDisp);
      put(l.lowerDisp);
      put(l.upperAlarm);
      put(l.upperWarning);
      put(l.lowerWarning);
      put(l.lowerAlarm);
      if (cls === DbrClass.CTRL) {
        put(l.upperCtrl);
        put(l.lowerCtrl);
      }
      if (base === DbrBase.CHAR) w.u8(0);
    }
  }
  writeElements(w, base, count, snap);
}

function limitWriter(w: ByteWriter, base: DbrBase): (v: number) => void {
  switch (base) {
    case DbrBase.SHORT:
      return (v) => w.i16(clampInt(v));
    case DbrBase.FLOAT:
      return (v) => w.f32(v);
    case DbrBase.CHAR:
      return (v) => w.u8(clampInt(v));
    case DbrBase.LONG:
      return (v) => w.i32(clampInt(v));
    default:
      return (v) => w.f64(v);
  }
}

const clampInt = (v: number): number => (Number.isFinite(v) ? Math.trunc(v) : 0);

function writeElements(w: ByteWriter, base: DbrBase, count: number, snap: DbrSnapshot): void {
  if (base === DbrBase.STRING) {
    const strs = valueAsStrings(snap);
    const n = Math.min(count, strs.length);
    for (let i = 0; i < n; i++) w.fixedString(strs[i]!, MAX_STRING_SIZE);
    if (count > n) w.zeros((count - n) * MAX_STRING_SIZE);
    return;
  }
  const v = snap.value;
  if (typeof v === 'number' && count >= 1) {
    // A scalar (most reads and monitors): no array of one in between.
    writePlainNumber(w, base, v);
    if (count > 1) w.zeros((count - 1) * dbrInfo(base)!.valueSize);
    return;
  }
  const nums = valueAsNumbers(snap);
  const n = Math.min(count, nums.length);
  const size = n * (base === DbrBase.DOUBLE ? 8 : base === DbrBase.CHAR ? 1 : base === DbrBase.FLOAT || base === DbrBase.LONG ? 4 : 2);
  w.ensure(size);
  const b = w.buf;
  let p = w.pos;
  switch (base) {
    case DbrBase.DOUBLE:
      for (let i = 0; i < n; i++, p += 8) b.writeDoubleBE(nums[i]!, p);
      break;
    case DbrBase.FLOAT:
      for (let i = 0; i < n; i++, p += 4) b.writeFloatBE(nums[i]!, p);
      break;
    case DbrBase.LONG:
      for (let i = 0; i < n; i++, p += 4) b.writeInt32BE(toInt32(nums[i]!), p);
      break;
    case DbrBase.SHORT:
      for (let i = 0; i < n; i++, p += 2) b.writeInt16BE((toInt32(nums[i]!) << 16) >> 16, p);
      break;
    case DbrBase.ENUM:
      for (let i = 0; i < n; i++, p += 2) b.writeUInt16BE(toInt32(nums[i]!) & 0xffff, p);
      break;
    case DbrBase.CHAR:
      for (let i = 0; i < n; i++, p += 1) b[p] = toInt32(nums[i]!) & 0xff;
      break;
  }
  w.pos = p;
  if (count > n) w.zeros((count - n) * dbrInfo(base)!.valueSize);
}

const toInt32 = (v: number): number => (Number.isFinite(v) ? Math.trunc(v) | 0 : 0);

/** One element of a numeric `base`, narrowed as writeElements does. */
function writePlainNumber(w: ByteWriter, base: DbrBase, v: number): void {
  switch (base) {
    case DbrBase.DOUBLE:
      return w.f64(v);
    case DbrBase.FLOAT:
      return w.f32(v);
    case DbrBase.LONG:
      return w.i32(toInt32(v));
    case DbrBase.SHORT:
      return w.i16(toInt32(v));
    case DbrBase.ENUM:
      return w.u16(toInt32(v));
    case DbrBase.CHAR:
      return w.u8(toInt32(v));
  }
}

/** One element of a plain numeric DBR at `at` (a scalar put); the caller checked that it is there. */
export function readPlainNumber(base: DbrBase, buf: Buffer, at: number): number {
  switch (base) {
    case DbrBase.DOUBLE:
      return buf.readDoubleBE(at);
    case DbrBase.FLOAT:
      return buf.readFloatBE(at);
    case DbrBase.LONG:
      return buf.readInt32BE(at);
    case DbrBase.SHORT:
      return buf.readInt16BE(at);
    case DbrBase.ENUM:
      return buf.readUInt16BE(at);
    case DbrBase.CHAR:
      return buf[at]!;
    default:
      throw new RangeError(`DBR base ${base} is not numeric`);
  }
}

/** A DBR decoded from the wire: the value plus whatever metadata its class carries. */
export interface DecodedDbr {
  readonly type: number;
  readonly base: DbrBase;
  readonly cls: DbrClass;
  readonly value: number[] | string[];
  readonly status?: number;
  readonly severity?: number;
  readonly secPastEpoch?: number;
  readonly nsec?: number;
  readonly units?: string;
  readonly precision?: number;
  readonly limits?: Partial<Limits>;
  readonly enumStrings?: string[];
  readonly ackt?: number;
  readonly acks?: number;
  readonly recordType?: string;
}

/**
 * Decode a DBR payload. Returns undefined when the payload is shorter than the layout needs
 * (the caller reports a malformed message); never reads past `end`.
 */
export function decodeDbr(
  type: number,
  count: number,
  buf: Buffer,
  start = 0,
  end = buf.length,
): DecodedDbr | undefined {
  const info = dbrInfo(type);
  if (!info) return undefined;
  const r = new ByteReader(buf, start, end);
  const out: {
    -readonly [K in keyof DecodedDbr]: DecodedDbr[K];
  } = { type, base: info.base, cls: info.cls, value: [] };
  if (type === DBR_CLASS_NAME) {
    out.recordType = r.fixedString(MAX_STRING_SIZE);
    out.value = [out.recordType];
    return r.ok ? out : undefined;
  }
  if (type === DBR_PUT_ACKT || type === DBR_PUT_ACKS) {
    out.value = [r.u16()];
    return r.ok ? out : undefined;
  }
  if (type === DBR_STSACK_STRING) {
    out.status = r.i16();
    out.severity = r.i16();
    out.ackt = r.u16();
    out.acks = r.u16();
  } else if (info.cls !== DbrClass.PLAIN) {
    out.status = r.i16();
    out.severity = r.i16();
    const { base, cls } = info;
    if (cls === DbrClass.TIME) {
      out.secPastEpoch = r.u32();
      out.nsec = r.u32();
    } else if ((cls === DbrClass.GR || cls === DbrClass.CTRL) && base === DbrBase.ENUM) {
      const n = r.i16();
      const strs: string[] = [];
      for (let i = 0; i < MAX_ENUM_STATES; i++) {
        const s = r.fixedString(MAX_ENUM_STRING_SIZE);
        if (i < n) strs.push(s);
      }
      out.enumStrings = strs;
    } else if ((cls === DbrClass.GR || cls === DbrClass.CTRL) && base !== DbrBase.STRING) {
      if (base === DbrBase.FLOAT || base === DbrBase.DOUBLE) {
        out.precision = r.i16();
        r.skip(2);
      }
      out.units = r.fixedString(MAX_UNITS_SIZE);
      const get = limitReader(r, base);
      const limits: { -readonly [K in keyof Limits]?: number } = {
        upperDisp: get(),
        lowerDisp: get(),
        upperAlarm: get(),
        upperWarning: get(),
        lowerWarning: get(),
        lowerAlarm: get(),
      };
      if (cls === DbrClass.CTRL) {
        limits.upperCtrl = get();
        limits.lowerCtrl = get();
      }
      out.limits = limits;
    }
  }
  // A count the payload cannot hold fails here, before an array of that (peer-chosen, up to 2^32) size is
  // allocated; a lone short DBR_STRING tail (strlen+1 padded) is still accepted, as readElements does.
  const room = end - start - info.valueOffset;
  if (count > 0 && (count - 1) * info.valueSize + (info.base === DbrBase.STRING ? 1 : info.valueSize) > room) return undefined;
  r.skip(start + info.valueOffset - r.offset);
  out.value = readElements(r, info.base, count);
  return r.ok ? out : undefined;
}

function limitReader(r: ByteReader, base: DbrBase): () => number {
  switch (base) {
    case DbrBase.SHORT:
      return () => r.i16();
    case DbrBase.FLOAT:
      return () => r.f32();
    case DbrBase.CHAR:
      return () => r.u8();
    case DbrBase.LONG:
      return () => r.i32();
    default:
      return () => r.f64();
  }
}

function readElements(r: ByteReader, base: DbrBase, count: number): number[] | string[] {
  if (base === DbrBase.STRING) {
    const out: string[] = new Array(count);
    for (let i = 0; i < count; i++) out[i] = r.fixedStringLenient(MAX_STRING_SIZE);
    return out;
  }
  const out: number[] = new Array(count);
  switch (base) {
    case DbrBase.DOUBLE:
      for (let i = 0; i < count; i++) out[i] = r.f64();
      break;
    case DbrBase.FLOAT:
      for (let i = 0; i < count; i++) out[i] = r.f32();
      break;
    case DbrBase.LONG:
      for (let i = 0; i < count; i++) out[i] = r.i32();
      break;
    case DbrBase.SHORT:
      for (let i = 0; i < count; i++) out[i] = r.i16();
      break;
    case DbrBase.ENUM:
      for (let i = 0; i < count; i++) out[i] = r.u16();
      break;
    case DbrBase.CHAR:
      for (let i = 0; i < count; i++) out[i] = r.u8();
      break;
  }
  return out;
}
