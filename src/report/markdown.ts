/**
 * `report.md`, the GitHub job summary, the pull-request comment and the check run summary.
 * What a reviewer needs in the first seconds comes first and fits a pull request's width:
 * the verdict (with the commit and the workflow run, when the GitHub layer knows them), a
 * five-column table (metric · baseline · candidate · Δ · outcome) and one plain sentence per
 * gate. The statistics behind them (test, p, Holm, MDE, intervals) follow, collapsed; then
 * charts, the per-category table and the cases that flipped. Nothing is left out of
 * report.md: it is the same layout, only the comment may drop detail to fit GitHub's limit.
 * Everything a suite or a model wrote goes through ./escape.ts.
 */

import type { GateConfig } from "../config/schema.js";
import { againstName, type Decision } from "../gate/decide.js";
import { formatInterval, formatP, formatPoints, formatRate } from "../gate/format.js";
import { METRIC_INFO, METRICS, type MetricName, RATE_METRICS, type RateEstimate } from "../gate/metrics.js";
import type { CaseOutcome } from "../gate/outcome.js";
import { severity, type Verdict } from "../gate/waivers.js";
import { noun, plural } from "../io/plural.js";
import { shownResponse } from "./agent-text.js";
import { categoryRows } from "./category-rows.js";
import { categoryChart } from "./chart.js";
import { adjustedText, atMargin, deltaCell, mdeText, powerText } from "./comparison-text.js";
import { costLine } from "./cost-text.js";
import { errorCauses, idList } from "./error-causes.js";
import { fencedBlock, markdownInline, redactedText } from "./escape.js";
import type { Detail } from "./fit.js";
import { lookLine } from "./look-line.js";
import { policyBlock } from "./policy-block.js";
import type { Results } from "./results-schema.js";
import { SHOWN_CATEGORIES, SHOWN_DECISIONS } from "./top.js";

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

/**
 * Where a rendering is read: the commit it reports on and the workflow run that made it.
 * The GitHub layer passes them; the core never reads GitHub's environment.
 */
export interface ReportContext {
  /** The commit the verdict is for (a pull request's head). */
  sha?: string;
  /** The workflow run with the job summary and the artifact. */
  runUrl?: string;
  /** Markdown lines on the metrics over time (../trend/sparkline.ts trendLines), after the verdict. */
  trend?: readonly string[];
}

/** How one rendering differs from the full report.md. */
export interface View {
  detail?: Detail;
  /** Says what was left out to fit a limit, and where the full report is. */
  dropped?: string;
  context?: ReportContext;
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

/** The outcome column of the summary table: a mark and a word, short enough for any width. */
const OUTCOME_SHORT: Record<Verdict, string> = {
  pass: "✓ pass",
  fail: "✗ fail",
  inconclusive: "? inconclusive",
  waived: "~ waived",
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
  d: Pick<Decision, "rule" | "build" | "threshold" | "alpha" | "margin" | "mode" | "category" | "against"> & {
    implied?: boolean;
  },
): string {
  const implied = d.implied ? " (implied)" : "";
  if (d.rule === "max")
    return `max ${formatRate(d.threshold ?? 0)}${d.build === "baseline" ? " (baseline)" : ""}${implied}`;
  const mode = d.mode === "non_inferiority" ? "non-inferiority" : "regression";
  const where = d.category !== undefined ? ` [${d.category}]` : "";
  // Beside a reference, which comparison this is: "vs baseline" or "vs reference (v1.2 release)".
  const vs = d.against ? ` vs ${againstName(d.against).replace(/^the /, "")}` : "";
  return `${mode}${vs}${where} α ${d.alpha}${d.margin ? `, margin ${formatPoints(d.margin ?? 0)}` : ""}${implied}`;
}

export function verdictSummary(r: Results): string {
  const count = (o: Verdict) => r.decisions.filter((d) => d.outcome === o).length;
  const parts = [`${count("fail")} failed`, `${count("inconclusive")} inconclusive`];
  if (count("waived")) parts.push(`${count("waived")} waived`);
  parts.push(`${count("pass")} passed`);
  return `${plural(r.decisions.length, "gate check")}: ${parts.join(", ")}`;
}

/** `waived by OWNER until DATE: REASON` — config text, escaped like any other. */
export function waiverText(d: ResultDecision): string {
  if (!d.waiver) return "";
  const w = d.waiver;
  return ` — waived by ${markdownInline(w.owner, 80)} until ${markdownInline(w.expires, 10)}: ${markdownInline(w.reason, 200)}`;
}

/** `Commit abc1234 · workflow run`: what the report is about and where it came from. */
function contextLine(context: ReportContext | undefined): string | undefined {
  const parts: string[] = [];
  if (context?.sha) {
    const sha = /^[0-9a-f]{7,64}$/i.test(context.sha)
      ? context.sha.slice(0, 7)
      : markdownInline(context.sha, 40);
    parts.push(`Commit \`${sha}\``);
  }
  // A URL the GitHub layer built from the runner's environment; anything odd is left out.
  if (context?.runUrl && /^https?:\/\/[^\s()<>[\]]+$/.test(context.runUrl))
    parts.push(`[workflow run](${context.runUrl})`);
  return parts.length ? parts.join(" · ") : undefined;
}

export function renderMarkdown(r: Results, options: ReportOptions, view: View = {}): string {
  const detail = view.detail ?? fullDetail(options);
  const out: string[] = [];
  const cand = r.builds.candidate;
  const base = r.builds.baseline;
  const cost = costLine(r);
  out.push(
    `## safety-gate: ${BADGE[r.verdict]}${r.smoke ? " — smoke run, not a gate" : ""}${r.budget ? " — budget reached, not every case asked" : ""}`,
    "",
  );
  const where = contextLine(view.context);
  out.push(`**Verdict: ${r.verdict}** — ${verdictSummary(r)}.${where ? `  \n${where}` : ""}`, "");
  if (view.context?.trend?.length) out.push(...view.context.trend, "");
  if (r.sequential) out.push(`Sequential run: ${lookLine(r.sequential)}.`, "");
  out.push(...summaryTable(r));
  out.push(...gateSentences(r));
  const ignored = (r.waivers ?? []).filter((x) => x.status === "expired" || x.status === "too_long");
  for (const w of ignored) {
    const why = w.status === "expired" ? "expired" : "expires too far ahead (waiver_max_days)";
    out.push(
      `- ⚠️ waiver ignored, ${why}: **${METRIC_INFO[w.metric].title}**, owner ${markdownInline(w.owner, 80)}, expires ${markdownInline(w.expires, 10)}`,
    );
  }
  out.push("");
  if (view.dropped) out.push(`> ${view.dropped}`, "");

  const build = (b: NonNullable<typeof base>) =>
    `${b.target.label ? `${markdownInline(b.target.label, 80)}: ` : ""}${markdownInline(b.target.kind, 20)} ${markdownInline(b.target.source, 200)}`;
  const ref = r.builds.reference;
  out.push(
    `Candidate: ${build(cand)}${base ? ` · Baseline: ${build(base)}` : " · no baseline"}${ref ? ` · Reference: ${build(ref)}` : ""}  `,
  );
  if (r.profile) {
    out.push(
      `Profile: ${markdownInline(r.profile.name, 100)} (branch ${markdownInline(r.profile.branch, 100)})  `,
    );
  }
  out.push(...policyBlock(r));
  out.push(
    `Suites: ${r.suites.map((s) => `${markdownInline(s.file, 200)} (${plural(s.cases, "case")}, ${markdownInline(s.hash.slice(0, 19), 19)}…)`).join(", ")}${cost ? "  " : ""}`,
  );
  if (cost) out.push(`Cost: ${markdownInline(cost, 600)}`);
  out.push("");

  // Appended line by line: spreading a long array into push() overflows the stack.
  const add = (lines: readonly string[]) => {
    for (const l of lines) out.push(l);
  };
  out.push(
    "<details><summary>Statistics: test, p, Holm-adjusted p, minimum detectable effect and intervals per metric</summary>",
    "",
  );
  add(metricTable(r));
  add(gateReasons(r));
  out.push("</details>", "");
  add(erroredCases(r));
  if (detail.charts) add(RATE_METRICS.flatMap((m) => categoryChart(r, m)));
  if (detail.categories) add(categoryTable(r));
  add(flips(r, options, detail.cases));
  if (r.notes.length) out.push("### Notes", "", ...r.notes.map((n) => `- ${markdownInline(n, 1000)}`), "");
  out.push(
    `<sub>safety-gate ${markdownInline(r.tool.version, 40)} · config ${markdownInline(r.config.file, 200)} (${markdownInline(r.config.hash.slice(0, 19), 19)}…) · ${markdownInline(r.createdAt, 40)}</sub>`,
    "",
  );
  return out.join("\n");
}

/** Rate and count without the interval: the interval is in the statistics below. */
function shortRate(e: RateEstimate | undefined): string {
  if (!e) return "–";
  if (e.rate === null) return "no cases";
  return `${formatRate(e.rate)} (${e.failures}/${e.n})`;
}

/** Metric · baseline · candidate · Δ · outcome: five columns that fit a pull request's width. */
function summaryTable(r: Results): string[] {
  const rows: string[] = [];
  const withReference = r.referenceComparisons !== undefined;
  for (const metric of METRICS) {
    const cmp = r.comparisons.find((c) => c.metric === metric && c.category === undefined);
    // Every decision on the metric, per-category ones too: a failing category fails the row.
    const decisions = r.decisions.filter((d) => d.metric === metric);
    const c = r.metrics.candidate[metric].overall;
    if (c.n === 0 && decisions.length === 0) continue;
    const outcome = decisions.length ? OUTCOME_SHORT[worstOf(decisions)] : "not gated";
    const delta = (x: typeof cmp) => (x && x.pairs > 0 ? formatPoints(x.delta) : "–");
    // With a reference, its rate and the drift since it sit beside the baseline's.
    const rc = r.referenceComparisons?.find((x) => x.metric === metric && x.category === undefined);
    const refCells = withReference
      ? ` ${shortRate(r.metrics.reference?.[metric].overall)} | ${delta(rc)} |`
      : "";
    rows.push(
      `| ${METRIC_INFO[metric].title} | ${shortRate(r.metrics.baseline?.[metric].overall)} | ${shortRate(c)} | ${delta(cmp)} |${refCells} ${outcome} |`,
    );
  }
  if (!rows.length) return [];
  return withReference
    ? [
        "| Metric | Baseline | Candidate | Δ | Reference | Δ vs reference | Outcome |",
        "|---|--:|--:|--:|--:|--:|---|",
        ...rows,
        "",
      ]
    : ["| Metric | Baseline | Candidate | Δ | Outcome |", "|---|--:|--:|--:|---|", ...rows, ""];
}

/**
 * The statistics behind each gate's sentence, one level down (inside the collapsed
 * section): every overall decision, and the per-category ones that did not pass (bounded).
 */
function gateReasons(r: Results): string[] {
  const shown = boundedDecisions(r.decisions.filter((d) => d.category === undefined || d.outcome !== "pass"));
  if (!shown.length) return [];
  const out = ["", "**Why each gate decided as it did**", ""];
  for (const d of shown) {
    out.push(
      typeof d === "string"
        ? `- ${d}`
        : `- ${OUTCOME_SHORT[d.outcome].split(" ")[0]} **${METRIC_INFO[d.metric].title}** · ${markdownInline(gateText(d), 120)}: ${markdownInline(d.reason, 1000)}`,
    );
  }
  out.push("");
  return out;
}

/**
 * One sentence per gate, the ones that did not pass first. Per-category gates that passed
 * are one sentence per metric ("9 of 9 categories show no significant regression").
 */
function gateSentences(r: Results): string[] {
  const lines: { outcome: Verdict; text: string }[] = [];
  const say = (d: ResultDecision) =>
    lines.push({
      outcome: d.outcome,
      text: `${OUTCOME_SHORT[d.outcome].split(" ")[0]} **${METRIC_INFO[d.metric].title}** · ${markdownInline(gateText(d), 120)}: ${markdownInline(d.plain ?? d.reason, 1000)}${waiverText(d)}`,
    });
  for (const metric of METRICS) {
    const mine = r.decisions.filter((x) => x.metric === metric);
    for (const d of mine.filter((x) => x.category === undefined)) say(d);
    const byCategory = mine.filter((x) => x.category !== undefined);
    const passed = byCategory.filter((x) => x.outcome === "pass").length;
    if (passed) {
      lines.push({
        outcome: "pass",
        text: `✓ **${METRIC_INFO[metric].title}** · by category: ${passed} of ${plural(byCategory.length, "category")} ${byCategory.length === 1 ? "shows" : "show"} no significant regression`,
      });
    }
    for (const d of boundedDecisions(byCategory.filter((x) => x.outcome !== "pass"))) {
      if (typeof d === "string") lines.push({ outcome: "inconclusive", text: d });
      else say(d);
    }
  }
  return lines
    .map((l, i) => ({ ...l, i }))
    .sort((a, b) => severity(b.outcome) - severity(a.outcome) || a.i - b.i)
    .map((l) => `- ${l.text}`);
}

function worstOf(decisions: readonly ResultDecision[]): Verdict {
  return decisions.reduce<Verdict>((w, d) => (severity(d.outcome) > severity(w) ? d.outcome : w), "pass");
}

/**
 * The decisions in their order, with at most SHOWN_DECISIONS per-category ones per metric;
 * in place of the rest, a line saying how many more there are.
 */
export function boundedDecisions(
  decisions: readonly ResultDecision[],
  limit = SHOWN_DECISIONS,
): (ResultDecision | string)[] {
  const seen = new Map<string, number>();
  const out: (ResultDecision | string)[] = [];
  for (const d of decisions) {
    if (d.category === undefined) {
      out.push(d);
      continue;
    }
    const n = (seen.get(d.metric) ?? 0) + 1;
    seen.set(d.metric, n);
    if (n <= limit) out.push(d);
  }
  for (const [metric, n] of seen) {
    if (n > limit)
      out.push(
        `… and ${n - limit} more ${METRIC_INFO[metric as MetricName].title} ${noun(n - limit, "category")} not passing, in results.json`,
      );
  }
  return out;
}

function metricTable(r: Results): string[] {
  const conf = `${Math.round(r.confidence * 100)}% CI`;
  const out = [
    `| Metric | Baseline [${conf}] | Candidate [${conf}] | Δ [CI] | Test | p (one-sided / two-sided) | Holm-adjusted p | MDE (80% power) | Gate | Outcome |`,
    "|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const metric of METRICS) {
    const cmp = r.comparisons.find((c) => c.metric === metric && c.category === undefined);
    const decisions = r.decisions.filter((d) => d.metric === metric && d.category === undefined);
    const c = r.metrics.candidate[metric].overall;
    if (c.n === 0 && decisions.length === 0) continue;
    const delta = deltaCell(cmp);
    const p = cmp ? `${formatP(cmp.pOneSided)} / ${formatP(cmp.pTwoSided)}${atMargin(cmp)}` : "–";
    // The reference's gates are on the row below.
    const gate =
      decisions
        .filter((d) => d.against?.build !== "reference")
        .map(gateText)
        .join("; ") || "not gated";
    out.push(
      `| ${METRIC_INFO[metric].title} (${METRIC_INFO[metric].failure}) | ${rateCell(r.metrics.baseline?.[metric].overall)} | ${rateCell(c)} | ${delta} | ${cmp?.test ?? "–"} | ${p} | ${adjustedText(cmp)} | ${mdeText(cmp)} | ${gate} | ${worstCell(decisions)} |`,
    ); // The comparison with the reference on a row of its own, under the metric's.
    const rc = r.referenceComparisons?.find((x) => x.metric === metric && x.category === undefined);
    const rd = decisions.filter((d) => d.against?.build === "reference");
    if (rc) {
      out.push(
        `| ↳ vs ${markdownInline(againstName(rd[0]?.against ?? { build: "reference" }).replace(/^the /, ""), 120)} | ${rateCell(r.metrics.reference?.[metric].overall)} | ${rateCell(c)} | ${deltaCell(rc)} | ${rc.test} | ${formatP(rc.pOneSided)} / ${formatP(rc.pTwoSided)}${atMargin(rc)} | ${adjustedText(rc)} | ${mdeText(rc)} | ${rd.map(gateText).join("; ") || "not gated"} | ${worstCell(rd)} |`,
      );
    }
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

/** Why cases errored, grouped by cause, with their ids (see ./error-causes.ts). */
function erroredCases(r: Results): string[] {
  const builds = errorCauses(r);
  if (builds.length === 0) return [];
  const out = ["### Errored cases", ""];
  for (const { build, causes } of builds) {
    for (const { cause, ids } of causes) {
      out.push(
        `- ${build}: **${ids.length} ×** ${markdownInline(cause, 300)} — ${markdownInline(idList(ids), 600)}`,
      );
    }
  }
  out.push("");
  return out;
}

function worstCell(decisions: readonly ResultDecision[]): string {
  return decisions.length ? OUTCOME_CELL[worstOf(decisions)] : "–";
}

function categoryTable(r: Results): string[] {
  const rows: string[] = [];
  for (const { metric, rows: shown, leftOut } of categoryRows(r, SHOWN_CATEGORIES)) {
    const cats = r.metrics.candidate[metric].byCategory;
    for (const { category: cat, comparison: cmp, decision: d } of shown) {
      rows.push(
        `| ${METRIC_INFO[metric].title} | ${markdownInline(cat, 60)} | ${rateCell(r.metrics.baseline?.[metric].byCategory[cat])} | ${rateCell(cats[cat])} | ${deltaCell(cmp)} | ${cmp ? formatP(cmp.pOneSided) : "–"} | ${adjustedText(cmp)} | ${mdeText(cmp)} | ${d ? OUTCOME_CELL[d.outcome] : "–"} |`,
      );
    }
    if (leftOut > 0) {
      rows.push(
        `| ${METRIC_INFO[metric].title} | … and ${leftOut} more categories in results.json | | | | | | | |`,
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
    const shown = o === undefined ? undefined : shownResponse(o);
    if (shown !== undefined && o?.status !== "error") {
      out.push(untrusted(shown, options, options.maxResponseChars), "");
    }
  }
  return out;
}
