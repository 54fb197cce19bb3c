/**
 * The action and the history (docs/history.md), end to end: dist/action.js as the runner
 * starts it, against the GitHub stand-in that checks every request against GitHub's OpenAPI
 * description and keeps a small git database. On pushes to the default branch and to
 * releases the run is appended to the history branch; on pull requests the comment shows
 * the history's sparklines and links the trend page; `mode: history` appends a gate job's
 * artifact and writes the history for `safety-gate trend`.
 */
import { cpSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { runGate } from "../src/core.js";
import { createClient } from "../src/github/client.js";
import { appendToHistoryBranch } from "../src/github/history-branch.js";
import { historyRecordOf, parseHistory } from "../src/history/record.js";
import type { Results } from "../src/report/results-schema.js";
import { type ActionEvent, type ActionRun, runActionIn } from "./helpers/action-run.js";
import { type StandIn, type StandInOptions, startGitHubStandIn } from "./helpers/github-standin.js";
import { plainBlocks } from "./helpers/markdown.js";
import { tempDir } from "./helpers/run.js";
import { repoRoot } from "./helpers/shared.js";

const OWNER = "octo-org";
const REPO = "model-release";
const CONFIG = "examples/quickstart/safety-gate.yml";
const BRANCH = "safety-gate-history";
const FILE = "examples-quickstart-safety-gate.yml.jsonl";
const PR = 7;
const HEAD = "1".repeat(40);

let work: string;
let results: Results;
const servers: StandIn[] = [];
beforeAll(async () => {
  work = tempDir("safety-gate-history-e2e-");
  cpSync(join(repoRoot, "dist"), join(work, "dist"), { recursive: true });
  cpSync(join(repoRoot, "examples"), join(work, "examples"), { recursive: true });
  results = (await runGate({ configPath: join(repoRoot, CONFIG) })).results;
});
afterEach(async () => {
  while (servers.length) await servers.pop()?.close();
});

async function standIn(options: StandInOptions = {}): Promise<StandIn> {
  const s = await startGitHubStandIn({ owner: OWNER, repo: REPO, ...options });
  servers.push(s);
  return s;
}

const push = (ref: string, sha: string): ActionEvent => ({
  name: "push",
  payload: { ref, after: sha, repository: { default_branch: "main" } },
  env: { GITHUB_REF: ref, GITHUB_SHA: sha },
});

const run = (s: StandIn, inputs: Record<string, string>, event: ActionEvent): Promise<ActionRun> =>
  runActionIn(work, s, `${OWNER}/${REPO}`, { config: CONFIG, ...inputs }, event);

const commitsOn = (s: StandIn) => parseHistory(s.git.file(BRANCH, FILE) ?? "", FILE);

describe("the action keeps the history on a branch", () => {
  it("appends pushes to the default branch and tags, not other branches; the same commit again is one point", async () => {
    const s = await standIn();
    const main1 = await run(s, {}, push("refs/heads/main", "a".repeat(40)));
    expect(main1.code).toBe(1);
    expect(main1.stdout).toContain(`history: added aaaaaaaaaaaa in ${BRANCH}:${FILE} (1 point)`);
    await run(s, {}, push("refs/heads/feature/x", "f".repeat(40)));
    await run(s, {}, push("refs/heads/main", "a".repeat(40)));
    const tag = await run(s, {}, push("refs/tags/v1.0", "b".repeat(40)));
    expect(tag.stdout).toContain("history: added bbbbbbbbbbbb");
    expect(s.violations).toEqual([]);
    const recs = commitsOn(s);
    expect(recs.map((r) => [r.commit.slice(0, 1), r.ref, r.release, r.verdict])).toEqual([
      ["a", "refs/heads/main", false, "fail"],
      ["b", "refs/tags/v1.0", true, "fail"],
    ]);
    expect(recs[0]?.runUrl).toBe("https://github.com/octo-org/model-release/actions/runs/4242");
    expect(recs[0]?.metrics.attack_success_rate?.overall).toMatchObject({ failures: 12, n: 72 });
    // The re-run of commit a replaced its point (newer figures) in a commit of its own.
    expect(s.git.log(BRANCH).map((c) => c.message)).toEqual([
      "safety-gate history: add bbbbbbbbbbbb (fail)",
      "safety-gate history: update aaaaaaaaaaaa (fail)",
      "safety-gate history: add aaaaaaaaaaaa (fail)",
    ]);
  }, 120_000);

  it("without contents: write, warns once with the permission to grant or how to turn it off, and still ends with the verdict", async () => {
    const s = await standIn({ refuse: ["POST /repos/{owner}/{repo}/git/blobs"] });
    const r = await run(s, {}, push("refs/heads/main", "c".repeat(40)));
    expect(r.code).toBe(1);
    expect(r.outputs.verdict).toBe("fail");
    const warnings = r.stdout
      .split("\n")
      .filter((l) => l.startsWith("::warning::safety-gate: could not write the history"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("HTTP 403");
    expect(warnings[0]).toContain("`permissions: contents: write`");
    expect(warnings[0]).toContain("`history: read` or `false`");
    expect(s.violations).toEqual([]);

    const off = await standIn();
    await run(off, { history: "false" }, push("refs/heads/main", "c".repeat(40)));
    expect(off.calls().filter((c) => c.includes("/git/"))).toEqual([]);
    // `history: read` (the example's gate job, whose history job writes): a push writes nothing either.
    const read = await standIn();
    const r2 = await run(read, { history: "read" }, push("refs/heads/main", "c".repeat(40)));
    expect(r2.stdout).not.toContain("could not write the history");
    expect(read.calls().filter((c) => c.includes("/git/"))).toEqual([]);
  }, 120_000);

  it("a pull request's comment shows a sparkline of the last runs per gated metric and links the trend page", async () => {
    const s = await standIn();
    const gh = createClient({ token: "ghs_test", apiUrl: s.url, throttle: false });
    // Attack success creeping up over six runs on main.
    for (let i = 0; i < 6; i++) {
      const r = structuredClone(results);
      r.createdAt = `2026-0${i + 1}-01T00:00:00.000Z`;
      const f = 4 + i;
      r.metrics.candidate.attack_success_rate.overall = { failures: f, n: 72, rate: f / 72, ci: null };
      await appendToHistoryBranch(
        gh,
        { owner: OWNER, repo: REPO, branch: BRANCH, path: FILE },
        historyRecordOf(r, { commit: `${i}`.repeat(40), ref: "refs/heads/main" }, "r.json"),
      );
    }
    const pr = await run(
      s,
      { "trend-url": "https://octo-org.github.io/model-release/" },
      {
        name: "pull_request",
        payload: { pull_request: { number: PR, head: { sha: HEAD }, base: { ref: "main" } } },
        env: { GITHUB_BASE_REF: "main", GITHUB_REF: `refs/pull/${PR}/merge` },
      },
    );
    expect(pr.code).toBe(1);
    expect(s.violations).toEqual([]);
    const body = s.comments.get(PR)?.[0]?.body ?? "";
    expect(body).toContain("**Trend** ([trend page](https://octo-org.github.io/model-release/))");
    expect(body).toContain(
      "- Attack success: `▁▂▄▅▇█` 5.6% → 12.5% over the last 6 recorded runs; this run 16.7%",
    );
    // What docs/history.md shows of the comment is this run's, line for line.
    const shown = plainBlocks(readFileSync(join(repoRoot, "docs", "history.md"), "utf8")).find((b) =>
      b.startsWith("**Trend**"),
    );
    expect(shown).toBeDefined();
    for (const line of (shown ?? "").split("\n").filter((l) => l.trim() !== "")) expect(body).toContain(line);
    // Every gated metric has its line; the pull request's own run is not added to the history.
    expect(body).toMatch(/- False refusal: `▄▄▄▄▄▄` 12\.8% → 12\.8%/);
    expect(commitsOn(s)).toHaveLength(6);
    // A URL that is not one is not linked.
    const bad = await standIn();
    await run(
      bad,
      { "trend-url": "javascript:alert(1)" },
      {
        name: "pull_request",
        payload: { pull_request: { number: PR, head: { sha: HEAD }, base: { ref: "main" } } },
        env: { GITHUB_BASE_REF: "main", GITHUB_REF: `refs/pull/${PR}/merge` },
      },
    );
    expect(bad.comments.get(PR)?.[0]?.body).not.toContain("javascript:");
    expect(bad.comments.get(PR)?.[0]?.body).not.toContain("**Trend**");
  }, 120_000);

  it("mode: history appends the gate job's artifact and writes the whole history for safety-gate trend", async () => {
    const s = await standIn();
    const gate = await run(s, { history: "false" }, push("refs/heads/main", "d".repeat(40)));
    expect(gate.code).toBe(1);
    const first = await run(
      s,
      { mode: "history", results: gate.out },
      push("refs/heads/main", "d".repeat(40)),
    );
    expect(first.code).toBe(0);
    const second = await run(s, { mode: "history", results: gate.out }, push("refs/tags/v2", "e".repeat(40)));
    expect(second.code).toBe(0);
    expect(second.outputs["history-path"]).toBe(join(second.out, "history.jsonl"));
    const local = parseHistory(
      readFileSync(second.outputs["history-path"] as string, "utf8"),
      "history.jsonl",
    );
    expect(local.map((r) => r.commit[0])).toEqual(["d", "e"]);
    expect(commitsOn(s).map((r) => r.commit[0])).toEqual(["d", "e"]);
    expect(s.violations).toEqual([]);

    // Refused: the history job fails (its only job is to write).
    const refused = await standIn({ readOnly: true });
    const r = await run(
      refused,
      { mode: "history", results: gate.out },
      push("refs/heads/main", "d".repeat(40)),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("`permissions: contents: write`");
  }, 120_000);
});
