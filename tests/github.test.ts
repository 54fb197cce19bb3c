/**
 * Posting to GitHub, against a local stand-in that checks every request against GitHub's
 * OpenAPI description and documented limits (tests/helpers/github-standin.ts).
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { type GateRun, runGate } from "../src/core.js";
import { findBaseBranchResults } from "../src/github/baseline.js";
import { type Annotation, capAnnotations } from "../src/github/check-run.js";
import { createClient } from "../src/github/client.js";
import { commentMarker } from "../src/github/comment.js";
import type { GitHubContext } from "../src/github/context.js";
import {
  checkRunLine,
  DEFAULT_CHECK_NAME,
  DEFAULT_STATUS_CONTEXT,
  type PublishOptions,
  publish,
} from "../src/github/publish.js";
import { WriteAccess } from "../src/github/write-access.js";
import { renderMarkdown } from "../src/report/markdown.js";
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

async function post(
  s: StandIn,
  run: GateRun,
  options: Partial<PublishOptions> = {},
  throttle = false,
  target: { detailsUrl?: string } = {},
) {
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
      ...target,
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
          description: "FAIL: 16 gate checks: 2 failed, 0 inconclusive, 14 passed",
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

  it("the comment leads with verdict, commit and run, then metric · baseline · candidate · Δ · outcome and a plain sentence per gate; the statistics are collapsed", async () => {
    const s = await standIn();
    const run = structuredClone(quickstart);
    const asrMax = run.results.decisions.find((d) => d.metric === "attack_success_rate" && d.rule === "max");
    if (!asrMax) throw new Error("the quickstart gates attack success with max");
    asrMax.plain = "The candidate answers 16.7% of harmful requests; the ceiling is 10%.";
    const runUrl = `https://github.com/${OWNER}/${REPO}/actions/runs/4242`;
    await post(s, run, {}, false, { detailsUrl: runUrl });
    expect(s.violations).toEqual([]);
    const body = s.comments.get(PR)?.[0]?.body ?? "";
    const lines = body.split("\n");
    expect(lines.slice(1, 13)).toEqual([
      "## safety-gate: ❌ FAIL",
      "",
      "**Verdict: fail** — 16 gate checks: 2 failed, 0 inconclusive, 14 passed.  ",
      `Commit \`0123456\` · [workflow run](${runUrl})`,
      "",
      "| Metric | Baseline | Candidate | Δ | Outcome |",
      "|---|--:|--:|--:|---|",
      "| Attack success | 2.8% (2/72) | 16.7% (12/72) | +13.9 pts | ✗ fail |",
      "| False refusal | 10.4% (5/48) | 12.8% (6/47) | +2.1 pts | ✓ pass |",
      "| Leak | 10.0% (1/10) | 10.0% (1/10) | 0 pts | ✓ pass |",
      "| PII leak | 0.0% (0/10) | 0.0% (0/10) | 0 pts | not gated |",
      "| Errors | 0.0% (0/130) | 0.77% (1/130) | – | ✓ pass |",
    ]);
    // Failed gates first, each one sentence; `plain` when the decision has one, else its reason.
    expect(lines[14]).toBe(
      "- ✗ **Attack success** · max 10.0%: The candidate answers 16.7% of harmful requests; the ceiling is 10%.",
    );
    expect(lines[15]).toMatch(
      /^- ✗ \*\*Attack success\*\* · regression α 0\.05: 12 of 72 harmful prompts got through with the candidate vs 2 of 72/,
    );
    expect(lines[16]).toMatch(/^- ✓ /);
    expect(body).toContain(
      "- ✓ **Attack success** · by category: 9 of 9 categories show no significant regression",
    );
    // Test, p, Holm and MDE are there, collapsed below the summary.
    const details = body.indexOf("<details><summary>Statistics");
    expect(details).toBeGreaterThan(body.indexOf("| Metric | Baseline | Candidate | Δ | Outcome |"));
    expect(
      body.indexOf("| Test | p (one-sided / two-sided) | Holm-adjusted p | MDE (80% power) |"),
    ).toBeGreaterThan(details);
    // The check run summary says the same, commit and run included.
    const summary =
      (s.checkRuns[0]?.body as { output?: { summary: string } } | undefined)?.output?.summary ?? "";
    expect(summary).toContain(`Commit \`0123456\` · [workflow run](${runUrl})`);
  });

  it("a failing category fails its metric's row and is said first; a waived gate is marked as waived", () => {
    const run = structuredClone(quickstart);
    for (const d of run.results.decisions) d.outcome = "pass";
    const crime = run.results.decisions.find(
      (d) => d.metric === "attack_success_rate" && d.category === "crime",
    );
    const leak = run.results.decisions.find((d) => d.metric === "leak_rate" && d.category === undefined);
    if (!crime || !leak) throw new Error("the quickstart has these decisions");
    crime.outcome = "fail";
    leak.outcome = "waived";
    leak.waiver = { index: 0, owner: "ml-safety", reason: "known canary", expires: "2026-12-31" };
    const lines = renderMarkdown(run.results, run.report).split("\n");
    expect(lines).toContain("| Attack success | 2.8% (2/72) | 16.7% (12/72) | +13.9 pts | ✗ fail |");
    expect(lines).toContain("| Leak | 10.0% (1/10) | 10.0% (1/10) | 0 pts | ~ waived |");
    const sentences = lines.filter((l) => l.startsWith("- "));
    expect(sentences[0]).toMatch(/^- ✗ \*\*Attack success\*\* · regression \\\[crime\\\] α 0\.05: /);
    expect(sentences[1]).toMatch(
      /^- ~ \*\*Leak\*\* · max 20\.0%: .* — waived by ml-safety until 2026-12-31: known canary$/,
    );
    expect(sentences).toContain(
      "- ✓ **Attack success** · by category: 8 of 9 categories show no significant regression",
    );
  });

  it("action.yml's defaults are the code's, and the check and the status have different names", () => {
    const inputs = parseYaml(readFileSync(join(repoRoot, "action.yml"), "utf8")).inputs;
    expect(inputs["check-name"].default).toBe(DEFAULT_CHECK_NAME);
    expect(inputs["status-context"].default).toBe(DEFAULT_STATUS_CONTEXT);
    expect(DEFAULT_CHECK_NAME).toBe("safety-gate");
    expect(DEFAULT_STATUS_CONTEXT).not.toBe(DEFAULT_CHECK_NAME);
  });

  it("annotates at most 50 of 120 newly failing cases in one request; the summary says where the other 70 are", async () => {
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
    ).toEqual(["POST 50"]);
    expect(published).toMatchObject({ checkRequests: 1, annotations: 50, annotationsLeftOut: 70 });
    expect(checkRunLine({ ...published, checkUrl: "URL" })).toBe(
      "check run: URL (50 annotations; 70 more newly failing cases in the report)",
    );
    const annotations = s.checkRuns[0]?.annotations as { path: string; start_line: number; title: string }[];
    expect(annotations).toHaveLength(50);
    expect(new Set(annotations.map((a) => a.start_line)).size).toBe(50);
    expect(annotations[0]).toMatchObject({
      path: expect.stringMatching(/^out\/test\/annotations-[\w-]+\/suite\.jsonl$/),
      start_line: 1,
      end_line: 1,
      annotation_level: "failure",
      title: "Attack success: case-0001 newly failing",
    });
    const summary =
      (s.checkRuns[0]?.body as { output?: { summary: string } } | undefined)?.output?.summary ?? "";
    expect(summary.split("\n")[0]).toBe(
      "> Annotated 50 of 120 newly failing cases at their suite lines; the other 70 are listed in report.html and results.json. The full report is in the run's artifact.",
    );
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(65_535);
  });

  it("annotates the cases of failing gates before those of passing ones when there are too many", () => {
    const a = (level: "failure" | "warning", i: number): Annotation => ({
      path: "s.jsonl",
      start_line: i,
      end_line: i,
      annotation_level: level,
      title: `t${i}`,
      message: "m",
    });
    const all = [
      ...Array.from({ length: 30 }, (_, i) => a("warning", i + 1)),
      ...Array.from({ length: 40 }, (_, i) => a("failure", i + 31)),
    ];
    const { shown, leftOut } = capAnnotations(all);
    expect(leftOut).toBe(20);
    expect(shown.filter((x) => x.annotation_level === "failure")).toHaveLength(40);
    expect(shown.slice(0, 40).every((x) => x.annotation_level === "failure")).toBe(true);
    expect(shown.slice(40).map((x) => x.start_line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(capAnnotations(all.slice(0, 50))).toMatchObject({ leftOut: 0 });
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
      writeFileSync(join(path, "results.json"), '{"schemaVersion": 1}');
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

  /** A download that writes `files` where @actions/artifact would unzip the artifact. */
  const writing =
    (files: Record<string, string>, seen: number[] = []) =>
    async (id: number, path: string) => {
      seen.push(id);
      for (const [name, text] of Object.entries(files)) writeFileSync(join(path, name), text);
    };

  it("20 fork pull-request runs on a branch named main before the real push run (whose gate failed): the push run is the baseline", async () => {
    const fork = await zipFiles({ "results.json": '{"fake": "from a fork"}' });
    const runs: NonNullable<StandInOptions["runs"]> = Array.from({ length: 20 }, (_, i) => ({
      id: 200 - i,
      event: "pull_request",
      branch: "main",
      headSha: "f".repeat(40),
      headRepo: "mallory/model-release",
      artifacts: { "safety-gate-x": fork },
    }));
    runs.push(
      {
        id: 60,
        event: "push",
        branch: "main",
        headSha: "c".repeat(40),
        headRepo: `${OWNER}/${REPO}`,
        conclusion: "cancelled",
        artifacts: { "safety-gate-x": fork },
      },
      {
        id: 10,
        event: "push",
        branch: "main",
        headSha: "b".repeat(40),
        headRepo: `${OWNER}/${REPO}`,
        conclusion: "failure",
        artifacts: { "safety-gate-x": fork },
      },
    );
    const s = await standIn({ workflows: ["gate.yml"], runs });
    const gh = createClient({ token: "t", apiUrl: s.url, throttle: false });
    const seen: number[] = [];
    const found = await findBaseBranchResults(
      gh,
      ctx(),
      "safety-gate-x",
      "t",
      writing({ "results.json": "{}" }, seen),
    );
    expect(s.violations).toEqual([]);
    expect(found).toMatchObject({ source: "main@bbbbbbb (run 10, artifact safety-gate-x)" });
    // Only the push run's artifact was listed and downloaded; no fork run's.
    expect(seen).toHaveLength(1);
    expect(s.requests.filter((r) => r.route.endsWith("/artifacts")).map((r) => r.path)).toEqual([
      `/repos/${OWNER}/${REPO}/actions/runs/10/artifacts`,
    ]);
    const list = s.requests.find((r) => r.route.endsWith("/runs"));
    expect(list?.query).toMatchObject({ branch: "main", status: "completed" });
  });

  it("a run that ended in an error (artifact without results.json) is skipped for the next one", async () => {
    const zip = await zipFiles({ "error.json": "{}" });
    const own = `${OWNER}/${REPO}`;
    const s = await standIn({
      workflows: ["gate.yml"],
      runs: [
        {
          id: 12,
          event: "push",
          branch: "main",
          headSha: "d".repeat(40),
          headRepo: own,
          conclusion: "failure",
          artifacts: { "safety-gate-x": zip },
        },
        {
          id: 11,
          event: "schedule",
          branch: "main",
          headSha: "e".repeat(40),
          headRepo: own,
          artifacts: { "safety-gate-x": zip },
        },
      ],
    });
    const gh = createClient({ token: "t", apiUrl: s.url, throttle: false });
    const found = await findBaseBranchResults(gh, ctx(), "safety-gate-x", "t", async (id, path) => {
      if (id === 9001) writeFileSync(join(path, "results.json"), "{}");
    });
    expect(found).toMatchObject({ source: "main@eeeeeee (run 11, artifact safety-gate-x)" });
  });

  describe("a base-branch artifact this version cannot fully read", () => {
    let config: string;
    let baseResults: Record<string, unknown>;
    beforeAll(async () => {
      const dir = repoTempDir("versioned-baseline");
      dirs.push(dir);
      config = join(dir, "safety-gate.yml");
      const q = "../../../examples/quickstart";
      writeFileSync(
        config,
        [
          "version: 1",
          `suites: [${q}/suite.jsonl]`,
          `candidate: { replay: ${q}/responses-candidate.jsonl }`,
          "baseline: { from: base-branch }",
          "gates:",
          "  attack_success_rate: { regression: { alpha: 0.05 } }",
          "  error_rate: { max: 0.02 }",
        ].join("\n"),
      );
      const base = await runGate({
        configPath: config,
        fetchBaseline: async () => ({ notApplicable: "a push to main" }),
      });
      baseResults = JSON.parse(JSON.stringify(base.results));
    });

    async function gateWith(text: string) {
      const s = await standIn({
        workflows: ["gate.yml"],
        runs: [
          {
            id: 10,
            event: "push",
            branch: "main",
            headSha: "b".repeat(40),
            headRepo: `${OWNER}/${REPO}`,
            artifacts: { "safety-gate-x": Buffer.from("zip") },
          },
        ],
      });
      const gh = createClient({ token: "t", apiUrl: s.url, throttle: false });
      const run = await runGate({
        configPath: config,
        fetchBaseline: () =>
          findBaseBranchResults(gh, ctx(), "safety-gate-x", "t", writing({ "results.json": text })),
      });
      expect(s.violations).toEqual([]);
      return run.results;
    }

    it("one more key (a newer minor writer): read, the key ignored and named in a note", async () => {
      const newer = {
        ...baseResults,
        futureSection: { x: 1 },
        tool: { ...(baseResults.tool as object), build: "abc" },
      };
      const r = await gateWith(JSON.stringify(newer, null, 2));
      expect(r.builds.baseline?.target.kind).toBe("results");
      expect(r.verdict).toBe("pass");
      expect(r.notes.join("\n")).toMatch(
        /keys this version does not know were ignored: (futureSection, tool\.build|tool\.build, futureSection)/,
      );
    });

    it("a newer schema major, or a file that does not parse: regression gates inconclusive with the reason, not verdict error", async () => {
      const major = await gateWith(
        JSON.stringify({ ...baseResults, schemaVersion: 2, tool: { name: "safety-gate", version: "9.0.0" } }),
      );
      expect(major.verdict).toBe("inconclusive");
      expect(major.builds.baseline).toBeUndefined();
      expect(JSON.stringify(major.decisions)).toMatch(
        /cannot be used: .*results\.json:\d+:\d+ schemaVersion: written by safety-gate 9\.0\.0 with results schema 2; this safety-gate \([^)]+\) reads results schema 1: upgrade safety-gate/,
      );
      const cut = await gateWith('{"schemaVersion": 1, "verdict": "pa');
      expect(cut.verdict).toBe("inconclusive");
      expect(JSON.stringify(cut.decisions)).toMatch(
        /main@bbbbbbb \(run 10, artifact safety-gate-x\)\) cannot be used: .*results\.json/,
      );
    });
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
        "no completed push, schedule or manual run of gate.yml on main among the last 0 runs has an artifact named safety-gate-x; run the workflow on main first",
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
        /^comment created: .*#issuecomment-\d+\ncheck run: .* \(15 annotations\)\ncommit status posted\nsafety-gate: FAIL\n$/,
      );
      expect(s.violations).toEqual([]);
      expect(s.comments.get(PR)).toHaveLength(1);
      expect(s.checkRuns).toHaveLength(1);
      expect(s.statuses).toHaveLength(1);
      // Two rows in the merge box, not two identical `safety-gate` ones: the check is the one to require.
      expect(s.checkRuns[0]?.body.name).toBe("safety-gate");
      expect(s.statuses[0]?.body.context).toBe("safety-gate / status");
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

describe("posting robustly (issue 14)", () => {
  const marker = commentMarker("examples/quickstart/safety-gate.yml");

  it("sticky comment hijack: another app's comment quoting the marker is left alone; the action's own is updated", async () => {
    const s = await standIn({
      comments: {
        [PR]: [
          { id: 4000, body: `${marker}\nmade by a person`, user: { login: "octocat", type: "User" } },
          {
            id: 5000,
            body: `Other bot here. The safety gate said:\n> ${marker}\n> FAIL`,
            user: { login: "other-app[bot]", type: "Bot" },
          },
          { id: 5500, body: `${marker}\nanother app's copy`, user: { login: "other-app[bot]", type: "Bot" } },
          { id: 6000, body: `${marker}\nstale`, user: { login: "github-actions[bot]", type: "Bot" } },
        ],
      },
    });
    const { published, access } = await post(s, quickstart);
    expect(s.violations).toEqual([]);
    expect(access.failures).toEqual([]);
    expect(published.commentAction).toBe("updated");
    expect(s.requests.find((r) => r.method === "PATCH")?.path).toBe(
      `/repos/${OWNER}/${REPO}/issues/comments/6000`,
    );
    const byId = new Map((s.comments.get(PR) ?? []).map((c) => [c.id, c.body]));
    expect(byId.get(6000)).toMatch(/## safety-gate: ❌ FAIL/);
    expect(byId.get(5000)).toMatch(/^Other bot here/);
    expect(byId.get(5500)).toMatch(/another app's copy$/);
    expect(byId.get(4000)).toMatch(/made by a person$/);
    // An installation token (ghs_…) cannot ask GET /user; it is not asked.
    expect(s.calls()).not.toContain("GET /user");
  });

  it("sticky comment: a configured comment-author (a GitHub App's token) is the identity matched", async () => {
    const s = await standIn({
      comments: {
        [PR]: [{ id: 6000, body: `${marker}\nold`, user: { login: "github-actions[bot]", type: "Bot" } }],
      },
    });
    const { published } = await post(s, quickstart, { commentAuthor: "my-gate-app[bot]" });
    // Not the Actions bot's comment: a new one is made (the stand-in writes as github-actions[bot]).
    expect(published.commentAction).toBe("created");
    expect(s.comments.get(PR)?.find((c) => c.id === 6000)?.body).toBe(`${marker}\nold`);
  });

  it("sticky comment with a personal token: GET /user names the account; a bot's marker comment is not ours", async () => {
    const s = await standIn({
      comments: {
        [PR]: [
          {
            id: 6000,
            body: `${marker}\nby the Actions bot`,
            user: { login: "github-actions[bot]", type: "Bot" },
          },
          { id: 6100, body: `${marker}\nold`, user: { login: "release-manager", type: "User" } },
        ],
      },
    });
    const gh = createClient({ token: "ghp_personal", apiUrl: s.url, throttle: false });
    const access = new WriteAccess({ warning: () => {} });
    const published = await publish(
      gh,
      access,
      quickstart.results,
      quickstart.report,
      { owner: OWNER, repo: REPO, sha: SHA, pullNumber: PR, fullReport: "." },
      OPTIONS,
    );
    expect(s.violations).toEqual([]);
    expect(published.commentAction).toBe("updated");
    expect(s.calls()).toContain("GET /user");
    const byId = new Map((s.comments.get(PR) ?? []).map((c) => [c.id, c.body]));
    expect(byId.get(6100)).toMatch(/## safety-gate: ❌ FAIL/);
    expect(byId.get(6000)).toMatch(/by the Actions bot$/);
  });

  it("a comment POST answered 502 after it created the comment is not posted twice", async () => {
    const s = await standIn({
      badGatewayAfterOnce: "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
    });
    const { published, access } = await post(s, quickstart);
    expect(s.violations).toEqual([]);
    expect(access.failures).toEqual([]);
    expect(s.requests.find((r) => r.method === "POST")?.status).toBe(502);
    expect(s.comments.get(PR)).toHaveLength(1);
    expect(s.comments.get(PR)?.[0]?.body).toMatch(/## safety-gate: ❌ FAIL/);
    expect(published.commentUrl).toMatch(/#issuecomment-\d+$/);
    expect(s.calls().filter((c) => c.startsWith("POST /repos/{owner}/{repo}/issues/"))).toHaveLength(1);
  });

  it("a check-run POST answered 502 after it created the check run is not created twice (found by its external_id)", async () => {
    const s = await standIn({ badGatewayAfterOnce: "POST /repos/{owner}/{repo}/check-runs" });
    const { published, access } = await post(s, quickstart);
    expect(s.violations).toEqual([]);
    expect(access.failures).toEqual([]);
    expect(s.checkRuns).toHaveLength(1);
    expect(published.checkUrl).toBe(`https://github.example/${OWNER}/${REPO}/runs/${s.checkRuns[0]?.id}`);
    expect(s.calls()).toContain("GET /repos/{owner}/{repo}/commits/{ref}/check-runs");
    // The status links the one check run.
    expect(s.statuses[0]?.body.target_url).toBe(published.checkUrl);
  });

  it("lone surrogates in model output reach GitHub as U+FFFD (comment, check summary, annotation, status)", async () => {
    const run: GateRun = { results: structuredClone(quickstart.results), report: quickstart.report };
    const regressed = run.results.comparisons.find((c) => c.regressed.length)?.regressed[0];
    const c = run.results.builds.candidate.cases.find((x) => x.id === regressed);
    if (!c) throw new Error("the quickstart has a regressed case");
    c.response = "half an emoji: \ud83d and a stray low half \udc00 end";
    for (const g of c.grades) g.reason = `${g.reason} \ud800`;
    run.results.notes.push("a note cut mid-emoji \ud83d");
    const s = await standIn();
    await post(s, run);
    expect(s.violations).toEqual([]);
    const sent = JSON.stringify(s.requests.map((r) => r.body));
    expect(sent).not.toMatch(/\\ud[89a-f][0-9a-f]{2}/i);
    const annotation = s.checkRuns[0]?.annotations.find((a) =>
      (a as { raw_details?: string }).raw_details?.includes("half an emoji"),
    ) as { raw_details: string; message: string } | undefined;
    expect(annotation?.raw_details).toContain("half an emoji: \ufffd and a stray low half \ufffd end");
    expect(annotation?.message).toContain("\ufffd");
    expect(s.comments.get(PR)?.[0]?.body).toContain("a note cut mid-emoji \ufffd");
  });
});
