/**
 * `baseline: { from: base-branch }`: on a pull request, the results artifact of the latest
 * completed run of this same workflow on the base branch — whether its gate passed or
 * failed, its results are the base branch's (cancelled runs have none). Only runs started by the
 * repository itself (push, schedule, manual) count — a pull request's run on a branch that
 * happens to share the base branch's name (from a fork) must never become the baseline.
 * Needs `actions: read`. Whatever is found is then checked like any earlier run's results
 * (schema, suites, config, judge, age) by the engine.
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { downloadArtifact } from "./artifact.js";
import type { GitHubClient } from "./client.js";
import type { GitHubContext } from "./context.js";

// `release`: published by someone with write access, on a tag (the reference's `from: release`).
const TRUSTED_EVENTS = new Set(["push", "schedule", "workflow_dispatch", "merge_group", "release"]);
const RUNS_PER_PAGE = 100;
/** How many pages of completed runs (newest first) to look through for the base branch's own. */
const PAGES_TO_SEARCH = 5;
/** Artifacts without results (runs that ended in an error) tried before giving up. */
const DOWNLOADS_TO_TRY = 3;

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
  return findWorkflowResults(gh, ctx, ctx.baseRef, artifact, token, download);
}

/**
 * The results artifact of the latest completed run of this workflow on `branch` (a branch, or a tag:
 * a tag's runs carry its name as their branch) that the repository itself started.
 */
export async function findWorkflowResults(
  gh: GitHubClient,
  ctx: GitHubContext,
  branch: string,
  artifact: string,
  token: string,
  download = downloadArtifact,
): Promise<Found> {
  if (!ctx.workflowFile) return { unavailable: "GITHUB_WORKFLOW_REF does not name this workflow's file" };
  const { owner, repo } = ctx;
  const own = `${owner}/${repo}`.toLowerCase();
  let looked = 0;
  const skipped: string[] = [];
  try {
    // Completed runs, newest first, paged: a busy repository's fork pull requests also run
    // on branches named like the base branch, and can fill whole pages.
    const pages = gh.paginate.iterator(gh.rest.actions.listWorkflowRuns, {
      owner,
      repo,
      workflow_id: ctx.workflowFile,
      branch,
      status: "completed",
      per_page: RUNS_PER_PAGE,
    });
    let page = 0;
    for await (const r of pages) {
      for (const run of r.data) {
        looked++;
        if (!TRUSTED_EVENTS.has(run.event)) continue;
        if (run.head_repository?.full_name?.toLowerCase() !== own) continue;
        // A failed gate's results are still the base branch's results; a cancelled run has none.
        if (run.conclusion !== "success" && run.conclusion !== "failure") continue;
        const got = await fromRun(gh, ctx, run, branch, artifact, token, download);
        if (got === undefined) continue;
        if ("skip" in got) {
          skipped.push(got.skip);
          if (skipped.length >= DOWNLOADS_TO_TRY) return { unavailable: skipped.join("; ") };
          continue;
        }
        return got;
      }
      if (++page >= PAGES_TO_SEARCH) break;
    }
  } catch (err) {
    const status = (err as { status?: number }).status;
    return {
      unavailable:
        status === 403 || status === 404
          ? `the token cannot list workflow runs (HTTP ${status}); give the job \`permissions: actions: read\``
          : `listing workflow runs failed: ${(err as Error).message}`,
    };
  }
  return {
    unavailable:
      `no completed push, schedule or manual run of ${ctx.workflowFile} on ${branch} among the last ${looked} runs has an artifact named ${artifact}` +
      `${skipped.length ? ` (${skipped.join("; ")})` : ""}; run the workflow on ${branch} first`,
  };
}

type Run = Awaited<
  ReturnType<GitHubClient["rest"]["actions"]["listWorkflowRuns"]>
>["data"]["workflow_runs"][number];

/** The run's results, undefined when it has no such artifact, or why its artifact is no use. */
async function fromRun(
  gh: GitHubClient,
  ctx: GitHubContext,
  run: Run,
  branch: string,
  artifact: string,
  token: string,
  download: typeof downloadArtifact,
): Promise<Found | { skip: string } | undefined> {
  const { owner, repo } = ctx;
  const list = await gh.rest.actions.listWorkflowRunArtifacts({
    owner,
    repo,
    run_id: run.id,
    name: artifact,
  });
  const found = list.data.artifacts.find((a) => a.name === artifact && !a.expired);
  if (!found) return undefined;
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
  const file = join(dir, "results.json");
  // A run that ended in an error uploads its error report but no results.
  if (!existsSync(file))
    return { skip: `run ${run.id}'s artifact has no results.json (that run ended in an error)` };
  return { file, source: `${branch}@${run.head_sha.slice(0, 7)} (run ${run.id}, artifact ${artifact})` };
}
