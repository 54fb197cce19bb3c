/**
 * Each gate decision in one plain sentence a reviewer understands without the statistics —
 * "12 of 72 harmful prompts got through with the candidate vs 2 of 72 with the baseline: a real
 * regression, unlikely to be chance even allowing for 11 checks." The decision's `reason` keeps
 * the statistics it rests on; reports print this sentence first and the reason one level down.
 * The sentence is built from the outcome already decided, never the other way round, so it
 * cannot contradict the decision.
 */
import type { RegressionGate } from "../config/schema.js";
import { unit } from "../io/plural.js";
import type { Comparison } from "./compare.js";
import { formatAgainst, formatPoints, formatRate } from "./format.js";
import type { MetricName } from "./metric-names.js";
import type { RateEstimate } from "./metrics.js";

type Outcome = "pass" | "fail" | "inconclusive";

/** What one failing case is, in words: "harmful prompts" that "got through". */
const WORDS: Record<MetricName, { cases: string; failed: string }> = {
  attack_success_rate: { cases: "harmful prompts", failed: "got through" },
  false_refusal_rate: { cases: "benign prompts", failed: "were refused" },
  leak_rate: { cases: "prompt-injection cases", failed: "leaked the canary" },
  pii_leak_rate: { cases: "cases", failed: "leaked personal data or credentials" },
  tool_misuse_rate: { cases: "agent attack cases", failed: "called a forbidden tool" },
  task_failure_rate: { cases: "benign agent tasks", failed: "were not done" },
  error_rate: { cases: "cases", failed: "got no usable response" },
};

/** The unit, agreeing with the count it follows: "1 harmful prompt", "72 harmful prompts". */
function casesWord(metric: MetricName, est?: RateEstimate): string {
  const word = est?.counts ?? WORDS[metric].cases;
  return est === undefined ? word : unit(est.n, word);
}

/** "12 of 72 harmful prompts got through"; with several samples per case, the failing share of samples. */
function share(metric: MetricName, est: RateEstimate): string {
  const w = WORDS[metric];
  if (Number.isInteger(est.failures))
    return `${est.failures} of ${est.n} ${casesWord(metric, est)} ${w.failed}`;
  return `${formatRate(est.rate)} of the samples of ${est.n} ${casesWord(metric, est)} ${w.failed}`;
}

/** "2 of 72", or a percentage with several samples per case. */
function short(est: RateEstimate): string {
  return Number.isInteger(est.failures) ? `${est.failures} of ${est.n}` : formatRate(est.rate);
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function plainMax(
  metric: MetricName,
  est: RateEstimate,
  max: number,
  outcome: Outcome,
  minCases: number,
): string {
  if (outcome === "inconclusive" || est.rate === null) {
    return `Too few ${est.counts ?? WORDS[metric].cases} had a usable response to judge (${est.n}; at least ${minCases} needed).`;
  }
  const [rate, limit] = formatAgainst(formatRate, est.rate, max, 1);
  return `${capital(share(metric, est))} (${rate}), ${outcome === "fail" ? "above" : "within"} the ${limit} limit.`;
}

export function plainErrors(
  build: "candidate" | "baseline",
  est: RateEstimate,
  max: number,
  outcome: Outcome,
): string {
  const [rate, limit] = formatAgainst(formatRate, est.rate ?? 0, max, 1);
  const cases = unit(est.n, est.counts ?? "cases");
  if (est.failures === 0)
    return `The ${build} gave a usable response for ${est.n === 1 ? "its" : "all"} ${est.n} ${cases}.`;
  const head = `${est.failures} of ${est.n} ${cases} got no usable response from the ${build} (${rate})`;
  return outcome === "pass"
    ? `${head}, within the ${limit} allowed.`
    : `${head}, more than the ${limit} allowed, so its measured rates may not represent it.`;
}

/** A regression decision that was not made from a comparison (no baseline, other suites, too few pairs). */
export function plainNotCompared(why: string): string {
  return `Not compared: ${why}.`;
}

export function plainRegression(
  c: Comparison,
  gate: RegressionGate,
  outcome: Outcome,
  tables: { candidate?: RateEstimate; baseline?: RateEstimate },
  /** The build compared with: "the baseline", or "the reference (v1.2 release)". */
  against = "the baseline",
): string {
  const metric = c.metric;
  const where = c.category !== undefined ? `In ${c.category}, ` : "";
  const facts =
    tables.candidate && tables.baseline
      ? `${share(metric, tables.candidate)} with the candidate vs ${short(tables.baseline)} with ${against}`
      : `the candidate's ${WORDS[metric].cases} differ from ${against}'s by ${formatPoints(c.delta)}`;
  const lead = where ? `${where}${facts}` : capital(facts);
  if (c.untested || c.ci === null || c.delta === null) {
    return `${where ? `In ${c.category}, not` : "Not"} compared: ${c.untested ?? "no paired cases"}.`;
  }
  const margin = gate.margin
    ? ` by more than the margin of ${formatPoints(gate.margin).replace(/^\+/, "")}`
    : "";
  const checks = c.family !== undefined && c.family > 1 ? ` even allowing for ${c.family} checks` : "";
  if (gate.mode === "non_inferiority") {
    if (outcome === "pass") return `${lead}: shown to be no worse${margin}, unlikely to be chance${checks}.`;
    if (outcome === "fail") return `${lead}: worse${margin}.`;
    return `${lead}: not shown to be no worse${margin} — the candidate has to show it, and the evidence is not enough.`;
  }
  if (outcome === "fail") return `${lead}: a real regression${margin}, unlikely to be chance${checks}.`;
  if (outcome === "pass") {
    if (c.delta <= 0) return `${lead}: no regression.`;
    return `${lead}: ${margin ? `no sign of a regression${margin}` : "the difference could well be chance"}.`;
  }
  const alpha = c.pAdjusted ?? c.pOneSided;
  const significant = alpha <= gate.alpha;
  const beyond = c.ci.lower > gate.margin;
  if (significant !== beyond) {
    return `${lead}: borderline — the candidate may be worse${margin}, but the evidence is not clear either way.`;
  }
  if (c.power && c.power.power < c.power.atLeast) {
    const needed = c.power.casesNeeded;
    return `${lead}: no clear regression, but the suite is too small to rule out one of ${formatPoints(c.power.effect).replace(/^\+/, "")}${needed === null ? "" : ` (about ${needed} paired cases needed, have ${c.pairs})`}.`;
  }
  return `${lead}: not conclusive either way.`;
}
