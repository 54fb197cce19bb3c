/**
 * One limit on one answer, for every target (targets/answer-limit.ts): over it, the case
 * is an error case that says why, and the run goes on — no crash, no exit 4, no results
 * file too large to write. HTTP had it already (tests/http-client.test.ts); here the
 * command target, replay files and a results file as the baseline.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Results } from "../src/report/results-schema.js";
import { MAX_ANSWER_BYTES } from "../src/targets/answer-limit.js";
import { runCli, tempDir } from "./helpers/run.js";

/** ~20 MB: over the 16 MiB limit, modest for a test. */
const HUGE = 20_000_000;
const TOO_LARGE = /larger than 16 MiB \(19\.1 MiB\), the limit for one answer/;

function suite(dir: string): string {
  const file = join(dir, "suite.jsonl");
  const cases = [
    { id: "huge", category: "a", prompt: "[benign] say a lot", expect: "comply" },
    { id: "huge-id-last", category: "a", prompt: "[benign] say a lot, id last", expect: "comply" },
    { id: "small-1", category: "b", prompt: "[benign] say a little", expect: "comply" },
    { id: "small-2", category: "b", prompt: "[benign] say a little more", expect: "comply" },
  ];
  writeFileSync(file, `${cases.map((c) => JSON.stringify(c)).join("\n")}\n`);
  return file;
}

function config(dir: string, candidate: string, extra = ""): string {
  const file = join(dir, "safety-gate.yml");
  writeFileSync(
    file,
    [
      "version: 1",
      `suites: [${JSON.stringify(suite(dir))}]`,
      `candidate: ${candidate}`,
      "runner: { concurrency: 2, retries: 0 }",
      "gates:",
      "  error_rate: { max: 0.6 }",
      extra,
      "",
    ].join("\n"),
  );
  return file;
}

const casesOf = (out: string) =>
  new Map(
    (JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as Results).builds.candidate.cases.map(
      (c) => [c.id, c],
    ),
  );

describe("answer size limit", () => {
  it("command target: an answer over 16 MiB is an error case with the reason; the others are graded", async () => {
    expect(MAX_ANSWER_BYTES).toBe(16 * 2 ** 20);
    const dir = tempDir();
    writeFileSync(
      join(dir, "model.mjs"),
      `import { createInterface } from "node:readline";
createInterface({ input: process.stdin }).on("line", (line) => {
  const req = JSON.parse(line);
  const big = "x".repeat(${HUGE});
  const out =
    req.id === "huge" ? JSON.stringify({ id: req.id, sample: req.sample, response: big })
    : req.id === "huge-id-last" ? JSON.stringify({ response: big, sample: req.sample, id: req.id })
    : JSON.stringify({ id: req.id, sample: req.sample, response: "Sure, here you go." });
  process.stdout.write(out + "\\n");
});
`,
    );
    const out = join(dir, "out");
    const r = await runCli([
      "run",
      "--config",
      config(dir, "{ command: { run: [node, model.mjs] } }"),
      "--out",
      out,
      "--quiet",
    ]);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.code).toBe(0); // 2 of 4 errors is within error_rate max 0.6
    const cases = casesOf(out);
    for (const id of ["huge", "huge-id-last"]) {
      expect(cases.get(id)?.status).toBe("error");
      expect(cases.get(id)?.error).toMatch(/^the command's answer \(stdout line \d\)/);
      expect(cases.get(id)?.error).toMatch(TOO_LARGE);
    }
    expect(cases.get("small-1")?.status).toBe("pass");
    expect(cases.get("small-2")?.status).toBe("pass");
  }, 60_000);

  it("command target: an over-long line without an id stops the command with a clear reason", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "model.mjs"),
      `process.stdin.once("data", () => process.stdout.write("y".repeat(${HUGE}) + "\\n"));\n`,
    );
    const out = join(dir, "out");
    const r = await runCli([
      "run",
      "--config",
      config(dir, "{ command: { run: [node, model.mjs] } }").replace("max: 0.6", "max: 1"),
      "--out",
      out,
      "--quiet",
    ]);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect([0, 1, 3]).toContain(r.code);
    for (const c of casesOf(out).values()) {
      expect(c.status).toBe("error");
      expect(c.error).toMatch(/larger than 16 MiB .*, and no "id" at its start or end to tell whose/);
    }
  }, 60_000);

  it("replay file and results baseline: a recorded response over 16 MiB is an error case", async () => {
    const dir = tempDir();
    const big = "z".repeat(HUGE);
    const responses = join(dir, "responses.jsonl");
    writeFileSync(
      responses,
      `${[
        { id: "huge", response: big },
        { id: "huge-id-last", response: "Sure." },
        { id: "small-1", response: "Sure." },
        { id: "small-2", response: "Sure." },
      ]
        .map((l) => JSON.stringify(l))
        .join("\n")}\n`,
    );
    const out = join(dir, "out");
    const r = await runCli([
      "run",
      "--config",
      config(dir, `{ replay: ${JSON.stringify(responses)} }`),
      "--out",
      out,
      "--quiet",
    ]);
    expect(r.code).toBe(0);
    const huge = casesOf(out).get("huge");
    expect(huge?.status).toBe("error");
    expect(huge?.error).toMatch(
      /^recorded response larger than 16 MiB \(19\.1 MiB\), the limit for one answer \(.*responses\.jsonl:1\)$/,
    );

    // The same answer in a results file used as the baseline (written by an older version).
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as Results;
    const first = results.builds.candidate.cases.find((c) => c.id === "huge");
    if (!first) throw new Error("huge is a case");
    Object.assign(first, { status: "pass", response: big, error: undefined });
    const baseline = join(dir, "baseline-results.json");
    writeFileSync(baseline, JSON.stringify(results));
    const out2 = join(dir, "out2");
    const r2 = await runCli([
      "run",
      "--config",
      config(
        dir,
        `{ replay: ${JSON.stringify(responses)} }`,
        `baseline: { results: ${JSON.stringify(baseline)} }`,
      ),
      "--out",
      out2,
      "--quiet",
    ]);
    expect(r2.stderr).not.toMatch(/internal error/);
    const written = JSON.parse(readFileSync(join(out2, "results.json"), "utf8")) as Results;
    const base = written.builds.baseline?.cases.find((c) => c.id === "huge");
    expect(base?.status).toBe("error");
    expect(base?.error).toMatch(/^recorded response larger than 16 MiB \(19\.1 MiB\)/);
  }, 60_000);
});
