import type { MetricResult } from './metrics/result.js';
import type { Event } from './trace.js';

export type PresetName = 'vision' | 'envtrace' | 'native';
export const PRESETS: readonly PresetName[] = ['vision', 'envtrace', 'native'];

/** One row of the alignment table; `match` is null for a gap. */
export interface AlignedRow {
  readonly gt: Event | null;
  readonly pred: Event | null;
  readonly match: boolean | null;
}

/** A continuous channel's two series, as scored (for tables and plots). */
export interface ContinuousSeries {
  readonly channel: string;
  readonly gt: readonly Event[];
  readonly pred: readonly Event[];
}

/** The outcome of scoring one prediction against one reference with one preset. */
export interface ScoreResult {
  readonly preset: PresetName;
  readonly fullScore: number;
  readonly accuracy: boolean;
  readonly metrics: Readonly<Record<string, MetricResult>>;
  /** The weights the full score used, and each metric's weight·score. */
  readonly weights: Readonly<Record<string, number>>;
  readonly contributions: Readonly<Record<string, number>>;
  readonly passes: Readonly<Record<string, boolean>>;
  readonly rows: readonly AlignedRow[];
  readonly continuous: readonly ContinuousSeries[];
  /** Where a reference implementation would have stopped with an error instead of a number. */
  readonly referenceError?: string;
  readonly notes: readonly string[];
}

/** Several references scored against one prediction: the chosen one and all of them. */
export interface BestOf {
  readonly best: ScoreResult;
  /** Index of the chosen reference, -1 when the preset scored against an empty trace instead. */
  readonly index: number;
  readonly all: readonly ScoreResult[];
}
