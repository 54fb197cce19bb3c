import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";

/** A closed two-sided interval [lower, upper]. */
export interface Interval {
  lower: number;
  upper: number;
}

/**
 * Two-sided critical value z = Φ⁻¹(1 − α/2), α = 1 − conf.
 *
 * Evaluated as −Φ⁻¹(α/2), which is the same number by symmetry of the normal
 * distribution, because forming 1 − α/2 first rounds away digits of α when conf
 * is close to 1 (e.g. 0.999999).
 */
export function zForConfidence(conf: number): number {
  // conf = 0 or 1 would give z = 0 or ∞ and a degenerate interval; a gate must not silently accept that.
  if (!(conf > 0 && conf < 1)) {
    throw new RangeError(`confidence level must be in (0, 1), got ${conf}`);
  }
  return -normalQuantile((1 - conf) / 2, 0, 1);
}

/** Throws unless x is a non-negative safe integer; `name` is for the message. */
export function checkCount(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${v}`);
  }
}

/** Throws unless p is a probability strictly inside (0, 1). */
export function checkOpenProbability(name: string, p: number): void {
  if (!(p > 0 && p < 1)) throw new RangeError(`${name} must be in (0, 1), got ${p}`);
}

/** Clips an interval to [lo, hi]; bounds outside the parameter space carry no information. */
export function clip(i: Interval, lo: number, hi: number): Interval {
  return { lower: Math.min(hi, Math.max(lo, i.lower)), upper: Math.max(lo, Math.min(hi, i.upper)) };
}
