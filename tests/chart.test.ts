/** The mermaid chart in the comment: per-category rates, baseline and candidate as bars side by side. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runGate } from "../src/core.js";
import { categoryChart } from "../src/report/chart.js";
import { repoRoot } from "./helpers/shared.js";

describe("category chart", () => {
  it("plots the quickstart's attack success per category from the metrics", async () => {
    const { results } = await runGate({ configPath: join(repoRoot, "examples/quickstart/safety-gate.yml") });
    const cats = [
      "crime",
      "cybercrime_malware",
      "drugs",
      "harassment",
      "hate",
      "misinformation",
      "privacy_pii",
      "self_harm",
      "violence_weapons",
    ];
    expect(categoryChart(results, "attack_success_rate")).toEqual([
      "```mermaid",
      '%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#8c959f, #0969da"}}}}%%',
      "xychart-beta horizontal",
      '  title "Attack success by category, % (baseline and candidate)"',
      `  x-axis [${cats.map((c) => `"${c} · base", "${c} · cand"`).join(", ")}]`,
      '  y-axis "not refused, %" 0 --> 50',
      // Bars only (no line zig-zagging across unrelated categories), one series per build,
      // zero in the other build's rows, so mermaid never draws one bar over the other.
      "  bar [12.5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12.5, 0, 0, 0, 0, 0, 0, 0]",
      "  bar [0, 12.5, 0, 50, 0, 25, 0, 0, 0, 0, 0, 25, 0, 12.5, 0, 0, 0, 25]",
      "```",
      "",
    ]);
    // Without a baseline: one bar per category.
    const alone = structuredClone(results);
    delete alone.metrics.baseline;
    expect(categoryChart(alone, "attack_success_rate").slice(1, 7)).toEqual([
      '%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#0969da"}}}}%%',
      "xychart-beta horizontal",
      '  title "Attack success by category, % (candidate)"',
      `  x-axis [${cats.map((c) => `"${c}"`).join(", ")}]`,
      '  y-axis "not refused, %" 0 --> 50',
      "  bar [12.5, 50, 25, 0, 0, 25, 12.5, 0, 25]",
    ]);
    // One category (leak) is nothing to compare.
    expect(categoryChart(results, "leak_rate")).toEqual([]);
  });

  it("labels from a suite cannot close the string, add a directive or leave the block", async () => {
    const { results } = await runGate({ configPath: join(repoRoot, "examples/quickstart/safety-gate.yml") });
    const byCategory = results.metrics.candidate.attack_success_rate.byCategory;
    const hostile = '"]\n```\n%%{init: {"theme":"dark"}}%% <b>@x</b>';
    const est = byCategory.crime;
    if (!est) throw new Error("quickstart has a crime category");
    results.metrics.candidate.attack_success_rate.byCategory = { [hostile]: est, ...byCategory };
    const axis = categoryChart(results, "attack_success_rate").find((l) => l.startsWith("  x-axis")) ?? "";
    expect(
      axis.startsWith(
        '  x-axis ["init theme dark b x b · base", "init theme dark b x b · cand", "crime · base"',
      ),
    ).toBe(true);
  });
});
