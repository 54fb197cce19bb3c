/**
 * The action's history branch, written through GitHub's git data API against the local
 * stand-in that checks every request against GitHub's OpenAPI description
 * (tests/helpers/github-standin.ts) and keeps a real little git database: refs only move
 * by fast-forward unless forced, as on GitHub.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { runGate } from "../src/core.js";
import { createClient } from "../src/github/client.js";
import {
  appendToHistoryBranch,
  DEFAULT_HISTORY_BRANCH,
  type HistoryPlace,
  readHistoryBranch,
} from "../src/github/history-branch.js";
import { type HistoryRecord, historyRecordOf, parseHistory } from "../src/history/record.js";
import type { Results } from "../src/report/results-schema.js";
import { type StandIn, type StandInOptions, startGitHubStandIn } from "./helpers/github-standin.js";
import { repoRoot } from "./helpers/shared.js";

const OWNER = "octo-org";
const REPO = "model-release";
const PLACE: HistoryPlace = {
  owner: OWNER,
  repo: REPO,
  branch: "safety-gate-history",
  path: "safety-gate.yml.jsonl",
};

let results: Results;
const servers: StandIn[] = [];

beforeAll(async () => {
  results = (await runGate({ configPath: join(repoRoot, "examples/quickstart/safety-gate.yml") })).results;
});
afterEach(async () => {
  while (servers.length) await servers.pop()?.close();
});

async function standIn(options: StandInOptions = {}) {
  const s = await startGitHubStandIn({ owner: OWNER, repo: REPO, ...options });
  servers.push(s);
  return {
    s,
    gh: createClient({ token: "ghs_test", apiUrl: s.url, throttle: false, retryAfterBaseValue: 1 }),
  };
}

const record = (commit: string, ref = "refs/heads/main"): HistoryRecord =>
  historyRecordOf(results, { commit, ref }, "results.json");

const onBranch = (s: StandIn): string[] =>
  parseHistory(s.git.file(PLACE.branch, PLACE.path) ?? "", "branch").map((r) => r.commit);

describe("history on a branch, through the git data API", () => {
  it("action.yml's history defaults are the code's", () => {
    const inputs = parseYaml(readFileSync(join(repoRoot, "action.yml"), "utf8")).inputs;
    expect(inputs["history-branch"].default).toBe(DEFAULT_HISTORY_BRANCH);
    expect(inputs.history.default).toBe("true");
    expect(inputs.history.description).toContain("contents: write");
  });

  it("creates the branch when it is absent, then appends a commit per run on top of it", async () => {
    const { s, gh } = await standIn();
    const first = await appendToHistoryBranch(gh, PLACE, record("1".repeat(40)));
    expect(first).toMatchObject({ action: "added", points: 1, retries: 0 });
    expect(s.calls()).toEqual([
      "GET /repos/{owner}/{repo}/git/ref/{ref}",
      "POST /repos/{owner}/{repo}/git/blobs",
      "POST /repos/{owner}/{repo}/git/trees",
      "POST /repos/{owner}/{repo}/git/commits",
      "POST /repos/{owner}/{repo}/git/refs",
    ]);
    const second = await appendToHistoryBranch(gh, PLACE, record("2".repeat(40), "refs/tags/v1.0"));
    expect(second).toMatchObject({ action: "added", points: 2, retries: 0 });
    expect(s.calls()).toContain("PATCH /repos/{owner}/{repo}/git/refs/{ref}");
    expect(onBranch(s)).toEqual(["1".repeat(40), "2".repeat(40)]);
    const log = s.git.log(PLACE.branch);
    expect(log.map((c) => c.message)).toEqual([
      "safety-gate history: add 222222222222 (fail)",
      "safety-gate history: add 111111111111 (fail)",
    ]);
    expect(log[1]?.parents).toEqual([]);
    expect(s.git.refs.get(`heads/${PLACE.branch}`)).toBe(second.commit);
    // No ref update was forced.
    for (const r of s.requests.filter((x) => x.method === "PATCH"))
      expect((r.body as { force?: boolean }).force).toBe(false);
    expect((await readHistoryBranch(gh, PLACE)).map((r) => r.release)).toEqual([false, true]);
    expect(s.violations).toEqual([]);
  });

  it("is idempotent per commit: the same commit again writes nothing", async () => {
    const { s, gh } = await standIn();
    await appendToHistoryBranch(gh, PLACE, record("a".repeat(40)));
    const before = s.git.refs.get(`heads/${PLACE.branch}`);
    const again = await appendToHistoryBranch(gh, PLACE, record("a".repeat(40)));
    expect(again).toMatchObject({ action: "unchanged", points: 1, commit: before });
    expect(s.git.refs.get(`heads/${PLACE.branch}`)).toBe(before);
    expect(onBranch(s)).toEqual(["a".repeat(40)]);
    expect(s.violations).toEqual([]);
  });

  it.each([
    ["the branch exists", true],
    ["the branch does not exist yet", false],
  ])(
    "two concurrent appends where the first ref write loses the race (%s): both points kept, no duplicate",
    async (_, exists) => {
      // With the branch there, the seed is the first ref write and the race the second.
      const { s, gh } = await standIn({ holdRefWrite: exists ? 2 : 1 });
      if (exists) await appendToHistoryBranch(gh, PLACE, record("0".repeat(40)));
      const [a, b] = await Promise.all([
        appendToHistoryBranch(gh, PLACE, record("a".repeat(40))),
        appendToHistoryBranch(gh, PLACE, record("b".repeat(40))),
      ]);
      // One of them read the old head and was refused (422) once, then read again and appended.
      expect([a.retries, b.retries].sort()).toEqual([0, 1]);
      const refused = s.requests.filter(
        (r) => r.route.startsWith("/repos/{owner}/{repo}/git/ref") && r.status === 422,
      );
      expect(refused).toHaveLength(1);
      const commits = onBranch(s);
      expect([...commits].sort()).toEqual(
        exists ? ["0".repeat(40), "a".repeat(40), "b".repeat(40)] : ["a".repeat(40), "b".repeat(40)],
      );
      expect(new Set(commits).size).toBe(commits.length);
      expect(s.violations).toEqual([]);
    },
  );

  it("the same commit appended twice at once is one point", async () => {
    const { s, gh } = await standIn({ holdRefWrite: 1 });
    const [a, b] = await Promise.all([
      appendToHistoryBranch(gh, PLACE, record("c".repeat(40))),
      appendToHistoryBranch(gh, PLACE, record("c".repeat(40))),
    ]);
    expect([a.action, b.action].sort()).toEqual(["added", "unchanged"]);
    expect(onBranch(s)).toEqual(["c".repeat(40)]);
    expect(s.violations).toEqual([]);
  });
});
