/** One metric's outcome: a score in [0, 1] (NaN where a reference yields NaN), a pass flag, and details. */
export interface MetricResult {
  readonly name: string;
  readonly score: number;
  readonly pass: boolean;
  readonly details: Readonly<Record<string, unknown>>;
}
