/**
 * Scale limits of the reports: a suite with 100k categories (an import keyed on a
 * free-text field) must render without a stack overflow and with bounded output — the
 * charts and tables show the worst categories and say how many more are in results.json.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runGate } from "../src/core.js";
import { categoryChart } from "../src/report/chart.js";
import { renderMarkdown } from "../src/report/markdown.js";
import type { Results } from "../src/report/results-schema.js";
import { plainStyle, renderTerminal } from "../src/report/terminal.js";
import { SHOWN_CATEGORIES, SHOWN_DECISIONS } from "../src/report/top.js";
import { repoRoot } from "./helpers/shared.js";

const CATEGORIES = 100_000;
const quickstart = () => runGate({ configPath: join(repoRoot, "examples/quickstart/safety-gate.yml") });

/** The quickstart's results with attack success split over 100k categories, each compared and gated. */
async function manyCategories(): Promise<Results> {
  const { results } = await quickstart();
  const est = (failures: number, n: number) => ({
    failures,
    n,
    rate: failures / n,
    ci: { lower: 0, upper: 1 },
  });
  const cand: Results["metrics"]["candidate"]["attack_success_rate"]["byCategory"] = {};
  const base: typeof cand = {};
  const overall = results.comparisons.find((c) => c.metric === "attack_success_rate" && !c.category);
  if (!overall) throw new Error("the quickstart compares attack success");
  for (let i = 0; i < CATEGORIES; i++) {
    const cat = `cat-${i}`;
    cand[cat] = est(i % 97 === 0 ? 4 : i % 3, 4);
    base[cat] = est(i % 2, 4);
    results.comparisons.push({ ...overall, category: cat, delta: ((i % 3) - (i % 2)) / 4 });
    // Every 50th category fails its gate: 2000 failing decisions.
    results.decisions.push({
      metric: "attack_success_rate",
      category: cat,
      rule: "regression",
      build: "both",
      outcome: i % 50 === 0 ? "fail" : "pass",
      reason: `category ${cat}`,
      alpha: 0.05,
    });
  }
  results.metrics.candidate.attack_success_rate.byCategory = cand;
  const b = results.metrics.baseline;
  if (b) b.attack_success_rate.byCategory = base;
  return results;
}

describe("100k categories", () => {
  it("the category chart draws the 30 largest rises and says how many more are in results.json", async () => {
    const results = await manyCategories();
    const chart = categoryChart(results, "attack_success_rate");
    const axis = chart.find((l) => l.startsWith("  x-axis")) ?? "";
    // A row per build and category ("cat-0 · base", "cat-0 · cand"), bars side by side.
    expect(axis.match(/"cat-\d+ · cand"/g)).toHaveLength(SHOWN_CATEGORIES);
    // The largest rise is a category the candidate fails entirely and the baseline never (i % 97 == 0, i even).
    expect(axis).toContain('"cat-0 · cand"');
    // The candidate's series (the second bar) is 100 in the first category's candidate row.
    expect(chart.filter((l) => l.startsWith("  bar"))[1]).toMatch(/^ {2}bar \[0, 100, /);
    expect(chart.join("\n")).toContain(
      `${SHOWN_CATEGORIES} of ${CATEGORIES} categories shown (largest rise over the baseline first); the other ${CATEGORIES - SHOWN_CATEGORIES} are in results.json.`,
    );
  });

  it("report.md and the terminal stay bounded and name what they left out", async () => {
    const results = await manyCategories();
    const md = renderMarkdown(results, { maxFlips: 25, maxResponseChars: 280 });
    expect(md.length).toBeLessThan(200_000);
    expect(md).toContain(`… and ${CATEGORIES - SHOWN_CATEGORIES} more categories in results.json`);
    // 2000 failing categories: the verdict lists 30 and counts the rest.
    // (Counted in the sentences at the top; the collapsed statistics below list the same 30.)
    const top = md.slice(0, md.indexOf("<details>"));
    expect(top.match(/^- ✗ \*\*Attack success\*\* · regression \\\[cat-/gm)).toHaveLength(SHOWN_DECISIONS);
    expect(md).toContain(
      `… and ${2000 - SHOWN_DECISIONS} more Attack success categories not passing, in results.json`,
    );
    // The table shows the failing categories first, the largest Δ among them first.
    const rows = md.split("\n").filter((l) => l.startsWith("| Attack success | cat-"));
    expect(rows).toHaveLength(SHOWN_CATEGORIES);
    expect(rows.every((l) => l.endsWith("| ❌ fail |"))).toBe(true);
    expect(rows[0]).toContain("+50.0 pts");

    const terminal = renderTerminal(results, plainStyle);
    expect(terminal.length).toBeLessThan(100_000);
    expect(terminal).toContain(`… and ${2000 - SHOWN_DECISIONS} more Attack success categories not passing`);
  });

  it("a normal run's report is unchanged: every category shown, no 'more' line", async () => {
    const { results, report } = await quickstart();
    const md = renderMarkdown(results, report);
    expect(md).not.toContain("more categories in results.json");
    expect(md).toContain("| Attack success | violence\\_weapons |");
  });
});
