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
import { clusteredPairedDifference, tInterval, tTest } from "../stats/cluster.js";
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
  if (data.clustered || !data.binary) return clusterRobust(data, margin);
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
    ...(alternative === "greater"
      ? {
          why: `one sample per case and no clusters, margin ${margin}: Tango's score test at the margin, failing only where margin 0's exact McNemar test fails too, so a margin never makes the gate stricter`,
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
          why: `one sample per case and no clusters, margin ${margin}: score test at the margin, whose interval is its inversion`,
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
    // The power requirement is asked at margin 0, as for the single-sample tests (see the module comment).
    powerAt: (d, alpha) => (untestable ? 0 : tTestPower(sd, df, alpha, d)),
    casesNeeded: (d, alpha, power) => {
      if (untestable || !(d > 0)) return null;
      // The standard error shrinks as 1/√n at the same design effect.
      return Math.ceil(n * (tTestDetectableDistance(sd, df, alpha, power) / d) ** 2);
    },
    detectableAt: (alpha, power) => {
      if (untestable) return null;
      const d = tTestDetectableDistance(sd, df, alpha, power);
      return d < 1 ? d : null;
    },
  };
}
