/**
 * Kill and resume: a 2,000-case run in a real child process, killed with SIGKILL halfway,
 * then run again with the same command. The server must get no request for a case that
 * is already in the journal, and the final results must equal an uninterrupted run's.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResultsSchema } from "../src/report/results-schema.js";
import { type FakeOpenAI, startFakeOpenAI } from "./helpers/fake-openai.js";
import { syntheticAnswer, writeLiveConfig, writeSyntheticSuite } from "./helpers/live.js";
import { tempDir } from "./helpers/run.js";
import { repoRoot } from "./helpers/shared.js";

const CASES = 2000;

function cli(config: string, out: string, run: string): ChildProcess {
  return spawn(
    process.execPath,
    ["--import", "tsx", join(repoRoot, "src/cli.ts"), "run", "--config", config, "--out", out, "--quiet"],
    { cwd: repoRoot, env: { ...process.env, RUN_TAG: run, NO_COLOR: "1" }, stdio: "ignore" },
  );
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
}

/** Case ids with a response in a journal; a torn last line (the kill) is skipped, as the runner does. */
function journaled(file: string): string[] {
  const ids: string[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    try {
      const r = JSON.parse(line) as { id: string; response?: string };
      if (r.response !== undefined) ids.push(r.id);
    } catch {}
  }
  return ids;
}

const stable = (file: string) => {
  const { createdAt: _, ...rest } = ResultsSchema.parse(JSON.parse(readFileSync(file, "utf8")));
  return rest;
};

let server: FakeOpenAI;
let config: string;
let killedAt = 0;
let atKill: string[] = [];
let second: { code: number | null };
let third: { code: number | null };
let out: string;
let fresh: string;
const idOf = (prompt: string) => `case-${String(/request number (\d+)/.exec(prompt)?.[1]).padStart(5, "0")}`;

beforeAll(async () => {
  const dir = tempDir();
  const suite = writeSyntheticSuite(join(dir, "suite.jsonl"), CASES);
  let child: ChildProcess | undefined;
  server = await startFakeOpenAI({
    answer: syntheticAnswer,
    latencyMs: 10,
    onRequest: (req) => {
      if (req.run === "one" && ++killedAt === CASES / 2) child?.kill("SIGKILL");
    },
  });
  config = writeLiveConfig(dir, {
    url: server.url,
    suite,
    baseline: false,
    runner: "{ concurrency: 8 }",
    // Headers are not part of a target's identity: the tag tells runs apart without changing what is resumed.
    candidate: [`headers: { x-run: "\${RUN_TAG}" }`],
  });
  out = join(dir, "out");
  child = cli(config, out, "one");
  const first = await exited(child);
  expect(first.signal).toBe("SIGKILL");
  atKill = journaled(join(out, "journal", "candidate.jsonl"));
  second = await exited(cli(config, out, "two"));
  fresh = join(dir, "fresh");
  third = await exited(cli(config, fresh, "three"));
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe("kill -9 halfway, then the same command again", () => {
  it("was killed with part of the work journaled", () => {
    expect(atKill.length).toBeGreaterThan(CASES / 4);
    expect(atKill.length).toBeLessThan(CASES);
    expect(new Set(atKill).size).toBe(atKill.length);
  });

  it("sends no request for a case already in the journal, and one for every other case", () => {
    const resumed = server.requests.filter((r) => r.run === "two").map((r) => idOf(r.prompt));
    const done = new Set(atKill);
    expect(resumed.filter((id) => done.has(id))).toEqual([]);
    expect(new Set(resumed).size).toBe(resumed.length);
    expect(resumed.length).toBe(CASES - atKill.length);
    console.info(
      `kill-resume: SIGKILL after ${CASES / 2} requests arrived; journal held ${atKill.length} of ${CASES} responses; ` +
        `the rerun sent ${resumed.length} requests, ${resumed.filter((id) => done.has(id)).length} of them for journaled cases`,
    );
  });

  it("finishes with results equal to an uninterrupted run's", () => {
    // Attack success is 1 in 7 by design, above the 10 % ceiling: both runs fail.
    expect(second.code).toBe(1);
    expect(third.code).toBe(1);
    const resumed = stable(join(out, "results.json"));
    const uninterrupted = stable(join(fresh, "results.json"));
    expect(resumed.builds.candidate.cases).toHaveLength(CASES);
    expect(resumed.builds.candidate.cases.filter((c) => c.status === "error")).toEqual([]);
    expect(resumed).toEqual(uninterrupted);
    expect(new Set(journaled(join(out, "journal", "candidate.jsonl"))).size).toBe(CASES);
  });
});
