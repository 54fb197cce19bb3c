/** The terminal summary: the same facts as report.md, laid out for a console. */

import { METRIC_INFO, METRICS } from "../gate/metrics.js";
import type { Verdict } from "../gate/waivers.js";
import { plural } from "../io/plural.js";
import { categorySummary, deltaText, powerText, pText, testText } from "./comparison-text.js";
import { costLine } from "./cost-text.js";
import { errorCauses, idList } from "./error-causes.js";
import { plainInline } from "./escape.js";
import { lookLine } from "./look-line.js";
import { boundedDecisions, gateText, rateCell, verdictSummary } from "./markdown.js";
import type { Results } from "./results-schema.js";

export interface Style {
  bold(s: string): string;
  outcome(o: Verdict, s: string): string;
  dim(s: string): string;
}

export const plainStyle: Style = { bold: (s) => s, outcome: (_o, s) => s, dim: (s) => s };

export const colorStyle: Style = {
  bold: (s) => `\u001b[1m${s}\u001b[22m`,
  dim: (s) => `\u001b[2m${s}\u001b[22m`,
  outcome: (o, s) =>
    `\u001b[${o === "pass" ? 32 : o === "fail" ? 31 : o === "waived" ? 36 : 33}m${s}\u001b[39m`,
};

const MARK: Record<Verdict, string> = { pass: "✓", fail: "✗", inconclusive: "?", waived: "~" };

/** `  causes     candidate: 17 × <cause> — id, id, …`, one line per cause (see ./error-causes.ts). */
function causeLines(r: Results): string[] {
  const lines: string[] = [];
  for (const { build, causes } of errorCauses(r)) {
    for (const { cause, ids } of causes) {
      const head = lines.length === 0 ? "  causes     " : "             ";
      lines.push(
        `${head}${build}: ${ids.length} × ${plainInline(cause, 300)} — ${plainInline(idList(ids), 400)}`,
      );
    }
  }
  return lines;
}

export function renderTerminal(r: Results, style: Style = plainStyle): string {
  const lines: string[] = [];
  const head = `safety-gate: ${r.verdict.toUpperCase()}${r.smoke ? " — SMOKE RUN, NOT A GATE" : ""}${r.budget ? " — BUDGET REACHED, NOT EVERY CASE ASKED" : ""}`;
  lines.push(`${style.outcome(r.verdict, style.bold(head))}  (${verdictSummary(r)})`);
  lines.push(
    style.dim(`suites: ${r.suites.map((s) => `${s.file} (${plural(s.cases, "case")})`).join(", ")}`),
  );
  const cost = costLine(r);
  if (cost) lines.push(style.dim(`cost: ${cost}`));
  if (r.sequential) lines.push(style.dim(`sequential: ${lookLine(r.sequential)}`));
  if (r.profile)
    lines.push(
      style.dim(
        `profile: ${plainInline(r.profile.name, 100)} (branch ${plainInline(r.profile.branch, 100)})`,
      ),
    );
  for (const metric of METRICS) {
    const decisions = r.decisions.filter((d) => d.metric === metric);
    const c = r.metrics.candidate[metric].overall;
    if (c.n === 0 && decisions.length === 0) continue;
    lines.push("", style.bold(`${METRIC_INFO[metric].title} (${METRIC_INFO[metric].failure})`));
    const b = r.metrics.baseline?.[metric].overall;
    const ref = r.metrics.reference?.[metric].overall;
    if (ref && (ref.n > 0 || c.n > 0)) lines.push(`  reference  ${rateCell(ref)}`);
    if (b) lines.push(`  baseline   ${rateCell(b)}`);
    lines.push(`  candidate  ${rateCell(c)}`);
    const cmp = r.comparisons.find((x) => x.metric === metric && x.category === undefined);
    if (cmp && cmp.pairs > 0) {
      lines.push(`  Δ          ${deltaText(cmp)}, ${plural(cmp.pairs, "pair")}`);
      lines.push(`  test       ${testText(cmp)}`);
      lines.push(`             ${pText(cmp)}`);
      const power = powerText(cmp);
      if (power) lines.push(`  power      ${power}`);
      lines.push(
        style.dim(`  flipped    ${cmp.regressed.length} newly failing, ${cmp.improved.length} newly passing`),
      );
    }
    // The drift since the reference: its Δ and test, under the baseline's (same test, same correction).
    const rc = r.referenceComparisons?.find((x) => x.metric === metric && x.category === undefined);
    if (rc && rc.pairs > 0) {
      lines.push(`  Δ vs ref   ${deltaText(rc)}, ${plural(rc.pairs, "pair")}`);
      lines.push(`             ${pText(rc)}`);
    }
    const waived = (d: (typeof decisions)[number]) =>
      d.waiver
        ? ` (waived by ${plainInline(d.waiver.owner, 80)} until ${d.waiver.expires}: ${plainInline(d.waiver.reason, 200)})`
        : "";
    // The plain sentence first; the statistics it rests on one level down.
    const gateLines = (d: (typeof decisions)[number]) => [
      `  ${style.outcome(d.outcome, `${MARK[d.outcome]} ${gateText(d)}`)}: ${d.plain ?? d.reason}${waived(d)}`,
      ...(d.plain ? [style.dim(`      ${d.reason}`)] : []),
    ];
    for (const d of decisions.filter((x) => x.category === undefined)) lines.push(...gateLines(d));
    const byCategory = categorySummary(r, metric);
    if (byCategory.line) {
      lines.push(`  ${style.outcome("pass", `${MARK.pass} by category`)}: ${byCategory.line}`);
    }
    for (const d of boundedDecisions(byCategory.others)) {
      if (typeof d === "string") lines.push(`  ${d}`);
      else lines.push(...gateLines(d));
    }
    if (metric === "error_rate") lines.push(...causeLines(r));
  }
  for (const n of r.notes) lines.push("", style.dim(`note: ${n}`));
  return lines.join("\n");
}
