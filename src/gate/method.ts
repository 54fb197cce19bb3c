/**
 * Which paired test and interval a comparison uses, and why — chosen from the data's shape and the
 * margin, so that the test and the interval printed beside it answer the same question:
 *
 * - one sample per case, no clusters, margin 0: exact McNemar and Newcombe's hybrid score interval;
 * - one sample per case, no clusters, margin ≠ 0: Tango's score test at the margin and Tango's score
 *   interval, inversions of one statistic, so they agree at the margin by construction;
 * - clusters or several samples per case: per-case differences of sample means, the cluster-robust
 *   (CR1) standard error and a t test / t interval on C − 1 degrees of freedom.
 *
 * Each method also answers the power questions (minimum detectable effect, power at an effect, cases
 * needed) in its own terms. Power for the two single-sample methods uses the score test's large-sample
 * approximation with the background discordance as noise (Connor's formula at margin 0). The background
 * is the discordance not explained by a shift towards the alternative: 2·min(b, c)/N when the data lean
 * that way (the constrained estimate under "p01 = background/2, p10 = background/2 + Δ"), all of it
 * otherwise — so a large observed regression is not mistaken for noise that would hide itself.
 */
import { clusteredPairedDifference, tInterval, tTest } from "../stats/cluster.js";
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
  if (data.clustered || !data.binary) return clusterRobust(data, margin);
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
      why: "one sample per case and no clusters: exact test on the discordant pairs",
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
    why: `one sample per case and no clusters, margin ${margin}: score test at the margin, whose interval is its inversion`,
    intervalName: "Tango score",
    pValues: (alternative) => {
      const r = tangoScoreTest(table, margin, alternative);
      return { p: r.p, pTwoSided: r.pTwoSided };
    },
    interval: (conf) => tangoScoreInterval(table, conf),
  };
}

function clusterRobust(data: PairedData, margin: number): PairedMethod {
  const n = data.ids.length;
  const reasons = [
    ...(data.clustered ? ["cases share clusters"] : []),
    ...(data.binary ? [] : ["several samples per case (per-case sample means)"]),
  ];
  const base = {
    test: "cluster-robust t (CR1)" as const,
    intervalName: "cluster-robust t (CR1)",
    pairs: n,
    table: data.binary ? tableOf(data) : null,
  };
  const se = n > 0 ? clusteredPairedDifference(data.candidate, data.baseline, data.clusters) : undefined;
  const clusters = se?.nClusters ?? 0;
  const why = `${reasons.join(" and ")}: CR1 standard error over ${clusters} clusters, t on ${Math.max(0, clusters - 1)} df`;
  const mean = se?.meanDifference ?? Number.NaN;
  const sd = se?.seCR1 ?? Number.NaN;
  const df = clusters - 1;
  const untestable =
    clusters < 2
      ? `only ${clusters} cluster${clusters === 1 ? "" : "s"}: a cluster-robust test needs at least 2`
      : sd === 0 && mean !== margin
        ? "every cluster shows the same difference, so there is no spread to judge it against"
        : undefined;
  return {
    ...base,
    why,
    delta: n === 0 ? null : mean,
    clusters,
    ...(untestable ? { untestable } : {}),
    pValues: (alternative) => {
      const r = tTest(mean, sd, df, margin, alternative);
      return { p: r.p, pTwoSided: r.pTwoSided };
    },
    interval: (conf) => tInterval(mean, sd, df, conf),
    detectable: (alpha, power, alternative) => {
      if (untestable) return null;
      const d = margin + (alternative === "greater" ? 1 : -1) * tTestDetectableDistance(sd, df, alpha, power);
      return d > -1 && d < 1 ? d : null;
    },
    powerAt: (d, alpha, alternative) =>
      untestable ? 0 : tTestPower(sd, df, alpha, alternative === "greater" ? d - margin : margin - d),
    casesNeeded: (d, alpha, power, alternative) => {
      const distance = alternative === "greater" ? d - margin : margin - d;
      if (untestable || !(distance > 0)) return null;
      // The standard error shrinks as 1/√n at the same design effect.
      return Math.ceil(n * (tTestDetectableDistance(sd, df, alpha, power) / distance) ** 2);
    },
  };
}
