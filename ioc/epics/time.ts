/** EPICS epoch (1990-01-01T00:00:00Z) in POSIX seconds. */
export const EPICS_EPOCH_OFFSET = 631152000;

export interface EpicsTime {
  readonly secPastEpoch: number;
  readonly nsec: number;
}

/** POSIX milliseconds (possibly fractional) to EPICS time (seconds since 1990-01-01 UTC). */
export function epicsTimeFromMs(ms: number): EpicsTime {
  // Split off whole seconds first: ms * 1e6 for a present-day time is ~1.7e18, far beyond 2^53, and would
  // quantise the nanoseconds (1 ms came out as 1000064 ns).
  let sec = Math.floor(ms / 1000);
  let nsec = Math.round((ms - sec * 1000) * 1e6);
  if (nsec < 0) {
    sec -= 1;
    nsec += 1e9;
  } else if (nsec >= 1e9) {
    sec += 1;
    nsec -= 1e9;
  }
  return { secPastEpoch: sec - EPICS_EPOCH_OFFSET, nsec };
}

/** EPICS time to POSIX seconds as a float. */
export function epicsTimeToPosix(t: EpicsTime): number {
  return t.secPastEpoch + EPICS_EPOCH_OFFSET + t.nsec / 1e9;
}
