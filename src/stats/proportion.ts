import { type Interval, zForConfidence } from "./interval.js";

/**
 * Wilson score interval (no continuity correction) for x events out of n, two-sided at `conf`.
 *
 * Conventions (README §1, `binomial_ci_wilson`):
 * - Clipped to [0, 1]; lower is exactly 0 at x = 0 and upper exactly 1 at x = n. The formula gives
 *   these analytically, but floating point can return e.g. −1e-17 (reference rows wilson-scipy-0-1-0.95,
 *   wilson-scipy-100000-100000-0.95), and downstream code compares bounds against thresholds.
 * - n = 0 returns [0, 1]: with no trials the data say nothing about the proportion, so the honest
 *   interval is the whole parameter space rather than NaN (the formula divides 0 by 0 in p̂).
 */
export function wilsonInterval(x: number, n: number, conf = 0.95): Interval {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`n must be a non-negative integer, got ${n}`);
  }
  if (!Number.isSafeInteger(x) || x < 0 || x > n) {
    throw new RangeError(`x must be an integer in [0, n=${n}], got ${x}`);
  }
  const z = zForConfidence(conf);
  if (n === 0) return { lower: 0, upper: 1 };

  const z2 = z * z;
  const p = x / n;
  const q = (n - x) / n; // not 1 − p, to keep precision when p is close to 1
  const denom = n + z2;
  const centre = (x + z2 / 2) / denom;
  const half = ((z * Math.sqrt(n)) / denom) * Math.sqrt(p * q + z2 / (4 * n));
  return {
    lower: x === 0 ? 0 : Math.max(0, centre - half),
    upper: x === n ? 1 : Math.min(1, centre + half),
  };
}
