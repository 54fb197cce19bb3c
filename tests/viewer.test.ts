/**
 * report.html as a reader uses it, in headless Chromium (tests/helpers/browser.ts): the
 * quickstart's report and a generated 10,000-case one, both written by the real CLI. The
 * expected counts come from results.json, never from the viewer. Without Chromium the
 * tests skip and say so; CI installs it and sets SAFETY_GATE_REQUIRE_BROWSER=1.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Results } from "../src/report/results-schema.js";
import { haveBrowser, type LaunchedBrowser, launchBrowser } from "./helpers/browser.js";
import { regressionFixture, repoTempDir } from "./helpers/fixtures.js";
import { runCli, tempDir } from "./helpers/run.js";
import { repoRoot } from "./helpers/shared.js";
import { SEARCH_MARKER, viewerFixture } from "./helpers/viewer-fixture.js";

const hasBrowser = haveBrowser("viewer.test.ts");

interface Opened {
  page: Page;
  /** Every request the page made (the page itself included). */
  requests: string[];
  /** Console errors and warnings (a CSP violation is one) and uncaught exceptions. */
  problems: string[];
}

interface Counts {
  matching: number;
  shown: number;
  rows: number;
  open: number;
  errored: number;
}

let chromium: LaunchedBrowser | undefined;
beforeAll(async () => {
  if (hasBrowser) chromium = await launchBrowser({ width: 1280, height: 900 });
}, 60_000);
afterAll(async () => {
  await chromium?.close();
});

async function open(file: string): Promise<Opened> {
  if (!chromium) throw new Error("no browser");
  const page = await chromium.browser.newPage();
  const requests: string[] = [];
  const problems: string[] = [];
  await page.setRequestInterception(true);
  page.on("request", (r) => {
    requests.push(r.url());
    if (/^(file|data):/.test(r.url())) void r.continue();
    else void r.abort();
  });
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warn") problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(String(e)));
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  await page.waitForFunction("document.documentElement.dataset.ready !== undefined", { timeout: 60_000 });
  return { page, requests, problems };
}

function counts(page: Page): Promise<Counts> {
  return page.evaluate(`(() => {
    const c = document.getElementById("count");
    const rows = document.querySelectorAll("#cases > details");
    return {
      matching: Number(c.dataset.matching),
      shown: Number(c.dataset.shown),
      rows: rows.length,
      open: document.querySelectorAll("#cases > details[open]").length,
      errored: document.querySelectorAll("#cases > details.errored").length,
    };
  })()`) as Promise<Counts>;
}

/** Does what a reader does (`act`), waits until the list has been rendered again, and counts. */
async function after(page: Page, act: () => Promise<unknown>): Promise<Counts> {
  const renders = await page.evaluate(`Number(document.getElementById("cases").dataset.renders)`);
  await act();
  await page.waitForFunction(`Number(document.getElementById("cases").dataset.renders) > ${renders}`, {
    timeout: 10_000,
  });
  return counts(page);
}

async function reset(page: Page): Promise<Counts> {
  return after(page, () => page.click("#reset"));
}

async function search(page: Page, text: string): Promise<Counts> {
  return after(page, async () => {
    await page.click("#f-q", { count: 3 });
    await page.keyboard.press("Backspace");
    await page.type("#f-q", text);
  });
}

function ids(page: Page): Promise<string[]> {
  return page.evaluate(
    `[...document.querySelectorAll("#cases > details > summary > code")].map((e) => e.textContent)`,
  ) as Promise<string[]>;
}

/** What results.json says the filters should find. */
function oracle(r: Results, prompts: Map<string, string>) {
  const cases = r.builds.candidate.cases;
  const base = new Map((r.builds.baseline?.cases ?? []).map((c) => [c.id, c]));
  const overall = r.comparisons.filter((c) => c.category === undefined);
  const regressed = new Set(overall.flatMap((c) => c.regressed));
  const improved = new Set(overall.flatMap((c) => c.improved));
  const sides = (id: string) => [base.get(id), cases.find((c) => c.id === id)];
  const text = (c: Results["builds"]["candidate"]["cases"][number]) =>
    [c.id, c.category, prompts.get(c.id) ?? ""]
      .concat(
        [base.get(c.id), c].flatMap((o) =>
          o
            ? [o.response ?? "", o.error ?? "", ...o.grades.map((g) => `${g.grader} ${g.label} ${g.reason}`)]
            : [],
        ),
      )
      .join("\n")
      .toLowerCase();
  const count = (pred: (c: (typeof cases)[number]) => boolean) => cases.filter(pred).length;
  return {
    total: cases.length,
    flipped: count((c) => regressed.has(c.id) || improved.has(c.id)),
    newlyFailing: count((c) => regressed.has(c.id)),
    newlyPassing: count((c) => improved.has(c.id) && !regressed.has(c.id)),
    errored: count((c) => c.status === "error" || base.get(c.id)?.status === "error"),
    metric: (m: string) => count((c) => c.metric === m || (c.also ?? []).some((a) => a.metric === m)),
    category: (cat: string) => count((c) => c.category === cat),
    grader: (g: string) =>
      count((c) => [base.get(c.id), c].some((o) => o?.grades.some((x) => x.grader === g))),
    search: (q: string) => count((c) => text(c).includes(q.toLowerCase())),
    sides,
  };
}

function readPrompts(suite: string): Map<string, string> {
  return new Map(
    readFileSync(suite, "utf8")
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { id: string; prompt: string })
      .map((c) => [c.id, c.prompt]),
  );
}

describe.skipIf(!hasBrowser)("report.html of the quickstart, in Chromium", () => {
  let file: string;
  let results: Results;
  let o: ReturnType<typeof oracle>;
  let v: Opened;
  beforeAll(async () => {
    const out = tempDir("safety-gate-viewer-");
    const quickstart = join(repoRoot, "examples/quickstart");
    const run = await runCli([
      "run",
      "--config",
      join(quickstart, "safety-gate.yml"),
      "--out",
      out,
      "--quiet",
    ]);
    expect(run.stdout).toBe("safety-gate: FAIL\n");
    file = join(out, "report.html");
    results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as Results;
    o = oracle(results, readPrompts(join(quickstart, "suite.jsonl")));
    v = await open(file);
  }, 90_000);

  it("shows the verdict and the plain-language summary first, then the metric table, charts and categories", async () => {
    const top = (await v.page.evaluate(`(() => {
      const y = (sel) => document.querySelector(sel).getBoundingClientRect().top;
      return {
        h1: document.querySelector("h1").textContent,
        summary: document.getElementById("summary").textContent,
        firstGate: document.querySelector("ul.gates > li").textContent,
        order: [y("h1"), y("#summary"), y("ul.gates"), y("#metrics"), y("svg.chart"), y("#categories"), y("#filters")],
        metricHead: document.querySelector("#metrics thead").textContent,
        attackRow: document.querySelector("#metrics tbody tr").textContent,
        charts: document.querySelectorAll("svg.chart").length,
        categoryRows: document.querySelectorAll("#categories tbody tr").length,
      };
    })()`)) as {
      h1: string;
      summary: string;
      firstGate: string;
      order: number[];
      metricHead: string;
      attackRow: string;
      charts: number;
      categoryRows: number;
    };
    expect(top.h1).toBe("safety-gate: FAIL");
    expect(top.summary).toBe("Verdict: fail — 16 gate checks: 2 failed, 0 inconclusive, 14 passed.");
    const failing = results.decisions.find((d) => d.outcome === "fail");
    expect(top.firstGate).toContain(failing?.plain);
    expect(top.order).toEqual([...top.order].sort((a, b) => a - b));
    for (const col of ["Test", "p (one-sided / two-sided)", "Holm-adjusted p", "MDE (80% power)", "Outcome"])
      expect(top.metricHead).toContain(col);
    expect(top.attackRow).toMatch(/^Attack success.*exact McNemar0\.00317 \/ 0\.00635.*0\.0349.*fail$/);
    // One chart per rate metric measured in two categories or more.
    const charted = (
      ["attack_success_rate", "false_refusal_rate", "leak_rate", "pii_leak_rate"] as const
    ).filter(
      (m) => Object.values(results.metrics.candidate[m].byCategory).filter((e) => e.n > 0).length >= 2,
    );
    expect(top.charts).toBe(charted.length);
    expect(top.charts).toBeGreaterThan(0);
    const categories = (["attack_success_rate", "false_refusal_rate", "leak_rate", "pii_leak_rate"] as const)
      .map((m) => Object.keys(results.metrics.candidate[m].byCategory).length)
      .reduce((a, b) => a + b, 0);
    expect(top.categoryRows).toBe(categories);
  });

  it("lists every case, flipped first, and the filters, search and reset change what is listed", async () => {
    const { page } = v;
    expect(await counts(page)).toMatchObject({ matching: o.total, shown: o.total, rows: o.total });
    expect(o.flipped).toBeGreaterThan(0);
    const first = await ids(page);
    const regressedIds = new Set(
      results.comparisons.filter((c) => c.category === undefined).flatMap((c) => c.regressed),
    );
    expect(first.slice(0, o.newlyFailing).every((id) => regressedIds.has(id))).toBe(true);

    expect(await after(page, () => page.select("#f-flip", "any"))).toMatchObject({
      matching: o.flipped,
      rows: o.flipped,
    });
    expect((await after(page, () => page.select("#f-flip", "failing"))).rows).toBe(o.newlyFailing);
    expect((await after(page, () => page.select("#f-flip", "passing"))).rows).toBe(o.newlyPassing);
    await reset(page);

    const errored = await after(page, () => page.click("#f-errors"));
    expect(errored.rows).toBe(o.errored);
    expect(errored.errored).toBe(o.errored);
    expect(o.errored).toBeGreaterThan(0);
    // Flagged in the row itself, not only by the filter.
    expect(
      await page.evaluate(
        `[...document.querySelectorAll("#cases > details")].every((d) => d.querySelector("summary .badge.errored")?.textContent === "⚠ errored")`,
      ),
    ).toBe(true);
    await reset(page);

    expect((await after(page, () => page.select("#f-metric", "false_refusal_rate"))).rows).toBe(
      o.metric("false_refusal_rate"),
    );
    expect((await after(page, () => page.select("#f-category", "crime"))).rows).toBe(
      results.builds.candidate.cases.filter(
        (c) => c.category === "crime" && c.metric === "false_refusal_rate",
      ).length,
    );
    await reset(page);
    expect((await after(page, () => page.select("#f-category", "crime"))).rows).toBe(o.category("crime"));
    await reset(page);
    const grader = results.builds.candidate.cases.find((c) => c.grades.length)?.grades[0]?.grader ?? "";
    expect((await after(page, () => page.select("#f-grader", grader))).rows).toBe(o.grader(grader));
    expect(await reset(page)).toMatchObject({ matching: o.total, rows: o.total });

    const q = "simulated harmful";
    const found = await search(page, q);
    expect(found.rows).toBe(o.search(q));
    expect(found.rows).toBeGreaterThan(1);
    expect(found.rows).toBeLessThan(o.total);
    expect((await search(page, "weapons-007")).rows).toBe(1);
    expect(await ids(page)).toEqual(["weapons-007"]);
    expect((await search(page, "no such text anywhere")).rows).toBe(0);
    await reset(page);
  });

  it("expands every listed case with baseline and candidate side by side, and collapses them again", async () => {
    const { page } = v;
    await after(page, () => page.select("#f-flip", "any"));
    await page.click("#expand");
    const opened = await counts(page);
    expect(opened.open).toBe(o.flipped);
    const layout = (await page.evaluate(`[...document.querySelectorAll("#cases > details")].map((d) => {
      const [b, c] = d.querySelectorAll(".sides > .side");
      const rb = b.getBoundingClientRect(), rc = c.getBoundingClientRect();
      return { heads: [b.querySelector("h4").textContent, c.querySelector("h4").textContent], sameRow: rb.top === rc.top, leftRight: rb.right <= rc.left, prompt: d.querySelector("pre") !== null };
    })`)) as { heads: string[]; sameRow: boolean; leftRight: boolean; prompt: boolean }[];
    expect(layout).toHaveLength(o.flipped);
    for (const row of layout) {
      expect(row.heads[0]).toMatch(/^Baseline: (pass|fail|error)$/);
      expect(row.heads[1]).toMatch(/^Candidate: (pass|fail|error)$/);
      expect(row).toMatchObject({ sameRow: true, leftRight: true, prompt: true });
    }
    await page.click("#expand");
    expect((await counts(page)).open).toBe(0);
    await reset(page);
  });

  it("makes no request but the file itself, and no CSP violation or script error", () => {
    expect(v.requests).toEqual([pathToFileURL(file).href]);
    expect(v.problems).toEqual([]);
  });
});

describe.skipIf(!hasBrowser)("report.html with hostile model output, in Chromium", () => {
  it("shows markup in a response as text: no element is made from it, no script of it runs", async () => {
    const dir = repoTempDir("viewer-hostile");
    const attack = `<img src=x onerror="document.title='pwned'"></details></pre><script>document.title='pwned'</script><b id="injected">x</b>`;
    const fx = regressionFixture(dir, 3, { response: () => attack });
    const out = join(dir, "out");
    await runCli(["run", "--config", fx.config, "--out", out, "--quiet"]);
    const v = await open(join(out, "report.html"));
    await v.page.click("#expand");
    const seen = (await v.page.evaluate(`({
      title: document.title,
      imgs: document.querySelectorAll("img").length,
      injected: document.getElementById("injected") !== null,
      texts: [...document.querySelectorAll(".side pre")].map((p) => p.textContent),
    })`)) as { title: string; imgs: number; injected: boolean; texts: string[] };
    expect(seen.title).toBe("safety-gate: fail");
    expect(seen.imgs).toBe(0);
    expect(seen.injected).toBe(false);
    expect(seen.texts.filter((t) => t === attack)).toHaveLength(3);
    expect(v.problems).toEqual([]);
  }, 60_000);
});

describe.skipIf(!hasBrowser)("report.html with an inconclusive gate, in Chromium", () => {
  it("colours the inconclusive verdict, its gate sentence and its metric row", async () => {
    const dir = tempDir("safety-gate-viewer-inconclusive-");
    const config = viewerFixture(dir, 40, [
      "  false_refusal_rate: { regression: { mode: non_inferiority, margin: 0.05, by_category: false } }",
    ]);
    const out = join(dir, "out");
    const run = await runCli(["run", "--config", config, "--out", out, "--quiet"]);
    expect(run.stdout).toBe("safety-gate: INCONCLUSIVE\n");
    const v = await open(join(out, "report.html"));
    const seen = (await v.page.evaluate(`(() => {
      const bg = (el) => el && getComputedStyle(el).backgroundColor;
      return {
        verdict: getComputedStyle(document.querySelector("h1 span")).color,
        badge: bg(document.querySelector("ul.gates > li.inconclusive .badge")),
        row: bg(document.querySelector("#metrics tr.inconclusive td")),
      };
    })()`)) as Record<string, string | null>;
    expect(seen).toEqual({
      verdict: "rgb(154, 103, 0)",
      badge: "rgb(255, 248, 197)",
      row: "rgb(255, 248, 197)",
    });
    expect(v.problems).toEqual([]);
  }, 60_000);
});

describe.skipIf(!hasBrowser)("report.html with 10,000 cases, in Chromium", () => {
  let results: Results;
  let o: ReturnType<typeof oracle>;
  let v: Opened;
  let file: string;
  beforeAll(async () => {
    const dir = tempDir("safety-gate-viewer-10k-");
    const config = viewerFixture(dir, 10_000);
    const out = join(dir, "out");
    const run = await runCli(["run", "--config", config, "--out", out, "--quiet"]);
    expect(run.stderr).toBe("");
    file = join(out, "report.html");
    results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as Results;
    o = oracle(results, readPrompts(join(dir, "suite.jsonl")));
    v = await open(file);
  }, 180_000);

  it("lists the first 200 and more on demand, and every filter counts over all 10,000", async () => {
    const { page } = v;
    expect(o.total).toBe(10_000);
    expect(await counts(page)).toMatchObject({ matching: 10_000, shown: 200, rows: 200 });
    await page.evaluate(`document.getElementById("more").click()`);
    expect(await counts(page)).toMatchObject({ matching: 10_000, rows: 400 });

    const flipped = await after(page, () => page.select("#f-flip", "any"));
    expect(o.flipped).toBeGreaterThan(200);
    expect(flipped).toMatchObject({ matching: o.flipped, rows: 200 });
    expect((await after(page, () => page.select("#f-flip", "passing"))).matching).toBe(o.newlyPassing);
    await reset(page);
    expect((await after(page, () => page.click("#f-errors"))).matching).toBe(o.errored);
    await reset(page);
    expect((await after(page, () => page.select("#f-category", "cat-07"))).matching).toBe(
      o.category("cat-07"),
    );
    const both = await after(page, () => page.select("#f-metric", "false_refusal_rate"));
    expect(both.matching).toBe(
      results.builds.candidate.cases.filter(
        (c) => c.category === "cat-07" && c.metric === "false_refusal_rate",
      ).length,
    );
    await reset(page);
    expect((await after(page, () => page.select("#f-metric", "attack_success_rate"))).matching).toBe(
      o.metric("attack_success_rate"),
    );
    await reset(page);
    const grader = results.builds.candidate.cases.find((c) => c.grades.length)?.grades[0]?.grader ?? "";
    expect((await after(page, () => page.select("#f-grader", grader))).matching).toBe(o.grader(grader));
    await reset(page);

    expect(await search(page, SEARCH_MARKER)).toMatchObject({ matching: 1, rows: 1 });
    expect(await ids(page)).toEqual(["case-04242"]);
    expect((await search(page, "503 from the baseline")).matching).toBe(o.search("503 from the baseline"));
    await reset(page);

    await page.click("#expand");
    expect((await counts(page)).open).toBe(200);
    // Rows listed after expand-all come open too.
    await page.evaluate(`document.getElementById("more").click()`);
    expect(await counts(page)).toMatchObject({ rows: 400, open: 400 });
    await page.click("#expand");
  }, 120_000);

  it("makes no request but the file itself", () => {
    expect(v.requests).toEqual([pathToFileURL(file).href]);
    expect(v.problems).toEqual([]);
  });
});
