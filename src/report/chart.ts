/**
 * Pictures GitHub renders from text: a mermaid bar chart of per-category rates, baseline and
 * candidate as bars side by side. (A line for the baseline zig-zagged across unrelated
 * categories. Mermaid's xychart draws two bar series at one x value on top of each other, so
 * each category gets a row per build, and each series has zeros in the other's rows: two
 * colours, nothing hidden.) Labels come from suites, which
 * a pull request can change, so they are reduced to letters, digits and a few separators:
 * nothing can close the string, start a directive or leave the block.
 */
import { METRIC_INFO, type RateMetric } from "../gate/metrics.js";
import { plural } from "../io/plural.js";
import type { Results } from "./results-schema.js";
import { maxOf, orLast, SHOWN_CATEGORIES, worstFirst } from "./top.js";

function label(text: string): string {
  const clean = text
    .replace(/[^\p{L}\p{N} ._-]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  const chars = [...clean];
  return chars.length > 24 ? `${chars.slice(0, 23).join("")}…` : clean || "?";
}

const BASELINE_COLOUR = "#8c959f";
const CANDIDATE_COLOUR = "#0969da";

const pct = (rate: number | null | undefined) =>
  rate === null || rate === undefined ? 0 : Math.round(rate * 1000) / 10;

/** A mermaid block (lines) for `metric` per category, or nothing when there is under two categories to compare. */
export function categoryChart(r: Results, metric: RateMetric): string[] {
  const cand = r.metrics.candidate[metric].byCategory;
  const base = r.metrics.baseline?.[metric].byCategory;
  const all = Object.keys(cand).filter((c) => (cand[c]?.n ?? 0) > 0);
  if (all.length < 2) return [];
  // Too many to draw: the largest rises over the baseline (or the highest rates) only.
  const cats = worstFirst(all, SHOWN_CATEGORIES, (c) => {
    const rate = orLast(cand[c]?.rate);
    return [base ? rate - orLast(base[c]?.rate ?? 0) : rate, rate];
  });
  const rest = all.length - cats.length;
  const candidate = cats.map((c) => pct(cand[c]?.rate));
  const baseline = base ? cats.map((c) => pct(base[c]?.rate)) : undefined;
  const top = Math.max(10, Math.ceil(maxOf([...candidate, ...(baseline ?? [])]) / 10) * 10);
  const title = `${METRIC_INFO[metric].title} by category, %${baseline ? " (baseline and candidate)" : " (candidate)"}`;
  // With a baseline, rows alternate "category · base" and "category · cand" (labels must differ:
  // the axis merges equal ones); each series is zero in the other build's rows.
  const axis = baseline ? cats.flatMap((c) => [`${label(c)} · base`, `${label(c)} · cand`]) : cats.map(label);
  const series = baseline ? [baseline.flatMap((v) => [v, 0]), candidate.flatMap((v) => [0, v])] : [candidate];
  return [
    "```mermaid",
    // Baseline grey, candidate blue: mermaid's default first colour is too pale to read.
    `%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "${baseline ? `${BASELINE_COLOUR}, ` : ""}${CANDIDATE_COLOUR}"}}}}%%`,
    // Horizontal: category names stay readable instead of overlapping under the bars.
    "xychart-beta horizontal",
    `  title "${title}"`,
    `  x-axis [${axis.map((a) => `"${a}"`).join(", ")}]`,
    `  y-axis "${METRIC_INFO[metric].failure}, %" 0 --> ${top}`,
    ...series.map((values) => `  bar [${values.join(", ")}]`),
    "```",
    "",
    ...(rest > 0
      ? [
          `${cats.length} of ${plural(all.length, "category")} shown (${base ? "largest rise over the baseline" : "highest rate"} first); the other ${rest} are in results.json.`,
          "",
        ]
      : []),
  ];
}
