import type { Alternative } from "./tango.js";
export interface PairedProbabilities {
    p10: number;
    p01: number;
}
export interface ConnorInput extends PairedProbabilities {
    alpha: number;
    /** 1 for a one-sided test, 2 for two-sided. */
    sided: 1 | 2;
}
/**
 * Connor (1987) sample size for McNemar's test: n = [z_{1−α/s}√ψ + z_{power}√(ψ − δ²)]²/δ².
 * Returns the raw n and the whole number of pairs to plan for.
 */
export declare function mcnemarSampleSize(input: ConnorInput & {
    power: number;
}): {
    nRaw: number;
    nCeiling: number;
};
/**
 * Connor's power for n pairs: Φ((|δ|√n − z√ψ)/√(ψ − δ²)). For a two-sided test `plusOppositeTail` also adds
 * the (usually negligible) probability of rejecting in the wrong direction, as some calculators print.
 */
export declare function mcnemarPower(input: ConnorInput & {
    n: number;
}): {
    power: number;
    plusOppositeTail: number;
};
/**
 * Exact power of the exact conditional McNemar test, by enumeration: K = b + c ~ Bin(N, ψ), b | K ~
 * Bin(K, p10/ψ), and the test rejects when its exact p ≤ α ("one_sided" is the gate's "candidate worse"
 * test). The same construction as SAS PROC POWER `DIST=EXACT_COND` and R `exact2x2::powerPaired2x2`.
 *
 * Sums only the K within 9 standard deviations (+ 10) of Nψ: the mass left out is below 1e-18, and the
 * sum then costs O(√N) binomial tail evaluations rather than O(N).
 */
export declare function mcnemarExactPower(input: {
    nPairs: number;
    p10: number;
    p01: number;
    alpha: number;
    test: "one_sided" | "two_sided";
}): number;
/**
 * Large-sample power of the paired score (Tango) test of Δ = δ₀ against `alternative`, for true cell
 * probabilities (p10, p01) and n pairs — the approach of Nam (1997): the statistic's null variance uses
 * the constrained estimate of p01 under δ₀ evaluated at the true probabilities, its alternative variance
 * is (ψ − δ²)/n. At δ₀ = 0 this is exactly Connor's one-sided power.
 */
export declare function pairedScorePower(input: {
    n: number;
    p10: number;
    p01: number;
    margin: number;
    alpha: number;
    alternative: Alternative;
}): number;
/** Pairs needed for the score test to reach `power` (same approximation as `pairedScorePower`). */
export declare function pairedScoreSampleSize(input: {
    p10: number;
    p01: number;
    margin: number;
    alpha: number;
    power: number;
    alternative: Alternative;
}): number;
/**
 * Cell probabilities for a true difference δ on top of a background discordance ψ₀ split evenly:
 * p10 = ψ₀/2 + max(δ, 0), p01 = ψ₀/2 + max(−δ, 0). Δ = 0 gives the null with the observed noise; a
 * regression adds pairs where only the candidate fails. This is how the gate turns one observed suite
 * into a power statement.
 */
export declare function shiftedCells(background: number, delta: number): PairedProbabilities;
/**
 * Minimum detectable effect: the true Δ, beyond `margin` in the direction of `alternative`, at which the
 * score test over n pairs reaches `power`, with background discordance ψ₀ (see `shiftedCells`). Returns
 * null when not even the largest possible Δ reaches that power. Power rises monotonically with the
 * distance from the margin, so bisection finds it.
 */
export declare function minimumDetectableEffect(input: {
    n: number;
    discordance: number;
    margin: number;
    alpha: number;
    power: number;
    alternative: Alternative;
}): number | null;
/**
 * A mean difference with standard error `se` tested with a t reference on `df` degrees of freedom (the
 * cluster-robust test): the distance from the margin detectable with `power`, (t_{1−α} + t_{power})·se,
 * and the power at a given distance, 1 − F_t(t_{1−α} − distance/se).
 */
export declare function tTestDetectableDistance(se: number, df: number, alpha: number, power: number): number;
export declare function tTestPower(se: number, df: number, alpha: number, distance: number): number;
/**
 * Minimum detectable effect of the exact one-sided McNemar test (the gate's test at margin 0), by its
 * exact power (`mcnemarExactPower`), not Connor's approximation: the smallest true Δ > 0 on top of a
 * background discordance ψ₀ (see `shiftedCells`) at which the test over n pairs at `alpha` has `power`.
 * Null when not even the largest possible Δ reaches it. Exact power rises with Δ at fixed n, so bisection
 * finds it (to 5e-5, below the 0.1-point precision it is printed with).
 */
export declare function exactMinimumDetectableEffect(input: {
    n: number;
    discordance: number;
    alpha: number;
    power: number;
}): number | null;
/**
 * Pairs the exact one-sided McNemar test needs for `power` at true Δ = `delta` over background ψ₀: the
 * first n at which the exact power reaches it, by bisection from Connor's n (exact power saw-tooths in n
 * by a fraction of a point, so this is "about n"). Null when no n would do (Δ ≤ 0 or Δ + ψ₀ > 1) or more
 * than ten million pairs would be needed.
 */
export declare function exactMcnemarSampleSize(input: {
    delta: number;
    discordance: number;
    alpha: number;
    power: number;
}): number | null;
