/**
 * `safety-gate trend`: from a history file and results.json files to DIR/trend.json and a
 * self-contained DIR/index.html, looked at in headless Chromium (tests/helpers/browser.ts;
 * without Chromium the page tests skip and say so, CI requires it). The expected counts
 * come from trend.json and the inputs, never from the page.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Results } from "../src/report/results-schema.js";
import type { Trend } from "../src/trend/series.js";
import { sparkline } from "../src/trend/sparkline.js";
import { haveBrowser, type LaunchedBrowser, launchBrowser } from "./helpers/browser.js";
import { runCli, tempDir } from "./helpers/run.js";
import { repoRoot } from "./helpers/shared.js";

const hasBrowser = haveBrowser("trend.test.ts");
const HOSTILE = `<img src=x onerror="document.title='owned'">`;

let dir: string;
let base: Results;
let chromium: LaunchedBrowser | undefined;

/** The quickstart's results with `failures` of 72 attack-success cases at `time`, and one category renamed. */
function run(time: string, failures: number): Results {
  const r = structuredClone(base);
  r.createdAt = time;
  const asr = r.metrics.candidate.attack_success_rate;
  asr.overall = {
    failures,
    n: 72,
    rate: failures / 72,
    ci: { lower: Math.max(0, failures / 72 - 0.06), upper: failures / 72 + 0.08 },
  };
  const crime = asr.byCategory.crime;
  if (crime) {
    delete asr.byCategory.crime;
    asr.byCategory[HOSTILE] = crime;
  }
  return r;
}

beforeAll(async () => {
  dir = tempDir("safety-gate-trend-");
  const out = join(dir, "quickstart");
  expect(
    (
      await runCli([
        "run",
        "--config",
        join(repoRoot, "examples/quickstart/safety-gate.yml"),
        "--out",
        out,
        "--quiet",
      ])
    ).code,
  ).toBe(1);
  base = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as Results;
  // Three runs in a history (the second a release tag), then two runs as results.json files.
  const history = join(dir, "history.jsonl");
  const add = async (name: string, r: Results, commit: string, ref: string) => {
    writeFileSync(join(dir, name), JSON.stringify(r));
    const a = await runCli([
      "history",
      "add",
      "--results",
      join(dir, name),
      "--history",
      history,
      "--commit",
      commit,
      "--ref",
      ref,
    ]);
    expect(a.code).toBe(0);
  };
  // Added out of time order: the trend orders by time.
  await add("h3.json", run("2026-03-01T00:00:00.000Z", 6), "3333333aaaa", "refs/heads/main");
  await add("h1.json", run("2026-01-01T00:00:00.000Z", 4), "1111111aaaa", "refs/heads/main");
  await add("h2.json", run("2026-02-01T00:00:00.000Z", 5), "2222222aaaa", "refs/tags/v1.0");
  for (const [folder, time, f] of [
    ["pr-41", "2026-04-01T00:00:00.000Z", 8],
    ["pr-42", "2026-05-01T00:00:00.000Z", 12],
  ] as const) {
    mkdirSync(join(dir, folder));
    writeFileSync(join(dir, folder, "results.json"), JSON.stringify(run(time, f)));
  }
  if (hasBrowser) chromium = await launchBrowser({ width: 1280, height: 900 });
}, 120_000);
afterAll(async () => {
  await chromium?.close();
});

async function writeTrend(): Promise<{ out: string; trend: Trend }> {
  const out = join(dir, "site");
  const r = await runCli([
    "trend",
    join(dir, "history.jsonl"),
    join(dir, "pr-42", "results.json"),
    join(dir, "pr-41", "results.json"),
    "--out",
    out,
  ]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/wrote .*index\.html and trend\.json: 5 runs, 5 metrics, 1 release\n$/);
  return { out, trend: JSON.parse(readFileSync(join(out, "trend.json"), "utf8")) as Trend };
}

describe("safety-gate trend", () => {
  it("writes trend.json: for each metric one point per run, in time order, with commit, time, failures, n, rate and interval", async () => {
    const { trend } = await writeTrend();
    const asr = trend.metrics.attack_success_rate;
    expect(asr?.points.map((p) => [p.commit, p.label, p.failures, p.n])).toEqual([
      ["1111111aaaa", "1111111", 4, 72],
      ["2222222aaaa", "2222222", 5, 72],
      ["3333333aaaa", "3333333", 6, 72],
      [null, "pr-41", 8, 72],
      [null, "pr-42", 12, 72],
    ]);
    expect(asr?.points[4]).toMatchObject({ time: "2026-05-01T00:00:00.000Z", rate: 12 / 72 });
    expect(asr?.points[4]?.interval?.upper).toBeCloseTo(12 / 72 + 0.08);
    expect(asr?.points.map((p) => p.release)).toEqual([false, true, false, false, false]);
    expect(trend.runs[1]).toMatchObject({ release: true, releaseName: "v1.0", ref: "refs/tags/v1.0" });
    expect(Object.keys(trend.metrics)).toEqual([
      "attack_success_rate",
      "false_refusal_rate",
      "leak_rate",
      "pii_leak_rate",
      "error_rate",
    ]);
    expect(asr?.categories[HOSTILE]).toHaveLength(5);
  });

  it("a commit in two inputs is one run, the one read last; history and results orders do not matter", async () => {
    const other = join(dir, "other.jsonl");
    writeFileSync(join(dir, "again.json"), JSON.stringify(run("2026-03-01T00:00:00.000Z", 30)));
    const a = await runCli([
      "history",
      "add",
      "--results",
      join(dir, "again.json"),
      "--history",
      other,
      "--commit",
      "3333333aaaa",
      "--ref",
      "refs/heads/main",
    ]);
    expect(a.code).toBe(0);
    const out = join(dir, "site-dedupe");
    const r = await runCli(["trend", join(dir, "history.jsonl"), other, "--out", out]);
    expect(r.code).toBe(0);
    const trend = JSON.parse(readFileSync(join(out, "trend.json"), "utf8")) as Trend;
    expect(trend.metrics.attack_success_rate?.points.map((p) => [p.label, p.failures])).toEqual([
      ["1111111", 4],
      ["2222222", 5],
      ["3333333", 30],
    ]);
  });

  it("sparkline: scaled from the lowest to the highest value, a flat series in the middle, a missing value a gap", () => {
    expect(sparkline([0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.11, 0.12])).toBe("▁▂▃▄▅▆▇█");
    expect(sparkline([0.1, 0.1, 0.1])).toBe("▄▄▄");
    expect(sparkline([0, null, 1])).toBe("▁ █");
    expect(sparkline([null])).toBe(" ");
  });

  it("refuses no input, no --out and an empty history with exit 2", async () => {
    expect((await runCli(["trend", "--out", dir])).code).toBe(2);
    expect((await runCli(["trend", join(dir, "history.jsonl")])).stderr).toContain("trend needs --out DIR");
    writeFileSync(join(dir, "empty.jsonl"), "");
    const empty = await runCli(["trend", join(dir, "empty.jsonl"), "--out", join(dir, "x")]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("the history is empty");
  });

  it.skipIf(!hasBrowser)(
    "index.html renders in Chromium with no request: a chart per metric with a point per run, interval whiskers and band, the release marked, category small multiples, a table; untrusted names stay text",
    async () => {
      const { out, trend } = await writeTrend();
      if (!chromium) throw new Error("no browser");
      const page = await chromium.browser.newPage();
      const requests: string[] = [];
      const problems: string[] = [];
      await page.setRequestInterception(true);
      page.on("request", (r) => {
        requests.push(r.url());
        if (/^file:/.test(r.url())) void r.continue();
        else void r.abort();
      });
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warn") problems.push(m.text());
      });
      page.on("pageerror", (e) => problems.push(String(e)));
      const url = pathToFileURL(join(out, "index.html")).href;
      await page.goto(url, { waitUntil: "load" });
      const seen = (await page.evaluate(`(() => {
        const charts = {};
        for (const svg of document.querySelectorAll("svg.trend:not(.small)")) {
          const box = svg.getBoundingClientRect();
          charts[svg.dataset.metric] = {
            points: svg.querySelectorAll("circle.point").length,
            whiskers: svg.querySelectorAll("line.whisker").length,
            bands: svg.querySelectorAll("polygon.band").length,
            releases: [...svg.querySelectorAll("g.release")].map((g) => g.textContent),
            width: box.width,
            height: box.height,
          };
        }
        const small = {};
        for (const svg of document.querySelectorAll("svg.trend.small")) small[svg.dataset.metric] = (small[svg.dataset.metric] || 0) + 1;
        return {
          charts,
          small,
          rows: document.querySelectorAll("#runs tbody tr").length,
          releaseRows: document.querySelectorAll("#runs tbody tr.release").length,
          images: document.images.length,
          title: document.title,
          captions: [...document.querySelectorAll(".multiples figcaption")].map((f) => f.textContent),
        };
      })()`)) as {
        charts: Record<
          string,
          {
            points: number;
            whiskers: number;
            bands: number;
            releases: string[];
            width: number;
            height: number;
          }
        >;
        small: Record<string, number>;
        rows: number;
        releaseRows: number;
        images: number;
        title: string;
        captions: string[];
      };
      expect(Object.keys(seen.charts)).toEqual(Object.keys(trend.metrics));
      for (const [metric, m] of Object.entries(trend.metrics)) {
        const chart = seen.charts[metric];
        expect(chart?.points, metric).toBe(m.points.length);
        expect(chart?.whiskers, metric).toBe(m.points.filter((p) => p.interval).length);
        expect(chart?.bands, metric).toBe(1);
        expect(chart?.releases, metric).toEqual(["v1.0release v1.0"]);
        expect(chart?.width).toBeGreaterThan(300);
        expect(chart?.height).toBeGreaterThan(100);
        const cats = Object.keys(m.categories).length;
        expect(seen.small[metric] ?? 0, metric).toBe(cats > 1 ? cats : 0);
      }
      expect(seen.rows).toBe(trend.runs.length);
      expect(seen.releaseRows).toBe(1);
      // The category named like an <img> tag is text, nothing ran.
      expect(seen.images).toBe(0);
      expect(seen.title).not.toBe("owned");
      expect(seen.captions.some((c) => c.startsWith(HOSTILE))).toBe(true);
      expect(requests).toEqual([url]);
      expect(problems).toEqual([]);
      await page.close();
    },
    120_000,
  );
});
