import type { DbrBase } from './field-type.js';

/** A value as stored natively: scalars as number/string, arrays as number arrays or string lists. */
export type DbrValue = number | string | ArrayLike<number> | readonly string[];

/** Display, alarm and control limits, in the order GR/CTRL DBRs carry them. */
export interface Limits {
  readonly upperDisp: number;
  readonly lowerDisp: number;
  readonly upperAlarm: number;
  readonly upperWarning: number;
  readonly lowerWarning: number;
  readonly lowerAlarm: number;
  readonly upperCtrl: number;
  readonly lowerCtrl: number;
}

export const noLimits: Limits = Object.freeze({
  upperDisp: 0,
  lowerDisp: 0,
  upperAlarm: 0,
  upperWarning: 0,
  lowerWarning: 0,
  lowerAlarm: 0,
  upperCtrl: 0,
  lowerCtrl: 0,
});

/**
 * Everything a CA DBR or PVA normative-type encoder reads from a PV, in one place (one source of truth: a Pv implements this
 * interface itself, so encoding never copies the value).
 */
export interface DbrSnapshot {
  readonly nativeType: DbrBase;
  readonly value: DbrValue;
  readonly status: number;
  readonly severity: number;
  /** EPICS time: seconds since 1990-01-01 UTC, and nanoseconds. */
  readonly secPastEpoch: number;
  readonly nsec: number;
  readonly units: string;
  readonly precision: number;
  readonly limits: Limits;
  readonly enumStrings: readonly string[];
  readonly ackt?: number;
  readonly acks?: number;
  readonly recordType?: string;
}

export function elementCount(value: DbrValue): number {
  return typeof value === 'number' || typeof value === 'string' ? 1 : value.length;
}
