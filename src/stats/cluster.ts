/**
 * Standard errors of a mean when observations are clustered (Miller 2024, arXiv:2411.00640;
 * ../shared/stats-reference §4). With e_i = s_i − s̄ over n observations in C clusters:
 *
 * - CR0 = √(Σ_c (Σ_{i∈c} e_i)²)/n, the sandwich estimator with no small-sample factor;
 * - CR1 = CR0·√(C/(C − 1)), inspect_ai's `stderr(cluster=…)` and Stata's `vce(cluster)` for an
 *   intercept-only model — the gate's default, being the conservative one;
 * - Miller's Eq. 4 = √(se_clt² + (1/n²)·Σ_c Σ_{i≠j∈c} e_i e_j);
 * - CR2 (Bell & McCaffrey 2002; Pustejovsky & Tipton 2018), the bias-reduced sandwich: each cluster's
 *   residuals are scaled by (I − H_cc)^(−1/2) before they are summed. For the mean (X = 1) the leverage
 *   block is H_cc = J/n, so that scaling multiplies the cluster's residual sum by 1/√(1 − n_c/n):
 *   CR2 = √(Σ_c (Σ_{i∈c} e_i)²/(1 − n_c/n))/n. It equals CR1 when clusters are equal, and is larger than
 *   CR1 for the big clusters of an unequal design, where CR0 underestimates most;
 * - with it, the Bell–McCaffrey degrees of freedom: the Satterthwaite df of CR2 under a working model of
 *   independent, equal-variance observations, ν = (tr M)²/tr(M²) with M = GᵀG the C × C matrix of the
 *   quadratic form CR2² = yᵀGGᵀy. For X = 1, M_cd = √(w_c w_d)(n_c·[c = d] − n_c n_d/n), w_c = 1/(1 − n_c/n),
 *   so tr M = n and tr(M²) = Σ_c n_c² + Σ_{c≠d} w_c w_d n_c² n_d²/n². Equal clusters give ν = C − 1; unequal
 *   ones give fewer, which is what keeps the test's size near α when a few large clusters dominate;
 * - the same Satterthwaite df under the other extreme working model, observations perfectly correlated
 *   within their cluster (Ω = block-diagonal ones; Pustejovsky & Tipton 2018 allow any working model):
 *   ν₁ = (tr GᵀΩG)²/tr((GᵀΩG)²) with (GᵀΩG)_cd ∝ x_c^½ x_d^½ ([c = d] + s − p_c − p_d), x_c = w_c n_c²,
 *   p_c = n_c/n, s = Σ p_c². Also C − 1 for equal clusters, and at most ν for unequal ones.
 *
 * CR1 and CR2 are NaN for one cluster, and se_clt for one observation (no variance to estimate).
 */
import tCdf from "@stdlib/stats-base-dists-t-cdf";
import tQuantile from "@stdlib/stats-base-dists-t-quantile";
import { clip, type Interval, zForConfidence } from "./interval.js";

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
export function clusterIndex(clusters: ArrayLike<ClusterKey>): { index: Int32Array; count: number } {
  const ids = new Map<ClusterKey, number>();
  const index = new Int32Array(clusters.length);
  for (let i = 0; i < clusters.length; i++) {
    const key = clusters[i] as ClusterKey;
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size;
      ids.set(key, id);
    }
    index[i] = id;
  }
  return { index, count: ids.size };
}

/** Clusters as keys per observation, as `clusterIndex` output, or null for "each observation its own". */
export type Clusters = ArrayLike<ClusterKey> | { index: Int32Array; count: number } | null;

/**
 * Clustered standard errors of the mean of `values`; `clusters[i]` is observation i's cluster, as keys or
 * as the dense indices of `clusterIndex`; null makes every observation its own cluster.
 */
export function clusteredMean(values: ArrayLike<number>, clusters: Clusters): ClusteredSE {
  const n = values.length;
  const indexed = clusters === null ? null : "index" in clusters ? clusters : clusterIndex(clusters);
  const index = indexed?.index ?? null;
  const count = indexed?.count ?? n;
  if (index && index.length !== n) throw new RangeError(`${n} values but ${index.length} cluster labels`);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i] as number;
  const mean = sum / n;
  const byCluster = new Float64Array(count);
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const e = (values[i] as number) - mean;
    squares += e * e;
    const c = index ? (index[i] as number) : i;
    byCluster[c] = (byCluster[c] as number) + e;
  }
  const sizes = new Float64Array(count);
  for (let i = 0; i < n; i++) {
    const c = index ? (index[i] as number) : i;
    sizes[c] = (sizes[c] as number) + 1;
  }
  let between = 0;
  let cr2 = 0;
  // tr(M²) = Σ n_c² + (Σ w_c n_c²)² − Σ w_c² n_c⁴ over n², the last two being the c ≠ d cross terms.
  let squaredSizes = 0;
  let weighted = 0;
  let weightedSquares = 0;
  for (let c = 0; c < count; c++) {
    const s = byCluster[c] as number;
    const size = sizes[c] as number;
    const w = 1 / (1 - size / n);
    between += s * s;
    cr2 += s * s * w;
    squaredSizes += size * size;
    weighted += w * size * size;
    weightedSquares += (w * size * size) ** 2;
  }
  const several = count > 1;
  // ν₁: tr = Σ x_c(1 − 2p_c + s); tr² = Σ x_c²(1 + 2(s − 2p_c)) + Σ_cd x_c x_d (s − p_c − p_d)², the last
  // expanded as s²X² + 2X·A2 − 4sX·A1 + 2A1² with X = Σx, A1 = Σx·p, A2 = Σx·p².
  let s2 = 0;
  for (let c = 0; c < count; c++) s2 += ((sizes[c] as number) / n) ** 2;
  let tr1 = 0;
  let diag = 0;
  let sumX = 0;
  let a1 = 0;
  let a2 = 0;
  for (let c = 0; c < count; c++) {
    const p = (sizes[c] as number) / n;
    const x = (sizes[c] as number) ** 2 / (1 - p);
    tr1 += x * (1 - 2 * p + s2);
    diag += x * x * (1 + 2 * (s2 - 2 * p));
    sumX += x;
    a1 += x * p;
    a2 += x * p * p;
  }
  const tr1Squared = diag + s2 * s2 * sumX * sumX + 2 * sumX * a2 - 4 * s2 * sumX * a1 + 2 * a1 * a1;
  const cr0 = Math.sqrt(between) / n;
  const clt2 = squares / (n - 1) / n;
  // Σ_c Σ_{i≠j} e_i e_j = Σ_c (Σe)² − Σe²: the within-cluster cross products.
  const miller2 = clt2 + (between - squares) / (n * n);
  return {
    n,
    nClusters: count,
    mean,
    seClt: Math.sqrt(clt2),
    seCR0: cr0,
    seCR1: several ? cr0 * Math.sqrt(count / (count - 1)) : Number.NaN,
    seMiller: Math.sqrt(Math.max(0, miller2)),
    seCR2: several ? Math.sqrt(cr2) / n : Number.NaN,
    dfBM: several ? (n * n) / (squaredSizes + (weighted * weighted - weightedSquares) / (n * n)) : Number.NaN,
    dfBMClustered: several ? (tr1 * tr1) / tr1Squared : Number.NaN,
  };
}

export interface ClusteredPairedSE extends Omit<ClusteredSE, "mean"> {
  meanDifference: number;
  /** √(Var(d)/n), ddof = 1: the paired standard error with clusters ignored (= seClt of d). */
  sePairedClt: number;
  /** √(Var(A)/n + Var(B)/n), for comparison only: what an unpaired analysis would claim. */
  seUnpaired: number;
}

/** Clustered standard errors of the mean paired difference d_i = candidate_i − baseline_i. */
export function clusteredPairedDifference(
  candidate: ArrayLike<number>,
  baseline: ArrayLike<number>,
  clusters: Clusters,
): ClusteredPairedSE {
  const n = candidate.length;
  if (baseline.length !== n)
    throw new RangeError(`${n} candidate values but ${baseline.length} baseline values`);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = (candidate[i] as number) - (baseline[i] as number);
  const { mean, ...se } = clusteredMean(d, clusters);
  return {
    ...se,
    meanDifference: mean,
    sePairedClt: se.seClt,
    seUnpaired: Math.sqrt(sampleVariance(candidate) / n + sampleVariance(baseline) / n),
  };
}

function sampleVariance(v: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] as number;
  const mean = sum / v.length;
  let squares = 0;
  for (let i = 0; i < v.length; i++) squares += ((v[i] as number) - mean) ** 2;
  return squares / (v.length - 1);
}

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

export function tTest(
  mean: number,
  se: number,
  df: number,
  delta0: number,
  alternative: "greater" | "less",
): MeanDifferenceTest {
  if (!(df >= 1)) return { statistic: Number.NaN, p: 1, pTwoSided: 1 };
  const diff = mean - delta0;
  // se = 0: every observation equal. Then the data either sit on the margin (no evidence) or off it with
  // no spread to weigh the distance against; callers treat the latter as untestable.
  const statistic =
    se > 0 ? diff / se : diff === 0 ? 0 : diff > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  return {
    statistic,
    p: tCdf(alternative === "greater" ? -statistic : statistic, df),
    pTwoSided: Math.min(1, 2 * tCdf(-Math.abs(statistic), df)),
  };
}

export function tInterval(mean: number, se: number, df: number, conf: number): Interval {
  zForConfidence(conf);
  if (!(df >= 1)) return { lower: -1, upper: 1 };
  const half = -tQuantile((1 - conf) / 2, df) * se;
  return clip({ lower: mean - half, upper: mean + half }, -1, 1);
}

/**
 * A mean difference whose C clusters all show the same value `mean`, so that no standard error can be
 * estimated (CR1 and CR2 are 0, and a t statistic would be ±∞ or 0/0). What the data still say is how
 * many clusters agree: if a share q of clusters differed from the rest — by at most the whole scale,
 * the worst case — the chance that none of C clusters drawn shows it is (1 − q)^C. The p-value against
 * Δ = δ₀ is that chance at q = |mean − δ₀| when `mean` lies on the alternative's side of δ₀, and 1
 * otherwise (no evidence for the alternative; in particular no difference at all gives p = 1, as the
 * exact McNemar test does with no discordant pairs).
 */
export function uniformClustersTest(
  mean: number,
  clusters: number,
  delta0: number,
  alternative: "greater" | "less",
): MeanDifferenceTest {
  const distance = alternative === "greater" ? mean - delta0 : delta0 - mean;
  const tail = (q: number) => (q >= 1 ? 0 : (1 - q) ** clusters);
  const both = mean === delta0 ? 1 : Math.min(1, 2 * tail(Math.abs(mean - delta0)));
  return { statistic: distance, p: distance > 0 ? tail(distance) : 1, pTwoSided: both };
}

/** The inversion of `uniformClustersTest`: mean ± (1 − ((1 − conf)/2)^(1/C)). */
export function uniformClustersInterval(mean: number, clusters: number, conf: number): Interval {
  zForConfidence(conf);
  const half = 1 - ((1 - conf) / 2) ** (1 / clusters);
  return clip({ lower: mean - half, upper: mean + half }, -1, 1);
}

/** The distance from δ₀ that `uniformClustersTest` detects at `alpha` over C clusters: 1 − α^(1/C). */
export function uniformClustersDetectable(clusters: number, alpha: number): number {
  return 1 - alpha ** (1 / clusters);
}
