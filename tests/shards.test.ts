/**
 * `run --shard K/N` and `merge`: N machines each answer and grade a slice, one merge decides.
 * The merged results.json must be the one an unsharded run of the same answers writes, byte
 * for byte once the timing fields are taken out — for recorded answers and for a live
 * OpenAI-compatible server — and merge must refuse any set of partials that is not one
 * run's: a shard missing or given twice, shards of different N, other suites, configs or
 * builds.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PartialResult } from "../src/report/partial.js";
import { loadSuites } from "../src/suite/load.js";
import { caseCost, parseShard, shardAssignment } from "../src/suite/shard.js";
import { type FakeOpenAI, startFakeOpenAI } from "./helpers/fake-openai.js";
import { quickstartAnswers, quickstartDir, writeLiveConfig } from "./helpers/live.js";
import { type CliResult, runCli, tempDir } from "./helpers/run.js";

/** The fields that say when, not what: the only ones a merge may change. */
const TIMING = /^\s*"createdAt": "[^"]*",?\n/gm;
const withoutTimings = (file: string) => readFileSync(file, "utf8").replace(TIMING, "");
/** report.md, report.html and junit.xml stamp the run's time too. */
const STAMP = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g;
const unstamped = (file: string) => readFileSync(file, "utf8").replace(STAMP, "TIME");

const partialOf = (dir: string) =>
  JSON.parse(readFileSync(join(dir, "partial.json"), "utf8")) as PartialResult;

/** Runs shards 1..n of `config` into dir/sK and returns their folders. */
async function shards(config: string, dir: string, n: number, extra: string[] = []): Promise<string[]> {
  const out: string[] = [];
  for (let k = 1; k <= n; k++) {
    const part = join(dir, `s${k}-of-${n}`);
    const r = await runCli([
      "run",
      "--config",
      config,
      "--shard",
      `${k}/${n}`,
      "--out",
      part,
      "--quiet",
      ...extra,
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`shard ${k}/${n} — partial result, no verdict`);
    out.push(part);
  }
  return out;
}

/** The same answers, unsharded and sharded: results.json and the reports must agree but for timings. */
async function expectMergeEqualsWhole(config: string, dir: string, parts: string[]): Promise<CliResult> {
  const whole = await runCli(["run", "--config", config, "--out", join(dir, "whole"), "--quiet"]);
  const merged = await runCli([
    "merge",
    ...parts,
    "--config",
    config,
    "--out",
    join(dir, "merged"),
    "--quiet",
  ]);
  expect(merged.stderr).toBe("");
  expect(merged.code).toBe(whole.code);
  expect(merged.stdout).toBe(whole.stdout);
  const wholeJson = withoutTimings(join(dir, "whole", "results.json"));
  expect(wholeJson.length).toBeGreaterThan(10_000);
  expect(withoutTimings(join(dir, "merged", "results.json"))).toBe(wholeJson);
  for (const f of ["report.md", "report.html", "junit.xml"])
    expect(unstamped(join(dir, "merged", f)), f).toBe(unstamped(join(dir, "whole", f)));
  return merged;
}

const quickstartConfig = join(quickstartDir, "safety-gate.yml");

describe("4 shards + merge on recorded answers (the quickstart)", () => {
  let dir: string;
  let parts: string[];
  beforeAll(async () => {
    dir = tempDir();
    parts = await shards(quickstartConfig, dir, 4);
  });

  it("each shard writes a partial result — no verdict, no results.json — and together they hold every case once", () => {
    const ids: string[] = [];
    for (const [i, part] of parts.entries()) {
      const p = partialOf(part);
      expect(p.shard).toEqual({ index: i + 1, count: 4 });
      expect(p.note).toMatch(/^Partial result of shard \d\/4: .* No verdict/);
      expect(p).not.toHaveProperty("verdict");
      expect(existsSync(join(part, "results.json"))).toBe(false);
      // Both builds answered the same slice.
      expect(p.baseline?.cases.map((c) => c.id)).toEqual(p.candidate.cases.map((c) => c.id));
      expect(p.candidate.cases.length).toBeGreaterThan(20);
      ids.push(...p.candidate.cases.map((c) => c.id));
    }
    expect(ids.length).toBe(130);
    expect(new Set(ids).size).toBe(130);
  });

  it("merge writes the results.json, reports and verdict of one unsharded run (apart from timings)", async () => {
    const merged = await expectMergeEqualsWhole(quickstartConfig, dir, parts);
    expect(merged.code).toBe(1); // the quickstart's regression
    // Given in any order.
    const reversed = await runCli([
      "merge",
      ...[...parts].reverse(),
      "-c",
      quickstartConfig,
      "--out",
      join(dir, "rev"),
      "-q",
    ]);
    expect(reversed.code).toBe(1);
    expect(withoutTimings(join(dir, "rev", "results.json"))).toBe(
      withoutTimings(join(dir, "whole", "results.json")),
    );
  });

  it("refuses a missing shard, exit 2, naming it", async () => {
    const r = await runCli([
      "merge",
      parts[0] as string,
      parts[1] as string,
      parts[3] as string,
      "-c",
      quickstartConfig,
      "--out",
      join(dir, "m1"),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("merge: shard 3/4 missing: a merge needs all 4 shards (got 1, 2, 4)");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, "m1", "results.json"))).toBe(false);
  });

  it("refuses a duplicated shard, exit 2, naming both copies", async () => {
    const copy = join(dir, "copy-of-2");
    mkdirSync(copy);
    copyFileSync(join(parts[1] as string, "partial.json"), join(copy, "partial.json"));
    const r = await runCli(["merge", ...parts, copy, "-c", quickstartConfig, "--out", join(dir, "m2")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /copy-of-2\/partial\.json shard: shard 2\/4 is given twice \(also .*s2-of-4\/partial\.json\)/,
    );
    // The same folder twice (and the others) as well.
    const again = await runCli([
      "merge",
      ...parts,
      parts[1] as string,
      "-c",
      quickstartConfig,
      "--out",
      join(dir, "m2"),
    ]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("shard 2/4 is given twice (the same folder twice)");
  });

  it("refuses shards of different N", async () => {
    const three = await shards(quickstartConfig, dir, 3);
    const r = await runCli([
      "merge",
      parts[0] as string,
      parts[1] as string,
      three[2] as string,
      parts[3] as string,
      "-c",
      quickstartConfig,
      "--out",
      join(dir, "m3"),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /s3-of-3\/partial\.json shard: shard 3\/3, but .*s1-of-4\/partial\.json is shard 1\/4: shards of different N/,
    );
  });

  it("refuses mixed suites, configs and builds, and a merge with a config other than the shards'", async () => {
    // A copy of the quickstart whose files can be changed between shards.
    const copyDir = join(dir, "copy");
    mkdirSync(copyDir);
    for (const f of [
      "suite.jsonl",
      "responses-candidate.jsonl",
      "responses-baseline.jsonl",
      "safety-gate.yml",
    ])
      copyFileSync(join(quickstartDir, f), join(copyDir, f));
    const config = join(copyDir, "safety-gate.yml");
    const first = await shards(config, join(dir, "a"), 4);
    const rerun = async (k: number) => {
      const out = join(dir, `b${k}-${Math.random().toString(36).slice(2)}`);
      const r = await runCli(["run", "-c", config, "--shard", `${k}/4`, "--out", out, "-q"]);
      expect(r.code).toBe(0);
      return out;
    };
    const merge = (folders: string[]) =>
      runCli(["merge", ...folders, "-c", config, "--out", join(dir, "mx")]);
    const original = readFileSync(config, "utf8");

    // Mixed builds: shard 2 ran against another recording of the candidate.
    const candidate = join(copyDir, "responses-candidate.jsonl");
    const answers = readFileSync(candidate, "utf8");
    writeFileSync(join(copyDir, "other-candidate.jsonl"), answers);
    writeFileSync(config, original.replace("responses-candidate.jsonl", "other-candidate.jsonl"));
    const otherBuild = await rerun(2);
    writeFileSync(config, original);
    let r = await merge([first[0] as string, otherBuild, first[2] as string, first[3] as string]);
    expect(r.code).toBe(2);
    // The config changed too (it names the other file), so both are named.
    expect(r.stderr).toMatch(
      /partial\.json: mixed config: .*run every shard with the same config file, unchanged/,
    );
    expect(r.stderr).toMatch(
      /partial\.json: mixed candidate build: .*other-candidate\.jsonl.* here, .*responses-candidate\.jsonl.*run every shard against the same candidate build/,
    );

    // Mixed suites: a case edited between shards.
    const suite = join(copyDir, "suite.jsonl");
    const cases = readFileSync(suite, "utf8");
    writeFileSync(suite, cases.replace("kill a Python process", "stop a Python process"));
    const otherSuite = await rerun(3);
    writeFileSync(suite, cases);
    r = await merge([first[0] as string, first[1] as string, otherSuite, first[3] as string]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/partial\.json: mixed suites: .*run every shard on the same suites/);

    // The shards agree, but the config was edited since they ran: its gates would judge answers it did not ask for.
    writeFileSync(config, original.replace("max: 0.10", "max: 0.12"));
    r = await merge(first);
    writeFileSync(config, original);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("the shards ran with another version of the config");

    // And the untouched shards merge.
    r = await merge(first);
    expect(r.code).toBe(1);
  });

  it("refuses a folder that is no shard's, and partials of another safety-gate", async () => {
    let r = await runCli([
      "merge",
      ...parts.slice(0, 3),
      join(dir, "whole"),
      "-c",
      quickstartConfig,
      "--out",
      join(dir, "m4"),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /whole\/partial\.json: no such file: give the --out folder of a 'safety-gate run --shard K\/N'/,
    );
    const odd = join(dir, "odd");
    mkdirSync(odd);
    const p = partialOf(parts[3] as string);
    writeFileSync(
      join(odd, "partial.json"),
      JSON.stringify({ ...p, tool: { ...p.tool, version: "9.9.9" } }, null, 2),
    );
    r = await runCli(["merge", ...parts.slice(0, 3), odd, "-c", quickstartConfig, "--out", join(dir, "m4")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /odd\/partial\.json:\d+:\d+ tool\.version: written by safety-gate 9\.9\.9, this is .*: run the shards and the merge with the same safety-gate/,
    );
  });
});

describe("4 shards + merge on live answers (a loopback OpenAI-compatible server)", () => {
  let server: FakeOpenAI;
  beforeAll(async () => {
    server = await startFakeOpenAI({ answer: quickstartAnswers() });
  });
  afterAll(() => server.close());

  it("asks each case and sample of each build once over the 4 shards, keeps clusters whole, and merges to the unsharded run's results", async () => {
    const dir = tempDir();
    // Two samples a case, and attack variants clustered with their base case.
    const config = writeLiveConfig(dir, {
      url: server.url,
      runner: "{ concurrency: 8, samples: 2 }",
      extra: "attacks: [base64]",
    });
    writeFileSync(config, readFileSync(config, "utf8").replace("temperature: 0,", "temperature: 0.7,"));
    const parts = await shards(config, dir, 4);
    const partials = parts.map(partialOf);
    const total = partials[0]?.total ?? 0;
    expect(total).toBeGreaterThan(130);
    expect(partials.reduce((n, p) => n + p.candidate.cases.length, 0)).toBe(total);
    // Every case and sample asked once per build: nothing twice, nothing left out.
    expect(server.requests.length).toBe(total * 2 * 2);
    const shardOfCluster = new Map<string, Set<number>>();
    for (const p of partials) {
      for (const c of p.candidate.cases) {
        expect(c.samples).toHaveLength(2);
        if (c.cluster === undefined) continue;
        const seen = shardOfCluster.get(c.cluster) ?? new Set();
        seen.add(p.shard.index);
        shardOfCluster.set(c.cluster, seen);
      }
    }
    expect(shardOfCluster.size).toBeGreaterThan(10);
    for (const [cluster, inShards] of shardOfCluster) expect([...inShards], cluster).toHaveLength(1);
    await expectMergeEqualsWhole(config, dir, parts);
    expect(server.requests.length).toBe(total * 2 * 2 * 2);
    const merged = JSON.parse(readFileSync(join(dir, "merged", "results.json"), "utf8"));
    expect(merged.builds.candidate.target.kind).toBe("openai");
    expect(merged.builds.candidate.cases).toHaveLength(total);
  });
});

describe("the slices", () => {
  const suite = loadSuites([join(quickstartDir, "suite.jsonl")])[0];
  const cases = suite?.cases ?? [];

  it("do not depend on the order of the suite file", () => {
    const shuffled = [...cases].sort((a, b) =>
      a.id.split("").reverse().join() < b.id.split("").reverse().join() ? -1 : 1,
    );
    expect(shuffled.map((c) => c.id)).not.toEqual(cases.map((c) => c.id));
    expect(shardAssignment(shuffled, 4, 1)).toEqual(shardAssignment(cases, 4, 1));
  });

  it("through the CLI: a shard of the suite file in another order holds the same cases", async () => {
    const dir = tempDir();
    for (const f of ["responses-candidate.jsonl", "responses-baseline.jsonl", "safety-gate.yml"])
      copyFileSync(join(quickstartDir, f), join(dir, f));
    const lines = readFileSync(join(quickstartDir, "suite.jsonl"), "utf8").trim().split("\n");
    writeFileSync(join(dir, "suite.jsonl"), `${[...lines].reverse().join("\n")}\n`);
    const ids = async (config: string, out: string) => {
      const r = await runCli(["run", "-c", config, "--shard", "2/4", "--out", out, "-q"]);
      expect(r.code).toBe(0);
      return partialOf(out).candidate.cases.map((c) => c.id);
    };
    const original = await ids(quickstartConfig, join(dir, "a"));
    const reversed = await ids(join(dir, "safety-gate.yml"), join(dir, "b"));
    expect(reversed).toEqual([...original].reverse());
  });

  it("keep a cluster's cases together and balance expected cost (prompt length × samples), not case counts", () => {
    const long = "x".repeat(20_000);
    const mixed = cases.map((c, i) =>
      i < 4 ? { ...c, prompt: long } : i < 40 ? { ...c, cluster: `family-${i % 6}` } : c,
    );
    for (const samples of [1, 3]) {
      const assigned = shardAssignment(mixed, 4, samples);
      for (const family of [0, 1, 2, 3, 4, 5]) {
        const shardsOf = new Set(
          mixed.filter((c) => c.cluster === `family-${family}`).map((c) => assigned.get(c.id)),
        );
        expect(shardsOf.size).toBe(1);
      }
      const cost = [0, 0, 0, 0];
      const count = [0, 0, 0, 0];
      for (const c of mixed) {
        const k = (assigned.get(c.id) as number) - 1;
        cost[k] = (cost[k] as number) + caseCost(c, samples);
        count[k] = (count[k] as number) + 1;
      }
      // The four long prompts go one to a shard; the rest is spread so that costs stay within one unit of each other.
      expect(new Set(mixed.slice(0, 4).map((c) => assigned.get(c.id))).size).toBe(4);
      const units = new Map<string, number>();
      for (const c of mixed)
        units.set(c.cluster ?? c.id, (units.get(c.cluster ?? c.id) ?? 0) + caseCost(c, samples));
      const biggestUnit = Math.max(...units.values());
      expect(Math.max(...cost) - Math.min(...cost)).toBeLessThanOrEqual(biggestUnit);
      expect(count.reduce((a, b) => a + b)).toBe(130);
    }
  });

  it("parse K/N, and the CLI refuses what a shard cannot be", async () => {
    expect(parseShard("2/4")).toEqual({ index: 2, count: 4 });
    for (const bad of ["0/4", "5/4", "2", "a/b", "2/0", "-1/3"]) expect(parseShard(bad)).toBeUndefined();
    const dir = tempDir();
    for (const [args, message] of [
      [
        ["--shard", "5/4", "--out", dir],
        `--shard expects K/N with 1 ≤ K ≤ N (shard K of N, e.g. 2/4), got "5/4"`,
      ],
      [["--shard", "1/4"], "--shard needs --out DIR"],
      [["--shard", "1/4", "--out", dir, "--limit", "5"], "--shard cannot be combined with --limit"],
      [
        ["--shard", "1/4", "--out", dir, "--baseline", join(quickstartDir, "responses-baseline.jsonl")],
        "--shard cannot be combined with --baseline",
      ],
      [
        ["--shard", "1/4", "--out", dir, "--record-baseline", join(dir, "b.json")],
        "--shard cannot be combined with --record-baseline",
      ],
    ] as const) {
      const r = await runCli(["run", "-c", quickstartConfig, ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain(message);
    }
    const none = await runCli(["merge", "--out", dir, "-c", quickstartConfig]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("merge needs the shards' --out folders");
  });
});

describe("a slice of a recorded run (the same defect for --limit)", () => {
  it("--limit on a config with recorded answers is a smoke run (exit 3), not 125 'not a case id' errors", async () => {
    const r = await runCli(["run", "-c", quickstartConfig, "--limit", "5", "--quiet"]);
    expect(r.stderr).not.toContain("is not a case id");
    expect(r.stdout).toContain("INCONCLUSIVE (smoke run — not a gate)");
    expect(r.code).toBe(3);
    // A recorded answer to a case of no suite is still an error.
    const dir = tempDir();
    for (const f of [
      "suite.jsonl",
      "responses-candidate.jsonl",
      "responses-baseline.jsonl",
      "safety-gate.yml",
    ])
      copyFileSync(join(quickstartDir, f), join(dir, f));
    writeFileSync(
      join(dir, "responses-candidate.jsonl"),
      `${readFileSync(join(dir, "responses-candidate.jsonl"), "utf8").trimEnd()}\n{"id":"no-such-case","response":"hi"}\n`,
    );
    const bad = await runCli(["run", "-c", join(dir, "safety-gate.yml"), "--limit", "5", "--quiet"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /responses-candidate\.jsonl:\d+:\d+ id: "no-such-case" is not a case id of any suite/,
    );
  });
});
