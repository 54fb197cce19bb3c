import type { Interval } from "./interval.js";
import { type PairedTable } from "./paired-difference.js";
/**
 * T(δ) = (n12 − n21 − Nδ)/√(N(2p̃21 + δ(1 − δ))), with p̃21 the constrained maximum-likelihood estimate of
 * P(only the baseline is bad) under Δ = δ. Decreasing in δ; +∞ / −∞ where the variance vanishes.
 */
export declare function tangoStatistic(t: PairedTable, deltaIn: number): number;
export type Alternative = "greater" | "less";
export interface ScoreTest {
    statistic: number;
    /** One-sided p for the alternative: Δ > δ₀ ("greater", candidate worse than the margin) or Δ < δ₀. */
    p: number;
    pTwoSided: number;
}
/** Tango's score test of Δ = δ₀ (normal reference). With no pairs there is no evidence: p = 1. */
export declare function tangoScoreTest(t: PairedTable, delta0?: number, alternative?: Alternative): ScoreTest;
/**
 * Tango score interval: L solves T(δ) = z and U solves T(δ) = −z, z = Φ⁻¹(1 − α/2). d = −1 gives L = −1
 * and d = 1 gives U = 1 (T has no root there). Bisection to below 1e-15, well inside the 1e-9 the
 * reference asks for; T is monotone, so bisection cannot miss the root.
 */
export declare function tangoScoreInterval(t: PairedTable, conf?: number): Interval;
