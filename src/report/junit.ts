/**
 * JUnit XML for CI systems other than GitHub (GitLab, Jenkins, Buildkite, Azure…): one
 * testsuite per metric with a testcase per suite case (a failure when the candidate fails
 * it, an error when it has no usable response), and a `gates` testsuite with a testcase
 * per gate decision. Model text is cleaned and escaped for XML 1.0 (./escape.ts).
 */

import { METRIC_INFO, RATE_METRICS, type RateMetric } from "../gate/metrics.js";
import type { CaseOutcome } from "../gate/outcome.js";
import { shownResponse } from "./agent-text.js";
import { redactedText, truncate, xmlText } from "./escape.js";
import { gateText } from "./markdown.js";
import type { Results } from "./results-schema.js";

export interface JunitOptions {
  redact: boolean;
  maxResponseChars: number;
}

const attr = (v: string | number) => `"${xmlText(String(v))}"`;

function caseXml(c: CaseOutcome, base: CaseOutcome | undefined, o: JunitOptions): string {
  const where = c.source ? ` file=${attr(c.source.file)} line=${attr(c.source.line)}` : "";
  const head = `    <testcase classname=${attr(`${c.metric}.${c.category}`)} name=${attr(c.id)}${where}`;
  if (c.status === "pass") return `${head}/>`;
  if (c.status === "error")
    return `${head}>\n      <error message=${attr(c.error ?? "no usable response")}/>\n    </testcase>`;
  const was =
    base === undefined
      ? ""
      : base.status === "pass"
        ? " (newly failing: the baseline passed)"
        : base.status === "fail"
          ? " (the baseline failed too)"
          : " (the baseline has no usable response)";
  const grades = c.grades.map((g) => (o.redact ? `${g.grader}: ${g.label}` : `${g.grader}: ${g.reason}`));
  const shown = shownResponse(c);
  const response =
    shown === undefined ? "" : o.redact ? redactedText(shown) : truncate(shown, o.maxResponseChars);
  const body = xmlText([...grades, "", response].join("\n"));
  return `${head}>\n      <failure message=${attr(`${METRIC_INFO[c.metric].failure}${was}`)} type=${attr(c.metric)}>${body}</failure>\n    </testcase>`;
}

export function renderJunit(r: Results, o: JunitOptions): string {
  const parts: string[] = [];
  emitJunit(r, o, (piece) => parts.push(piece));
  return parts.join("");
}

/** `renderJunit` in pieces, one per testcase, so a million cases never make one string. */
export function emitJunit(r: Results, o: JunitOptions, emit: (piece: string) => void): void {
  const base = new Map((r.builds.baseline?.cases ?? []).map((c) => [c.id, c]));
  const perMetric: { metric: RateMetric; cases: CaseOutcome[]; failures: number; errors: number }[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  for (const metric of RATE_METRICS) {
    const cases = r.builds.candidate.cases.filter((c) => c.metric === (metric as RateMetric));
    if (!cases.length) continue;
    const f = cases.filter((c) => c.status === "fail").length;
    const e = cases.filter((c) => c.status === "error").length;
    tests += cases.length;
    failures += f;
    errors += e;
    perMetric.push({ metric, cases, failures: f, errors: e });
  }
  const gates = r.decisions.map((d) => {
    const head = `    <testcase classname="gates" name=${attr(`${d.metric} ${gateText(d)}`)}`;
    if (d.outcome === "pass") return `${head}/>`;
    if (d.outcome === "waived") {
      const w = d.waiver;
      return `${head}>\n      <skipped message=${attr(`waived by ${w?.owner} until ${w?.expires}: ${w?.reason}; ${d.reason}`)}/>\n    </testcase>`;
    }
    return `${head}>\n      <failure message=${attr(`${d.outcome}: ${d.plain ? `${d.plain} ` : ""}${d.reason}`)} type=${attr(d.outcome)}/>\n    </testcase>`;
  });
  const gf = r.decisions.filter((d) => d.outcome === "fail" || d.outcome === "inconclusive").length;
  const gs = r.decisions.filter((d) => d.outcome === "waived").length;
  tests += gates.length;
  failures += gf;
  emit('<?xml version="1.0" encoding="UTF-8"?>\n');
  emit(
    `<testsuites name=${attr(`safety-gate: ${r.verdict}${r.smoke ? " (smoke run, not a gate)" : ""}`)} tests="${tests}" failures="${failures}" errors="${errors}">\n`,
  );
  for (const m of perMetric) {
    emit(
      `  <testsuite name=${attr(m.metric)} tests="${m.cases.length}" failures="${m.failures}" errors="${m.errors}" skipped="0" timestamp=${attr(r.createdAt)}>\n`,
    );
    for (const c of m.cases) emit(`${caseXml(c, base.get(c.id), o)}\n`);
    emit("  </testsuite>\n");
  }
  emit(
    `  <testsuite name="gates" tests="${gates.length}" failures="${gf}" errors="0" skipped="${gs}" timestamp=${attr(r.createdAt)}>\n`,
  );
  for (const g of gates) emit(`${g}\n`);
  emit("  </testsuite>\n</testsuites>\n");
}
