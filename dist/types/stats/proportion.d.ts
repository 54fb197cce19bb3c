import { type Interval } from "./interval.js";
/**
 * Wilson score interval (no continuity correction).
 *
 * Clipped to [0, 1]; lower is exactly 0 at x = 0 and upper exactly 1 at x = n. The formula gives
 * these analytically, but floating point can return e.g. −1e-17 (reference rows wilson-scipy-0-1-0.95,
 * wilson-scipy-100000-100000-0.95), and downstream code compares bounds against thresholds.
 */
export declare function wilsonInterval(x: number, n: number, conf?: number): Interval;
/**
 * Wilson's formula for a real-valued count x ∈ [0, n] (n > 0). Shared by the integer interval above and
 * by the design-effect-adjusted interval of the gate, where x and n are effective (non-integer) counts.
 */
export declare function wilsonCore(x: number, n: number, z: number, atZero: boolean, atOne: boolean): Interval;
/**
 * Continuity-corrected Wilson interval, Newcombe (1998a) method 4 — as scipy `wilsoncc`. Unlike R
 * `prop.test`, the correction is kept at x = n/2 (README "Disagreements" 2; reference row
 * wilsoncc-scipy-5-10-0.95).
 */
export declare function wilsonCCInterval(x: number, n: number, conf?: number): Interval;
/**
 * Clopper–Pearson exact interval: Beta quantiles, with α/2 in each tail even at the boundary (the R
 * `binom.test` / scipy convention), so 0/n has upper bound 1 − (α/2)^(1/n).
 */
export declare function clopperPearsonInterval(x: number, n: number, conf?: number): Interval;
/**
 * Equal-tailed Jeffreys interval: α/2 and 1 − α/2 quantiles of Beta(x + ½, n − x + ½), with the
 * Brown–Cai–DasGupta boundary modification (lower = 0 at x = 0, upper = 1 at x = n). statsmodels
 * does not modify the boundary (reference rows carry it as `convention_note.unmodified_value`).
 */
export declare function jeffreysInterval(x: number, n: number, conf?: number): Interval;
/**
 * Agresti–Coull interval in its z² form (ñ = n + z², p̃ = (x + z²/2)/ñ), clipped to [0, 1] as statsmodels
 * does; R `binom` leaves it unclipped (reference field `unclipped`).
 */
export declare function agrestiCoullInterval(x: number, n: number, conf?: number): Interval;
export declare const PROPORTION_INTERVALS: {
    readonly wilson: typeof wilsonInterval;
    readonly wilson_cc: typeof wilsonCCInterval;
    readonly clopper_pearson: typeof clopperPearsonInterval;
    readonly jeffreys: typeof jeffreysInterval;
    readonly agresti_coull: typeof agrestiCoullInterval;
};
export type ProportionMethod = keyof typeof PROPORTION_INTERVALS;
