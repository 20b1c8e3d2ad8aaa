import fs from 'node:fs';
import YAML from 'yaml';

/** Site rules for `beamtwin validate`: a small declarative file (YAML or JSON). */
export interface Rules {
  /** Allowed value ranges per PV (globs allowed): every value written to or reached by it must fit. */
  readonly ranges?: Readonly<Record<string, { readonly min?: number; readonly max?: number }>>;
  /** PVs (globs allowed) that must not be written. */
  readonly forbidden?: readonly string[];
  /** Longest allowed run, seconds of twin time. */
  readonly maxDuration?: number;
  /** Writes to PVs the real beamline lacks (catch-all hits) break the rules unless false. */
  readonly allowUnknownPvs?: boolean;
  /** Soft-limit violations and hard-limit hits break the rules unless false. */
  readonly allowLimitViolations?: boolean;
}

export function loadRules(file: string): Rules {
  const text = fs.readFileSync(file, 'utf8');
  const data = (/\.json$/i.test(file) ? JSON.parse(text) : YAML.parse(text)) as Rules | null;
  if (!data || typeof data !== 'object') throw new Error(`${file}: rules must be a mapping`);
  for (const [pv, r] of Object.entries(data.ranges ?? {})) {
    if (typeof r !== 'object' || (r.min !== undefined && typeof r.min !== 'number') || (r.max !== undefined && typeof r.max !== 'number')) {
      throw new Error(`${file}: ranges.${pv} needs numeric min and/or max`);
    }
  }
  if (data.forbidden && !Array.isArray(data.forbidden)) throw new Error(`${file}: forbidden must be a list of PV names`);
  if (data.maxDuration !== undefined && typeof data.maxDuration !== 'number') throw new Error(`${file}: maxDuration must be seconds`);
  return data;
}
