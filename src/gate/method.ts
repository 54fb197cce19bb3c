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
 * needed) in its own terms. Power for the two single-sample methods uses the score test's large-sample
 * approximation with the background discordance as noise (Connor's formula at margin 0). The background
 * is the discordance not explained by a shift towards the alternative: 2·min(b, c)/N when the data lean
 * that way (the constrained estimate under "p01 = background/2, p10 = background/2 + Δ"), all of it
 * otherwise — so a large observed regression is not mistaken for noise that would hide itself.
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
  minimumDetectableEffect,
  pairedScorePower,
  pairedScoreSampleSize,
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
  /** The true Δ at which the one-sided test at `alpha` has `power`; null if none can reach it. */
  detectable(alpha: number, power: number, alternative: Alternative): number | null;
  powerAt(delta: number, alpha: number, alternative: Alternative): number;
  /** Pairs needed for `power` at Δ = `delta`; null when no number of pairs would do. */
  casesNeeded(delta: number, alpha: number, power: number, alternative: Alternative): number | null;
  /** Set when the data cannot be tested at all (the comparison is then inconclusive). */
  untestable?: string;
}

export function choosePairedMethod(data: PairedData, margin: number): PairedMethod {
  const n = data.ids.length;
  if (usesClusterRobust(data)) return clusterRobust(data, margin);
  const table = tableOf(data);
  const delta = n === 0 ? null : (table.n12 - table.n21) / n;
  const background = (alternative: Alternative): number => {
    if (n === 0) return 0;
    const toward = alternative === "greater" ? table.n12 - table.n21 : table.n21 - table.n12;
    return (toward > 0 ? 2 * Math.min(table.n12, table.n21) : table.n12 + table.n21) / n;
  };
  const single = {
    pairs: n,
    delta,
    table,
    detectable: (alpha: number, power: number, alternative: Alternative) =>
      n === 0
        ? null
        : minimumDetectableEffect({
            n,
            discordance: background(alternative),
            margin,
            alpha,
            power,
            alternative,
          }),
    powerAt: (d: number, alpha: number, alternative: Alternative) =>
      n === 0
        ? 0
        : pairedScorePower({ n, ...shiftedCells(background(alternative), d), margin, alpha, alternative }),
    casesNeeded: (d: number, alpha: number, power: number, alternative: Alternative) => {
      const discordance = background(alternative);
      if (Math.abs(d) + discordance > 1) return null;
      const needed = pairedScoreSampleSize({
        ...shiftedCells(discordance, d),
        margin,
        alpha,
        power,
        alternative,
      });
      return Number.isFinite(needed) ? needed : null;
    },
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
    why: `${singleWhy(data)}, margin ${margin}: score test at the margin, whose interval is its inversion`,
    intervalName: "Tango score",
    pValues: (alternative) => {
      const r = tangoScoreTest(table, margin, alternative);
      return { p: r.p, pTwoSided: r.pTwoSided };
    },
    interval: (conf) => tangoScoreInterval(table, conf),
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
    powerAt: (d, alpha, alternative) => {
      if (shortfall) return 0;
      const distance = alternative === "greater" ? d - margin : margin - d;
      // With no spread, a true Δ shown by every cluster is detected exactly when the bound reaches it.
      if (uniform) return distance >= uniformClustersDetectable(clusters, alpha) ? 1 : 0;
      return tTestPower(sd, df, alpha, distance);
    },
    casesNeeded: (d, alpha, power, alternative) => {
      const distance = alternative === "greater" ? d - margin : margin - d;
      if (shortfall || !(distance > 0)) return null;
      if (uniform) {
        // Clusters needed for (1 − distance)^C ≤ α, at the same cases per cluster.
        if (distance >= 1) return n;
        return Math.ceil((n / clusters) * Math.ceil(Math.log(alpha) / Math.log(1 - distance)));
      }
      // The standard error shrinks as 1/√n at the same design effect.
      return Math.ceil(n * (tTestDetectableDistance(sd, df, alpha, power) / distance) ** 2);
    },
  };
}

/** Bell–McCaffrey df are fractional: C − 1 for equal clusters, fewer for unequal ones. */
function formatDf(df: number): string {
  return Number.isInteger(df) ? `${df}` : df.toFixed(1);
}
