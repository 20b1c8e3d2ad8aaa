import type { DeviceMeaning } from '../meaning.js';

/** What matters about a shutter: its command PV opens (1) and closes (0) it; the blades follow. */
export function shutterMeaning(pv: string, blades: readonly string[] = []): DeviceMeaning {
  return { names: [pv, ...blades], meanings: [{ kind: 'state', channel: pv, states: { 0: 'closed', 1: 'open' } }] };
}
