/** Process modifiers of a database link (dbStaticLib: NPP, PP, CA, CP, CPP). */
export type LinkProcess = 'NPP' | 'PP' | 'CA' | 'CP' | 'CPP';
/** Maximize-severity modifiers (NMS, MS, MSS, MSI). */
export type LinkSeverity = 'NMS' | 'MS' | 'MSS' | 'MSI';

export type Link =
  | { readonly kind: 'none' }
  | { readonly kind: 'constant'; readonly value: number | string | readonly (number | string)[] }
  | { readonly kind: 'pv'; readonly record: string; readonly field: string; readonly process: LinkProcess; readonly severity: LinkSeverity; readonly text: string }
  | { readonly kind: 'hardware'; readonly text: string };

const noLink: Link = { kind: 'none' };
const processWords = new Set(['NPP', 'PP', 'CA', 'CP', 'CPP']);
const severityWords = new Set(['NMS', 'MS', 'MSS', 'MSI']);

/**
 * Parse a link field's text as dbStaticLib does: empty → none; a number → constant; `@…`/`#…` → hardware
 * address (device support); `{"const": …}` JSON constant; otherwise `NAME[.FIELD] [PP|NPP|CA|CP|CPP]
 * [MS|NMS|MSS|MSI]`.
 */
export function parseLink(text: string): Link {
  const s = text.trim();
  if (s === '') return noLink;
  if (s.startsWith('@') || s.startsWith('#')) return { kind: 'hardware', text: s };
  if (s.startsWith('{')) {
    try {
      const j = JSON.parse(s) as unknown;
      if (j && typeof j === 'object' && 'const' in j) {
        return { kind: 'constant', value: (j as { const: number | string | (number | string)[] }).const };
      }
    } catch {
      // Not JSON: fall through to a PV name.
    }
  }
  if (s.startsWith('[')) {
    // A JSON array constant (EPICS 7: `field(INP, [1, 2, 3])` initialises an array).
    try {
      const j = JSON.parse(s) as unknown;
      if (Array.isArray(j)) return { kind: 'constant', value: j as (number | string)[] };
    } catch {
      // Not JSON: fall through.
    }
  }
  const n = Number(s);
  if (s !== '' && !Number.isNaN(n) && /^[\s+\-.\d]/.test(s)) return { kind: 'constant', value: n };
  if (s.startsWith('"') && s.endsWith('"') && s.length >= 2) return { kind: 'constant', value: s.slice(1, -1) };
  const words = s.split(/\s+/);
  const target = words[0]!;
  let process: LinkProcess = 'NPP';
  let severity: LinkSeverity = 'NMS';
  for (const w of words.slice(1)) {
    const u = w.toUpperCase();
    if (processWords.has(u)) process = u as LinkProcess;
    else if (severityWords.has(u)) severity = u as LinkSeverity;
  }
  const dot = target.lastIndexOf('.');
  // A field name is upper-case letters/digits after the last dot (PV names may contain dots too).
  const hasField = dot > 0 && /^[A-Z][A-Z0-9]{0,3}$/.test(target.slice(dot + 1));
  return {
    kind: 'pv',
    record: hasField ? target.slice(0, dot) : target,
    field: hasField ? target.slice(dot + 1) : 'VAL',
    process,
    severity,
    text: s,
  };
}
