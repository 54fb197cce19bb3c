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
