export declare const SPENDING_FUNCTIONS: readonly ["obrien-fleming"];
export type SpendingFunction = (typeof SPENDING_FUNCTIONS)[number];
/**
 * The α spent by information fraction t. Lan–DeMets O'Brien–Fleming type:
 * f(t) = 2 − 2Φ(Φ⁻¹(1 − α/2)/√t), which spends almost nothing early (at t = ¼ with α = 0.025, 9·10⁻⁶)
 * and keeps the last look's level close to α.
 */
export declare function spent(spending: SpendingFunction, alpha: number, t: number): number;
export interface Boundary {
    /** z boundary per look (∞ where nothing is spent). */
    z: number[];
    /** Nominal one-sided p-value level per look: Φ̄(z). */
    nominal: number[];
    /** α spent at each look (cumulative f(t_k)). */
    cumulative: number[];
}
/**
 * The boundaries of the looks at information fractions `fractions` (strictly increasing, in (0, 1]; the
 * last is 1 for a full design) for one-sided level `alpha`. Each look's boundary depends only on the
 * looks before it, so the boundaries of looks 1…k are the same whatever comes after (the point of a
 * spending function: later looks need not be planned exactly).
 */
export declare function spendingBoundary(fractions: readonly number[], alpha: number, spending?: SpendingFunction): Boundary;
/**
 * The nominal one-sided level of look k (0-based; the last of `fractions`) for a hypothesis tested at
 * overall level `alpha` (a share of the family's α).
 */
export declare function nominalLevel(fractions: readonly number[], alpha: number, spending: SpendingFunction): number;
/**
 * The stage-wise adjusted p-value of a one-sided p seen at the last of `fractions`: the smallest overall
 * level α′ whose boundary at this look is reached, p ≤ nominalLevel(fractions, α′). So "rejected at
 * this look at level α·w" is exactly "this value ≤ α·w", and a multiplicity procedure on these values
 * (weighted Holm, graphical) is the group sequential version of the same procedure (Maurer & Bretz
 * 2013: each hypothesis spends its own current share of α). At a single look at t = 1 it is p itself.
 */
export declare function sequentialP(fractions: readonly number[], p: number, spending: SpendingFunction): number;
