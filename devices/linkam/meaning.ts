import type { DeviceMeaning } from '../meaning.js';

/** What matters about a Linkam stage at `prefix` (and its aliases): SETPOINT:SET asks, TEMP reads. */
export function linkamMeaning(prefix: string, aliases: readonly string[] = []): DeviceMeaning {
  const all = [prefix, ...aliases];
  return {
    prefixes: all,
    meanings: [{ kind: 'temperature', setpoint: all.map((p) => `${p}SETPOINT:SET`), temperature: `${prefix}TEMP` }],
  };
}
