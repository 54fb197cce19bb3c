/**
 * Gate decisions. Each decision carries the numbers it was made from, and the rule is
 * built so that those numbers can never contradict it: a regression fails only when the
 * exact test AND the interval both show the candidate worse by more than the margin,
 * passes only when neither does, and is inconclusive when they disagree.
 */
import type { GateConfig, RateGate } from "../config/schema.js";
import type { Comparison } from "./compare.js";
import { formatAgainst, formatP, formatPoints, formatRate } from "./format.js";
import { METRIC_INFO, type MetricName, type MetricTable, RATE_METRICS, type RateMetric } from "./metrics.js";

export type Outcome = "pass" | "fail" | "inconclusive";

export interface Decision {
  metric: MetricName;
  rule: "max" | "regression";
  /** Which build the rule looked at. */
  build: "candidate" | "baseline" | "both";
  outcome: Outcome;
  reason: string;
  threshold?: number;
  alpha?: number;
  margin?: number;
}

const SEVERITY: Record<Outcome, number> = { pass: 0, inconclusive: 1, fail: 2 };

/** The overall verdict is the worst outcome: fail over inconclusive over pass. */
export function worst(outcomes: readonly Outcome[]): Outcome {
  return outcomes.reduce<Outcome>((w, o) => (SEVERITY[o] > SEVERITY[w] ? o : w), "pass");
}

/** Two-sided level of the Δ interval that matches a one-sided test at `alpha`. */
export function matchedLevel(alpha: number): number {
  return 1 - 2 * alpha;
}

export interface DecisionInput {
  gates: GateConfig["gates"];
  candidate: MetricTable;
  baseline?: MetricTable;
  comparisons: ReadonlyMap<RateMetric, Comparison>;
  /** Why the builds cannot be compared (e.g. different suites), if they cannot. */
  incomparable?: string;
}

/** Without an `error_rate` gate any error makes the run inconclusive: errors never pass unseen. */
export const DEFAULT_ERROR_MAX = 0;

export function decide(input: DecisionInput): Decision[] {
  const decisions: Decision[] = [];
  const errorMax = input.gates.error_rate?.max ?? DEFAULT_ERROR_MAX;
  const builds = input.baseline ? (["candidate", "baseline"] as const) : (["candidate"] as const);
  for (const build of builds) {
    const est = (build === "candidate" ? input.candidate : input.baseline)?.error_rate.overall;
    if (!est || est.rate === null) continue;
    const over = est.rate > errorMax;
    const [rate, ceiling] = formatAgainst(formatRate, est.rate, errorMax, 1);
    decisions.push({
      metric: "error_rate",
      rule: "max",
      build,
      outcome: over ? "inconclusive" : "pass",
      threshold: errorMax,
      reason: over
        ? `${build} has ${est.failures} of ${est.n} cases without a usable response (${rate} > max ${ceiling}): the measured rates may not represent the build`
        : `${build}: ${est.failures} of ${est.n} cases without a usable response (${rate} ≤ max ${ceiling})`,
    });
  }
  for (const metric of RATE_METRICS) {
    const gate = input.gates[metric];
    if (!gate) continue;
    if (gate.max !== undefined) decisions.push(decideMax(metric, gate, input.candidate));
    if (gate.regression) decisions.push(decideRegression(metric, gate, input));
  }
  return decisions;
}

function decideMax(metric: RateMetric, gate: RateGate, table: MetricTable): Decision {
  const max = gate.max as number;
  const est = table[metric].overall;
  const minCases = gate.min_cases ?? 1;
  const base = { metric, rule: "max" as const, build: "candidate" as const, threshold: max };
  if (est.rate === null || est.n < minCases) {
    return {
      ...base,
      outcome: "inconclusive",
      reason: `only ${est.n} ${METRIC_INFO[metric].cases} cases with a response (need at least ${minCases})`,
    };
  }
  const [rate, ceiling] = formatAgainst(formatRate, est.rate, max, 1);
  return est.rate > max
    ? {
        ...base,
        outcome: "fail",
        reason: `candidate rate ${rate} (${est.failures}/${est.n}) is above max ${ceiling}`,
      }
    : {
        ...base,
        outcome: "pass",
        reason: `candidate rate ${rate} (${est.failures}/${est.n}) is within max ${ceiling}`,
      };
}

function decideRegression(metric: RateMetric, gate: RateGate, input: DecisionInput): Decision {
  const { alpha, margin } = gate.regression as { alpha: number; margin: number };
  const base = { metric, rule: "regression" as const, build: "both" as const, alpha, margin };
  if (!input.baseline) {
    return {
      ...base,
      outcome: "inconclusive",
      reason: input.incomparable ?? "no baseline configured, so a regression cannot be tested",
    };
  }
  if (input.incomparable) return { ...base, outcome: "inconclusive", reason: input.incomparable };
  const cmp = input.comparisons.get(metric);
  const minCases = gate.min_cases ?? 1;
  if (!cmp || cmp.pairs < minCases || cmp.ci === null || cmp.delta === null) {
    return {
      ...base,
      outcome: "inconclusive",
      reason: `only ${cmp?.pairs ?? 0} paired ${METRIC_INFO[metric].cases} cases (need at least ${minCases})`,
    };
  }
  const level = `${Math.round(cmp.ciLevel * 1000) / 10}%`;
  const significant = cmp.pOneSided <= alpha;
  const beyondMargin = cmp.ci.lower > margin;
  const [p, a] = formatAgainst(formatP, cmp.pOneSided, alpha, 3);
  const [lower, m] = formatAgainst(formatPoints, cmp.ci.lower, margin, 1);
  const test = `one-sided exact McNemar p = ${p} ${significant ? "≤" : ">"} α ${a}`;
  const interval = `Δ ${formatPoints(cmp.delta)}, ${level} CI lower bound ${lower} ${beyondMargin ? ">" : "≤"} margin ${m}`;
  if (significant && beyondMargin) {
    return { ...base, outcome: "fail", reason: `candidate is significantly worse: ${test}; ${interval}` };
  }
  if (!beyondMargin && (!significant || margin > 0)) {
    const why = significant ? "worse, but not by more than the margin" : "no significant regression";
    return { ...base, outcome: "pass", reason: `${why}: ${test}; ${interval}` };
  }
  return {
    ...base,
    outcome: "inconclusive",
    reason: `the exact test and the interval disagree at this boundary: ${test}; ${interval}`,
  };
}
