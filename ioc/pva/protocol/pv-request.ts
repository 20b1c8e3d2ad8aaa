import { scalar, type FieldDesc, type Member, type StructureDesc } from './field-desc.js';
import type { PvStruct } from './value.js';

/** A selection tree: each key a field to keep; an empty tree keeps the whole field. */
export interface Selection {
  [field: string]: Selection;
}

/** What a pvRequest asks for: which fields (null: all) and the record[...] options. */
export interface PvRequest {
  readonly fields: Selection | null;
  readonly options: Readonly<Record<string, string>>;
}

export class PvRequestSyntaxError extends Error {
  override name = 'PvRequestSyntaxError';
}

/**
 * Parse the pvRequest text clients take ("field(value,alarm)", "record[queueSize=4,pipeline=true]field(value)",
 * or a bare "value,alarm.severity") into the structure sent on the wire, as pvAccessCPP's
 * CreateRequest builds it: field/record structures of empty structures, options as strings.
 */
export function buildPvRequest(text: string): { desc: StructureDesc; value: PvStruct } {
  let rest = text.trim();
  const fields: Selection = {};
  const options: Record<string, string> = {};
  let sawField = false;
  const bare = rest !== '' && !/^(field|record|putField|getField)\s*[([]/.test(rest);
  if (bare) rest = `field(${rest})`;
  while (rest.length) {
    const m = /^(field|record|putField|getField)\s*/.exec(rest);
    if (!m) throw new PvRequestSyntaxError(`pvRequest: unexpected "${rest}"`);
    rest = rest.slice(m[0].length);
    if (m[1] === 'record') {
      if (rest[0] !== '[') throw new PvRequestSyntaxError('pvRequest: record needs [options]');
      const end = rest.indexOf(']');
      if (end < 0) throw new PvRequestSyntaxError('pvRequest: missing ]');
      for (const opt of rest.slice(1, end).split(',')) {
        if (!opt.trim()) continue;
        const eq = opt.indexOf('=');
        if (eq < 0) throw new PvRequestSyntaxError(`pvRequest: option "${opt}" needs =`);
        options[opt.slice(0, eq).trim()] = opt.slice(eq + 1).trim();
      }
      rest = rest.slice(end + 1).trim();
      continue;
    }
    if (rest[0] !== '(') throw new PvRequestSyntaxError(`pvRequest: ${m[1]} needs (fields)`);
    const end = matchingParen(rest);
    sawField = true;
    for (const path of splitTop(rest.slice(1, end))) {
      if (!path) continue;
      if (!/^[A-Za-z_][\w.]*$/.test(path)) throw new PvRequestSyntaxError(`pvRequest: bad field name "${path}"`);
      let node = fields;
      for (const part of path.split('.')) node = node[part] ??= {};
    }
    rest = rest.slice(end + 1).trim();
  }
  const top: Member[] = [];
  const value: PvStruct = {};
  if (sawField || Object.keys(options).length === 0) {
    top.push({ name: 'field', type: selectionDesc(fields) });
    value['field'] = {};
  }
  if (Object.keys(options).length) {
    const opts: Record<string, FieldDesc> = {};
    for (const k of Object.keys(options)) opts[k] = scalar('string');
    top.push({
      name: 'record',
      type: { kind: 'structure', id: '', fields: [{ name: '_options', type: { kind: 'structure', id: '', fields: Object.entries(opts).map(([name, type]) => ({ name, type })) } }] },
    });
    value['record'] = { _options: { ...options } };
  }
  return { desc: { kind: 'structure', id: '', fields: top }, value };
}

function matchingParen(s: string): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')' && --depth === 0) return i;
  }
  throw new PvRequestSyntaxError('pvRequest: missing )');
}

function splitTop(s: string): string[] {
  return s.split(',').map((p) => p.trim());
}

function selectionDesc(sel: Selection): StructureDesc {
  return { kind: 'structure', id: '', fields: Object.entries(sel).map(([name, sub]) => ({ name, type: selectionDesc(sub) })) };
}

/** Read a pvRequest structure a client sent. A missing or empty `field` selects everything. */
export function readPvRequest(desc: FieldDesc | null, value: unknown): PvRequest {
  const options: Record<string, string> = {};
  if (!desc || desc.kind !== 'structure') return { fields: null, options };
  const v = (value ?? {}) as PvStruct;
  const record = desc.fields.find((m) => m.name === 'record')?.type;
  if (record?.kind === 'structure') {
    const o = record.fields.find((m) => m.name === '_options')?.type;
    const ov = ((v['record'] as PvStruct | undefined)?.['_options'] ?? {}) as PvStruct;
    if (o?.kind === 'structure') for (const m of o.fields) if (m.type.kind === 'scalar') options[m.name] = String(ov[m.name]);
  }
  const field = desc.fields.find((m) => m.name === 'field')?.type;
  if (!field || field.kind !== 'structure' || field.fields.length === 0) return { fields: null, options };
  return { fields: selectionOf(field), options };
}

function selectionOf(desc: StructureDesc): Selection {
  const out: Selection = {};
  for (const m of desc.fields) {
    // Options on a field ("field(value[x=y])") arrive as _options: not a field to select.
    if (m.name === '_options') continue;
    out[m.name] = m.type.kind === 'structure' ? selectionOf(m.type) : {};
  }
  return out;
}

/**
 * The part of `desc` a selection keeps (pvAccessCPP/QSRV send only the requested fields). Unknown names are
 * ignored; a selection that matches nothing yields null so the server can refuse the request.
 */
export function selectDesc(desc: StructureDesc, sel: Selection | null): StructureDesc | null {
  if (!sel) return desc;
  const fields: Member[] = [];
  for (const m of desc.fields) {
    const sub = sel[m.name];
    if (!sub) continue;
    if (Object.keys(sub).length === 0 || m.type.kind !== 'structure') fields.push(m);
    else {
      const inner = selectDesc(m.type, sub);
      if (inner) fields.push({ name: m.name, type: inner });
    }
  }
  return fields.length ? { kind: 'structure', id: desc.id, fields } : null;
}

/** The value of a selected type, taken from the full value (no copies of leaves). */
export function selectValue(desc: StructureDesc, full: PvStruct): PvStruct {
  const out: PvStruct = {};
  for (const m of desc.fields) {
    const v = full[m.name];
    out[m.name] = m.type.kind === 'structure' && v && typeof v === 'object' ? selectValue(m.type, v as PvStruct) : v;
  }
  return out;
}
