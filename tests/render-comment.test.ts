/**
 * The pull-request comment as a reviewer sees it: rendered as GitHub-flavoured Markdown in
 * headless Chromium at a pull request's width (scripts/render-comment.ts). Needs the
 * system's Chromium (/usr/bin/chromium, Debian's `chromium` package); without it the test
 * is skipped and says so.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderComment } from "../scripts/render-comment.js";
import { haveBrowser } from "./helpers/browser.js";
import { tempDir } from "./helpers/run.js";
import { repoRoot } from "./helpers/shared.js";

const hasChromium = haveBrowser("render-comment.test.ts");

describe.skipIf(!hasChromium)("the comment in a browser at 900 px", () => {
  it("shows verdict, commit, run and the whole summary table, Outcome column included, on the first screen", async () => {
    const out = tempDir("safety-gate-render-");
    const r = await renderComment({
      config: join(repoRoot, "examples/quickstart/safety-gate.yml"),
      out,
      width: 900,
      sha: "0123456789abcdef0123456789abcdef01234567",
      runUrl: "https://github.com/octo-org/model-release/actions/runs/4242",
    });
    const png = readFileSync(r.png);
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(png.readUInt32BE(16)).toBe(900);
    // The first table's last column (Outcome) ends inside the table's visible box: no
    // horizontal scrolling to find out whether a metric passed.
    expect(r.firstScreen).toMatch(/^Metric\tBaseline\tCandidate\tΔ\tOutcome$/m);
    expect(r.outcomeRight).toBeGreaterThan(0);
    expect(r.outcomeRight).toBeLessThanOrEqual(r.tableRight + 0.5);
    expect(r.tableRight).toBeLessThanOrEqual(r.bodyRight);
    const first = r.firstScreen.split("\n");
    expect(first.slice(0, 3)).toEqual([
      "safety-gate: ❌ FAIL",
      "Verdict: fail — 16 gate checks: 2 failed, 0 inconclusive, 14 passed.",
      "Commit 0123456 · workflow run",
    ]);
    expect(r.firstScreen).toMatch(
      /^Attack success\t2\.8% \(2\/72\)\t16\.7% \(12\/72\)\t\+13\.9 pts\t✗ fail$/m,
    );
    // The statistics are collapsed, not on the first screen.
    expect(r.firstScreen).not.toContain("Holm-adjusted p\t");
    expect(r.html).toContain("<details><summary>Statistics");
    // Both per-category charts are drawn, as bars (no line series).
    expect(r.charts).toHaveLength(2);
    expect(r.markdown).not.toMatch(/^\s+line \[/m);
  }, 90_000);
});
