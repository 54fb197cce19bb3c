/**
 * `safety-gate history add|show`: a history file kept from any CI, one line per commit,
 * idempotent per commit and safe when several real processes add at once.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type HistoryRecord, parseHistory } from "../src/history/record.js";
import type { Results } from "../src/report/results-schema.js";
import { bareEnv, runCliProcess } from "./helpers/cli-process.js";
import { startGitHubStandIn } from "./helpers/github-standin.js";
import { runCli, tempDir } from "./helpers/run.js";
import { repoRoot } from "./helpers/shared.js";

let dir: string;
let resultsFile: string;
let results: Results;

const read = (file: string): HistoryRecord[] => parseHistory(readFileSync(file, "utf8"), file);

beforeAll(async () => {
  dir = tempDir("safety-gate-history-");
  const out = join(dir, "run");
  const run = await runCli([
    "run",
    "--config",
    join(repoRoot, "examples/quickstart/safety-gate.yml"),
    "--out",
    out,
    "--quiet",
  ]);
  expect(run.code).toBe(1);
  resultsFile = join(out, "results.json");
  results = JSON.parse(readFileSync(resultsFile, "utf8")) as Results;
}, 60_000);

describe("history add and show", () => {
  it("adds the run's summary as one versioned JSON line: commit, ref, builds, suites hash, per metric and category counts, rate and interval, verdict", async () => {
    const file = join(dir, "one.jsonl");
    const add = await runCli([
      "history",
      "add",
      "--results",
      resultsFile,
      "--history",
      file,
      "--commit",
      "c0ffee1",
      "--ref",
      "refs/heads/main",
    ]);
    expect(add.stderr).toBe("");
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/added commit c0ffee1, verdict fail; 1 point\n$/);
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    const [rec] = read(file) as [HistoryRecord];
    expect(rec).toMatchObject({
      history: 1,
      commit: "c0ffee1",
      ref: "refs/heads/main",
      release: false,
      verdict: "fail",
      time: results.createdAt,
      config: results.config,
      builds: { candidate: { kind: "replay", source: results.builds.candidate.target.source } },
      gated: ["attack_success_rate", "false_refusal_rate", "leak_rate", "error_rate"],
    });
    expect(rec.suitesHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    const asr = results.metrics.candidate.attack_success_rate;
    expect(rec.metrics.attack_success_rate?.overall).toEqual({
      failures: asr.overall.failures,
      n: asr.overall.n,
      rate: asr.overall.rate,
      interval: asr.overall.ci,
    });
    expect(Object.keys(rec.metrics.attack_success_rate?.byCategory ?? {})).toEqual(
      Object.keys(asr.byCategory),
    );
    expect(rec.metrics.attack_success_rate?.byCategory.crime?.n).toBe(asr.byCategory.crime?.n);
    expect(rec.notPassed).toContainEqual({
      metric: "attack_success_rate",
      rule: "regression",
      outcome: "fail",
    });
  });

  it("is idempotent per commit: the same commit twice is one point; a tag on it marks that point as the release", async () => {
    const file = join(dir, "idem.jsonl");
    const add = (commit: string, ref: string) =>
      runCli([
        "history",
        "add",
        "--results",
        resultsFile,
        "--history",
        file,
        "--commit",
        commit,
        "--ref",
        ref,
      ]);
    expect((await add("aaa1111", "refs/heads/main")).code).toBe(0);
    const again = await add("aaa1111", "refs/heads/main");
    expect(again.stdout).toContain("already had the same point for commit aaa1111");
    expect(read(file)).toHaveLength(1);
    expect((await add("bbb2222", "refs/heads/main")).code).toBe(0);
    const tag = await add("aaa1111", "refs/tags/v1.2.0");
    expect(tag.stdout).toContain("replaced the earlier point of commit aaa1111 (release v1.2.0)");
    // The main push again after the tag keeps the release mark.
    await add("aaa1111", "refs/heads/main");
    const recs = read(file);
    expect(recs.map((r) => r.commit)).toEqual(["aaa1111", "bbb2222"]);
    expect(recs[0]).toMatchObject({ release: true, releaseName: "v1.2.0" });
    expect(recs[1]?.release).toBe(false);
  });

  it("marks release branches (release/…) and --release as releases", async () => {
    const file = join(dir, "release.jsonl");
    await runCli([
      "history",
      "add",
      "--results",
      resultsFile,
      "--history",
      file,
      "--commit",
      "r1",
      "--ref",
      "refs/heads/release/2.0",
    ]);
    await runCli([
      "history",
      "add",
      "--results",
      resultsFile,
      "--history",
      file,
      "--commit",
      "r2",
      "--ref",
      "refs/heads/main",
      "--release",
    ]);
    await runCli([
      "history",
      "add",
      "--results",
      resultsFile,
      "--history",
      file,
      "--commit",
      "r3",
      "--ref",
      "refs/heads/releases-notes-typo-fix",
    ]);
    expect(read(file).map((r) => [r.commit, r.release, r.releaseName])).toEqual([
      ["r1", true, "release/2.0"],
      ["r2", true, "main"],
      ["r3", false, undefined],
    ]);
  });

  it("show prints one row per run, oldest first, with the gated metrics' rates and intervals; --json the lines", async () => {
    const file = join(dir, "show.jsonl");
    const late = { ...results, createdAt: "2026-03-01T00:00:00.000Z" };
    const early = { ...results, createdAt: "2026-01-01T00:00:00.000Z" };
    writeFileSync(join(dir, "late.json"), JSON.stringify(late));
    writeFileSync(join(dir, "early.json"), JSON.stringify(early));
    await runCli([
      "history",
      "add",
      "--results",
      join(dir, "late.json"),
      "--history",
      file,
      "--commit",
      "1a7e000",
      "--ref",
      "main",
    ]);
    await runCli([
      "history",
      "add",
      "--results",
      join(dir, "early.json"),
      "--history",
      file,
      "--commit",
      "ea71000",
      "--ref",
      "main",
    ]);
    const show = await runCli(["history", "show", "--history", file]);
    expect(show.code).toBe(0);
    const rows = show.stdout.trimEnd().split("\n");
    expect(rows[0]).toMatch(/show\.jsonl: 2 points$/);
    expect(rows[1]).toMatch(/^time\s+commit\s+ref\s+verdict\s+Attack success\s+False refusal/);
    expect(rows[2]).toMatch(
      /^2026-01-01T00:00:00Z\s+ea71000\s+main\s+fail\s+16\.7% \(12\/72\) \[9\.8%, 26\.9%\]/,
    );
    expect(rows[3]).toMatch(/^2026-03-01T00:00:00Z\s+1a7e000 /);
    const json = await runCli(["history", "show", "--history", file, "--json"]);
    expect((JSON.parse(json.stdout) as HistoryRecord[]).map((r) => r.commit)).toEqual(["1a7e000", "ea71000"]);
  });

  it("refuses a smoke run, a damaged line and a newer format with exit 2, the file and line, and what to do", async () => {
    const smoke = join(dir, "smoke.json");
    writeFileSync(smoke, JSON.stringify({ ...results, smoke: { cases: 5, of: 130, limit: 5 } }));
    const file = join(dir, "bad.jsonl");
    const s = await runCli(["history", "add", "--results", smoke, "--history", file, "--commit", "x"]);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(
      /smoke\.json smoke: a smoke run .* is not a gate and is not kept in the history/,
    );
    expect(s.stderr).not.toMatch(/\n\s+at /);

    await runCli(["history", "add", "--results", resultsFile, "--history", file, "--commit", "good"]);
    writeFileSync(file, `${readFileSync(file, "utf8")}{"history":1,"commit":\n`);
    const torn = await runCli(["history", "show", "--history", file]);
    expect(torn.code).toBe(2);
    expect(torn.stderr).toMatch(/bad\.jsonl:2:\d+: invalid JSON/);

    const newer = join(dir, "newer.jsonl");
    writeFileSync(newer, `${JSON.stringify({ history: 2, commit: "z" })}\n`);
    const n = await runCli(["history", "add", "--results", resultsFile, "--history", newer, "--commit", "y"]);
    expect(n.code).toBe(2);
    expect(n.stderr).toMatch(/newer\.jsonl:1:1 history: a history line of format 2; .*upgrade safety-gate/);
    expect(readFileSync(newer, "utf8")).toBe(`${JSON.stringify({ history: 2, commit: "z" })}\n`);

    const missing = await runCli(["history", "show", "--history", join(dir, "no-such.jsonl")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /no-such\.jsonl: history file not found; 'safety-gate history add' creates it/,
    );

    const none = await runCli(["history", "add", "--history", file]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("history add needs --results FILE");
  });

  it("takes the commit and ref from the CI's environment when no flag names them", async () => {
    const file = join(dir, "env.jsonl");
    const env = { ...bareEnv(), GITHUB_SHA: "feedbeef", GITHUB_REF: "refs/tags/v3" };
    const r = await runCliProcess(["history", "add", "--results", resultsFile, "--history", file], {
      cwd: dir,
      env,
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(read(file)[0]).toMatchObject({
      commit: "feedbeef",
      ref: "refs/tags/v3",
      release: true,
      releaseName: "v3",
    });
  }, 60_000);
});

describe("history add from concurrent processes", () => {
  it("keeps every point of runs for different commits added at once, and one point for the same commit added at once", async () => {
    const file = join(dir, "concurrent.jsonl");
    const add = (commit: string) =>
      runCliProcess(["history", "add", "--results", resultsFile, "--history", file, "--commit", commit], {
        cwd: dir,
        env: bareEnv(),
      });
    // Different commits and the same commit, all started together as separate processes.
    const runs = await Promise.all([add("d1"), add("d2"), add("d3"), add("same"), add("same"), add("same")]);
    for (const r of runs) {
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    }
    const commits = read(file).map((r) => r.commit);
    expect([...commits].sort()).toEqual(["d1", "d2", "d3", "same"]);
    // Whole lines only: nothing torn or interleaved, and no lock left behind.
    expect(readFileSync(file, "utf8").split("\n").filter(Boolean)).toHaveLength(4);
    expect(runs.filter((r) => /added commit same/.test(r.stdout))).toHaveLength(1);
  }, 120_000);
});

describe("publish with a history file", () => {
  it("puts the history's sparklines and the trend page link in the comment; --history is publish's alone", async () => {
    const file = join(dir, "publish.jsonl");
    for (let i = 0; i < 4; i++) {
      const r = structuredClone(results);
      r.createdAt = `2026-0${i + 1}-01T00:00:00.000Z`;
      r.metrics.candidate.attack_success_rate.overall = {
        failures: 2 + i,
        n: 72,
        rate: (2 + i) / 72,
        ci: null,
      };
      writeFileSync(join(dir, `p${i}.json`), JSON.stringify(r));
      await runCli([
        "history",
        "add",
        "--results",
        join(dir, `p${i}.json`),
        "--history",
        file,
        "--commit",
        `p${i}`,
        "--ref",
        "main",
      ]);
    }
    const s = await startGitHubStandIn({ owner: "octo-org", repo: "model-release" });
    process.env.GITHUB_TOKEN = "ghp_cliToken";
    try {
      const r = await runCli([
        "publish",
        "--results",
        resultsFile,
        "--repo",
        "octo-org/model-release",
        "--sha",
        "0123456789abcdef0123456789abcdef01234567",
        "--pr",
        "7",
        "--api-url",
        s.url,
        "--history",
        file,
        "--trend-url",
        "https://example.org/trend/",
      ]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(1);
      expect(s.violations).toEqual([]);
      const body = s.comments.get(7)?.[0]?.body ?? "";
      expect(body).toContain("**Trend** ([trend page](https://example.org/trend/))");
      expect(body).toContain(
        "- Attack success: `▁▃▆█` 2.8% → 6.9% over the last 4 recorded runs; this run 16.7%",
      );
      // The check run's summary carries it too.
      expect(String((s.checkRuns[0]?.body.output as { summary?: string })?.summary)).toContain("`▁▃▆█`");
    } finally {
      delete process.env.GITHUB_TOKEN;
      await s.close();
    }
    const misplaced = await runCli([
      "validate",
      "--config",
      join(repoRoot, "examples/quickstart/safety-gate.yml"),
      "--history",
      file,
    ]);
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toContain("--history and --trend-url are options of publish, not of validate");
  }, 60_000);
});
