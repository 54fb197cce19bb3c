/**
 * Paired comparison of two builds on the same cases (matched by id), per metric and — for
 * gated metrics with `by_category` — per category. Each comparison runs the test its data
 * call for (see method.ts); every regression comparison of the run then shares one multiplicity
 * correction (see `adjustFamily`), and each interval is drawn at the level that correction
 * implies, so the interval never contradicts the adjusted test beside it. Orientation follows
 * ../shared/stats-reference: the event is the bad outcome, Δ > 0 = candidate worse.
 */
import type { Gates, RegressionGate } from "../config/schema.js";
import type { Interval } from "../stats/interval.js";
import { graphicalAdjust } from "../stats/multiplicity.js";
import type { PairedTable } from "../stats/paired-difference.js";
import type { Alternative } from "../stats/tango.js";
import { matchedLevel } from "./levels.js";
import { choosePairedMethod, clusterShortfall, MIN_CLUSTERS, type PairedMethod } from "./method.js";
import { RATE_METRICS, type RateMetric } from "./metrics.js";
import type { CaseOutcome } from "./outcome.js";
import { flips, type PairedData, pairAllMetrics } from "./paired.js";
import { lookLevel, type SequentialLook, stageWiseP } from "./sequential.js";
import type { TestName } from "./test-names.js";

/** Power at which every regression gate reports its minimum detectable effect. */
export const MDE_POWER = 0.8;

/**
 * The detection requirement of a regression gate without `power:` — a suite that cannot see a true
 * worsening of 20 points with 80% power makes "no regression found" inconclusive rather than a pass.
 * 20 points is what a modest first suite (100 benign cases at an 8% false-refusal rate) can see; a
 * 7-case suite cannot. `power: false` opts out.
 */
export const DEFAULT_POWER = { effect: 0.2, at_least: 0.8 } as const;

/** The power requirement in force for a gate: its own, the default (regression mode), or none. */
export function powerRequirement(
  gate: RegressionGate | undefined,
): { effect: number; at_least: number } | undefined {
  if (!gate || gate.mode === "non_inferiority" || gate.power === false) return undefined;
  return gate.power ?? DEFAULT_POWER;
}

export interface Comparison {
  metric: RateMetric;
  /**
   * Set on a comparison with the reference build (`reference:`); absent for the baseline. Reference
   * comparisons are recorded apart (results.json `referenceComparisons`) but share the baseline's correction.
   */
  against?: "reference";
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
  /**
   * The `power` requirement (or the default one), evaluated at its `effect` on the margin-0 test, with the
   * worsening the suite can detect at that power.
   */
  power?: {
    effect: number;
    power: number;
    atLeast: number;
    alpha: number;
    casesNeeded: number | null;
    detectable?: number | null;
  };
  /** Why the comparison could not be tested (too few cases or clusters, …). */
  untested?: string;
  /** Case ids that fail more for the candidate (regressions) and for the baseline (improvements). */
  regressed: string[];
  improved: string[];
}

interface Planned {
  data: PairedData;
  against?: "reference";
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
  baseline: ReadonlyMap<string, CaseOutcome> | undefined,
  confidence: number,
  reference?: ReferencePairing,
  /** At a look of a sequential run: each comparison is held to that look's spending boundary. */
  look?: SequentialLook,
): { comparisons: Comparison[]; notes: string[] } {
  const planned: Planned[] = [];
  const notes: string[] = [];
  const paired: ReturnType<typeof pairAllMetrics> = baseline
    ? pairAllMetrics(candidate, baseline)
    : new Map();
  for (const metric of RATE_METRICS) {
    const found = paired.get(metric);
    if (!found) continue;
    const { overall, byCategory } = found;
    if (overall.ids.length + overall.unpaired === 0) continue;
    const gate = gates[metric]?.regression;
    const minCases = minCasesOf(gates, metric);
    const split = gate?.by_category
      ? byCategory.filter((d) => d.ids.length >= minCases && !clusterShortfall(d))
      : [];
    // A category holding every paired case of the metric is the overall comparison again: testing it
    // twice would only cost the family a comparison.
    const tested = split.length === 1 && split[0]?.ids.length === overall.ids.length ? [] : split;
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
      const alternative: Alternative = gate?.mode === "non_inferiority" ? "less" : "greater";
      const method = choosePairedMethod(data, gate?.margin ?? 0, alternative);
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

  // The reference comparisons join the same family (see adjustFamily).
  if (reference) planned.push(...planReference(reference.gates ?? gates, reference));
  // One family: every gated comparison that was actually tested.
  const family = planned.filter((x) => x.gate && !x.untested);
  // At a look, each p enters the correction as its stage-wise value (see gate/sequential.ts).
  const tested = new Map(family.map((x) => [x, look ? stageWiseP(look, x.p.p) : x.p.p]));
  const { adjusted, initial } = adjustFamily(family, tested);
  const m = family.length;

  if (m > 1 && family.some((x) => x.against)) {
    notes.push(
      `${m} regression comparisons share one correction (family-wise error ≤ α), the comparisons with the reference among them: each gated metric's share of α (in proportion to its paired cases) is split equally between its comparison with the baseline and its comparison with the reference; a regression shown against the baseline passes its share on to the metric's categories and its reference comparison, one shown against the reference passes its share back to the baseline comparison (a weighted Holm procedure); each Δ interval is drawn at the level the adjusted test implies, and the minimum detectable effect (MDE) is at 80% power and the α share it is tested with.`,
    );
  } else if (m > 1) {
    notes.push(
      `${m} regression comparisons share one correction (family-wise error ≤ α): each gated metric's overall comparison starts with a share of α in proportion to its paired cases, and a metric's categories are tested with its share once its overall regression is shown (a weighted Holm procedure); each Δ interval is drawn at the level the adjusted test implies, and the minimum detectable effect (MDE) is at 80% power and the α share it is tested with.`,
    );
  }
  const comparisons = planned.map((x) => {
    const { data, method, gate, alternative } = x;
    const pAdjusted = adjusted.get(x);
    let level: number;
    if (gate && pAdjusted !== undefined) {
      // α′ = α·p/p_adj: p ≤ α′ exactly when p_adj ≤ α, so an interval at 1 − 2α′ agrees with the adjusted test.
      const alphaPrime =
        pAdjusted > 0
          ? (gate.alpha * (tested.get(x) ?? x.p.p)) / pAdjusted
          : gate.alpha * (initial.get(x) ?? 1);
      // At a look the raw p is compared with the boundary that spends α′, so the interval is drawn there.
      level = matchedLevel(look ? lookLevel(look, alphaPrime) : alphaPrime);
    } else level = gate ? matchedLevel(gate.alpha) : confidence;
    const delta = method.delta;
    const share = gate ? gate.alpha * (initial.get(x) ?? 1) : 0;
    // MDE and power at the level this look's test is held to: at the last look, the small price of the looks.
    const planningAlpha = look && share > 0 ? lookLevel(look, share) : share;
    const requirement = powerRequirement(gate);
    const comparison: Comparison = {
      metric: data.metric,
      ...(x.against ? { against: x.against } : {}),
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
      ...(requirement && !x.untested && data.category === undefined
        ? {
            power: {
              effect: requirement.effect,
              power: method.powerAt(requirement.effect, planningAlpha),
              atLeast: requirement.at_least,
              alpha: planningAlpha,
              casesNeeded: method.casesNeeded(requirement.effect, planningAlpha, requirement.at_least),
              detectable: method.detectableAt(planningAlpha, requirement.at_least),
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

/** The candidate paired with the reference build: the cases to compare and the reference's outcomes. */
export interface ReferencePairing {
  candidate: readonly CaseOutcome[];
  reference: ReadonlyMap<string, CaseOutcome>;
  /** The gates the reference is compared under, when they differ from the baseline's (see evaluate.ts). */
  gates?: Gates;
}

/**
 * The reference comparisons: one per gated metric with a regression gate, overall only — the
 * reference says whether the builds have drifted; where a shown regression is, the baseline's
 * categories say. Same test and margin as the metric's baseline comparison.
 */
function planReference(gates: Gates, { candidate, reference }: ReferencePairing): Planned[] {
  const out: Planned[] = [];
  const paired = pairAllMetrics(candidate, reference);
  for (const metric of RATE_METRICS) {
    const gate = gates[metric]?.regression;
    const data = paired.get(metric)?.overall;
    if (!gate || !data || data.ids.length + data.unpaired === 0) continue;
    const minCases = minCasesOf(gates, metric);
    const alternative: Alternative = gate.mode === "non_inferiority" ? "less" : "greater";
    const method = choosePairedMethod(data, gate.margin, alternative);
    const untested =
      data.ids.length < minCases || data.ids.length === 0
        ? `only ${data.ids.length} paired cases (need at least ${minCases})`
        : method.untestable;
    out.push({
      data,
      against: "reference",
      method,
      gate,
      alternative,
      p: method.pValues(alternative),
      ...(untested ? { untested } : {}),
    });
  }
  return out;
}

/**
 * The run's multiplicity correction: a graphical weighted Holm procedure (Bretz et al. 2009; see
 * `graphicalAdjust`), which controls the family-wise error at α under any dependence. Each gated metric
 * gets a share of α for its overall comparison in proportion to its paired cases (every case carries the
 * same share, so a 200-case metric is not held to the level of a 10-case one); its categories start with none and share the
 * overall's α once the overall regression is rejected, and pass it on among themselves (then to the other
 * metrics) as they are rejected. So the overall test — the one with the power — is not diluted by the
 * categories (plain Holm over overall + 5 categories would test it at α/6), and the categories still say
 * where a shown regression is. A metric without a tested overall comparison gives its share to its categories.
 * With a reference (`reference:`), each metric's share is split equally between its baseline overall and
 * its reference comparison; the baseline overall passes its α half to its categories, half to the
 * reference comparison (all to whichever exists), its last category to the reference comparison, and the
 * reference comparison back to the baseline's — so the whole run, reference included, stays one family.
 * Returns the adjusted p of each member and the α share (weight) each starts with, or gets once the
 * overall is rejected, for its planning (MDE and power) level.
 */
function adjustFamily(
  family: readonly Planned[],
  tested: ReadonlyMap<Planned, number>,
): {
  adjusted: Map<Planned, number>;
  initial: Map<Planned, number>;
} {
  const metrics = [...new Set(family.map((x) => x.data.metric))];
  const index = new Map(family.map((x, i) => [x, i]));
  const weights = family.map(() => 0);
  const planning = new Map<Planned, number>();
  const transitions = family.map(() => family.map(() => 0));
  const groups = metrics.map((metric) => {
    const members = family.filter((x) => x.data.metric === metric);
    const overall = members.find((x) => x.data.category === undefined && !x.against);
    const categories = members.filter((x) => x.data.category !== undefined);
    const reference = members.filter((x) => x.against === "reference");
    const own = overall ? [overall] : categories;
    // The parts that start with α: the baseline's (its overall, else its categories) and the reference's.
    const parts = [own, reference].filter((p) => p.length > 0);
    const sized = own.length ? own : reference;
    return {
      overall,
      categories,
      own,
      reference,
      parts,
      entries: parts.flat(),
      pairs: sized.reduce((n, e) => n + e.data.ids.length, 0),
    };
  });
  const total = groups.reduce((n, g) => n + g.pairs, 0);
  const spread = (from: Planned, to: readonly Planned[], total: number) => {
    const row = transitions[index.get(from) as number] as number[];
    for (const t of to) row[index.get(t) as number] = total / to.length;
  };
  for (const [gi, group] of groups.entries()) {
    const share = total > 0 ? group.pairs / total : 1 / groups.length;
    const partShare = share / Math.max(1, group.parts.length);
    const others = groups.filter((_, k) => k !== gi && groups[k]?.entries.length);
    // Weight that leaves a metric entirely goes to the other metrics in equal shares.
    const onwards = (from: Planned) => {
      for (const o of others) spread(from, o.entries, 1 / others.length);
    };
    for (const part of group.parts) {
      for (const e of part) {
        weights[index.get(e) as number] = partShare / part.length;
        planning.set(e, partShare / part.length);
      }
    }
    const { overall, categories, reference } = group;
    if (overall) {
      // A shown regression against the baseline hands its α to the categories (where is it?) and
      // to the reference comparison (has the drift since the reference added up?), half each.
      const targets = [categories, reference].filter((t) => t.length > 0);
      for (const t of targets) spread(overall, t, 1 / targets.length);
      if (!targets.length) onwards(overall);
      for (const c of categories) planning.set(c, partShare / targets.length / categories.length);
    }
    for (const c of categories) {
      const rest = categories.filter((o) => o !== c);
      if (rest.length) spread(c, rest, 1);
      else if (reference.length) spread(c, reference, 1);
      else onwards(c);
    }
    // A shown drift from the reference hands its α back to the baseline comparison.
    for (const r of reference) {
      if (group.own.length) spread(r, group.own, 1);
      else onwards(r);
    }
  }
  const adjusted = graphicalAdjust(
    family.map((x) => tested.get(x) ?? x.p.p),
    weights,
    transitions,
  );
  return { adjusted: new Map(family.map((x, i) => [x, adjusted[i] as number])), initial: planning };
}
