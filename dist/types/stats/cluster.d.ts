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
