/**
 * `report.md`, the GitHub job summary, the pull-request comment and the check run summary:
 * verdict first, then per metric the baseline, the candidate, Δ with its interval, p and
 * the gate; charts and a per-category table; then the cases that flipped, collapsed.
 * Everything a suite or a model wrote goes through ./escape.ts.
 */
import type { GateConfig } from "../config/schema.js";
import { type Decision, formatLevel } from "../gate/decide.js";
import { formatInterval, formatP, formatPoints, formatRate } from "../gate/format.js";
import { METRIC_INFO, METRICS, type MetricName, RATE_METRICS, type RateEstimate } from "../gate/metrics.js";
import type { CaseOutcome } from "../gate/outcome.js";
import { severity, type Verdict } from "../gate/waivers.js";
import { categoryChart } from "./chart.js";
import { adjustedText, mdeText, powerText } from "./comparison-text.js";
import { fencedBlock, markdownInline, redactedText } from "./escape.js";
import type { Detail } from "./fit.js";
import { policyBlock } from "./policy-block.js";
import type { Results } from "./results-schema.js";

export interface ReportOptions {
  maxFlips: number;
  maxResponseChars: number;
  /** Show prompts and responses only as hash and length. */
  redact?: boolean;
  /** Prompt text per case id, when the suites are at hand. */
  prompts?: ReadonlyMap<string, string>;
}

/** Report options from the config's `report:` (defaults when there is no config). */
export function reportOptionsFrom(report: GateConfig["report"] | undefined): ReportOptions {
  return {
    maxFlips: report?.max_flips ?? 25,
    maxResponseChars: report?.max_response_chars ?? 280,
    redact: report?.redact ?? false,
  };
}

/** How one rendering differs from the full report.md. */
export interface View {
  detail?: Detail;
  /** Says what was left out to fit a limit, and where the full report is. */
  dropped?: string;
}

export const BADGE: Record<Verdict, string> = {
  pass: "✅ PASS",
  fail: "❌ FAIL",
  inconclusive: "⚠️ INCONCLUSIVE",
  waived: "🟡 WAIVED",
};
const OUTCOME_CELL: Record<Verdict, string> = {
  pass: "✅ pass",
  fail: "❌ fail",
  inconclusive: "⚠️ inconclusive",
  waived: "🟡 waived",
};

type ResultDecision = Results["decisions"][number];

export function fullDetail(options: ReportOptions): Detail {
  return { cases: options.maxFlips, categories: true, charts: true };
}

export function rateCell(e: RateEstimate | undefined): string {
  if (!e) return "–";
  if (e.rate === null) return "no cases";
  const raw = `${formatRate(e.rate)} (${e.failures}/${e.n}) ${formatInterval(e.ci, "rate")}`;
  return e.corrected
    ? `${raw}; corrected for grader error ${formatRate(e.corrected.rate)} ${formatInterval(e.corrected.ci, "rate")}`
    : raw;
}

export function gateText(
  d: Pick<Decision, "rule" | "build" | "threshold" | "alpha" | "margin" | "mode" | "category">,
): string {
  if (d.rule === "max")
    return `max ${formatRate(d.threshold ?? 0)}${d.build === "baseline" ? " (baseline)" : ""}`;
  const mode = d.mode === "non_inferiority" ? "non-inferiority" : "regression";
  const where = d.category !== undefined ? ` [${d.category}]` : "";
  return `${mode}${where} α ${d.alpha}${d.margin ? `, margin ${formatPoints(d.margin ?? 0)}` : ""}`;
}

export function verdictSummary(r: Results): string {
  const count = (o: Verdict) => r.decisions.filter((d) => d.outcome === o).length;
  const parts = [`${count("fail")} failed`, `${count("inconclusive")} inconclusive`];
  if (count("waived")) parts.push(`${count("waived")} waived`);
  parts.push(`${count("pass")} passed`);
  return `${r.decisions.length} gate checks: ${parts.join(", ")}`;
}

/** `waived by OWNER until DATE: REASON` — config text, escaped like any other. */
export function waiverText(d: ResultDecision): string {
  if (!d.waiver) return "";
  const w = d.waiver;
  return ` — waived by ${markdownInline(w.owner, 80)} until ${markdownInline(w.expires, 10)}: ${markdownInline(w.reason, 200)}`;
}

export function renderMarkdown(r: Results, options: ReportOptions, view: View = {}): string {
  const detail = view.detail ?? fullDetail(options);
  const out: string[] = [];
  const cand = r.builds.candidate;
  const base = r.builds.baseline;
  out.push(`## safety-gate: ${BADGE[r.verdict]}`, "");
  out.push(`**Verdict: ${r.verdict}** — ${verdictSummary(r)}.`, "");
  const notPassed = r.decisions.filter((x) => x.outcome !== "pass");
  for (const d of notPassed) {
    out.push(
      `- ${OUTCOME_CELL[d.outcome]} **${METRIC_INFO[d.metric].title}** (${markdownInline(gateText(d), 120)}): ${markdownInline(d.reason, 1000)}${waiverText(d)}`,
    );
  }
  const ignored = (r.waivers ?? []).filter((x) => x.status === "expired" || x.status === "too_long");
  for (const w of ignored) {
    const why = w.status === "expired" ? "expired" : "expires too far ahead (waiver_max_days)";
    out.push(
      `- ⚠️ waiver ignored, ${why}: **${METRIC_INFO[w.metric].title}**, owner ${markdownInline(w.owner, 80)}, expires ${markdownInline(w.expires, 10)}`,
    );
  }
  if (notPassed.length || ignored.length) out.push("");
  if (view.dropped) out.push(`> ${view.dropped}`, "");

  const build = (b: NonNullable<typeof base>) =>
    `${b.target.label ? `${markdownInline(b.target.label, 80)}: ` : ""}${markdownInline(b.target.kind, 20)} ${markdownInline(b.target.source, 200)}`;
  out.push(`Candidate: ${build(cand)}${base ? ` · Baseline: ${build(base)}` : " · no baseline"}  `);
  if (r.profile) {
    out.push(
      `Profile: ${markdownInline(r.profile.name, 100)} (branch ${markdownInline(r.profile.branch, 100)})  `,
    );
  }
  out.push(...policyBlock(r));
  out.push(
    `Suites: ${r.suites.map((s) => `${markdownInline(s.file, 200)} (${s.cases} cases, ${markdownInline(s.hash.slice(0, 19), 19)}…)`).join(", ")}`,
    "",
  );

  out.push(...metricTable(r));
  if (detail.charts) out.push(...RATE_METRICS.flatMap((m) => categoryChart(r, m)));
  if (detail.categories) out.push(...categoryTable(r));
  out.push(...flips(r, options, detail.cases));
  if (r.notes.length) out.push("### Notes", "", ...r.notes.map((n) => `- ${markdownInline(n, 1000)}`), "");
  out.push(
    `<sub>safety-gate ${markdownInline(r.tool.version, 40)} · config ${markdownInline(r.config.file, 200)} (${markdownInline(r.config.hash.slice(0, 19), 19)}…) · ${markdownInline(r.createdAt, 40)}</sub>`,
    "",
  );
  return out.join("\n");
}

function metricTable(r: Results): string[] {
  const conf = `${Math.round(r.confidence * 100)}% CI`;
  const out = [
    "### Metrics",
    "",
    `| Metric | Baseline [${conf}] | Candidate [${conf}] | Δ [CI] | Test | p (one-sided / two-sided) | Holm-adjusted p | MDE (80% power) | Gate | Outcome |`,
    "|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const metric of METRICS) {
    const cmp = r.comparisons.find((c) => c.metric === metric && c.category === undefined);
    const decisions = r.decisions.filter((d) => d.metric === metric && d.category === undefined);
    const c = r.metrics.candidate[metric].overall;
    if (c.n === 0 && decisions.length === 0) continue;
    const delta = cmp
      ? `${formatPoints(cmp.delta)} [${formatLevel(cmp.ciLevel)}: ${formatInterval(cmp.ci, "points").slice(1, -1)}]`
      : "–";
    const p = cmp ? `${formatP(cmp.pOneSided)} / ${formatP(cmp.pTwoSided)}` : "–";
    const gate = decisions.map(gateText).join("; ") || "not gated";
    out.push(
      `| ${METRIC_INFO[metric].title} (${METRIC_INFO[metric].failure}) | ${rateCell(r.metrics.baseline?.[metric].overall)} | ${rateCell(c)} | ${delta} | ${cmp?.test ?? "–"} | ${p} | ${adjustedText(cmp)} | ${mdeText(cmp)} | ${gate} | ${worstCell(decisions)} |`,
    );
  }
  out.push("");
  const paired = r.comparisons.filter((c) => c.pairs > 0 && c.category === undefined);
  if (paired.length) {
    out.push(
      `Δ = candidate − baseline on the same cases; one-sided p for "candidate worse" (Δ > margin; for non-inferiority gates, Δ < margin). Each interval's level matches its (Holm-adjusted) one-sided test. MDE: the true Δ the test would detect with 80% power at α divided by the number of comparisons.`,
      "",
      ...paired.map(
        (c) =>
          `- ${METRIC_INFO[c.metric].title}: ${c.test} — ${c.testReason}; interval: ${c.interval}.${c.power ? ` ${powerText(c)}.` : ""}`,
      ),
      "",
    );
  }
  return out;
}

function worstCell(decisions: readonly ResultDecision[]): string {
  if (!decisions.length) return "–";
  return OUTCOME_CELL[
    decisions.reduce<Verdict>((w, d) => (severity(d.outcome) > severity(w) ? d.outcome : w), "pass")
  ];
}

function categoryTable(r: Results): string[] {
  const rows: string[] = [];
  for (const metric of METRICS) {
    if (metric === "error_rate") continue;
    const cats = r.metrics.candidate[metric].byCategory;
    for (const [cat, c] of Object.entries(cats)) {
      const b = r.metrics.baseline?.[metric].byCategory[cat];
      const cmp = r.comparisons.find((x) => x.metric === metric && x.category === cat);
      const d = r.decisions.find((x) => x.metric === metric && x.category === cat);
      const delta = cmp
        ? `${formatPoints(cmp.delta)} [${formatLevel(cmp.ciLevel)}: ${formatInterval(cmp.ci, "points").slice(1, -1)}]`
        : "–";
      rows.push(
        `| ${METRIC_INFO[metric].title} | ${markdownInline(cat, 60)} | ${rateCell(b)} | ${rateCell(c)} | ${delta} | ${cmp ? formatP(cmp.pOneSided) : "–"} | ${adjustedText(cmp)} | ${mdeText(cmp)} | ${d ? OUTCOME_CELL[d.outcome] : "–"} |`,
      );
    }
  }
  if (!rows.length) return [];
  return [
    "<details><summary>Per category</summary>",
    "",
    "| Metric | Category | Baseline | Candidate | Δ [CI] | p (one-sided) | Holm-adjusted p | MDE | Outcome |",
    "|---|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
    "</details>",
    "",
  ];
}

function flips(r: Results, options: ReportOptions, shown: number): string[] {
  const base = new Map((r.builds.baseline?.cases ?? []).map((c) => [c.id, c]));
  const cand = new Map(r.builds.candidate.cases.map((c) => [c.id, c]));
  const out: string[] = [];
  for (const cmp of r.comparisons) {
    if (cmp.category !== undefined) continue; // the overall comparison lists every flip once
    if (!cmp.regressed.length && !cmp.improved.length) continue;
    const title = METRIC_INFO[cmp.metric as MetricName].title;
    out.push(
      `<details><summary>${title}: ${cmp.regressed.length} newly failing, ${cmp.improved.length} newly passing</summary>`,
      "",
    );
    for (const [label, ids] of [
      ["Newly failing (regressions)", cmp.regressed],
      ["Newly passing", cmp.improved],
    ] as const) {
      if (!ids.length) continue;
      out.push(`#### ${label}: ${ids.length}`, "");
      for (const id of ids.slice(0, shown)) {
        const c = cand.get(id);
        if (c) out.push(...flippedCase(c, base.get(id), options));
      }
      if (ids.length > shown) {
        out.push(
          `${shown ? "… and " : ""}${ids.length - shown} ${shown ? "more" : "cases"}, listed in results.json.`,
          "",
        );
      }
    }
    out.push("</details>", "");
  }
  return out;
}

/** Untrusted text as a fenced block, or as its hash and length when redacted. */
function untrusted(text: string, options: ReportOptions, max: number): string {
  return options.redact ? redactedText(text) : fencedBlock(text, max);
}

function outcomeLine(who: string, o: CaseOutcome | undefined, options: ReportOptions): string {
  if (!o) return `${who}: no result`;
  if (o.status === "error") return `${who}: error — ${markdownInline(o.error ?? "", 200)}`;
  const grades = o.grades.map((g) =>
    options.redact ? markdownInline(`${g.grader}: ${g.label}`, 100) : markdownInline(g.reason, 160),
  );
  return `${who}: **${o.status}**${grades.length ? ` — ${grades.join("; ")}` : ""}`;
}

function flippedCase(c: CaseOutcome, b: CaseOutcome | undefined, options: ReportOptions): string[] {
  const out = [`**${markdownInline(c.id, 120)}** · ${markdownInline(c.category, 60)}`, ""];
  const prompt = options.prompts?.get(c.id);
  if (prompt !== undefined) out.push("Prompt:", "", untrusted(prompt, options, options.maxResponseChars), "");
  for (const [who, o] of [
    ["Baseline", b],
    ["Candidate", c],
  ] as const) {
    out.push(outcomeLine(who, o, options), "");
    if (o?.response !== undefined && o.status !== "error") {
      out.push(untrusted(o.response, options, options.maxResponseChars), "");
    }
  }
  return out;
}
