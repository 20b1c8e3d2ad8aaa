/** What every simulated device hands back to the twin that built it. */
export interface DeviceHandle {
  /** Return to the profile's reset state at once (no dynamics). */
  reset(): void;
  /** Cancel timers; the device stops changing. */
  stop(): void;
}
