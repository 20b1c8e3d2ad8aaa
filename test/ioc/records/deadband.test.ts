// recGblCheckDeadband (recGbl.c), case by case: the delta is |old − new| for finite values, infinite when
// exactly one side is NaN or infinite (or the infinities differ in sign), else 0; post when delta > deadband.
import { describe, expect, it } from 'vitest';
import { deadbandExceeded } from '../../../ioc/records/record.js';

describe('deadbandExceeded follows recGblCheckDeadband', () => {
  it.each([
    // last, new, deadband, posts
    [1, 1, 0, false],
    [1, 1.5, 0, true],
    [1, 1.5, 0.5, false],
    [1, 1.6, 0.5, true],
    [1, 1, -1, true], // a negative deadband posts every time
    [1, Number.NaN, 0, true],
    [Number.NaN, 1, 0, true],
    [1, Number.POSITIVE_INFINITY, 0, true],
    [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, true],
    [Number.NaN, Number.NaN, 0, false],
    [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 0, false],
    // delta is 0 for an unchanged NaN/Inf: a negative deadband still posts it, as for a finite value
    [Number.NaN, Number.NaN, -1, true],
    [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, -1, true],
    // an infinite deadband never posts, not even NaN ↔ number (delta INF is not > INF)
    [1, Number.NaN, Number.POSITIVE_INFINITY, false],
    [1, 1e300, Number.POSITIVE_INFINITY, false],
  ])('last %s → %s with deadband %s: %s', (last, val, deadband, posts) => {
    expect(deadbandExceeded(last, val, deadband)).toBe(posts);
  });
});
