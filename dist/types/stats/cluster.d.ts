import { type Interval } from "./interval.js";
export type ClusterKey = string | number;
export interface ClusteredSE {
    n: number;
    nClusters: number;
    mean: number;
    /** √(Σe²/(n − 1)/n): the usual standard error, clusters ignored. */
    seClt: number;
    seCR0: number;
    seCR1: number;
    seMiller: number;
    /** Bias-reduced (CR2) standard error, and its Bell–McCaffrey degrees of freedom (NaN for one cluster). */
    seCR2: number;
    dfBM: number;
    /** Bell–McCaffrey df with observations perfectly correlated within clusters as the working model. */
    dfBMClustered: number;
}
/** Dense cluster indices 0..C−1 in order of first appearance, so callers can reuse them across arrays. */
export declare function clusterIndex(clusters: ArrayLike<ClusterKey>): {
    index: Int32Array;
    count: number;
};
/** Clusters as keys per observation, as `clusterIndex` output, or null for "each observation its own". */
export type Clusters = ArrayLike<ClusterKey> | {
    index: Int32Array;
    count: number;
} | null;
/**
 * Clustered standard errors of the mean of `values`; `clusters[i]` is observation i's cluster, as keys or
 * as the dense indices of `clusterIndex`; null makes every observation its own cluster.
 */
export declare function clusteredMean(values: ArrayLike<number>, clusters: Clusters): ClusteredSE;
export interface ClusteredPairedSE extends Omit<ClusteredSE, "mean"> {
    meanDifference: number;
    /** √(Var(d)/n), ddof = 1: the paired standard error with clusters ignored (= seClt of d). */
    sePairedClt: number;
    /** √(Var(A)/n + Var(B)/n), for comparison only: what an unpaired analysis would claim. */
    seUnpaired: number;
}
/** Clustered standard errors of the mean paired difference d_i = candidate_i − baseline_i. */
export declare function clusteredPairedDifference(candidate: ArrayLike<number>, baseline: ArrayLike<number>, clusters: Clusters): ClusteredPairedSE;
/**
 * Test and interval for a mean difference with a cluster-robust standard error: t = (d̄ − δ₀)/se on
 * C − 1 degrees of freedom, the reference distribution Stata uses with `vce(cluster)`, which keeps the
 * size of the test near α when clusters are few where a normal reference would not. The interval
 * d̄ ± t_{1−α/2}·se is the inversion of the same statistic, so test and interval agree at any margin.
 */
export interface MeanDifferenceTest {
    statistic: number;
    /** One-sided p for the alternative (Δ > δ₀ for "greater"); two-sided alongside. */
    p: number;
    pTwoSided: number;
}
export declare function tTest(mean: number, se: number, df: number, delta0: number, alternative: "greater" | "less"): MeanDifferenceTest;
export declare function tInterval(mean: number, se: number, df: number, conf: number): Interval;
/**
 * A mean difference whose C clusters all show the same value `mean`, so that no standard error can be
 * estimated (CR1 and CR2 are 0, and a t statistic would be ±∞ or 0/0). What the data still say is how
 * many clusters agree: if a share q of clusters differed from the rest — by at most the whole scale,
 * the worst case — the chance that none of C clusters drawn shows it is (1 − q)^C. The p-value against
 * Δ = δ₀ is that chance at q = |mean − δ₀| when `mean` lies on the alternative's side of δ₀, and 1
 * otherwise (no evidence for the alternative; in particular no difference at all gives p = 1, as the
 * exact McNemar test does with no discordant pairs).
 */
export declare function uniformClustersTest(mean: number, clusters: number, delta0: number, alternative: "greater" | "less"): MeanDifferenceTest;
/** The inversion of `uniformClustersTest`: mean ± (1 − ((1 − conf)/2)^(1/C)). */
export declare function uniformClustersInterval(mean: number, clusters: number, conf: number): Interval;
/** The distance from δ₀ that `uniformClustersTest` detects at `alpha` over C clusters: 1 − α^(1/C). */
export declare function uniformClustersDetectable(clusters: number, alpha: number): number;
