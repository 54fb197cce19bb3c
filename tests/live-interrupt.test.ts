/**
 * Ctrl-C (or a CI cancel) in the middle of a run: the CLI says how to resume and exits 130,
 * and every answer it had received is in the journal — also those still waiting for their
 * batch to be written (io/append-log.ts writes on exit). With one request at a time, the
 * server knows exactly which answers the CLI had when it asks for the next one.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type FakeOpenAI, startFakeOpenAI } from "./helpers/fake-openai.js";
import { syntheticAnswer, writeLiveConfig, writeSyntheticSuite } from "./helpers/live.js";
import { tempDir } from "./helpers/run.js";
import { repoRoot } from "./helpers/shared.js";

const CASES = 120;
const ANSWERED = 50;

let server: FakeOpenAI | undefined;
afterAll(async () => {
  await server?.close();
});

function cli(config: string, out: string, run: string): ChildProcess {
  return spawn(
    process.execPath,
    ["--import", "tsx", join(repoRoot, "src/cli.ts"), "run", "--config", config, "--out", out, "--quiet"],
    {
      cwd: repoRoot,
      env: { ...process.env, RUN_TAG: run, NO_COLOR: "1" },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
}

async function finished(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  return { code, stderr };
}

const journaled = (file: string) =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { id: string; response?: string })
    .filter((r) => r.response !== undefined)
    .map((r) => r.id);

describe("interrupted with SIGINT, then the same command again", () => {
  it("exits 130 with a note on resuming, keeps every answer received, and asks only for the rest", async () => {
    const dir = tempDir();
    const suite = writeSyntheticSuite(join(dir, "suite.jsonl"), CASES);
    let child: ChildProcess | undefined;
    let seen = 0;
    server = await startFakeOpenAI({
      answer: syntheticAnswer,
      // The request after the ANSWERED-th answer: the CLI has recorded those answers (it asks
      // for the next case only after recording the last), and most are not written yet.
      fault: (req) => {
        if (req.run !== "one" || ++seen <= ANSWERED) return undefined;
        if (seen === ANSWERED + 1) child?.kill("SIGINT");
        return { kind: "hang" };
      },
    });
    const config = writeLiveConfig(dir, {
      url: server.url,
      suite,
      baseline: false,
      runner: "{ concurrency: 1 }",
      candidate: [`headers: { x-run: "\${RUN_TAG}" }`],
    });
    const out = join(dir, "out");
    child = cli(config, out, "one");
    const first = await finished(child);
    expect(first.code).toBe(130);
    expect(first.stderr).toMatch(/interrupted \(SIGINT\).*run the same command again to resume/);
    const kept = journaled(join(out, "journal", "candidate.jsonl"));
    expect(kept).toHaveLength(ANSWERED);
    expect(new Set(kept).size).toBe(ANSWERED);

    const second = await finished(cli(config, out, "two"));
    expect(second.code).toBe(1); // the synthetic suite's attack success is over the ceiling
    const asked = server.requests.filter((r) => r.run === "two");
    expect(asked).toHaveLength(CASES - ANSWERED);
    expect(new Set(journaled(join(out, "journal", "candidate.jsonl")))).toHaveProperty("size", CASES);
  }, 60_000);
});
