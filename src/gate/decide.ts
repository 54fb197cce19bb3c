/**
 * Gate decisions. Each decision carries the numbers it was made from, and the rule is
 * built so that those numbers can never contradict it. In regression mode a comparison
 * fails only when the (Holm-adjusted) test AND the interval both show the candidate worse
 * by more than the margin, passes only when neither does, and is inconclusive when they
 * disagree. In non-inferiority mode it passes only when both show Δ below the margin.
 */
import type { Gates, RateGate, RegressionGate } from "../config/schema.js";
import { noun, unit } from "../io/plural.js";
import type { Comparison } from "./compare.js";
import { formatAgainst, formatP, formatPoints, formatRate } from "./format.js";
import { METRIC_INFO, type MetricName, type MetricTable, RATE_METRICS, type RateMetric } from "./metrics.js";
import { plainErrors, plainMax, plainNotCompared, plainRegression } from "./plain.js";

export { matchedLevel } from "./levels.js";

export type Outcome = "pass" | "fail" | "inconclusive";

export interface Decision {
  metric: MetricName;
  /** Set for a per-category regression decision. */
  category?: string;
  rule: "max" | "regression";
  /** Which build the rule looked at. */
  build: "candidate" | "baseline" | "both";
  outcome: Outcome;
  /** The statistics the outcome rests on. */
  reason: string;
  /** The outcome in one plain sentence, for a reader without the statistics (see ./plain.ts). */
  plain?: string;
  threshold?: number;
  alpha?: number;
  margin?: number;
  mode?: RegressionGate["mode"];
  /**
   * Which build a regression decision compared the candidate with; set on every regression decision
   * of a run with a `reference:` (so "vs baseline" and "vs reference (v1.2 release)" tell them apart).
   */
  against?: Against;
}

export interface Against {
  build: "baseline" | "reference";
  /** The reference's display name ("v1.2 release"); absent for the baseline. */
  label?: string;
}

/** The reference build as the decisions see it: its comparisons, or why there are none. */
export interface ReferenceInput {
  label: string;
  table?: MetricTable;
  comparisons: readonly Comparison[];
  /** Why the candidate cannot be compared with the reference (unavailable, other suites, too old). */
  incomparable?: string;
}

/** "the reference (v1.2 release)" — how a sentence names the build a comparison was made with. */
export function againstName(against: Against | undefined): string {
  return against?.build === "reference" ? `the reference (${against.label ?? "reference"})` : "the baseline";
}

const SEVERITY: Record<Outcome, number> = { pass: 0, inconclusive: 1, fail: 2 };

/** The overall verdict is the worst outcome: fail over inconclusive over pass. */
export function worst(outcomes: readonly Outcome[]): Outcome {
  return outcomes.reduce<Outcome>((w, o) => (SEVERITY[o] > SEVERITY[w] ? o : w), "pass");
}

export interface DecisionInput {
  gates: Gates;
  candidate: MetricTable;
  baseline?: MetricTable;
  comparisons: readonly Comparison[];
  /** Why the builds cannot be compared (e.g. different suites), if they cannot. */
  incomparable?: string;
  /** The configured reference build: every regression gate also decides against it. */
  reference?: ReferenceInput;
  /** The gates the reference is judged with, when regression gates against the baseline do not apply. */
  referenceGates?: Gates;
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
    const cases = unit(est.n, est.counts ?? "cases");
    const outcome = over ? "inconclusive" : "pass";
    decisions.push({
      metric: "error_rate",
      rule: "max",
      build,
      outcome,
      threshold: errorMax,
      plain: plainErrors(build, est, errorMax, outcome),
      reason: over
        ? `${build} has ${est.failures} of ${est.n} ${cases} without a usable response (${rate} > max ${ceiling}): the measured rates may not represent the build`
        : `${build}: ${est.failures} of ${est.n} ${cases} without a usable response (${rate} ≤ max ${ceiling})`,
    });
  }
  for (const metric of RATE_METRICS) {
    const gate = input.gates[metric];
    if (!gate) continue;
    if (gate.max !== undefined) decisions.push(decideMax(metric, gate, input.candidate));
    // One per category, and there may be 100k: spread into push() that would overflow the stack.
    if (gate.regression)
      for (const d of decideRegression(metric, gate, gate.regression, input)) decisions.push(d);
  }
  if (input.reference) {
    for (const metric of RATE_METRICS) {
      const gate = input.referenceGates?.[metric] ?? input.gates[metric];
      if (gate?.regression)
        decisions.push(decideReference(metric, gate, gate.regression, input.reference, input.candidate));
    }
  }
  return decisions;
}

/**
 * The decision against the reference: the same rule as against the baseline (judge), on the reference
 * comparison, or inconclusive with the reason — a configured reference is never silently skipped.
 */
function decideReference(
  metric: RateMetric,
  gate: RateGate,
  regression: RegressionGate,
  ref: ReferenceInput,
  candidate: MetricTable,
): Decision {
  const { alpha, margin, mode } = regression;
  const against: Against = { build: "reference", label: ref.label };
  const base = { metric, rule: "regression" as const, build: "both" as const, alpha, margin, mode, against };
  const name = againstName(against);
  const notCompared = (why: string): Decision => {
    const reason = `not compared with ${name}: ${why}`;
    return { ...base, outcome: "inconclusive", reason, plain: plainNotCompared(`${name}: ${why}`) };
  };
  if (ref.incomparable) return notCompared(ref.incomparable);
  const c = ref.comparisons.find((x) => x.metric === metric && x.category === undefined);
  const minCases = gate.min_cases ?? 1;
  if (!c || c.pairs < minCases) {
    return notCompared(
      `only ${c?.pairs ?? 0} paired ${METRIC_INFO[metric].cases} ${noun(c?.pairs ?? 0, "case")} (need at least ${minCases})`,
    );
  }
  const judged = judge(c, regression);
  return {
    ...base,
    outcome: judged.outcome,
    reason: `against ${name}: ${judged.reason}`,
    plain: plainRegression(
      c,
      regression,
      judged.outcome,
      { candidate: candidate[metric].overall, baseline: ref.table?.[metric].overall },
      name,
    ),
  };
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
      plain: plainMax(metric, est, max, "inconclusive", minCases),
      reason: `only ${est.n} ${METRIC_INFO[metric].cases} ${noun(est.n, "case")} with a response (need at least ${minCases})`,
    };
  }
  const [rate, ceiling] = formatAgainst(formatRate, est.rate, max, 1);
  const failures = Number.isInteger(est.failures) ? `${est.failures}` : est.failures.toFixed(1);
  return est.rate > max
    ? {
        ...base,
        outcome: "fail",
        plain: plainMax(metric, est, max, "fail", minCases),
        reason: `candidate rate ${rate} (${failures}/${est.n}) is above max ${ceiling}`,
      }
    : {
        ...base,
        outcome: "pass",
        plain: plainMax(metric, est, max, "pass", minCases),
        reason: `candidate rate ${rate} (${failures}/${est.n}) is within max ${ceiling}`,
      };
}

function decideRegression(
  metric: RateMetric,
  gate: RateGate,
  regression: RegressionGate,
  input: DecisionInput,
): Decision[] {
  const { alpha, margin, mode } = regression;
  const base = {
    metric,
    rule: "regression" as const,
    build: "both" as const,
    alpha,
    margin,
    mode,
    // Beside a reference, each regression decision says which build it was made against.
    ...(input.reference ? { against: { build: "baseline" as const } } : {}),
  };
  if (!input.baseline) {
    const reason = input.incomparable ?? "no baseline configured, so a regression cannot be tested";
    return [{ ...base, outcome: "inconclusive", reason, plain: plainNotCompared(reason) }];
  }
  if (input.incomparable) {
    const reason = input.incomparable;
    return [{ ...base, outcome: "inconclusive", reason, plain: plainNotCompared(reason) }];
  }
  const mine = input.comparisons.filter((c) => c.metric === metric);
  const overall = mine.find((c) => c.category === undefined);
  const minCases = gate.min_cases ?? 1;
  if (!overall || overall.pairs < minCases) {
    const reason = `only ${overall?.pairs ?? 0} paired ${METRIC_INFO[metric].cases} ${noun(overall?.pairs ?? 0, "case")} (need at least ${minCases})`;
    return [{ ...base, outcome: "inconclusive", reason, plain: plainNotCompared(reason) }];
  }
  const { candidate, baseline } = input;
  return mine.map((c) => {
    const judged = judge(c, regression);
    const of = (t: MetricTable) =>
      c.category === undefined ? t[metric].overall : t[metric].byCategory[c.category];
    return {
      ...base,
      ...(c.category !== undefined ? { category: c.category } : {}),
      ...judged,
      plain: plainRegression(c, regression, judged.outcome, {
        candidate: of(candidate),
        baseline: of(baseline),
      }),
    };
  });
}

/** The decision for one comparison, with a reason that prints the numbers it rests on. */
export function judge(c: Comparison, gate: RegressionGate): { outcome: Outcome; reason: string } {
  const { alpha, margin } = gate;
  if (c.untested || c.ci === null || c.delta === null) {
    return { outcome: "inconclusive", reason: c.untested ?? "no paired cases to compare" };
  }
  const adjusted = c.pAdjusted ?? c.pOneSided;
  const significant = adjusted <= alpha;
  const level = `${formatLevel(c.ciLevel)} CI`;
  const [pa, a] = formatAgainst(formatP, adjusted, alpha, 3);
  const shown =
    c.family !== undefined && c.family > 1
      ? `${formatP(c.pOneSided)}, Holm-adjusted over ${c.family} comparisons p = ${pa}`
      : pa;
  const test = `one-sided ${c.test} p = ${shown} ${significant ? "≤" : ">"} α ${a}`;

  if (gate.mode === "non_inferiority") {
    const below = c.ci.upper < margin;
    const above = c.ci.lower > margin;
    const [upper, m] = formatAgainst(formatPoints, c.ci.upper, margin, 1);
    const interval = `Δ ${formatPoints(c.delta)}, ${level} upper bound ${upper} ${below ? "<" : "≥"} margin ${m}`;
    if (significant && below) {
      return { outcome: "pass", reason: `non-inferiority shown: ${test}; ${interval}` };
    }
    if (above) {
      const [lower, m2] = formatAgainst(formatPoints, c.ci.lower, margin, 1);
      return {
        outcome: "fail",
        reason: `candidate is worse than the margin: Δ ${formatPoints(c.delta)}, ${level} lower bound ${lower} > margin ${m2}`,
      };
    }
    return {
      outcome: "inconclusive",
      reason: `non-inferiority not shown (the burden of proof is on the candidate): ${test}; ${interval}${needed(c)}`,
    };
  }

  const beyondMargin = c.ci.lower > margin;
  const [lower, m] = formatAgainst(formatPoints, c.ci.lower, margin, 1);
  const interval = `Δ ${formatPoints(c.delta)}, ${level} lower bound ${lower} ${beyondMargin ? ">" : "≤"} margin ${m}`;
  if (significant && beyondMargin) {
    return { outcome: "fail", reason: `candidate is significantly worse: ${test}; ${interval}` };
  }
  if (significant || beyondMargin) {
    // Possible only where the test and the interval are different methods (exact McNemar beside
    // Newcombe's interval): say which one points which way, not that they meet "at a boundary".
    const split = significant
      ? "the test is significant but the interval still reaches the margin"
      : "the interval lies above the margin but the test is not significant";
    const small = underpowered(c);
    return {
      outcome: "inconclusive",
      reason: `borderline: ${split}, so neither a regression nor its absence is shown: ${test}; ${interval}${small ? `; and ${small.reason.replace("no significant regression, but ", "")}` : ""}`,
    };
  }
  return (
    underpowered(c, `; ${test}; ${interval}`) ?? {
      outcome: "pass",
      reason: `no significant regression: ${test}; ${interval}`,
    }
  );
}

/**
 * "No regression found" from a suite that could not have seen a worsening of the required size is
 * inconclusive, in plain words: what the suite can detect, and how many paired cases the requirement needs.
 */
function underpowered(c: Comparison, tail = ""): { outcome: Outcome; reason: string } | undefined {
  if (!c.power || c.power.power >= c.power.atLeast) return undefined;
  const [pw, at] = formatAgainst(formatRate, c.power.power, c.power.atLeast, 0);
  // The requirement is judged at margin 0 (a margin never makes the gate stricter); say so beside one.
  const atPower = `${Math.round(c.power.atLeast * 100)}% power${c.margin > 0 ? ", judged at margin 0" : ""}`;
  const can =
    c.power.detectable === undefined
      ? ""
      : c.power.detectable === null
        ? `this suite cannot detect even the largest possible rise with ${atPower}; `
        : `this suite can only detect a rise of ${formatPoints(c.power.detectable)} (${atPower}); `;
  return {
    outcome: "inconclusive",
    reason: `no significant regression, but the suite is too small to tell: ${can}power to see Δ ${formatPoints(c.power.effect)} is ${pw} < ${at}${needed(c)}${tail}`,
  };
}

function needed(c: Comparison): string {
  const n = c.power?.casesNeeded;
  if (!c.power) return "";
  return n === null || n === undefined
    ? "; no suite size would give that power"
    : `; detecting ${formatPoints(c.power.effect)} needs about ${n} paired cases (have ${c.pairs})`;
}

export function formatLevel(level: number): string {
  const pct = level * 100;
  return `${Number(pct.toFixed(pct >= 99 ? 2 : 1))}%`;
}
