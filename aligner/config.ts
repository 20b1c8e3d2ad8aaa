import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import YAML from 'yaml';
import { DEFAULT_DECISION } from './aggregate.js';
import { comparatorFromSpec, type Comparator } from './comparators.js';
import { DEFAULT_TIMING } from './metrics/timing.js';
import { DEFAULT_CONTINUOUS_CHANNEL, type ContinuousChannel, type EnvtraceConfig } from './presets/envtrace.js';
import { pyFloat } from './py/float.js';
import { pyStr } from './py/str.js';
import { pyTruthy } from './py/truth.js';

/** A configuration file that does not follow the EnvTrace schema. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Obj = Record<string, unknown>;

function obj(v: unknown, where: string): Obj {
  if (!pyTruthy(v)) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(`${where} must be a mapping`);
  return v as Obj;
}

/** Python `float(x)` on a config value, with the key named in the error. */
function num(v: unknown, fallback: number, where: string): number {
  if (v === undefined) return fallback;
  const x = pyFloat(v as never);
  if (x === undefined) throw new ConfigError(`${where}: float(${JSON.stringify(v)}) fails`);
  return x;
}

/**
 * Read a configuration object (already parsed from JSON or YAML) the way EnvTrace's
 * `build_from_config` does: missing or empty sections take the package defaults, numbers go through
 * `float()`, flags through `bool()`, comparator types are matched case-insensitively.
 */
export function parseEnvtraceConfig(raw: unknown): EnvtraceConfig {
  const cfg = obj(raw, 'configuration');
  const aliases: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(cfg.aliases, 'aliases'))) aliases[k] = pyStr(v as never);
  const ignore = cfg.ignore_channels;
  if (pyTruthy(ignore) && !Array.isArray(ignore)) throw new ConfigError('ignore_channels must be a list');
  const comps = obj(cfg.comparators, 'comparators');
  const byChannel = new Map<string, Comparator>();
  for (const [ch, spec] of Object.entries(obj(comps.by_channel, 'comparators.by_channel'))) byChannel.set(ch, comparatorFromSpec(spec));

  const t = obj(cfg.timing, 'timing');
  const timing = {
    r2Thresh: num(t.r2_thresh, DEFAULT_TIMING.r2Thresh, 'timing.r2_thresh'),
    slopeLo: num(t.slope_lo, DEFAULT_TIMING.slopeLo, 'timing.slope_lo'),
    slopeHi: num(t.slope_hi, DEFAULT_TIMING.slopeHi, 'timing.slope_hi'),
    durTol: num(t.dur_tol, DEFAULT_TIMING.durTol, 'timing.dur_tol'),
    mapeTol: num(t.mape_tol, DEFAULT_TIMING.mapeTol, 'timing.mape_tol'),
  };

  const continuous = new Map<string, ContinuousChannel>();
  for (const [ch, c] of Object.entries(obj(cfg.continuous_channels, 'continuous_channels'))) {
    const s = obj(c, `continuous_channels.${ch}`);
    const d = DEFAULT_CONTINUOUS_CHANNEL;
    continuous.set(ch, {
      maeScale: num(s.mae_scale, d.maeScale, `${ch}.mae_scale`),
      finalScale: num(s.final_scale, d.finalScale, `${ch}.final_scale`),
      maeThresh: num(s.mae_thresh, d.maeThresh, `${ch}.mae_thresh`),
      finalThresh: num(s.final_thresh, d.finalThresh, `${ch}.final_thresh`),
      weight: num(s.weight, d.weight, `${ch}.weight`),
    });
  }

  const agg = obj(cfg.aggregation, 'aggregation');
  let weights: Record<string, number> | null = null;
  if (agg.weights && typeof agg.weights === 'object' && !Array.isArray(agg.weights)) {
    weights = {};
    for (const [k, v] of Object.entries(agg.weights as Obj)) weights[k] = num(v, 0, `aggregation.weights.${k}`);
  }

  const dec = obj(cfg.decision, 'decision');
  const required = Array.isArray(dec.required_metrics) ? dec.required_metrics.filter((x): x is string => typeof x === 'string') : [];
  const decision = pyTruthy(cfg.decision)
    ? {
        requireDiscreteExact: dec.require_discrete_exact === undefined ? true : pyTruthy(dec.require_discrete_exact),
        timingMetricName: dec.timing_metric_name === undefined ? 'timing' : pyStr(dec.timing_metric_name as never),
        requiredMetrics: required,
      }
    : DEFAULT_DECISION;

  return {
    aliases,
    ignoreChannels: new Set(((ignore as unknown[] | undefined) ?? []).map((x) => pyStr(x as never))),
    comparator: comparatorFromSpec(comps.default),
    comparatorsByChannel: byChannel,
    timing,
    continuousChannels: continuous,
    includeStructure: cfg.include_structure === undefined ? true : pyTruthy(cfg.include_structure),
    weights,
    decision,
  };
}

/** Load a configuration file: `.yaml`/`.yml` as YAML, anything else as JSON (an empty file is `{}`). */
export function loadEnvtraceConfig(path: string): EnvtraceConfig {
  const text = readFileSync(path, 'utf8');
  const ext = extname(path).toLowerCase();
  let raw: unknown;
  try {
    raw = ext === '.yaml' || ext === '.yml' ? (YAML.parse(text) ?? {}) : JSON.parse(text || '{}');
  } catch (e) {
    throw new ConfigError(`${path}: ${(e as Error).message}`);
  }
  return parseEnvtraceConfig(raw);
}
