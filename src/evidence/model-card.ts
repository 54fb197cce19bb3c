/**
 * The "Safety evaluation" section of a model card: the candidate's measured rates with their
 * intervals in prose and in a table, the paired comparison with the baseline, and the same
 * numbers as Hugging Face `model-index` metadata (checked against ./model-index-schema.ts).
 */
import { basename } from "node:path";
import { stringify } from "yaml";
import { formatInterval, formatP, formatPoints, formatRate } from "../gate/format.js";
import { METRIC_INFO, METRICS, type MetricName } from "../gate/metric-names.js";
import type { Results } from "../report/results-schema.js";
import { type ModelIndex, ModelIndexSchema } from "./model-index-schema.js";

const level = (r: Results) => `${Number((r.confidence * 100).toFixed(2))}%`;

/** The metrics measured on the candidate (some cases counted), in the report's order. */
function measured(r: Results): MetricName[] {
  return METRICS.filter((m) => r.metrics.candidate[m].overall.n > 0);
}

const buildName = (r: Results, role: "candidate" | "baseline") => {
  const t = r.builds[role]?.target;
  return t?.build ?? t?.label ?? role;
};

const round = (x: number) => Number(x.toFixed(4));
/** "Attack success rate", "Error rate". */
const rateName = (m: MetricName) => (m === "error_rate" ? "Error rate" : `${METRIC_INFO[m].title} rate`);

const gateOutcome = (r: Results, metric: MetricName) => {
  const ds = r.decisions.filter(
    (d) => d.metric === metric && d.category === undefined && d.build !== "baseline",
  );
  return ds.length ? ds.map((d) => `${d.rule} ${d.outcome}`).join(", ") : "not gated";
};

export function renderModelCardSection(r: Results): string {
  const lines: string[] = ["## Safety evaluation", ""];
  const cases = r.suites.reduce((n, s) => n + s.cases, 0);
  const suites = r.suites.map((s) => basename(s.file)).join(", ");
  lines.push(
    `${buildName(r, "candidate")} was evaluated by safety-gate ${r.tool.version} on ${cases} cases (${suites})` +
      (r.builds.baseline ? `, paired with ${buildName(r, "baseline")} on the same cases` : "") +
      `. The gate's verdict: **${r.verdict}**. Intervals are ${level(r)} Wilson intervals for rates and paired intervals for differences.`,
    "",
  );
  for (const m of measured(r)) {
    const e = r.metrics.candidate[m].overall;
    lines.push(
      `- ${rateName(m)}: ${formatRate(e.rate)} (${e.failures} of ${e.n} ${e.counts ?? "cases"}; ${level(r)} interval ${formatRate(e.ci?.lower ?? null)} to ${formatRate(e.ci?.upper ?? null)}).` +
        (e.corrected
          ? ` Corrected for the grader's measured error: ${formatRate(e.corrected.rate)} (${formatRate(e.corrected.ci.lower)} to ${formatRate(e.corrected.ci.upper)}).`
          : ""),
    );
  }
  for (const c of r.comparisons.filter((x) => x.category === undefined && x.delta !== null)) {
    lines.push(
      `- ${METRIC_INFO[c.metric].title} rate, candidate minus baseline: ${formatPoints(c.delta)} (${Number((c.ciLevel * 100).toFixed(2))}% interval ${formatInterval(c.ci, "points")}, ${c.pairs} pairs, one-sided p = ${formatP(c.pOneSided)}).`,
    );
  }
  lines.push(
    "",
    `| Metric | Rate | ${level(r)} interval | Failures / n | Baseline rate | Gate |`,
    "|---|---:|---|---:|---:|---|",
  );
  for (const m of measured(r)) {
    const e = r.metrics.candidate[m].overall;
    const b = r.metrics.baseline?.[m].overall;
    lines.push(
      `| ${METRIC_INFO[m].title} | ${formatRate(e.rate)} | ${formatInterval(e.ci, "rate")} | ${e.failures} / ${e.n} | ${b ? formatRate(b.rate) : "–"} | ${gateOutcome(r, m)} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The candidate's rates (and their interval bounds) as Hugging Face `model-index` metadata. */
export function modelIndex(r: Results, runUrl?: string): ModelIndex {
  const metrics: ModelIndex["model-index"][number]["results"][number]["metrics"] = [];
  for (const m of measured(r)) {
    const e = r.metrics.candidate[m].overall;
    if (e.rate === null) continue;
    const title = rateName(m);
    metrics.push({ type: m, value: round(e.rate), name: title, verified: false });
    if (e.ci) {
      metrics.push({
        type: `${m}_ci_lower`,
        value: round(e.ci.lower),
        name: `${title}, ${level(r)} lower bound`,
        verified: false,
      });
      metrics.push({
        type: `${m}_ci_upper`,
        value: round(e.ci.upper),
        name: `${title}, ${level(r)} upper bound`,
        verified: false,
      });
    }
  }
  const suites = r.suites.map((s) => basename(s.file));
  const index: ModelIndex = {
    "model-index": [
      {
        name: buildName(r, "candidate"),
        results: [
          {
            task: { type: "text-generation", name: "Safety evaluation (safety-gate)" },
            dataset: {
              type: suites.length === 1 ? (suites[0] ?? "suite") : "safety-gate-suites",
              name: suites.join(", "),
              // The suites' content hash: which cases, exactly.
              revision: r.suites.map((s) => s.hash).join(","),
            },
            metrics,
            ...(runUrl ? { source: { name: `safety-gate ${r.tool.version}`, url: runUrl } } : {}),
          },
        ],
      },
    ],
  };
  // What is written must be what the Hub accepts; a failure here is our bug.
  return ModelIndexSchema.parse(index);
}

export function renderModelIndexYaml(index: ModelIndex): string {
  return stringify(index, { lineWidth: 0 });
}

/** A model card: the metadata block Hugging Face reads, then the section. */
export function renderModelCard(r: Results, runUrl?: string): string {
  return `---\n${renderModelIndexYaml(modelIndex(r, runUrl))}---\n\n${renderModelCardSection(r)}`;
}
