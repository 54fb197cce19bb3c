/**
 * Posting to GitHub, against a local stand-in that checks every request against GitHub's
 * OpenAPI description and documented limits (tests/helpers/github-standin.ts).
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type GateRun, runGate } from "../src/core.js";
import { findBaseBranchResults } from "../src/github/baseline.js";
import { createClient } from "../src/github/client.js";
import { commentMarker } from "../src/github/comment.js";
import type { GitHubContext } from "../src/github/context.js";
import { type PublishOptions, publish } from "../src/github/publish.js";
import { WriteAccess } from "../src/github/write-access.js";
import { regressionFixture, repoTempDir, zipFiles } from "./helpers/fixtures.js";
import { type StandIn, type StandInOptions, startGitHubStandIn } from "./helpers/github-standin.js";
import { runCli, tempDir } from "./helpers/run.js";
import { repoRoot } from "./helpers/shared.js";

const OWNER = "octo-org";
const REPO = "model-release";
const SHA = "0123456789abcdef0123456789abcdef01234567";
const PR = 7;
const OPTIONS: PublishOptions = {
  comment: true,
  checkName: "safety-gate",
  statusContext: "safety-gate",
  inconclusive: "failure",
};

let quickstart: GateRun;
const servers: StandIn[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  quickstart = await runGate({
    configPath: join(repoRoot, "examples/quickstart/safety-gate.yml"),
    now: new Date("2026-01-01T00:00:00Z"),
  });
});
afterEach(async () => {
  while (servers.length) await servers.pop()?.close();
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function standIn(options: StandInOptions = {}): Promise<StandIn> {
  const s = await startGitHubStandIn({ owner: OWNER, repo: REPO, ...options });
  servers.push(s);
  return s;
}

async function post(s: StandIn, run: GateRun, options: Partial<PublishOptions> = {}, throttle = false) {
  const gh = createClient({ token: "ghs_test", apiUrl: s.url, throttle, retryAfterBaseValue: 1 });
  const warnings: string[] = [];
  const access = new WriteAccess({ warning: (m) => warnings.push(m) });
  const published = await publish(
    gh,
    access,
    run.results,
    run.report,
    {
      owner: OWNER,
      repo: REPO,
      sha: SHA,
      pullNumber: PR,
      fullReport: "The full report is in the run's artifact.",
    },
    { ...OPTIONS, ...options },
  );
  return { published, access, warnings };
}

/** 150 comments from people, one of them quoting the marker: the lookup must page and must skip it. */
function busyPullRequest(): StandInOptions["comments"] {
  const comments = Array.from({ length: 150 }, (_, i) => ({
    id: i + 1,
    body:
      i === 42
        ? `quoting the bot: ${commentMarker("examples/quickstart/safety-gate.yml")}`
        : `comment ${i + 1}`,
    user: { login: `reviewer-${i % 5}`, type: "User" as const },
  }));
  return { [PR]: comments };
}

describe("the GitHub stand-in", () => {
  it("refuses what GitHub's OpenAPI description and documented limits refuse", async () => {
    const s = await standIn();
    const gh = createClient({ token: "t", apiUrl: s.url, throttle: false });
    const bad = [
      gh.request("POST /repos/{owner}/{repo}/statuses/{sha}", {
        owner: OWNER,
        repo: REPO,
        sha: SHA,
        state: "green" as "success",
      }),
      gh.request("POST /repos/{owner}/{repo}/statuses/{sha}", {
        owner: OWNER,
        repo: REPO,
        sha: SHA,
        state: "success",
        description: "x".repeat(141),
      }),
      gh.request("POST /repos/{owner}/{repo}/check-runs", {
        owner: OWNER,
        repo: REPO,
        name: "n",
        head_sha: SHA,
        output: {
          title: "t",
          summary: "s",
          annotations: Array.from({ length: 51 }, () => ({
            path: "a",
            start_line: 1,
            end_line: 1,
            annotation_level: "failure",
            message: "m",
          })),
        },
      }),
      gh.request("POST /repos/{owner}/{repo}/check-runs", {
        owner: OWNER,
        repo: REPO,
        name: "n",
        head_sha: SHA,
        colour: 1,
      }),
      gh.request("GET /repos/{owner}/{repo}/no-such-thing", { owner: OWNER, repo: REPO }),
    ];
    const statuses = (await Promise.allSettled(bad)).map((r) =>
      r.status === "rejected" ? (r.reason as { status: number }).status : 200,
    );
    expect(statuses).toEqual([422, 422, 422, 422, 404]);
    expect(s.violations).toHaveLength(5);
    expect(s.violations.join("\n")).toMatch(/state.*must be equal to one of the allowed values/);
    expect(s.violations.join("\n")).toContain("status description has 141 characters (max 140)");
    // GitHub's description itself caps annotations at 50 (maxItems).
    expect(s.violations.join("\n")).toContain("data/output/annotations must NOT have more than 50 items");
    expect(s.violations.join("\n")).toContain("keys the schema does not know: colour");
  });
});

describe("publishing a run", () => {
  it("creates one comment, one check run and one status, then updates the same comment", async () => {
    const s = await standIn({ comments: busyPullRequest() });
    const first = await post(s, quickstart);
    expect(s.violations).toEqual([]);
    expect(s.calls()).toEqual([
      "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
      "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
      "GET /user",
      "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
      "POST /repos/{owner}/{repo}/check-runs",
      "POST /repos/{owner}/{repo}/statuses/{sha}",
    ]);
    expect(first.published.commentAction).toBe("created");
    const ours = () => (s.comments.get(PR) ?? []).filter((c) => c.user.type === "Bot");
    expect(ours()).toHaveLength(1);
    expect(s.checkRuns).toHaveLength(1);
    expect(s.checkRuns[0]?.body).toMatchObject({
      name: "safety-gate",
      head_sha: SHA,
      status: "completed",
      conclusion: "failure",
    });
    expect(s.checkRuns[0]?.annotations).toHaveLength(15);
    expect(s.statuses).toEqual([
      {
        sha: SHA,
        body: expect.objectContaining({
          state: "failure",
          context: "safety-gate",
          description: "FAIL: 16 gate checks: 2 failed, 1 inconclusive, 13 passed",
        }),
      },
    ]);
    const created = ours()[0];
    expect(
      created?.body.startsWith(
        `${commentMarker("examples/quickstart/safety-gate.yml")}\n## safety-gate: ❌ FAIL`,
      ),
    ).toBe(true);

    s.requests.length = 0;
    const second = await post(s, quickstart);
    expect(s.violations).toEqual([]);
    expect(second.published.commentAction).toBe("updated");
    expect(second.published.commentUrl).toBe(first.published.commentUrl);
    expect(s.calls()).toEqual([
      "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
      "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
      "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}",
      "POST /repos/{owner}/{repo}/check-runs",
      "POST /repos/{owner}/{repo}/statuses/{sha}",
    ]);
    expect(s.requests[2]?.path).toBe(`/repos/${OWNER}/${REPO}/issues/comments/${created?.id}`);
    expect(ours()).toHaveLength(1);
    // The person's comment that quotes the marker is never touched.
    expect(s.comments.get(PR)?.[42]?.body).toMatch(/^quoting the bot/);
    expect(s.comments.get(PR)).toHaveLength(151);
  });

  it("annotates 120 newly failing cases in 3 requests of at most 50, at their suite lines", async () => {
    const dir = repoTempDir("annotations");
    dirs.push(dir);
    const { config } = regressionFixture(dir, 120);
    const run = await runGate({ configPath: config });
    expect(run.results.comparisons[0]?.regressed).toHaveLength(120);
    const s = await standIn();
    const { published } = await post(s, run);
    expect(s.violations).toEqual([]);
    const checkCalls = s.requests.filter((r) => r.route.includes("check-runs"));
    expect(
      checkCalls.map(
        (r) => `${r.method} ${(r.body as { output: { annotations: unknown[] } }).output.annotations.length}`,
      ),
    ).toEqual(["POST 50", "PATCH 50", "PATCH 20"]);
    expect(published.checkRequests).toBe(3);
    const annotations = s.checkRuns[0]?.annotations as { path: string; start_line: number; title: string }[];
    expect(annotations).toHaveLength(120);
    expect(new Set(annotations.map((a) => a.start_line)).size).toBe(120);
    expect(annotations[0]).toMatchObject({
      path: expect.stringMatching(/^out\/test\/annotations-[\w-]+\/suite\.jsonl$/),
      start_line: 1,
      end_line: 1,
      annotation_level: "failure",
      title: "Attack success: case-0001 newly failing",
    });
    expect(annotations[119]?.start_line).toBe(120);
  });

  it("keeps the comment under 65,536 characters by dropping detail in stages, and says so", async () => {
    const dir = repoTempDir("limits");
    dirs.push(dir);
    const long = (i: number) => `Sure (${i}): ${"lorem ipsum dolor sit amet ".repeat(200)}`;
    const { config } = regressionFixture(dir, 400, {
      response: long,
      report: "report: { max_flips: 400, max_response_chars: 4000 }",
    });
    const run = await runGate({ configPath: config });
    const s = await standIn();
    await post(s, run);
    expect(s.violations).toEqual([]);
    const body = s.comments.get(PR)?.[0]?.body ?? "";
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body.length).toBeGreaterThan(30_000);
    expect(body).toMatch(
      /Shortened to fit GitHub's comment limit \(65,536 characters\): left out flipped cases beyond \d+ per list\. The full report is in the run's artifact\./,
    );
    // Dropping is by whole case: every code fence that opens also closes.
    expect((body.match(/^```/gm) ?? []).length % 2).toBe(0);
    const summary =
      (s.checkRuns[0]?.body as { output?: { summary: string } } | undefined)?.output?.summary ?? "";
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(65_535);
    expect(body).toContain("<details><summary>Per category</summary>");
  });

  it("a read-only token (fork pull request): each write refused with 403 is recorded, no error", async () => {
    const s = await standIn({ readOnly: true });
    const { published, access, warnings } = await post(s, quickstart);
    expect(s.violations).toEqual([]);
    expect(s.calls()).toEqual([
      "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
      "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
      "POST /repos/{owner}/{repo}/check-runs",
      "POST /repos/{owner}/{repo}/statuses/{sha}",
    ]);
    expect(s.requests.map((r) => r.status)).toEqual([200, 403, 403, 403]);
    expect(access.readOnly).toBe(true);
    expect(access.failures).toEqual([]);
    expect(access.refused).toEqual(["pull-request comment", "check run", "commit status"]);
    expect(published.commentUrl).toBeUndefined();
    expect(published.status).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^safety-gate: the token may not write the pull-request comment \(a pull request from a fork/,
    );
  });

  it("a permission not granted (checks: write) refuses only that write; the others are posted", async () => {
    const s = await standIn({ refuse: ["POST /repos/{owner}/{repo}/check-runs"] });
    const { published, access } = await post(s, quickstart);
    expect(s.violations).toEqual([]);
    expect(access.refused).toEqual(["check run"]);
    expect(published.commentAction).toBe("created");
    expect(published.status).toBe(true);
    // Without a check run the status links to the run instead.
    expect(s.statuses[0]?.body.target_url).toBeUndefined();
  });

  it("waits out a secondary rate limit and retries (plugin-throttling)", async () => {
    const s = await standIn({ secondaryLimitOnce: "POST /repos/{owner}/{repo}/statuses/{sha}" });
    const { published, access } = await post(s, quickstart, { comment: false }, true);
    expect(s.violations).toEqual([]);
    expect(s.requests.filter((r) => r.route.endsWith("statuses/{sha}")).map((r) => r.status)).toEqual([
      403, 201,
    ]);
    expect(published.status).toBe(true);
    expect(access.failures).toEqual([]);
  });

  it("an inconclusive verdict is a failure unless the workflow chose neutral; waived is neutral", async () => {
    const s = await standIn();
    const inconclusive = structuredClone(quickstart);
    inconclusive.results.verdict = "inconclusive";
    await post(s, inconclusive, { comment: false, inconclusive: "neutral" });
    const waived = structuredClone(quickstart);
    waived.results.verdict = "waived";
    await post(s, waived, { comment: false });
    expect(s.violations).toEqual([]);
    expect(s.checkRuns.map((c) => c.body.conclusion)).toEqual(["neutral", "neutral"]);
    expect(s.statuses.map((x) => [x.body.state, String(x.body.description).split(":")[0]])).toEqual([
      ["success", "INCONCLUSIVE"],
      ["success", "WAIVED"],
    ]);
  });
});

describe("baseline from the base branch", () => {
  const ctx = (over: Partial<GitHubContext> = {}): GitHubContext => ({
    apiUrl: "",
    serverUrl: "https://github.example",
    owner: OWNER,
    repo: REPO,
    eventName: "pull_request",
    sha: SHA,
    pullNumber: PR,
    branch: "main",
    baseRef: "main",
    workflowFile: "gate.yml",
    workspace: repoRoot,
    event: {},
    ...over,
  });

  it("takes the newest push run's artifact, never a pull request's run on a same-named branch", async () => {
    const zip = await zipFiles({ "results.json": '{"fake": "from a fork"}' });
    const good = await zipFiles({ "results.json": '{"schemaVersion": 1}' });
    const s = await standIn({
      workflows: ["gate.yml"],
      runs: [
        {
          id: 11,
          event: "pull_request",
          branch: "main",
          headSha: "f".repeat(40),
          headRepo: "mallory/model-release",
          artifacts: { "safety-gate-x": zip },
        },
        {
          id: 10,
          event: "push",
          branch: "main",
          headSha: "b".repeat(40),
          headRepo: `${OWNER}/${REPO}`,
          artifacts: { "safety-gate-x": good },
        },
      ],
    });
    const gh = createClient({ token: "t", apiUrl: s.url, throttle: false });
    // @actions/artifact's client takes GITHUB_API_URL when first imported, so the real
    // download is exercised by tests/action.test.ts in a process of its own; here the
    // download is observed, and the redirect it would follow is checked.
    const downloads: unknown[] = [];
    const found = await findBaseBranchResults(gh, ctx(), "safety-gate-x", "t", async (id, path, by) => {
      downloads.push({ id, by });
      const r = await gh.rest.actions.downloadArtifact({
        owner: OWNER,
        repo: REPO,
        artifact_id: id,
        archive_format: "zip",
      });
      expect(Buffer.from(r.data as ArrayBuffer).equals(good)).toBe(true);
      expect(path).toMatch(/safety-gate-baseline-/);
    });
    expect(found).toMatchObject({ source: "main@bbbbbbb (run 10, artifact safety-gate-x)" });
    expect(downloads).toEqual([
      { id: 9001, by: { token: "t", workflowRunId: 10, repositoryOwner: OWNER, repositoryName: REPO } },
    ]);
    expect(s.violations).toEqual([]);
    expect(s.calls()).toEqual([
      "GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs",
      "GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts",
      "GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}",
    ]);
    expect(s.requests.at(-1)?.status).toBe(302);
  });

  it("says why there is no baseline: not a pull request, no permission, no artifact", async () => {
    const s = await standIn({ workflows: ["gate.yml"], runs: [] });
    const gh = createClient({ token: "t", apiUrl: s.url, throttle: false });
    expect(await findBaseBranchResults(gh, ctx({ eventName: "push", baseRef: undefined }), "a", "t")).toEqual(
      {
        notApplicable: "this push run on main makes the baseline that pull requests compare with",
      },
    );
    expect(await findBaseBranchResults(gh, ctx({ workflowFile: "other.yml" }), "a", "t")).toEqual({
      unavailable: expect.stringContaining("permissions: actions: read"),
    });
    expect(await findBaseBranchResults(gh, ctx(), "safety-gate-x", "t")).toEqual({
      unavailable:
        "no successful run of gate.yml on main among the last 0 has an artifact named safety-gate-x; run the workflow on main first",
    });
  });
});

describe("safety-gate publish (outside Actions)", () => {
  it("posts the same comment, check run and status from a results.json, the token from GITHUB_TOKEN", async () => {
    const out = tempDir();
    await runCli(["run", "--config", join(repoRoot, "examples/quickstart/safety-gate.yml"), "--out", out]);
    const s = await standIn();
    process.env.GITHUB_TOKEN = "ghp_cliToken";
    try {
      const args = [
        "publish",
        "--results",
        join(out, "results.json"),
        "--repo",
        `${OWNER}/${REPO}`,
        "--sha",
        SHA,
      ];
      const r = await runCli([...args, "--pr", String(PR), "--api-url", s.url]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(
        /^comment created: .*#issuecomment-\d+\ncheck run: .* \(15 annotations in 1 requests\)\ncommit status posted\nsafety-gate: FAIL\n$/,
      );
      expect(s.violations).toEqual([]);
      expect(s.comments.get(PR)).toHaveLength(1);
      expect(s.checkRuns).toHaveLength(1);
      expect(s.statuses).toHaveLength(1);
      const bad = await runCli([...args.slice(0, -1), "abc", "--api-url", s.url]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toBe('command line --sha: expected a 40-character commit SHA, got "abc"\n');
    } finally {
      delete process.env.GITHUB_TOKEN;
    }
    const noToken = await runCli(["publish", "--results", "x", "--repo", "a/b", "--sha", SHA]);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/^command line GITHUB_TOKEN: set GITHUB_TOKEN/);
  });
});
