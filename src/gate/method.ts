/**
 * Which paired test and interval a comparison uses, and why — chosen from the data's shape and the
 * margin, so that the test and the interval printed beside it answer the same question:
 *
 * - one sample per case, no clusters, margin 0: exact McNemar and Newcombe's hybrid score interval;
 * - one sample per case, no clusters, margin ≠ 0: Tango's score test at the margin and Tango's score
 *   interval, inversions of one statistic, so they agree at the margin by construction;
 * - clusters or several samples per case: per-case differences of sample means, the bias-reduced
 *   cluster-robust (CR2) standard error and a t test / t interval on Bell–McCaffrey degrees of freedom.
 *
 * Each method also answers the power questions (minimum detectable effect, power at an effect, cases
 * needed) in its own terms. For the single-sample methods power is the exact power of the exact McNemar
 * test (enumerated over the discordant pairs, not Connor's approximation, which overstates it by up to
 * 2 points) with the observed discordance (b + c)/N as the background noise — the same whichever build
 * is worse, so whether a non-rejection was informative never depends on the direction of the effect.
 *
 * A margin can only make a regression gate more lenient: at margin m > 0 the one-sided p is the larger
 * of the exact McNemar p at margin 0 and Tango's p at m (an intersection–union test: it rejects only
 * when both do, so its size is at most Tango's, and it can never reject where margin 0 would not). Tango's
 * p grows with m, so the outcome is monotone in the margin. The power requirement is judged on the
 * margin-0 test for the same reason: a tolerated margin never turns a pass into "too small to tell".
 */

import { plural } from "../io/plural.js";
import {
  clusteredPairedDifference,
  clusterIndex,
  tInterval,
  tTest,
  uniformClustersDetectable,
  uniformClustersInterval,
  uniformClustersTest,
} from "../stats/cluster.js";
import type { Interval } from "../stats/interval.js";
import { mcnemarExactOneSided, mcnemarExactTwoSided } from "../stats/mcnemar.js";
import { newcombeHybridScoreInterval, type PairedTable } from "../stats/paired-difference.js";
import {
  exactMcnemarSampleSize,
  exactMinimumDetectableEffect,
  mcnemarExactPower,
  minimumDetectableEffect,
  shiftedCells,
  tTestDetectableDistance,
  tTestPower,
} from "../stats/power.js";
import { type Alternative, tangoScoreInterval, tangoScoreTest } from "../stats/tango.js";
import { type PairedData, tableOf } from "./paired.js";
import type { TestName } from "./test-names.js";

export interface PairedMethod {
  test: TestName;
  /** Why this test ran, in words for the report. */
  why: string;
  /** The interval's name, for the report. */
  intervalName: string;
  pairs: number;
  delta: number | null;
  table: PairedTable | null;
  /** Clusters the cluster-robust method used. */
  clusters?: number;
  /** One-sided p for `alternative` at the margin, and the two-sided p at the margin. */
  pValues(alternative: Alternative): { p: number; pTwoSided: number };
  interval(conf: number): Interval;
  /** The true Δ at which the one-sided test at `alpha` (at the gate's margin) has `power`; null if none can reach it. */
  detectable(alpha: number, power: number, alternative: Alternative): number | null;
  /**
   * The power requirement's questions, for a worsening Δ > 0, asked of the margin-0 test whatever the
   * margin (so that a margin never makes the gate stricter): power at Δ, pairs needed for `power` at Δ
   * (null when no number of pairs would do), and the worsening detectable with `power`.
   */
  powerAt(delta: number, alpha: number): number;
  casesNeeded(delta: number, alpha: number, power: number): number | null;
  detectableAt(alpha: number, power: number): number | null;
  /** Set when the data cannot be tested at all (the comparison is then inconclusive). */
  untestable?: string;
}

export function choosePairedMethod(
  data: PairedData,
  margin: number,
  alternative: Alternative = "greater",
): PairedMethod {
  const n = data.ids.length;
  if (usesClusterRobust(data)) return clusterRobust(data, margin);
  const table = tableOf(data);
  const delta = n === 0 ? null : (table.n12 - table.n21) / n;
  // The discordance as noise, symmetric in b and c (see the module comment).
  const background = n === 0 ? 0 : (table.n12 + table.n21) / n;
  const exactMde = (alpha: number, power: number) =>
    n === 0 ? null : exactMinimumDetectableEffect({ n, discordance: background, alpha, power });
  const single = {
    pairs: n,
    delta,
    table,
    detectable: (alpha: number, power: number, alternative: Alternative) => {
      const exact = exactMde(alpha, power);
      if (margin === 0) return exact === null ? null : alternative === "greater" ? exact : -exact;
      const score =
        n === 0
          ? null
          : minimumDetectableEffect({ n, discordance: background, margin, alpha, power, alternative });
      // Above a margin both tests must reject, so the detectable Δ is the larger of the two.
      if (alternative === "less" || score === null || exact === null) return score;
      return Math.max(score, exact);
    },
    powerAt: (d: number, alpha: number) =>
      n === 0 || d <= 0 || d + background > 1
        ? 0
        : mcnemarExactPower({ nPairs: n, ...shiftedCells(background, d), alpha, test: "one_sided" }),
    casesNeeded: (d: number, alpha: number, power: number) =>
      exactMcnemarSampleSize({ delta: d, discordance: background, alpha, power }),
    detectableAt: (alpha: number, power: number) => exactMde(alpha, power),
  };
  if (margin === 0) {
    return {
      ...single,
      test: "exact McNemar",
      why: `${singleWhy(data)}: exact test on the discordant pairs`,
      intervalName: "Newcombe hybrid score",
      pValues: (alternative) => ({
        p:
          alternative === "greater"
            ? mcnemarExactOneSided(table.n12, table.n21)
            : mcnemarExactOneSided(table.n21, table.n12),
        pTwoSided: mcnemarExactTwoSided(table.n12, table.n21),
      }),
      interval: (conf) => newcombeHybridScoreInterval(table, conf),
    };
  }
  return {
    ...single,
    test: "Tango score",
    ...(alternative === "greater"
      ? {
          why: `${singleWhy(data)}, margin ${margin}: Tango's score test at the margin, failing only where margin 0's exact McNemar test fails too, so a margin never makes the gate stricter`,
          intervalName: "Tango score ∪ Newcombe hybrid score",
          // p: the larger of the two; interval: the union of both, so its lower bound exceeds the margin only
          // where both intervals do — it agrees with the combined test as each interval agrees with its own.
          interval: (conf: number) => {
            const tango = tangoScoreInterval(table, conf);
            const newcombe = newcombeHybridScoreInterval(table, conf);
            return {
              lower: Math.min(tango.lower, newcombe.lower),
              upper: Math.max(tango.upper, newcombe.upper),
            };
          },
        }
      : {
          why: `${singleWhy(data)}, margin ${margin}: score test at the margin, whose interval is its inversion`,
          intervalName: "Tango score",
          interval: (conf: number) => tangoScoreInterval(table, conf),
        }),
    pValues: (alt) => {
      const r = tangoScoreTest(table, margin, alt);
      // Regression mode: reject "Δ ≤ margin" only where margin 0's exact test rejects too (monotone in m).
      const p = alt === "greater" ? Math.max(r.p, mcnemarExactOneSided(table.n12, table.n21)) : r.p;
      return { p, pTwoSided: r.pTwoSided };
    },
  };
}

/**
 * Why a comparison's data cannot carry the cluster-robust test, if they cannot: it needs clusters to
 * compare, at least 2. A per-category comparison that fails this is left to the overall one, like a
 * category below `min_cases`, rather than making the run inconclusive.
 */
export function clusterShortfall(data: PairedData): string | undefined {
  if (!usesClusterRobust(data) || data.ids.length === 0) return undefined;
  const clusters = clusterIndex(data.clusters ?? data.ids).count;
  return clusters < MIN_CLUSTERS
    ? `only ${plural(clusters, "cluster")}: a cluster-robust test needs at least ${MIN_CLUSTERS}`
    : undefined;
}

/** Fewer clusters leave no variation between clusters to estimate the standard error from. */
export const MIN_CLUSTERS = 2;

function usesClusterRobust(data: PairedData): boolean {
  return data.clustered || !data.binary;
}

/** Why each case is one 0/1 outcome: one sample, or several that all agree (then the case's score is 0 or 1). */
function singleWhy(data: PairedData): string {
  return several(data)
    ? `${samplesPerCase(data)}, all agreeing within each case (so every case scores 0 or 1), and no clusters`
    : "one sample per case and no clusters";
}

function several(data: PairedData): boolean {
  return data.samples.candidate > 1 || data.samples.baseline > 1;
}

/** "3 samples per case", or "3 samples per case for the candidate and 1 for the baseline". */
function samplesPerCase(data: PairedData): string {
  const { candidate, baseline } = data.samples;
  return candidate === baseline
    ? `${plural(candidate, "sample")} per case`
    : `${plural(candidate, "sample")} per case for the candidate and ${baseline} for the baseline`;
}

/**
 * The cluster-robust t test. CR1 with C − 1 degrees of freedom (Stata's `vce(cluster)`) rejects a true
 * null far more often than α when clusters are few and unequal — 14% at one-sided α 5% with 5 clusters
 * of 2–40 cases (scripts/cluster-size.ts) — because its variance is biased down for large clusters and
 * C − 1 overstates what a few dominant clusters can tell. CR2 with Bell–McCaffrey degrees of freedom
 * (../stats/cluster.ts) corrects both, and equals CR1 on C − 1 df when clusters are equal. The df are
 * the smaller of Bell–McCaffrey's under independent observations and under observations perfectly
 * correlated within clusters, so the size holds whatever the within-cluster correlation.
 * When every cluster shows the same difference there is no spread to estimate a standard error from;
 * the test is then the worst-case binomial bound over clusters (`uniformClustersTest`).
 */
function clusterRobust(data: PairedData, margin: number): PairedMethod {
  const n = data.ids.length;
  const reasons = [
    ...(data.clustered ? ["cases share clusters"] : []),
    ...(several(data) ? [`${samplesPerCase(data)} (per-case sample means)`] : []),
  ];
  const base = {
    test: "cluster-robust t (CR2)" as const,
    intervalName: "cluster-robust t (CR2, Bell–McCaffrey df)",
    pairs: n,
    table: data.binary ? tableOf(data) : null,
  };
  const se = n > 0 ? clusteredPairedDifference(data.candidate, data.baseline, data.clusters) : undefined;
  const clusters = se?.nClusters ?? 0;
  const mean = se?.meanDifference ?? Number.NaN;
  const sd = se?.seCR2 ?? Number.NaN;
  // Bell–McCaffrey df under both extreme working models, the smaller: with independent observations
  // alone the test still failed 6–7% of equal builds at α 5% with 5 unequal clusters, since templated
  // cases are correlated within their cluster (scripts/cluster-size.ts). ν ≥ 1 in exact arithmetic
  // (2 clusters give exactly 1); the max only absorbs rounding below it.
  const df = Math.max(1, Math.min(se?.dfBM ?? Number.NaN, se?.dfBMClustered ?? Number.NaN));
  const uniform = clusters >= MIN_CLUSTERS && sd === 0;
  const shortfall = clusterShortfall(data);
  const why = uniform
    ? `${reasons.join(" and ")}: every one of the ${clusters} clusters shows the same difference, so there is no spread to estimate a standard error from; worst-case binomial bound over the ${clusters} clusters`
    : `${reasons.join(" and ")}: CR2 standard error over ${plural(clusters, "cluster")}, t on ${clusters >= MIN_CLUSTERS ? formatDf(df) : 0} Bell–McCaffrey df`;
  const test = (alternative: Alternative) =>
    uniform
      ? uniformClustersTest(mean, clusters, margin, alternative)
      : tTest(mean, sd, clusters >= MIN_CLUSTERS ? df : 0, margin, alternative);
  const distanceFor = (alpha: number, power: number) =>
    uniform ? uniformClustersDetectable(clusters, alpha) : tTestDetectableDistance(sd, df, alpha, power);
  return {
    ...base,
    why,
    delta: n === 0 ? null : mean,
    clusters,
    ...(shortfall ? { untestable: shortfall } : {}),
    pValues: (alternative) => {
      const r = test(alternative);
      return { p: r.p, pTwoSided: r.pTwoSided };
    },
    interval: (conf) =>
      uniform
        ? uniformClustersInterval(mean, clusters, conf)
        : tInterval(mean, sd, clusters >= MIN_CLUSTERS ? df : 0, conf),
    detectable: (alpha, power, alternative) => {
      if (shortfall) return null;
      const d = margin + (alternative === "greater" ? 1 : -1) * distanceFor(alpha, power);
      return d > -1 && d < 1 ? d : null;
    },
    // The power requirement is asked at margin 0, as for the single-sample tests (see the module comment).
    powerAt: (d, alpha) => {
      if (shortfall) return 0;
      // With no spread, a true Δ shown by every cluster is detected exactly when the bound reaches it.
      if (uniform) return d >= uniformClustersDetectable(clusters, alpha) ? 1 : 0;
      return tTestPower(sd, df, alpha, d);
    },
    casesNeeded: (d, alpha, power) => {
      if (shortfall || !(d > 0)) return null;
      if (uniform) {
        // Clusters needed for (1 − d)^C ≤ α, at the same cases per cluster.
        if (d >= 1) return n;
        return Math.ceil((n / clusters) * Math.ceil(Math.log(alpha) / Math.log(1 - d)));
      }
      // The standard error shrinks as 1/√n at the same design effect.
      return Math.ceil(n * (tTestDetectableDistance(sd, df, alpha, power) / d) ** 2);
    },
    detectableAt: (alpha, power) => {
      if (shortfall) return null;
      const d = distanceFor(alpha, power);
      return d < 1 ? d : null;
    },
  };
}

/** Bell–McCaffrey df are fractional: C − 1 for equal clusters, fewer for unequal ones. */
function formatDf(df: number): string {
  return Number.isInteger(df) ? `${df}` : df.toFixed(1);
}
