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
export declare function zForConfidence(conf: number): number;
/** Throws unless x is a non-negative safe integer; `name` is for the message. */
export declare function checkCount(name: string, v: number): void;
/** Throws unless p is a probability strictly inside (0, 1). */
export declare function checkOpenProbability(name: string, p: number): void;
/** Clips an interval to [lo, hi]; bounds outside the parameter space carry no information. */
export declare function clip(i: Interval, lo: number, hi: number): Interval;
