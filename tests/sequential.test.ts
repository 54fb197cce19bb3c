/**
 * Sequential mode (`runner.sequential`) end to end through the CLI against a live loopback model server
 * that counts what it is asked: a clear regression stops at an early look with fewer requests than a full
 * run; a run without one asks every case and ends with the fixed-size gate's verdict. And the order the
 * cases are asked in: seeded, stratified by category, clusters kept together.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/load.js";
import { policyOf } from "../src/config/policy.js";
import { redecide } from "../src/redecide.js";
import { planLooks } from "../src/runner/looks.js";
import type { LoadedCase } from "../src/suite/load.js";
import { type FakeOpenAI, type FakeRequest, startFakeOpenAI } from "./helpers/fake-openai.js";
import { syntheticAnswer, writeLiveConfig, writeSyntheticSuite } from "./helpers/live.js";
import { runCli, tempDir } from "./helpers/run.js";

const servers: FakeOpenAI[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const CASES = 400;
const COMPLY = "Sure. Here is a placeholder answer, with enough words to look like a reply.";
const REFUSE = "I can't help with that.";
const indexOf = (req: FakeRequest) => Number(/request number (\d+)/.exec(req.prompt)?.[1] ?? 0);

/** The baseline is `syntheticAnswer`; the candidate answers harmful request i as `harmful(i)` says. */
function models(harmful: (i: number) => boolean) {
  return (req: FakeRequest) => {
    if (req.model === "baseline" || !req.prompt.startsWith("[harmful")) return syntheticAnswer(req);
    return harmful(indexOf(req)) ? COMPLY : REFUSE;
  };
}

async function gate(dir: string, answer: (req: FakeRequest) => string, runner: string) {
  const server = await startFakeOpenAI({ answer });
  servers.push(server);
  const suite = writeSyntheticSuite(join(dir, "suite.jsonl"), CASES);
  const config = writeLiveConfig(dir, { url: server.url, suite, runner });
  const out = join(dir, "out");
  const r = await runCli(["run", "--config", config, "--out", out, "--no-color"]);
  const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
  return {
    r,
    results,
    requests: server.requests.length,
    report: readFileSync(join(out, "report.md"), "utf8"),
  };
}

describe("sequential mode through the CLI", () => {
  it("a clear regression stops at an early look, with fewer requests than a full run", async () => {
    // The baseline lets 1 in 7 harmful requests through; the candidate half of them.
    const dir = tempDir();
    const { r, results, requests, report } = await gate(
      dir,
      models((i) => i % 4 === 0),
      "{ concurrency: 8, sequential: { looks: 4, seed: 3 } }",
    );
    expect(r.code, r.stderr).toBe(1);
    const s = results.sequential;
    expect(s.early).toBe(true);
    expect(s.stoppedAt).toBeLessThan(4);
    // Only the cases of the looks held were asked, of both builds: the server saw exactly those.
    expect(requests).toBe(s.requests.asked);
    expect(requests).toBeLessThan(2 * CASES);
    expect(s.requests.saved).toBe(2 * CASES - requests);
    expect(results.builds.candidate.cases).toHaveLength(s.cases.asked);
    expect(results.builds.baseline.cases).toHaveLength(s.cases.asked);
    const regression = results.decisions.find(
      (d: { metric: string; rule: string; category?: string }) =>
        d.metric === "attack_success_rate" && d.rule === "regression" && d.category === undefined,
    );
    expect(regression.outcome).toBe("fail");
    const line = `stopped early at look ${s.stoppedAt} of 4 (${s.cases.asked} of ${CASES} cases); ${s.requests.saved} of ${2 * CASES} requests saved`;
    expect(r.stdout).toContain(`sequential: ${line}`);
    expect(report).toContain(`Sequential run: ${line}`);

    // Decided again on the trusted side (redecide), the record is held to the same look's boundary:
    // the same adjusted p-values, not the smaller ones α would give if its cases were the whole suite.
    const again = redecide(results, {
      policy: policyOf(loadConfig(join(dir, "safety-gate.yml")).config),
      from: "base",
      now: new Date(results.createdAt),
    });
    expect(again.verdict).toBe("fail");
    expect(again.comparisons.map((c) => c.pAdjusted)).toEqual(
      results.comparisons.map((c: { pAdjusted?: number }) => c.pAdjusted),
    );
  });

  it("a run without a regression asks every case and ends with the fixed-size gate's verdict", async () => {
    // Same attack success rate (1 in 7), on other cases: discordant pairs both ways, no regression.
    const answer = models((i) => i % 7 === 3);
    const sequential = await gate(tempDir(), answer, "{ concurrency: 8, sequential: { looks: 4, seed: 3 } }");
    const fixed = await gate(tempDir(), answer, "{ concurrency: 8 }");
    const s = sequential.results.sequential;
    expect(s).toMatchObject({ early: false, stoppedAt: 4, cases: { asked: CASES, of: CASES } });
    expect(s.fractions).toHaveLength(4);
    expect(s.fractions.at(-1)).toBe(1);
    expect(sequential.requests).toBe(2 * CASES);
    expect(s.requests).toEqual({ asked: 2 * CASES, of: 2 * CASES, saved: 0 });
    expect(fixed.results.sequential).toBeUndefined();
    // The same verdict, exit code and outcome of every gate as the fixed run, on the same cases.
    expect(sequential.r.code).toBe(fixed.r.code);
    expect(sequential.results.verdict).toBe(fixed.results.verdict);
    // No regression fails (the config's `max: 0.10` on attack success does, at 1 in 7: a ceiling is
    // no reason to stop early, only a regression is).
    const regressions = sequential.results.decisions.filter((d: { rule: string }) => d.rule === "regression");
    expect(regressions.length).toBeGreaterThan(0);
    expect(regressions.filter((d: { outcome: string }) => d.outcome === "fail")).toEqual([]);
    const outcomes = (x: {
      decisions: { metric: string; category?: string; rule: string; outcome: string }[];
    }) => x.decisions.map((d) => `${d.metric}/${d.category ?? ""}/${d.rule}: ${d.outcome}`);
    expect(outcomes(sequential.results)).toEqual(outcomes(fixed.results));
    expect(sequential.results.builds.candidate.cases.map((c: { id: string }) => c.id)).toEqual(
      fixed.results.builds.candidate.cases.map((c: { id: string }) => c.id),
    );
    // The last look's level is below α: the adjusted p of a sequential run is never below the fixed one's.
    const overall = (x: { comparisons: { metric: string; category?: string; pAdjusted?: number }[] }) =>
      x.comparisons.find((c) => c.metric === "attack_success_rate" && c.category === undefined)?.pAdjusted;
    expect(overall(sequential.results)).toBeGreaterThanOrEqual(overall(fixed.results) as number);
    expect(sequential.r.stdout).toContain(
      "sequential: ended at look 4 of 4 (400 of 400 cases); every case asked",
    );
  });
});

describe("the order a sequential run asks its cases in", () => {
  const make = (n: number): LoadedCase[] =>
    Array.from({ length: n }, (_, i) => ({
      id: `c${i}`,
      category: `cat${i % 3}`,
      prompt: `p${i}`,
      expect: i % 2 === 0 ? "refuse" : "comply",
      // Every fifth case from 100 on belongs to a cluster of 5 (attack variants of one case).
      ...(i >= 100 && i < 150 ? { cluster: `k${Math.floor(i / 5)}` } : {}),
      source: { file: "s.jsonl", line: i + 1 },
    })) as LoadedCase[];

  it("puts every case in exactly one look, each look holding its share of every stratum", () => {
    const cases = make(240);
    const plan = planLooks(cases, 4, 1);
    expect(
      plan
        .flat()
        .map((c) => c.id)
        .sort(),
    ).toEqual(cases.map((c) => c.id).sort());
    for (const look of plan) {
      for (const category of ["cat0", "cat1", "cat2"]) {
        for (const expectation of ["refuse", "comply"]) {
          const stratum = cases.filter((c) => c.category === category && c.expect === expectation).length;
          const here = look.filter((c) => c.category === category && c.expect === expectation).length;
          // A stratum's share of a look is within one cluster of a quarter of it.
          expect(Math.abs(here - stratum / 4)).toBeLessThanOrEqual(5);
        }
      }
    }
  });

  it("keeps a cluster's cases in one look", () => {
    const plan = planLooks(make(240), 4, 1);
    const lookOf = new Map(plan.flatMap((look, k) => look.map((c) => [c.id, k] as const)));
    for (let i = 100; i < 150; i += 5) {
      const looks = new Set(Array.from({ length: 5 }, (_, j) => lookOf.get(`c${i + j}`)));
      expect(looks.size).toBe(1);
    }
  });

  it("is the same for the same seed and another for another seed", () => {
    const ids = (seed: number) => planLooks(make(240), 4, seed).map((look) => look.map((c) => c.id));
    expect(ids(7)).toEqual(ids(7));
    expect(ids(8)[0]).not.toEqual(ids(7)[0]);
  });
});
