import { EPICS_EPOCH_OFFSET } from './constants.js';

export interface EpicsTime {
  readonly secPastEpoch: number;
  readonly nsec: number;
}

/** POSIX milliseconds (possibly fractional) to EPICS time (seconds since 1990-01-01 UTC). */
export function epicsTimeFromMs(ms: number): EpicsTime {
  const totalNs = Math.round(ms * 1e6);
  const sec = Math.floor(totalNs / 1e9);
  return { secPastEpoch: sec - EPICS_EPOCH_OFFSET, nsec: totalNs - sec * 1e9 };
}

/** EPICS time to POSIX seconds as a float. */
export function epicsTimeToPosix(t: EpicsTime): number {
  return t.secPastEpoch + EPICS_EPOCH_OFFSET + t.nsec / 1e9;
}
