import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ActionEvent, type ActionRun, NODE, runActionIn } from "./helpers/action-run.js";
import { type StandIn, type StandInOptions, startGitHubStandIn } from "./helpers/github-standin.js";
import { tempDir } from "./helpers/run.js";
import { repoRoot } from "./helpers/shared.js";

const OWNER = "octo-org";
const REPO = "model-release";
const HEAD = "1111111111111111111111111111111111111111";
const MERGE = "2222222222222222222222222222222222222222";
const PR = 7;
const CONFIG = "examples/quickstart/safety-gate.yml";

let work: string;
const servers: StandIn[] = [];
beforeAll(() => {
  work = tempDir("safety-gate-e2e-");
  cpSync(join(repoRoot, "dist"), join(work, "dist"), { recursive: true });
  cpSync(join(repoRoot, "examples"), join(work, "examples"), { recursive: true });
});
afterEach(async () => {
  while (servers.length) await servers.pop()?.close();
});

async function standIn(options: StandInOptions = {}): Promise<StandIn> {
  const s = await startGitHubStandIn({ owner: OWNER, repo: REPO, ...options });
  servers.push(s);
  return s;
}

const pullRequestEvent = { pull_request: { number: PR, head: { sha: HEAD }, base: { ref: "main" } } };
const prEvent = (env: Record<string, string> = {}) => ({
  name: "pull_request",
  payload: pullRequestEvent,
  env: { GITHUB_BASE_REF: "main", GITHUB_REF: `refs/pull/${PR}/merge`, ...env },
});

/** Runs dist/action.js asynchronously (the stand-in answers in this process), as for a pull request's merge commit. */
function runAction(
  s: StandIn,
  inputs: Record<string, string>,
  event: ActionEvent = prEvent(),
): Promise<ActionRun> {
  return runActionIn(
    work,
    s,
    `${OWNER}/${REPO}`,
    { config: CONFIG, ...inputs },
    {
      ...event,
      env: {
        GITHUB_SHA: MERGE,
        GITHUB_WORKFLOW_REF: `${OWNER}/${REPO}/.github/workflows/gate.yml@refs/pull/${PR}/merge`,
        ...event.env,
      },
    },
  );
}

describe(`dist/action.js on ${NODE === process.execPath ? `this Node (${process.version})` : NODE}`, () => {
  it("pull_request: one comment, one check run, one status on the head commit; then the same comment updated", async () => {
    const s = await standIn();
    const first = await runAction(s, {});
    expect(s.violations).toEqual([]);
    expect(first.code).toBe(1);
    expect(first.outputs.verdict).toBe("fail");
    expect(first.stdout).toContain("::error::safety-gate verdict: fail");
    // The token is registered for masking (the runner then hides it) and appears nowhere else.
    expect(first.stdout.replace("::add-mask::ghs_e2eToken", "")).not.toContain("ghs_e2eToken");
    expect(s.calls()).toEqual([
      // The history branch, for the comment's sparklines (absent here).
      "GET /repos/{owner}/{repo}/git/ref/{ref}",
      "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
      "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
      "POST /repos/{owner}/{repo}/check-runs",
      "POST /repos/{owner}/{repo}/statuses/{sha}",
    ]);
    expect(s.checkRuns[0]?.body).toMatchObject({
      head_sha: HEAD,
      conclusion: "failure",
      details_url: "https://github.com/octo-org/model-release/actions/runs/4242",
    });
    expect(s.checkRuns[0]?.annotations[0]).toMatchObject({ path: "examples/quickstart/suite.jsonl" });
    expect(s.statuses[0]?.sha).toBe(HEAD);
    // Check and status under different names (two rows in the merge box, not two `safety-gate`s).
    expect(s.checkRuns[0]?.body.name).toBe("safety-gate");
    expect(s.statuses[0]?.body.context).toBe("safety-gate / status");
    // The comment names the pull request's head commit (not the merge commit) and links this run.
    expect(s.comments.get(PR)?.[0]?.body).toContain(
      "Commit `1111111` · [workflow run](https://github.com/octo-org/model-release/actions/runs/4242)",
    );
    expect(first.outputs["comment-url"]).toMatch(/\/pull\/7#issuecomment-\d+$/);
    expect(first.summary).toContain("## safety-gate: ❌ FAIL");
    expect(first.stdout).toContain("artifact upload skipped: not on a GitHub Actions runner");
    for (const f of ["results.json", "report.md", "report.html", "junit.xml"]) {
      expect(existsSync(join(first.out, f))).toBe(true);
    }
    expect(JSON.parse(readFileSync(join(first.out, "pull-request.json"), "utf8"))).toEqual({
      number: PR,
      headSha: HEAD,
    });

    s.requests.length = 0;
    const second = await runAction(s, {});
    expect(s.violations).toEqual([]);
    expect(second.code).toBe(1);
    expect(s.calls()[2]).toBe("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}");
    expect(second.outputs["comment-url"]).toBe(first.outputs["comment-url"]);
    expect(s.comments.get(PR)).toHaveLength(1);
  });

  it("fork pull request (403 on every write): job summary written, artifact uploaded, exit code of the verdict", async () => {
    const s = await standIn({ readOnly: true });
    const failing = await runAction(s, {}, prEvent(s.artifactServiceEnv()));
    expect(s.violations).toEqual([]);
    expect(failing.code).toBe(1);
    expect(failing.outputs.verdict).toBe("fail");
    expect(failing.summary).toContain("## safety-gate: ❌ FAIL");
    expect(failing.stdout).toMatch(
      /::notice::safety-gate: the token may not write the pull-request comment \(a pull request from a fork/,
    );
    expect(failing.stdout).toContain(
      "not posted (token may not write): pull-request comment, check run, commit status",
    );
    expect(failing.stdout).not.toMatch(/internal error|invalid input/);
    // The artifact service takes its own runtime token, which a fork's run has too.
    expect(failing.stdout).toContain("uploaded artifact safety-gate-examples-quickstart-safety-gate.yml");
    const zip = s.uploads.get("safety-gate-examples-quickstart-safety-gate.yml") ?? Buffer.alloc(0);
    expect(zip.subarray(0, 4).toString("latin1")).toBe("PK\u0003\u0004");
    for (const f of ["results.json", "report.md", "report.html", "junit.xml", "pull-request.json"]) {
      expect(zip.includes(Buffer.from(f))).toBe(true);
    }

    mkdirSync(join(work, "lenient"), { recursive: true });
    writeFileSync(
      join(work, "lenient/safety-gate.yml"),
      [
        "version: 1",
        "suites: [../examples/quickstart/suite.jsonl]",
        "candidate: { replay: ../examples/quickstart/responses-candidate.jsonl }",
        "baseline: { replay: ../examples/quickstart/responses-baseline.jsonl }",
        "gates:",
        "  error_rate: { max: 0.02 }",
        "  leak_rate: { max: 0.5 }",
      ].join("\n"),
    );
    const passing = await runAction(s, { config: "lenient/safety-gate.yml" });
    expect(passing.code).toBe(0);
    expect(passing.outputs.verdict).toBe("pass");
    expect(passing.summary).toContain("## safety-gate: ✅ PASS");
    expect(s.violations).toEqual([]);
  });

  it("mode: report on workflow_run posts a fork's results after checking the pull request's head", async () => {
    const gate = await runAction(await standIn({ readOnly: true }), {});
    // The base commit's policy and the head commit's config and suite, through the contents API.
    const read = (f: string) => readFileSync(join(work, f), "utf8");
    const BASE = "b".repeat(40);
    const files: Record<string, Record<string, string>> = {
      [BASE]: { [CONFIG]: read(CONFIG) },
      [HEAD]: {
        [CONFIG]: read(CONFIG),
        "examples/quickstart/suite.jsonl": read("examples/quickstart/suite.jsonl"),
      },
    };
    const s = await standIn({ pulls: { [PR]: { headSha: HEAD, baseSha: BASE } }, files });
    const workflowRun = {
      name: "workflow_run",
      payload: {
        workflow_run: { head_sha: HEAD, pull_requests: [], html_url: "https://github.example/run/1" },
      },
    };
    const report = await runAction(s, { mode: "report", results: gate.out }, workflowRun);
    expect(s.violations).toEqual([]);
    expect(report.code).toBe(0);
    expect(report.outputs.verdict).toBe("fail");
    expect(s.calls()).toEqual([
      "GET /repos/{owner}/{repo}/pulls/{pull_number}",
      "GET /repos/{owner}/{repo}/contents/{path}",
      "GET /repos/{owner}/{repo}/contents/{path}",
      "GET /repos/{owner}/{repo}/contents/{path}",
      "GET /repos/{owner}/{repo}/git/ref/{ref}",
      "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
      "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
      "POST /repos/{owner}/{repo}/check-runs",
      "POST /repos/{owner}/{repo}/statuses/{sha}",
    ]);
    expect(s.statuses[0]?.sha).toBe(HEAD);

    // The pull request moved on (or the artifact names another one): nothing is posted, and
    // the report run is skipped, not failed — the gate run for the new head reports.
    const moved = await standIn({ pulls: { [PR]: { headSha: "3".repeat(40) } } });
    const refused = await runAction(moved, { mode: "report", results: gate.out }, workflowRun);
    expect(refused.code).toBe(0);
    expect(refused.outputs.verdict).toBe("skipped");
    expect(refused.stdout).toMatch(/::notice::.*pull request #7 has head 333333333333, not 111111111111/);
    expect(moved.calls()).toEqual(["GET /repos/{owner}/{repo}/pulls/{pull_number}"]);

    // A tampered results.json is refused by its schema, at the line.
    writeFileSync(join(gate.out, "results.json"), '{\n  "schemaVersion": 1,\n  "verdict": "pass"\n}\n');
    const tampered = await runAction(s, { mode: "report", results: gate.out }, workflowRun);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(
      /::error title=safety-gate%3A invalid input,file=.*results.json,line=1,col=1::tool: required/,
    );
  });

  it("baseline: { from: base-branch } downloads the latest push run's results artifact (@actions/artifact)", async () => {
    mkdirSync(join(work, "gate"), { recursive: true });
    const config = join(work, "gate/safety-gate.yml");
    const common = [
      "version: 1",
      "suites: [../examples/quickstart/suite.jsonl]",
      "gates:",
      "  attack_success_rate: { regression: { alpha: 0.05 } }",
      "  error_rate: { max: 0.02 }",
    ];
    // The base branch's run: its candidate is today's baseline build.
    writeFileSync(
      config,
      [
        ...common,
        "candidate: { replay: ../examples/quickstart/responses-baseline.jsonl }",
        "baseline: { from: base-branch, max_age_days: 30 }",
      ].join("\n"),
    );
    const upload = await standIn();
    const base = await runAction(
      upload,
      { config: "gate/safety-gate.yml" },
      { name: "push", payload: {}, env: { GITHUB_REF: "refs/heads/main", ...upload.artifactServiceEnv() } },
    );
    expect(base.outputs.verdict).toBe("pass");
    expect(base.summary).toContain(
      "Regression gates were not applied: this push run on main makes the baseline that pull requests compare with.",
    );
    // The base run's own upload (real @actions/artifact) is what the pull request downloads.
    const zip = upload.uploads.get("safety-gate-gate-safety-gate.yml");
    if (!zip) throw new Error(`the base run uploaded nothing:\n${base.stdout}`);

    writeFileSync(
      config,
      [
        ...common,
        "candidate: { replay: ../examples/quickstart/responses-candidate.jsonl }",
        "baseline: { from: base-branch, max_age_days: 30 }",
      ].join("\n"),
    );
    const s = await standIn({
      workflows: ["gate.yml"],
      runs: [
        {
          id: 77,
          event: "push",
          branch: "main",
          headSha: "a".repeat(40),
          headRepo: `${OWNER}/${REPO}`,
          artifacts: { "safety-gate-gate-safety-gate.yml": zip },
        },
      ],
    });
    const pr = await runAction(s, { config: "gate/safety-gate.yml", comment: "false" });
    expect(s.violations).toEqual([]);
    expect(pr.code).toBe(1);
    // The download unzips with a bundled dependency that calls `new Buffer()`; bundled, Node
    // no longer sees it inside node_modules and warned on every run (DEP0005).
    expect(pr.stdout).not.toMatch(/DEP0005|DeprecationWarning/);
    expect(base.stdout).not.toMatch(/DEP0005|DeprecationWarning/);
    const results = JSON.parse(readFileSync(join(pr.out, "results.json"), "utf8"));
    expect(results.builds.baseline.target).toMatchObject({
      kind: "results",
      source: "main@aaaaaaa (run 77, artifact safety-gate-gate-safety-gate.yml)",
    });
    const asr = results.comparisons.find((c: { metric: string }) => c.metric === "attack_success_rate");
    expect(asr.table).toEqual({ n11: 1, n12: 11, n21: 1, n22: 59 });
    expect(s.calls().slice(0, 3)).toEqual([
      "GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs",
      "GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts",
      "GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}",
    ]);
  });
});

describe("verdict error is still published (issue 14)", () => {
  const badConfig = () => {
    mkdirSync(join(work, "bad"), { recursive: true });
    writeFileSync(
      join(work, "bad/safety-gate.yml"),
      [
        "version: 1",
        "suites: [../examples/quickstart/suite.jsonl]",
        "candidate: { replay: ../examples/quickstart/responses-candidate.jsonl }",
        "gates:",
        '  attack_success_rate: { max: "5%" }',
      ].join("\n"),
    );
  };

  it("invalid config: failing check and status naming file:line, job summary, error.json uploaded; mode: report posts it", async () => {
    badConfig();
    const s = await standIn();
    const r = await runAction(s, { config: "bad/safety-gate.yml" }, prEvent(s.artifactServiceEnv()));
    expect(s.violations).toEqual([]);
    expect(r.code).toBe(1);
    expect(r.outputs.verdict).toBe("error");
    expect(r.stdout).toMatch(/::error title=safety-gate%3A invalid input,file=bad\/safety-gate.yml,line=5/);
    expect(s.checkRuns).toHaveLength(1);
    expect(s.checkRuns[0]?.body).toMatchObject({
      head_sha: HEAD,
      conclusion: "failure",
      status: "completed",
    });
    expect(String((s.checkRuns[0]?.body.output as { title?: string } | undefined)?.title)).toMatch(
      /ERROR — invalid input: bad\/safety-gate.yml:5:\d+ gates.attack_success_rate.max/,
    );
    expect(s.checkRuns[0]?.annotations).toEqual([
      expect.objectContaining({ path: "bad/safety-gate.yml", start_line: 5, annotation_level: "failure" }),
    ]);
    expect(s.statuses).toHaveLength(1);
    expect(s.statuses[0]?.sha).toBe(HEAD);
    expect(s.statuses[0]?.body).toMatchObject({ state: "failure", context: "safety-gate / status" });
    expect(String(s.statuses[0]?.body.description)).toMatch(
      /^ERROR: invalid input: bad\/safety-gate.yml:5:\d+ /,
    );
    expect(s.comments.get(PR)?.[0]?.body).toContain("## safety-gate: ⛔ ERROR");
    expect(r.summary).toContain("## safety-gate: ⛔ ERROR");
    expect(r.summary).toMatch(/bad\/safety-gate.yml:5:\d+ gates.attack\\_success\\_rate.max/);
    const zip = s.uploads.get("safety-gate-bad-safety-gate.yml") ?? Buffer.alloc(0);
    expect(zip.subarray(0, 4).toString("latin1")).toBe("PK\u0003\u0004");
    for (const f of ["error.json", "pull-request.json"]) expect(zip.includes(Buffer.from(f))).toBe(true);
    const error = JSON.parse(readFileSync(join(r.out, "error.json"), "utf8"));
    expect(error).toMatchObject({ verdict: "error", kind: "invalid input", config: "bad/safety-gate.yml" });

    // The fork's report job: its download now finds the artifact, and it posts the failure.
    const report = await standIn({ pulls: { [PR]: { headSha: HEAD } } });
    const workflowRun = {
      name: "workflow_run",
      payload: {
        workflow_run: { head_sha: HEAD, pull_requests: [], html_url: "https://github.example/run/1" },
      },
    };
    const posted = await runAction(report, { mode: "report", results: r.out }, workflowRun);
    expect(report.violations).toEqual([]);
    expect(posted.code).toBe(0);
    expect(posted.outputs.verdict).toBe("error");
    expect(report.statuses[0]?.body).toMatchObject({ state: "failure" });
    expect(String(report.statuses[0]?.body.description)).toMatch(
      /^ERROR: invalid input: bad\/safety-gate.yml:5/,
    );
    expect(report.checkRuns[0]?.body).toMatchObject({ conclusion: "failure", head_sha: HEAD });
    expect(posted.summary).toContain("## safety-gate: ⛔ ERROR");
  });

  it("an invalid action input (mode) still posts the failing check and status", async () => {
    const s = await standIn();
    const r = await runAction(s, { mode: "sideways" });
    expect(r.code).toBe(1);
    expect(r.outputs.verdict).toBe("error");
    expect(s.violations).toEqual([]);
    expect(s.statuses[0]?.body).toMatchObject({ state: "failure" });
    expect(String(s.statuses[0]?.body.description)).toMatch(
      /^ERROR: invalid input: action inputs mode: expected one of/,
    );
    expect(s.checkRuns[0]?.body).toMatchObject({ conclusion: "failure" });
  });
});

describe("the entry (src/action-main.ts → dist/action.js)", () => {
  it("entry split: importing src/action.ts runs nothing and exports run() (what @github/local-action calls)", async () => {
    const before = process.exitCode;
    const mod = await import("../src/action.js");
    expect(typeof mod.run).toBe("function");
    expect(process.exitCode).toBe(before);
  });

  it("crash dump: an error escaping run() prints one line (stack only with RUNNER_DEBUG), not the minified bundle", async () => {
    const s = await standIn();
    // @actions/core throws from inside the bundle when GITHUB_OUTPUT names a missing file.
    const broken = { ...prEvent(), env: { ...prEvent().env, GITHUB_OUTPUT: "/nonexistent/output" } };
    const r = await runAction(s, { config: "missing.yml" }, broken);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("safety-gate: internal error: Missing file at path: /nonexistent/output");
    expect(r.stdout.length).toBeLessThan(2000);
    expect(r.stdout).not.toContain("dist/action.js:");
    const debug = await runAction(
      s,
      { config: "missing.yml" },
      {
        ...broken,
        env: { ...broken.env, RUNNER_DEBUG: "1" },
      },
    );
    expect(debug.code).toBe(1);
    expect(debug.stdout).toMatch(/at \S+ \(file:\/\/.*dist\/action\.js:\d+:\d+\)/);
    expect(debug.stdout.length).toBeLessThan(10_000);
  });
});
