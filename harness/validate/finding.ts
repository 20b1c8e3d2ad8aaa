/** One thing validate found: one per event (a limit hit, an alarm, a failed put), never one per field. */
export interface Finding {
  readonly kind: 'limit-violation' | 'hard-limit' | 'unknown-pv' | 'put-failed' | 'alarm' | 'rule' | 'exit';
  readonly pv: string;
  /** The device it concerns, by its profile name. */
  readonly device?: string;
  /** The alarm it raised, by EPICS' names (severity MAJOR, status HIGH). */
  readonly alarm?: { readonly severity: string; readonly status: string };
  readonly message: string;
  /** Seconds since the start of the run. */
  readonly at: number;
  /** Breaks the rules (non-zero exit). */
  readonly breaks: boolean;
}
