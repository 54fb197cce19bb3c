/**
 * Confidence intervals for the paired difference of proportions d = p_candidate − p_baseline =
 * (n12 − n21)/N, positive = candidate worse (../shared/stats-reference §3). Every method returns
 * [−1, 1] for N = 0: no pairs means no information about d.
 */
import { type Interval } from "./interval.js";
/**
 * Paired 2×2 table of bad outcomes. Rows are the candidate (bad, ok), columns the baseline (bad, ok):
 * n12 = only the candidate is bad (regressions), n21 = only the baseline is bad (improvements).
 */
export interface PairedTable {
    n11: number;
    n12: number;
    n21: number;
    n22: number;
}
export declare function checkTable(t: PairedTable): number;
/** N = 0: the whole range. An invalid conf is still an error, even with nothing to estimate. */
export declare function whole(conf: number): Interval;
/**
 * d = (n12 − n21)/N; positive means the candidate is worse.
 * N = 0 gives NaN: there is no difference to report, and a number here would be invented.
 */
export declare function pairedDifference(t: PairedTable): number;
/**
 * Newcombe (1998b) method 10: hybrid score interval for a paired difference of proportions,
 * square-and-add of the two marginal Wilson intervals with the continuity-adjusted correlation φ*.
 *
 * φ* follows the README exactly, including φ* = 0 when any margin is 0 (φ is then 0/0; reference rows
 * ...-scipy-0-1-0-0 and ...-scipy-3-0-0-0 exercise it).
 *
 * The bounds are written so that swapping n12 and n21 gives exactly (−upper, −lower) in floating point
 * (the cross term multiplies the two distances first, and a² + b² is commutative), so a gate that
 * orients the table either way gets mirror-image answers.
 *
 * Since |φ*| ≤ 1 the bounds already satisfy U ≤ u₁ − l₂ ≤ 1 and L ≥ l₁ − u₂ ≥ −1 analytically; the clamp
 * only removes rounding excess where they touch ±1 (reference rows ...-scipy-0-1-0-0 and
 * ...-scipy-0-0-5-0 expect exactly 1 and −1).
 */
export declare function newcombeHybridScoreInterval(t: PairedTable, conf?: number): Interval;
/** Wald interval: d ± z·√((n12 + n21) − (n12 − n21)²/N)/N. No discordant pairs gives the point [d, d]. */
export declare function waldPairedInterval(t: PairedTable, conf?: number): Interval;
/**
 * Wald with continuity correction in the Fagerland et al. (2014) / contingencytables form:
 * SE = √((n12 + n21) − (|n12 − n21| − 1)²/N)/N, and SE = 0 where that radicand is negative (so
 * (1, 0, 0, 0) gives [0, 0]). This is not Fleiss's "± 1/N" correction (README "Disagreements" 8).
 */
export declare function waldCCPairedInterval(t: PairedTable, conf?: number): Interval;
/** Agresti & Min (2005): add ½ to every cell, then Wald on the (N + 2) pairs. */
export declare function agrestiMinPairedInterval(t: PairedTable, conf?: number): Interval;
/**
 * Bonett & Price (2012): p̃12 = (n12 + 1)/(N + 2), p̃21 = (n21 + 1)/(N + 2), interval
 * (p̃12 − p̃21) ± z·√((p̃12 + p̃21 − (p̃12 − p̃21)²)/(N + 2)).
 */
export declare function bonettPricePairedInterval(t: PairedTable, conf?: number): Interval;
