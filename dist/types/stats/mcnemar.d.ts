/**
 * Exact conditional McNemar test, one-sided for "candidate worse": p = P(B ≥ b).
 *
 * Evaluated as the lower tail P(B ≤ c), equal by the symmetry of Bin(n, ½). An upper tail computed as
 * 1 − P(B ≤ b − 1) would cancel catastrophically for strong regressions (e.g. reference row
 * mcn-exact1-scipy-25-2, p ≈ 2.8e-6 checked to 1e-9 relative), whereas the lower tail keeps full
 * relative precision however small it is.
 *
 * b = c = 0 gives 1 (reference row mcn-exact1-scipy-0-0): with no discordant pairs there is no
 * evidence of a difference. R and scipy reject n = 0 outright; a gate needs a value.
 */
export declare function mcnemarExactOneSided(b: number, c: number): number;
/**
 * Exact conditional McNemar test, two-sided: p = min(1, 2·P(B ≤ min(b, c))).
 *
 * Doubling the smaller tail equals R `binom.test` / scipy `binomtest` (which sum outcomes no more
 * likely than the observed one) because Bin(n, ½) is symmetric. b = c = 0 gives 1, the same
 * no-evidence convention as the one-sided test (reference row mcn-exact2-scipy-0-0).
 */
export declare function mcnemarExactTwoSided(b: number, c: number): number;
/**
 * Mid-p McNemar, one-sided for "candidate worse": P(B > b) + ½·P(B = b), with P(B > b) taken as the
 * lower tail P(B < c) for the same precision reason as the exact test. b = c = 0 gives ½, the literal
 * formula (reference row mcn-midp1-scipy-0-0); the gate does not use mid-p.
 */
export declare function mcnemarMidPOneSided(b: number, c: number): number;
/**
 * Mid-p McNemar, two-sided, Fagerland, Lydersen & Laake (2013) eq. (2): 2·P(B ≤ min) − P(B = b) when
 * b ≠ c, and 1 − ½·P(B = b) when b = c — which gives ½ at b = c = 0 (README "Disagreements" 3; reference
 * row mcn-midp2-scipy-0-0 keeps the literal formula).
 */
export declare function mcnemarMidPTwoSided(b: number, c: number): number;
export interface ChiSquareResult {
    /** X² with one degree of freedom; NaN when b + c = 0 (0/0, as R). */
    statistic: number;
    /** The signed normal deviate whose square is X² (uncorrected), or its absolute value (corrected). */
    z: number;
    /** Two-sided p = P(χ²₁ ≥ X²). */
    p: number;
}
/**
 * Asymptotic McNemar test without continuity correction: z = (b − c)/√(b + c), X² = z².
 *
 * P(χ²₁ ≥ z²) is evaluated as 2Φ(−|z|), the same number, because 1 − F_χ²(X²) cancels to nothing
 * for strong effects (reference row mcn-chi2-scipy-40-0, p ≈ 2.5e-10 at 1e-9 relative).
 */
export declare function mcnemarChiSquare(b: number, c: number): ChiSquareResult & {
    pOneSided: number;
};
/**
 * Asymptotic McNemar test with continuity correction, R `mcnemar.test(correct = TRUE)`: X² =
 * (|b − c| − 1)²/(b + c) only when b ≠ c, so b = c > 0 gives X² = 0 and p = 1 (README "Disagreements" 1;
 * statsmodels corrects at b = c too). z = (|b − c| − 1)/√(b + c) is unsigned, as contingencytables reports it.
 */
export declare function mcnemarChiSquareCC(b: number, c: number): ChiSquareResult;
