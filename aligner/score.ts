import type { EnvtraceConfig } from './presets/envtrace.js';
import { ENVTRACE_DEFAULTS, scoreEnvtraceBestOf } from './presets/envtrace.js';
import { scoreNativeBestOf } from './presets/native.js';
import { scoreVisionBestOf } from './presets/vision.js';
import type { BestOf, PresetName } from './result.js';
import type { Trace } from './trace.js';

export { PRESETS } from './result.js';

export interface ScoreOptions {
  /** Channels left out (vision: of the discrete alignment; envtrace and native: of everything). */
  readonly ignore?: readonly string[];
  /** An EnvTrace configuration: drives `envtrace`, and lends `native` its aliases, ignore list and continuous channels. */
  readonly config?: EnvtraceConfig;
}

/** Client puts, read only when asked (`--score-puts`): `native` scores them, the reference presets never. */
const isPut = (e: Trace[number]) => e.kind === 'put';

/** For `native`: a put is its own channel, `put NAME`, so it aligns with puts, not with the updates it causes. */
function putsAsChannels(t: Trace): Trace {
  return t.some(isPut) ? t.map((e) => (isPut(e) ? { ...e, channel: `put ${e.channel}` } : e)) : t;
}

const withoutPuts = (t: Trace): Trace => (t.some(isPut) ? t.filter((e) => !isPut(e)) : t);

/** Score one prediction against one or more references with a preset (best of the references). */
export function scorePreset(preset: PresetName, refsIn: readonly Trace[], predIn: Trace, opts: ScoreOptions = {}): BestOf {
  const ignore = opts.ignore ?? [];
  const keepPuts = preset === 'native';
  const refs = refsIn.map(keepPuts ? putsAsChannels : withoutPuts);
  const pred = (keepPuts ? putsAsChannels : withoutPuts)(predIn);
  switch (preset) {
    case 'vision':
      return scoreVisionBestOf(refs, pred, { ignore });
    case 'envtrace': {
      const cfg = opts.config ?? ENVTRACE_DEFAULTS;
      const merged = ignore.length ? { ...cfg, ignoreChannels: new Set([...cfg.ignoreChannels, ...ignore]) } : cfg;
      return scoreEnvtraceBestOf(refs, pred, merged);
    }
    case 'native': {
      const cfg = opts.config;
      return scoreNativeBestOf(refs, pred, {
        ignore: [...ignore, ...(cfg?.ignoreChannels ?? [])],
        ...(cfg ? { aliases: cfg.aliases, continuousChannels: cfg.continuousChannels, timing: cfg.timing } : {}),
      });
    }
  }
}

/** Every preset on the same traces: the reference numbers and the native one side by side. */
export function scoreAllPresets(refs: readonly Trace[], pred: Trace, opts: ScoreOptions = {}): Record<PresetName, BestOf> {
  return { vision: scorePreset('vision', refs, pred, opts), envtrace: scorePreset('envtrace', refs, pred, opts), native: scorePreset('native', refs, pred, opts) };
}
