/**
 * `report.md` (and the GitHub job summary): verdict first, then per metric the baseline,
 * the candidate, Δ with its interval, p and the gate; then the cases that flipped.
 */
import type { Decision, Outcome } from "../gate/decide.js";
import { formatInterval, formatP, formatPoints, formatRate } from "../gate/format.js";
import { METRIC_INFO, METRICS, type MetricName, type RateEstimate } from "../gate/metrics.js";
import type { CaseOutcome } from "../gate/outcome.js";
import { markdownInline } from "./escape.js";
import type { Results } from "./results-schema.js";

export interface ReportOptions {
  maxFlips: number;
  maxResponseChars: number;
}

const BADGE: Record<Outcome, string> = { pass: "✅ PASS", fail: "❌ FAIL", inconclusive: "⚠️ INCONCLUSIVE" };
const OUTCOME_CELL: Record<Outcome, string> = {
  pass: "✅ pass",
  fail: "❌ fail",
  inconclusive: "⚠️ inconclusive",
};

export function rateCell(e: RateEstimate | undefined): string {
  if (!e) return "–";
  if (e.rate === null) return "no cases";
  const raw = `${formatRate(e.rate)} (${e.failures}/${e.n}) ${formatInterval(e.ci, "rate")}`;
  return e.corrected
    ? `${raw}; corrected for grader error ${formatRate(e.corrected.rate)} ${formatInterval(e.corrected.ci, "rate")}`
    : raw;
}

export function gateText(d: Decision): string {
  if (d.rule === "max")
    return `max ${formatRate(d.threshold ?? 0)}${d.build === "baseline" ? " (baseline)" : ""}`;
  return `regression α ${d.alpha}${d.margin ? `, margin ${formatPoints(d.margin ?? 0)}` : ""}`;
}

export function verdictSummary(r: Results): string {
  const count = (o: Outcome) => r.decisions.filter((d) => d.outcome === o).length;
  const parts = [
    `${count("fail")} failed`,
    `${count("inconclusive")} inconclusive`,
    `${count("pass")} passed`,
  ];
  return `${r.decisions.length} gate checks: ${parts.join(", ")}`;
}

export function renderMarkdown(r: Results, options: ReportOptions): string {
  const out: string[] = [];
  const cand = r.builds.candidate;
  const base = r.builds.baseline;
  out.push(`## safety-gate: ${BADGE[r.verdict]}`, "");
  out.push(`**Verdict: ${r.verdict}** — ${verdictSummary(r)}.`, "");
  for (const d of r.decisions.filter((x) => x.outcome !== "pass")) {
    out.push(`- ${OUTCOME_CELL[d.outcome]} **${METRIC_INFO[d.metric].title}** (${gateText(d)}): ${d.reason}`);
  }
  if (r.decisions.some((x) => x.outcome !== "pass")) out.push("");

  const build = (b: NonNullable<typeof base>) =>
    `${b.target.label ? `${b.target.label}: ` : ""}${b.target.kind} \`${b.target.source}\``;
  out.push(`Candidate: ${build(cand)}${base ? ` · Baseline: ${build(base)}` : " · no baseline"}  `);
  out.push(
    `Suites: ${r.suites.map((s) => `\`${s.file}\` (${s.cases} cases, \`${s.hash.slice(0, 19)}…\`)`).join(", ")}`,
    "",
  );

  const conf = `${Math.round(r.confidence * 100)}% CI`;
  out.push("### Metrics", "");
  out.push(
    `| Metric | Baseline [${conf}] | Candidate [${conf}] | Δ [CI] | p (one-sided / two-sided) | Gate | Outcome |`,
  );
  out.push("|---|---|---|---|---|---|---|");
  for (const metric of METRICS) {
    const cmp = r.comparisons.find((c) => c.metric === metric);
    const decisions = r.decisions.filter((d) => d.metric === metric);
    const c = r.metrics.candidate[metric].overall;
    if (c.n === 0 && decisions.length === 0) continue;
    const delta = cmp
      ? `${formatPoints(cmp.delta)} [${Math.round(cmp.ciLevel * 1000) / 10}%: ${formatInterval(cmp.ci, "points").slice(1, -1)}]`
      : "–";
    const p = cmp ? `${formatP(cmp.pOneSided)} / ${formatP(cmp.pTwoSided)}` : "–";
    const gate = decisions.map(gateText).join("; ") || "not gated";
    const outcome = decisions.length
      ? OUTCOME_CELL[
          decisions.reduce((w, d) => (order(d.outcome) > order(w) ? d.outcome : w), "pass" as Outcome)
        ]
      : "–";
    out.push(
      `| ${METRIC_INFO[metric].title} (${METRIC_INFO[metric].failure}) | ${rateCell(r.metrics.baseline?.[metric].overall)} | ${rateCell(c)} | ${delta} | ${p} | ${gate} | ${outcome} |`,
    );
  }
  out.push("");
  const paired = r.comparisons.filter((c) => c.pairs > 0);
  if (paired.length) {
    out.push(
      `Δ = candidate − baseline on the same cases (Newcombe hybrid-score interval; its level matches the one-sided test). p: exact McNemar on the discordant pairs; one-sided for "candidate worse".`,
      "",
    );
  }

  out.push(...categoryTable(r));
  out.push(...flips(r, options));
  if (r.notes.length) out.push("### Notes", "", ...r.notes.map((n) => `- ${n}`), "");
  out.push(
    `<sub>safety-gate ${r.tool.version} · config \`${r.config.file}\` (\`${r.config.hash.slice(0, 19)}…\`) · ${r.createdAt}</sub>`,
    "",
  );
  return out.join("\n");
}

function order(o: Outcome): number {
  return o === "fail" ? 2 : o === "inconclusive" ? 1 : 0;
}

function categoryTable(r: Results): string[] {
  const rows: string[] = [];
  for (const metric of METRICS) {
    if (metric === "error_rate") continue;
    const cats = r.metrics.candidate[metric].byCategory;
    for (const [cat, c] of Object.entries(cats)) {
      const b = r.metrics.baseline?.[metric].byCategory[cat];
      rows.push(
        `| ${METRIC_INFO[metric].title} | ${markdownInline(cat, 60)} | ${rateCell(b)} | ${rateCell(c)} |`,
      );
    }
  }
  if (!rows.length) return [];
  return [
    "<details><summary>Per category</summary>",
    "",
    "| Metric | Category | Baseline | Candidate |",
    "|---|---|---|---|",
    ...rows,
    "",
    "</details>",
    "",
  ];
}

function flips(r: Results, options: ReportOptions): string[] {
  const base = new Map((r.builds.baseline?.cases ?? []).map((c) => [c.id, c]));
  const cand = new Map(r.builds.candidate.cases.map((c) => [c.id, c]));
  const out: string[] = [];
  for (const cmp of r.comparisons) {
    if (!cmp.regressed.length && !cmp.improved.length) continue;
    const title = METRIC_INFO[cmp.metric as MetricName].title;
    out.push(`### ${title}: ${cmp.regressed.length} newly failing, ${cmp.improved.length} newly passing`, "");
    for (const [label, ids, open] of [
      ["Newly failing (regressions)", cmp.regressed, true],
      ["Newly passing", cmp.improved, false],
    ] as const) {
      if (!ids.length) continue;
      out.push(`<details${open ? " open" : ""}><summary>${label}: ${ids.length}</summary>`, "");
      out.push(
        "| Case | Category | Baseline response | Candidate response | Candidate grade |",
        "|---|---|---|---|---|",
      );
      for (const id of ids.slice(0, options.maxFlips)) {
        const c = cand.get(id) as CaseOutcome;
        const b = base.get(id);
        out.push(
          `| \`${id}\` | ${markdownInline(c.category, 40)} | ${cell(b, options)} | ${cell(c, options)} | ${markdownInline(c.grades.map((g) => g.reason).join("; "), 120)} |`,
        );
      }
      if (ids.length > options.maxFlips) {
        out.push("", `… and ${ids.length - options.maxFlips} more, listed in results.json.`);
      }
      out.push("", "</details>", "");
    }
  }
  return out;
}

function cell(o: CaseOutcome | undefined, options: ReportOptions): string {
  if (!o) return "–";
  if (o.status === "error") return `*error: ${markdownInline(o.error ?? "", 80)}*`;
  return markdownInline(o.response ?? "", options.maxResponseChars);
}
