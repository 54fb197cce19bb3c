/**
 * `baseline: { from: base-branch }`: on a pull request, the results artifact of the latest
 * successful run of this same workflow on the base branch. Only runs started by the
 * repository itself (push, schedule, manual) count — a pull request's run on a branch that
 * happens to share the base branch's name (from a fork) must never become the baseline.
 * Needs `actions: read`. Whatever is found is then checked like any earlier run's results
 * (schema, suites, config, judge, age) by the engine.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { downloadArtifact } from "./artifact.js";
import type { GitHubClient } from "./client.js";
import type { GitHubContext } from "./context.js";

const TRUSTED_EVENTS = new Set(["push", "schedule", "workflow_dispatch", "merge_group"]);
/** How many recent successful runs to look through for one that kept its artifact. */
const RUNS_TO_SEARCH = 20;

export type Found = { file: string; source: string } | { unavailable: string } | { notApplicable: string };

export async function findBaseBranchResults(
  gh: GitHubClient,
  ctx: GitHubContext,
  artifact: string,
  token: string,
  download = downloadArtifact,
): Promise<Found> {
  if (!ctx.baseRef) {
    return {
      notApplicable: `this ${ctx.eventName || "non-pull-request"} run${ctx.branch ? ` on ${ctx.branch}` : ""} makes the baseline that pull requests compare with`,
    };
  }
  if (!ctx.workflowFile) return { unavailable: "GITHUB_WORKFLOW_REF does not name this workflow's file" };
  const { owner, repo } = ctx;
  let runs: Awaited<ReturnType<GitHubClient["rest"]["actions"]["listWorkflowRuns"]>>["data"]["workflow_runs"];
  try {
    const r = await gh.rest.actions.listWorkflowRuns({
      owner,
      repo,
      workflow_id: ctx.workflowFile,
      branch: ctx.baseRef,
      status: "success",
      per_page: RUNS_TO_SEARCH,
    });
    runs = r.data.workflow_runs;
  } catch (err) {
    const status = (err as { status?: number }).status;
    return {
      unavailable:
        status === 403 || status === 404
          ? `the token cannot list workflow runs (HTTP ${status}); give the job \`permissions: actions: read\``
          : `listing workflow runs failed: ${(err as Error).message}`,
    };
  }
  const own = `${owner}/${repo}`.toLowerCase();
  for (const run of runs) {
    if (!TRUSTED_EVENTS.has(run.event)) continue;
    if (run.head_repository?.full_name?.toLowerCase() !== own) continue;
    const list = await gh.rest.actions.listWorkflowRunArtifacts({
      owner,
      repo,
      run_id: run.id,
      name: artifact,
    });
    const found = list.data.artifacts.find((a) => a.name === artifact && !a.expired);
    if (!found) continue;
    // Under the runner's per-job temp folder, which GitHub empties after the job.
    const dir = mkdtempSync(join(process.env.RUNNER_TEMP || tmpdir(), "safety-gate-baseline-"));
    try {
      await download(found.id, dir, {
        token,
        workflowRunId: run.id,
        repositoryOwner: owner,
        repositoryName: repo,
      });
    } catch (err) {
      return {
        unavailable: `downloading artifact ${artifact} of run ${run.id} failed: ${(err as Error).message}`,
      };
    }
    return {
      file: join(dir, "results.json"),
      source: `${ctx.baseRef}@${run.head_sha.slice(0, 7)} (run ${run.id}, artifact ${artifact})`,
    };
  }
  return {
    unavailable: `no successful run of ${ctx.workflowFile} on ${ctx.baseRef} among the last ${runs.length} has an artifact named ${artifact}; run the workflow on ${ctx.baseRef} first`,
  };
}
