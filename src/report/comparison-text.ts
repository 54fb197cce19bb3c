/**
 * How a paired comparison is written in the terminal and in report.md alike: which test ran and why,
 * raw and Holm-adjusted p, and the minimum detectable effect — the same figures in both places.
 */
import type { Comparison } from "../gate/compare.js";
import type { Decision } from "../gate/decide.js";
import { formatLevel } from "../gate/decide.js";
import { formatInterval, formatP, formatPoints } from "../gate/format.js";
import { plural } from "../io/plural.js";

/** Decisions as reported: a waiver may have turned a fail into "waived". */
type ReportedDecision = Omit<Decision, "outcome"> & { outcome: Decision["outcome"] | "waived" };
type Results = { comparisons: Comparison[]; decisions: ReportedDecision[] };

/** "+13.9 pts [+0.7 pts, +28.2 pts] (99.09% CI, Newcombe hybrid score)". */
export function deltaText(c: Comparison): string {
  return `${formatPoints(c.delta)} ${formatInterval(c.ci, "points")} (${formatLevel(c.ciLevel)} CI, ${c.interval})`;
}

/**
 * "p = 0.00317 one-sided, 0.00635 two-sided; Holm-adjusted 0.0349 (11 comparisons)". With a margin both
 * p-values test Δ = margin, not Δ = 0, and say so: a bare "two-sided" reads as "any difference at all".
 */
export function pText(c: Comparison): string {
  const side = c.alternative === "less" ? "one-sided (Δ < margin)" : "one-sided";
  const adjusted =
    c.pAdjusted !== undefined
      ? `; Holm-adjusted ${formatP(c.pAdjusted)} (${plural(c.family ?? 0, "comparison")})`
      : "";
  return `p = ${formatP(c.pOneSided)} ${side}, ${formatP(c.pTwoSided)} two-sided${atMargin(c)}${adjusted}`;
}

/** " (both against Δ = +2.0 pts, the margin)" when the tests are at a margin ≠ 0, else "". */
export function atMargin(c: Pick<Comparison, "margin">): string {
  return c.margin ? ` (both against Δ = ${formatPoints(c.margin)}, the margin)` : "";
}

export function adjustedText(c: Comparison | undefined): string {
  return c?.pAdjusted === undefined ? "–" : formatP(c.pAdjusted);
}

/** "+21.3 pts" — the true Δ seen with 80% power; "none" when no Δ is. */
export function mdeText(c: Comparison | undefined): string {
  if (!c?.mde) return "–";
  return c.mde.delta === null ? "none within range" : formatPoints(c.mde.delta);
}

/** "MDE +21.3 pts at 80% power (α 0.025)" with the power requirement when there is one. */
export function powerText(c: Comparison): string | undefined {
  if (!c.mde) return undefined;
  // The α share this comparison is tested with (see compare.ts adjustFamily), not α over the family size.
  const alpha = `α ${formatP(c.mde.alpha)}`;
  const mde =
    c.mde.delta === null
      ? `no Δ is detectable with ${Math.round(c.mde.power * 100)}% power (${alpha})`
      : `minimum detectable Δ ${formatPoints(c.mde.delta)} at ${Math.round(c.mde.power * 100)}% power (${alpha})`;
  if (!c.power) return mde;
  const needed =
    c.power.casesNeeded === null ? "no suite size suffices" : `${c.power.casesNeeded} paired cases needed`;
  return `${mde}; power at Δ ${formatPoints(c.power.effect)}: ${Math.round(c.power.power * 100)}% (${needed} for ${Math.round(c.power.atLeast * 100)}%)`;
}

export function testText(c: Comparison): string {
  return `${c.test} (${c.testReason})`;
}

/** Per-category regression decisions of one metric, summarised in a line when they all pass. */
export function categorySummary(r: Results, metric: string): { line?: string; others: ReportedDecision[] } {
  const decisions = r.decisions.filter((d) => d.metric === metric && d.category !== undefined);
  if (!decisions.length) return { others: [] };
  const passing = decisions.filter((d) => d.outcome === "pass");
  const others = decisions.filter((d) => d.outcome !== "pass");
  const comps = r.comparisons.filter(
    (c) => c.metric === metric && c.category !== undefined && c.pAdjusted !== undefined,
  );
  const smallest = comps.reduce<Comparison | undefined>(
    (best, c) => (best === undefined || (c.pAdjusted ?? 1) < (best.pAdjusted ?? 1) ? c : best),
    undefined,
  );
  const line = passing.length
    ? `${passing.length} of ${plural(decisions.length, "category")} ${decisions.length === 1 ? "shows" : "show"} no significant regression` +
      (smallest
        ? ` (smallest Holm-adjusted p = ${formatP(smallest.pAdjusted ?? 1)}, ${smallest.category})`
        : "")
    : undefined;
  return { ...(line ? { line } : {}), others };
}

/** "Δ [level: lower, upper]" for a table cell, or "–" where there was no comparison. */
export function deltaCell(cmp: Comparison | undefined): string {
  return cmp
    ? `${formatPoints(cmp.delta)} [${formatLevel(cmp.ciLevel)}: ${formatInterval(cmp.ci, "points").slice(1, -1)}]`
    : "–";
}
