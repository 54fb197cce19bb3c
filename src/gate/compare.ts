/**
 * Paired comparison of two builds on the same cases (matched by id), per metric and — for
 * gated metrics with `by_category` — per category. Each comparison runs the test its data
 * call for (see method.ts); every regression comparison of the run then shares one Holm
 * correction, and each interval is drawn at the level that correction implies, so the
 * interval never contradicts the adjusted test beside it. Orientation follows
 * ../shared/stats-reference: the event is the bad outcome, Δ > 0 = candidate worse.
 */
import type { Gates, RegressionGate } from "../config/schema.js";
import type { Interval } from "../stats/interval.js";
import { holmAdjust } from "../stats/multiplicity.js";
import type { PairedTable } from "../stats/paired-difference.js";
import type { Alternative } from "../stats/tango.js";
import { matchedLevel } from "./levels.js";
import { choosePairedMethod, clusterShortfall, MIN_CLUSTERS, type PairedMethod } from "./method.js";
import { RATE_METRICS, type RateMetric } from "./metrics.js";
import type { CaseOutcome } from "./outcome.js";
import { flips, type PairedData, pairAllMetrics } from "./paired.js";
import type { TestName } from "./test-names.js";

/** Power at which every regression gate reports its minimum detectable effect. */
export const MDE_POWER = 0.8;

export interface Comparison {
  metric: RateMetric;
  /** Set for a per-category comparison. */
  category?: string;
  /** The 2×2 table; null with several samples per case, where scores are sample means. */
  table: PairedTable | null;
  /** Cases with a usable response from both builds. */
  pairs: number;
  /** Cases of this metric left out because one build (or both) has no usable response. */
  unpaired: number;
  /** Clusters used by the cluster-robust test. */
  clusters?: number;
  delta: number | null;
  ci: Interval | null;
  /** Two-sided level of `ci`: 1 − 2α′ for a gated comparison (α′ the Holm-implied level), else `confidence`. */
  ciLevel: number;
  test: TestName;
  /** Why that test ran. */
  testReason: string;
  /** The interval method. */
  interval: string;
  /** The gate's alternative: "greater" = candidate worse than the margin (regression mode), "less" = better. */
  alternative: Alternative;
  margin: number;
  /** One-sided p for `alternative` at `margin`. */
  pOneSided: number;
  pTwoSided: number;
  /** Holm-adjusted p over every regression comparison of the run, and how many there were. */
  pAdjusted?: number;
  family?: number;
  /** Minimum detectable effect: the true Δ the test sees with 80% power at α / family size. */
  mde?: { delta: number | null; power: number; alpha: number };
  /** The `power` requirement, evaluated at its `effect`. */
  power?: { effect: number; power: number; atLeast: number; alpha: number; casesNeeded: number | null };
  /** Why the comparison could not be tested (too few cases or clusters, …). */
  untested?: string;
  /** Case ids that fail more for the candidate (regressions) and for the baseline (improvements). */
  regressed: string[];
  improved: string[];
}

interface Planned {
  data: PairedData;
  method: PairedMethod;
  gate?: RegressionGate;
  alternative: Alternative;
  p: { p: number; pTwoSided: number };
  untested?: string;
}

function minCasesOf(gates: Gates, metric: RateMetric): number {
  return gates[metric]?.min_cases ?? 1;
}

/**
 * Every comparison of a run: each rate metric with paired cases (ungated ones descriptively, at
 * `confidence`), and each category of a gated metric with `by_category`. Categories with fewer pairs
 * than `min_cases` (or none) are not compared on their own; they remain in the overall comparison.
 */
export function compareBuilds(
  gates: Gates,
  candidate: readonly CaseOutcome[],
  baseline: ReadonlyMap<string, CaseOutcome>,
  confidence: number,
): { comparisons: Comparison[]; notes: string[] } {
  const planned: Planned[] = [];
  const notes: string[] = [];
  const paired = pairAllMetrics(candidate, baseline);
  for (const metric of RATE_METRICS) {
    const found = paired.get(metric);
    if (!found) continue;
    const { overall, byCategory } = found;
    if (overall.ids.length + overall.unpaired === 0) continue;
    const gate = gates[metric]?.regression;
    const minCases = minCasesOf(gates, metric);
    const tested = gate?.by_category
      ? byCategory.filter((d) => d.ids.length >= minCases && !clusterShortfall(d))
      : [];
    const skipped = gate?.by_category ? byCategory.filter((d) => d.ids.length < minCases) : [];
    if (skipped.length) {
      notes.push(
        `${metric}: ${skipped.length} categor${skipped.length === 1 ? "y has" : "ies have"} fewer than ${minCases} paired cases and count only in the overall comparison: ${skipped.map((d) => d.category).join(", ")}.`,
      );
    }
    // A category that is one cluster has no between-cluster spread to test against, as a category
    // below min_cases has too few cases: both are left to the overall comparison.
    const oneCluster = gate?.by_category
      ? byCategory.filter((d) => d.ids.length >= minCases && clusterShortfall(d))
      : [];
    if (oneCluster.length) {
      notes.push(
        `${metric}: ${oneCluster.length} categor${oneCluster.length === 1 ? "y is" : "ies are"} a single cluster (a cluster-robust test needs at least ${MIN_CLUSTERS}) and count only in the overall comparison: ${oneCluster.map((d) => d.category).join(", ")}.`,
      );
    }
    const subsets = [overall, ...tested];
    for (const data of subsets) {
      const method = choosePairedMethod(data, gate?.margin ?? 0);
      const alternative: Alternative = gate?.mode === "non_inferiority" ? "less" : "greater";
      const untested =
        data.ids.length < minCases || data.ids.length === 0
          ? `only ${data.ids.length} paired cases (need at least ${minCases})`
          : method.untestable;
      planned.push({
        data,
        method,
        ...(gate ? { gate } : {}),
        alternative,
        p: method.pValues(alternative),
        ...(untested ? { untested } : {}),
      });
    }
  }

  // One family: every gated comparison that was actually tested.
  const family = planned.filter((x) => x.gate && !x.untested);
  const adjusted = new Map(holmAdjust(family.map((x) => x.p.p)).map((a, i) => [family[i] as Planned, a]));
  const m = family.length;

  if (m > 1) {
    notes.push(
      `${m} regression comparisons share one Holm correction (family-wise error ≤ α); each Δ interval is drawn at the level the adjusted test implies, and the minimum detectable effect (MDE) is at 80% power and α / ${m}.`,
    );
  }
  const comparisons = planned.map((x) => {
    const { data, method, gate, alternative } = x;
    const pAdjusted = adjusted.get(x);
    let level: number;
    if (gate && pAdjusted !== undefined) {
      // α′ = α·p/p_adj: p ≤ α′ exactly when p_adj ≤ α, so an interval at 1 − 2α′ agrees with the adjusted test.
      const alphaPrime = pAdjusted > 0 ? (gate.alpha * x.p.p) / pAdjusted : gate.alpha / m;
      level = matchedLevel(alphaPrime);
    } else level = gate ? matchedLevel(gate.alpha) : confidence;
    const delta = method.delta;
    const planningAlpha = gate ? gate.alpha / Math.max(1, m) : 0;
    const comparison: Comparison = {
      metric: data.metric,
      ...(data.category !== undefined ? { category: data.category } : {}),
      table: method.table,
      pairs: data.ids.length,
      unpaired: data.unpaired,
      ...(method.clusters !== undefined ? { clusters: method.clusters } : {}),
      delta,
      ci: delta === null ? null : method.interval(level),
      ciLevel: level,
      test: method.test,
      testReason: method.why,
      interval: method.intervalName,
      alternative,
      margin: gate?.margin ?? 0,
      pOneSided: x.p.p,
      pTwoSided: x.p.pTwoSided,
      ...(pAdjusted !== undefined ? { pAdjusted, family: m } : {}),
      ...(gate && !x.untested
        ? {
            mde: {
              delta: method.detectable(planningAlpha, MDE_POWER, alternative),
              power: MDE_POWER,
              alpha: planningAlpha,
            },
          }
        : {}),
      ...(gate?.power && !x.untested && data.category === undefined
        ? {
            power: {
              effect: gate.power.effect,
              power: method.powerAt(gate.power.effect, planningAlpha, "greater"),
              atLeast: gate.power.at_least,
              alpha: planningAlpha,
              casesNeeded: method.casesNeeded(
                gate.power.effect,
                planningAlpha,
                gate.power.at_least,
                "greater",
              ),
            },
          }
        : {}),
      ...(x.untested ? { untested: x.untested } : {}),
      ...flips(data),
    };
    return comparison;
  });
  return { comparisons, notes };
}
