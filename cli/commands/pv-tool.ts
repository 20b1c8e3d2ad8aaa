// Shared plumbing and printing of the pvAccess tools (pvget, pvput, pvmonitor, pvinfo), in the shapes
// EPICS 7's tools print: "NAME TIMESTAMP VALUE" for normative types, the structure tree for -v and pvinfo.
import type { FieldDesc } from '../../ioc/pva/protocol/field-desc.js';
import type { PvStruct } from '../../ioc/pva/protocol/value.js';
import type { PvaClient } from '../../ioc/pva/client/client.js';
import { PvRequestSyntaxError, buildPvRequest } from '../../ioc/pva/protocol/pv-request.js';
import { EPICS_EPOCH_OFFSET } from '../../ioc/epics/time.js';
import { formatTimestamp } from '../ca-format.js';
import { CommandFailed, UsageError } from '../io.js';

/** A client from the EPICS_PVA_* environment, closed when `fn` settles; request errors exit 1. */
export async function withPvaClient<R>(timeout: number, fn: (client: PvaClient) => Promise<R>): Promise<R> {
  const { PvaClient, PvaRequestError } = await import('../../ioc/pva/client/client.js');
  const client = new PvaClient({ timeout });
  try {
    return await fn(client);
  } catch (e) {
    if (e instanceof PvaRequestError) throw new CommandFailed(e.message);
    throw e;
  } finally {
    await client.close();
  }
}

/** Refuse a malformed pvRequest before connecting (usage error, exit 2). */
export function checkRequest(request: string): string {
  try {
    buildPvRequest(request);
  } catch (e) {
    if (e instanceof PvRequestSyntaxError) throw new UsageError(e.message);
    throw e;
  }
  return request;
}

function scalarText(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v).length - 2 === v.length && !/\s/.test(v) ? v : JSON.stringify(v);
  return String(v);
}

/** A normative value's `value` as pvget prints it: scalars plain, arrays [a,b,…], enums "(i) choice". */
export function valueText(value: unknown): string {
  if (value && typeof value === 'object') {
    if (ArrayBuffer.isView(value) || Array.isArray(value)) return `[${Array.from(value as ArrayLike<unknown>, scalarText).join(',')}]`;
    const o = value as PvStruct;
    if ('index' in o && 'choices' in o) return `(${o['index']}) ${(o['choices'] as string[])[o['index'] as number] ?? '<undefined>'}`;
    if ('select' in o) return o['select'] === null ? '(none)' : `${String(o['select'])}: ${valueText(o['value'])}`;
  }
  return scalarText(value);
}

/** "NAME TIMESTAMP VALUE [SEVERITY STATUS]" (pvget's default for NTScalar, NTScalarArray and NTEnum). */
export function ntLine(name: string, v: PvStruct): string {
  const ts = v['timeStamp'] as { secondsPastEpoch?: number; nanoseconds?: number } | undefined;
  const alarm = v['alarm'] as { severity?: number; message?: string } | undefined;
  const parts = [name];
  if (ts?.secondsPastEpoch !== undefined) parts.push(formatTimestamp(ts.secondsPastEpoch - EPICS_EPOCH_OFFSET, ts.nanoseconds ?? 0));
  parts.push('value' in v ? valueText(v['value']) : '');
  if (alarm?.severity) parts.push(['NO_ALARM', 'MINOR', 'MAJOR', 'INVALID'][alarm.severity] ?? String(alarm.severity), alarm.message ?? '');
  return parts.join(' ').trimEnd();
}

const scalarNames: Record<string, string> = { boolean: 'boolean', byte: 'byte', short: 'short', int: 'int', long: 'long', ubyte: 'ubyte', ushort: 'ushort', uint: 'uint', ulong: 'ulong', float: 'float', double: 'double', string: 'string' };

/** A type (and optionally its value) as an indented tree, as pvinfo and pvget -v print it. */
export function treeLines(desc: FieldDesc, value?: unknown, name = '', indent = ''): string[] {
  const label = (t: string) => `${indent}${t}${name ? ' ' + name : ''}`;
  switch (desc.kind) {
    case 'scalar':
      return [label(scalarNames[desc.type]!) + (value !== undefined ? ' ' + scalarText(value) : '')];
    case 'scalarArray':
      return [label(`${scalarNames[desc.type]}[]`) + (value !== undefined ? ' ' + valueText(value) : '')];
    case 'structure': {
      const out = [label(desc.id || 'structure')];
      for (const m of desc.fields) out.push(...treeLines(m.type, value === undefined ? undefined : ((value as PvStruct)?.[m.name] ?? undefined), m.name, indent + '    '));
      return out;
    }
    case 'union':
      return [label(desc.id || 'union'), ...desc.fields.flatMap((m) => treeLines(m.type, undefined, m.name, indent + '    '))];
    case 'structureArray':
      return [label(`${desc.element.id || 'structure'}[]`)];
    case 'unionArray':
      return [label('union[]')];
    case 'any':
      return [label('any')];
    case 'anyArray':
      return [label('any[]')];
  }
}
