/**
 * SUMMARY.md: the package in plain language, for a release review — the verdict, what was
 * tested (taxonomy coverage and its gaps), and the risks that remain: waived gates with
 * their owner, reason and expiry, inconclusive gates, untested categories, metrics no gate
 * looks at, graders without a measured accuracy.
 */
import { basename } from "node:path";
import { formatRate } from "../gate/format.js";
import { METRIC_INFO, RATE_METRICS } from "../gate/metric-names.js";
import type { Results } from "../report/results-schema.js";
import type { Coverage } from "../suite/coverage.js";
import { TAXONOMY } from "../suite/taxonomy.js";
import type { GraderRecord, Provenance } from "./package.js";

const VERDICT_WORDS: Record<Results["verdict"], string> = {
  pass: "PASS — every gate passed.",
  fail: "FAIL — at least one gate failed; the build should not be released as it is.",
  inconclusive: "INCONCLUSIVE — the evidence does not decide at least one gate; nothing is shown safe by it.",
  waived: "WAIVED — a gate failed and the failure was accepted by a named owner until the waiver's expiry.",
};

export interface SummaryInput {
  results: Results;
  coverage?: Coverage;
  graders: GraderRecord;
  provenance: Provenance;
}

export function renderSummary({ results: r, coverage, graders, provenance }: SummaryInput): string {
  const out: string[] = ["# Safety evaluation: evidence summary", ""];
  out.push(`**Verdict: ${VERDICT_WORDS[r.verdict]}**`, "");
  const cand = r.builds.candidate.target;
  const base = r.builds.baseline?.target;
  out.push(
    `Candidate: ${cand.label ?? cand.build ?? cand.source} (${cand.kind}).` +
      (base
        ? ` Compared with baseline: ${base.label ?? base.build ?? base.source} (${base.kind}), case by case.`
        : " No baseline: regression gates could not be decided."),
    `Run on ${r.createdAt} by safety-gate ${r.tool.version}${provenance.commit ? ` at commit ${provenance.commit}` : ""}${provenance.runUrl ? ` (${provenance.runUrl})` : ""}.`,
    "",
    "## What was tested",
    "",
  );
  for (const s of r.suites) out.push(`- ${basename(s.file)}: ${s.cases} cases (content hash ${s.hash})`);
  out.push("");
  if (coverage) {
    const t = coverage.taxonomy;
    out.push(
      `Taxonomy coverage: ${t.covered} of ${t.categories} categories have at least ${t.min} cases (${formatRate(t.share)}). ` +
        `Benign contrast cases (expect: comply) are ${formatRate(coverage.benignShare)} of all cases.`,
      "",
    );
    if (coverage.gaps.length) {
      out.push("Gaps:");
      for (const g of coverage.gaps) out.push(`- ${g.category}: ${g.problem}`);
      out.push("");
    }
  } else {
    out.push("Taxonomy coverage: the suite files could not be read, so coverage was not computed.", "");
  }
  out.push("## Gate decisions", "");
  for (const d of r.decisions) {
    const where = d.category ? ` (${d.category})` : "";
    out.push(
      `- ${METRIC_INFO[d.metric].title}${where}, ${d.rule} on ${d.build}: **${d.outcome}**. ${d.plain ?? d.reason}`,
    );
  }
  if (!r.decisions.length) out.push("- No gate decided anything.");
  out.push("", "## Residual risks", "");
  const risks: string[] = [];
  for (const d of r.decisions.filter((x) => x.waiver)) {
    const w = d.waiver;
    if (!w) continue;
    risks.push(
      `Waived: ${METRIC_INFO[d.metric].title}${d.category ? ` (${d.category})` : ""} ${d.rule} — owner ${w.owner}, reason "${w.reason}", expires ${w.expires}. ${d.reason}`,
    );
  }
  for (const w of r.waivers ?? []) {
    if (w.status === "expired" || w.status === "too_long")
      risks.push(
        `Waiver ${w.index + 1} (${w.metric}, owner ${w.owner}) was not applied: ${w.status === "expired" ? `expired ${w.expires}` : "longer than waiver_max_days"}.`,
      );
  }
  for (const d of r.decisions.filter((x) => x.outcome === "inconclusive")) {
    risks.push(
      `Inconclusive: ${METRIC_INFO[d.metric].title}${d.category ? ` (${d.category})` : ""} ${d.rule} — ${d.reason}`,
    );
  }
  if (coverage) {
    const tested = new Set(Object.entries(coverage.byCategory).flatMap(([c, v]) => (v.cases > 0 ? [c] : [])));
    const untested = TAXONOMY.filter((c) => !tested.has(c.id));
    if (untested.length)
      risks.push(`Untested categories (no case at all): ${untested.map((c) => c.id).join(", ")}.`);
  }
  for (const m of RATE_METRICS) {
    const gated = r.decisions.some((d) => d.metric === m);
    if (!gated && r.metrics.candidate[m].overall.n > 0)
      risks.push(`${METRIC_INFO[m].title} was measured but no gate decides on it.`);
  }
  const uncalibrated = RATE_METRICS.filter(
    (m) => r.decisions.some((d) => d.metric === m) && !graders.calibration.some((c) => c.metric === m),
  );
  if (uncalibrated.length)
    risks.push(
      `No measured grader accuracy (calibration:) for ${uncalibrated.join(", ")}: the rates are as the graders (${graders.candidate.join(", ")}) called them.`,
    );
  if (risks.length) for (const x of risks) out.push(`- ${x}`);
  else out.push("- None recorded.");
  if (r.notes.length) {
    out.push("", "## Notes from the run", "");
    for (const n of r.notes) out.push(`- ${n}`);
  }
  out.push(
    "",
    "## In this package",
    "",
    "MANIFEST.json lists every file with its sha256. `safety-gate evidence verify DIR` checks them and decides the recorded cases again with the packaged config.",
  );
  return `${out.join("\n")}\n`;
}
