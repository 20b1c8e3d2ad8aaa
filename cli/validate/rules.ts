import fs from 'node:fs';
import YAML from 'yaml';
import { UsageError } from '../io.js';

/** Site rules for `beamtwin validate`: a small declarative file (YAML or JSON). */
export interface Rules {
  /** Allowed value ranges per PV (globs allowed): every value written to or reached by it must fit. */
  readonly ranges?: Readonly<Record<string, { readonly min?: number; readonly max?: number }>>;
  /** PVs (globs allowed) that must not be written. */
  readonly forbidden?: readonly string[];
  /** Longest allowed run, seconds of twin time. */
  readonly maxDuration?: number;
  /** Reads and writes of PVs the real beamline lacks (catch-all hits) break the rules unless this is true. */
  readonly allowUnknownPvs?: boolean;
  /** Soft-limit violations and hard-limit hits break the rules unless this is true. */
  readonly allowLimitViolations?: boolean;
}

/** Read and check a rules file; what is wrong with it is a UsageError naming the file. */
export function loadRules(file: string): Rules {
  const text = fs.readFileSync(file, 'utf8');
  const json = /\.json$/i.test(file);
  let data: Rules | null;
  try {
    data = (json ? JSON.parse(text) : YAML.parse(text)) as Rules | null;
  } catch (e) {
    throw new UsageError(`${file}: not valid ${json ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!data || typeof data !== 'object') throw new UsageError(`${file}: rules must be a mapping`);
  for (const [pv, r] of Object.entries(data.ranges ?? {})) {
    if (!r || typeof r !== 'object' || (r.min !== undefined && typeof r.min !== 'number') || (r.max !== undefined && typeof r.max !== 'number')) {
      throw new UsageError(`${file}: ranges.${pv} needs numeric min and/or max`);
    }
  }
  if (data.forbidden && !Array.isArray(data.forbidden)) throw new UsageError(`${file}: forbidden must be a list of PV names`);
  if (data.maxDuration !== undefined && typeof data.maxDuration !== 'number') throw new UsageError(`${file}: maxDuration must be seconds`);
  return data;
}
