// Output formats of the EPICS command-line tools (modules/ca/src/tools: caget.c, camonitor.c, cainfo.c,
// tool_lib.c), shared by `beamtwin get/put/monitor/info`.
import type { CaValue } from '../ioc/ca/client/values.js';
import { alarmStatusNames, severityNames } from '../ioc/ca/protocol/constants.js';
import { DBR_CLASS_NAME, DBR_STSACK_STRING, DbrBase, DbrClass, dbrInfo, dbrTypeFor } from '../ioc/ca/protocol/dbr-types.js';

/** printf("%g") with `precision` significant digits (tool_lib's default dblFormatStr). */
export function formatG(v: number, precision = 6): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const p = precision === 0 ? 1 : precision;
  const [mant, expText] = v.toExponential(p - 1).split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= p) {
    const m = stripZeros(mant);
    const sign = exp < 0 ? '-' : '+';
    return `${m}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return stripZeros(v.toFixed(Math.max(0, p - 1 - exp)));
}

const stripZeros = (s: string): string => (s.includes('.') ? s.replace(/\.?0+$/, '') : s);

/** epicsStrnEscapedFromRaw: C escapes for non-printable bytes. */
export function escapeString(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    switch (ch) {
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\t': out += '\\t'; break;
      case '\v': out += '\\v'; break;
      case '\f': out += '\\f'; break;
      case '\b': out += '\\b'; break;
      case '\x07': out += '\\a'; break;
      case '\\': out += '\\\\'; break;
      case "'": out += "\\'"; break;
      case '"': out += '\\"'; break;
      default:
        out += c < 0x20 || c >= 0x7f ? `\\x${c.toString(16).padStart(2, '0')}` : ch;
    }
  }
  return out;
}

/** One element as val2str prints it: %g for FLOAT/DOUBLE, state names for GR/CTRL enums, %d else. */
export function formatElement(v: CaValue, index: number, enumAsNumber = false): string {
  const info = dbrInfo(v.type);
  const elems = Array.isArray(v.value) ? v.value : [v.value];
  const x = elems[index];
  if (x === undefined) return '';
  if (typeof x === 'string') return escapeString(x);
  const base = v.type === DBR_STSACK_STRING || v.type === DBR_CLASS_NAME ? DbrBase.STRING : info?.base;
  switch (base) {
    case DbrBase.FLOAT:
    case DbrBase.DOUBLE:
      return formatG(x);
    case DbrBase.CHAR:
      return String((x << 24) >> 24); // printed through a (signed) char
    case DbrBase.ENUM: {
      if (!enumAsNumber && (info?.cls === DbrClass.GR || info?.cls === DbrClass.CTRL)) {
        const n = v.enumStrings?.length ?? 0;
        if (x >= 16) return `Illegal Value (${x})`;
        if (x >= n) return `Enum Index Overflow (${x})`;
        return v.enumStrings![x]!;
      }
      return String(x);
    }
    default:
      return String(x);
  }
}

export function elements(v: CaValue, enumAsNumber = false): string[] {
  const n = Array.isArray(v.value) ? v.value.length : 1;
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = formatElement(v, i, enumAsNumber);
  return out;
}

/** "%-30s " for scalars, "NAME " for arrays (tool_lib print_time_val_sts, caget plain). */
export const nameColumn = (name: string, count: number): string => (count <= 1 ? name.padEnd(30) : name) + ' ';

/** Values as caget prints them: "v" or "count v1 v2 …". */
export function valueText(v: CaValue, opts: { countRequested?: boolean; enumAsNumber?: boolean } = {}): string {
  const elems = elements(v, opts.enumAsNumber);
  return opts.countRequested || v.count > 1 ? `${v.count} ${elems.join(' ')}` : elems.join(' ');
}

/** Local time as EPICS tools print it: "%Y-%m-%d %H:%M:%S.%06f". */
export function formatTimestamp(secPastEpoch: number, nsec: number): string {
  const d = new Date((secPastEpoch + 631152000) * 1000);
  const p2 = (n: number) => String(n).padStart(2, '0');
  const date = `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}`;
  const time = `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
  return `${date} ${time}.${String(Math.floor(nsec / 1000)).padStart(6, '0')}`;
}

/** " STAT SEVR" when in alarm, else '' (tool_lib prints status, then severity). */
export function alarmSuffix(v: CaValue): string {
  const st = v.status ?? 0;
  const sv = v.severity ?? 0;
  if (!st && !sv) return '';
  return ` ${alarmStatusNames[st] ?? st} ${severityNames[sv] ?? sv}`;
}

/** caget's plain line: "NAME                           value". */
export function cagetLine(v: CaValue, opts: { countRequested?: boolean; enumAsNumber?: boolean; terse?: boolean } = {}): string {
  const text = valueText(v, opts);
  return opts.terse ? text : nameColumn(v.name, v.count) + text;
}

/** camonitor / caget -a line: "NAME  2026-11-22 02:30:01.123456 value [STAT SEVR]". */
export function timeLine(v: CaValue, opts: { countRequested?: boolean; enumAsNumber?: boolean } = {}): string {
  const stamp = v.secPastEpoch !== undefined ? formatTimestamp(v.secPastEpoch, v.nsec ?? 0) : '<undefined>';
  return `${nameColumn(v.name, v.count)}${stamp} ${valueText(v, opts)}${alarmSuffix(v)}`;
}

export const dbfName = (base: number | undefined): string =>
  base === undefined ? 'TYPENOTCONN' : `DBF_${['STRING', 'SHORT', 'FLOAT', 'ENUM', 'CHAR', 'LONG', 'DOUBLE'][base] ?? 'NO_ACCESS'}`;

export const dbrName = (type: number): string => {
  const n = dbrInfo(type)?.name ?? `DBR_${type}`;
  // EPICS' dbr_text names DBR_SHORT "DBR_SHORT" but the INT aliases are what tools print for class types.
  return n;
};

/** The extra lines caget -d prints for a class type (tool_lib dbr2str). */
export function dbrDetails(v: CaValue): string[] {
  const info = dbrInfo(v.type);
  if (!info || (info.cls === DbrClass.PLAIN && v.type !== DBR_STSACK_STRING)) return [];
  const lines: string[] = [];
  if (info.cls === DbrClass.TIME) lines.push(`    Timestamp:        ${formatTimestamp(v.secPastEpoch ?? 0, v.nsec ?? 0)}`);
  lines.push(`    Status:           ${alarmStatusNames[v.status ?? 0] ?? v.status}`);
  lines.push(`    Severity:         ${severityNames[v.severity ?? 0] ?? v.severity}`);
  if (v.type === DBR_STSACK_STRING) {
    lines.push(`    Ack transient?:   ${v.ackt ? 'YES' : 'NO'}`);
    lines.push(`    Ack severity:     ${severityNames[v.acks ?? 0] ?? v.acks}`);
    return lines;
  }
  if (info.cls !== DbrClass.GR && info.cls !== DbrClass.CTRL) return lines;
  if (info.base === DbrBase.STRING) return lines;
  if (info.base === DbrBase.ENUM) {
    const strs = v.enumStrings ?? [];
    lines.push(`    Enums:            (${String(strs.length).padStart(2)})`);
    strs.forEach((s, i) => lines.push(`                      [${String(i).padStart(2)}] ${s}`));
    return lines;
  }
  const isFloat = info.base === DbrBase.FLOAT || info.base === DbrBase.DOUBLE;
  const f = (x: number | undefined) => (isFloat ? formatG(x ?? 0) : String(Math.trunc(x ?? 0)).padStart(8));
  const l = v.limits ?? {};
  lines.push(`    Units:            ${v.units ?? ''}`);
  if (isFloat) lines.push(`    Precision:        ${v.precision ?? 0}`);
  lines.push(`    Lo disp limit:    ${f(l.lowerDisp)}`);
  lines.push(`    Hi disp limit:    ${f(l.upperDisp)}`);
  lines.push(`    Lo alarm limit:   ${f(l.lowerAlarm)}`);
  lines.push(`    Lo warn limit:    ${f(l.lowerWarning)}`);
  lines.push(`    Hi warn limit:    ${f(l.upperWarning)}`);
  lines.push(`    Hi alarm limit:   ${f(l.upperAlarm)}`);
  if (info.cls === DbrClass.CTRL) {
    lines.push(`    Lo ctrl limit:    ${f(l.lowerCtrl)}`);
    lines.push(`    Hi ctrl limit:    ${f(l.upperCtrl)}`);
  }
  return lines;
}

/** The DBR type caget/camonitor ask for by default: TIME of the native type, enums as strings. */
export function defaultToolType(nativeType: number, enumAsNumber: boolean): number {
  if (nativeType === DbrBase.ENUM) return enumAsNumber ? dbrTypeFor(DbrBase.SHORT, DbrClass.TIME) : dbrTypeFor(DbrBase.STRING, DbrClass.TIME);
  return dbrTypeFor(nativeType as DbrBase, DbrClass.TIME);
}
