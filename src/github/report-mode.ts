/**
 * `mode: report`, for pull requests from forks: a second workflow, triggered by
 * `workflow_run` with a write token, posts what the read-only gate run could not. Its
 * input — the gate run's artifact — was produced by a fork's code, so it is untrusted
 * data: results.json must pass the schema, the pull request it names must have, right now,
 * the head commit GitHub says the gate run was for (else the report is skipped: a newer
 * run will report), its config and suites must be the head commit's, and its graded cases
 * are decided again with the base branch's policy — its own decisions are never believed.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import type { Policy } from "../config/policy.js";
import { canonicalJson } from "../io/canonical.js";
import { InputError } from "../io/diagnostic.js";
import { displayPath } from "../io/display.js";
import { parseJson } from "../io/source.js";
import { readText } from "../io/text.js";
import { validate } from "../io/validate.js";
import { redecide, type TrustedReference } from "../redecide.js";
import { readResults } from "../report/results-read.js";
import type { Results } from "../report/results-schema.js";
import { checkAgainstHead } from "./artifact-sources.js";
import type { GitHubClient } from "./client.js";
import { type GitHubContext, num, str } from "./context.js";
import { ERROR_FILE, type ErrorReport, ErrorReportSchema } from "./error-report.js";
import { type BaseCommit, basePolicy, configRepoPath } from "./policy.js";
import { findReference, type ReferenceSource } from "./reference.js";

export const PULL_REQUEST_FILE = "pull-request.json";

export const PullRequestRefSchema = z.strictObject({
  number: z.int().min(1),
  headSha: z.string().regex(/^[0-9a-f]{40}$/, { error: "expected a 40-character commit SHA" }),
});
export type PullRequestRef = z.output<typeof PullRequestRefSchema>;

function readJson<S extends z.ZodType>(file: string, what: string, schema: S): z.output<S> {
  const shown = displayPath(file);
  const doc = parseJson(readText(file, what), shown);
  return validate(schema, doc.data, doc);
}

export interface Reportable {
  /** The gate's results, or — when the gate ended in an error — its error report. */
  results?: Results;
  error?: ErrorReport;
  pullNumber: number;
  sha: string;
  base: BaseCommit;
}

/** The artifact's results, read by the versioned reader; its decisions are not believed (see decideAgain). */
function readResultsFile(resultsFile: string): Results {
  const doc = parseJson(readText(resultsFile, "results file"), displayPath(resultsFile));
  return readResults(doc.data, doc).results;
}

/**
 * Reads and checks the gate run's artifact (a directory or its results.json). `skipped`:
 * the pull request has moved on since (a newer gate run will report its head), so there is
 * nothing to post — not an error.
 */
export async function readGateArtifact(
  gh: GitHubClient,
  ctx: GitHubContext,
  path: string,
): Promise<Reportable | { skipped: string }> {
  if (ctx.eventName !== "workflow_run") {
    throw new InputError({
      file: "action inputs",
      keyPath: "mode",
      message: `mode: report runs on a workflow_run event, got "${ctx.eventName || "none"}"`,
    });
  }
  const headSha = str(ctx.event, "workflow_run", "head_sha");
  if (!headSha) throw new InputError({ file: "event payload", message: "workflow_run.head_sha is missing" });
  const dir = existsSync(path) && statSync(path).isDirectory() ? path : dirname(path);
  const resultsFile = dir === path ? join(dir, "results.json") : path;
  const errorFile = join(dir, ERROR_FILE);
  // A gate that ended in an error uploads error.json instead of results: post that failure.
  const errored = !existsSync(resultsFile) && existsSync(errorFile);
  const results = errored ? undefined : readResultsFile(resultsFile);
  const error = errored ? readJson(errorFile, "error report", ErrorReportSchema) : undefined;
  // GitHub lists the pull requests of a same-repository run; for a fork it lists none, so
  // the artifact names it — and the claim is checked against the pull request itself.
  const listed = (ctx.event.workflow_run as { pull_requests?: unknown[] } | undefined)?.pull_requests ?? [];
  let number = listed.map((p) => num(p, "number")).find((n) => n !== undefined);
  if (number === undefined)
    number = readJson(join(dir, PULL_REQUEST_FILE), "pull request file", PullRequestRefSchema).number;
  const pr = await gh.rest.pulls.get({ owner: ctx.owner, repo: ctx.repo, pull_number: number });
  if (pr.data.head.sha !== headSha) {
    return {
      skipped: `pull request #${number} has head ${pr.data.head.sha.slice(0, 12)}, not ${headSha.slice(0, 12)} that the gate run tested (pushed since, or the artifact names another pull request); nothing was posted — the run for the new head reports it`,
    };
  }
  return {
    results,
    error,
    pullNumber: number,
    sha: headSha,
    base: { sha: pr.data.base.sha, ref: pr.data.base.ref },
  };
}

/**
 * The results to post: the artifact's graded cases decided again with the base branch's
 * policy, after its config and suites were checked against the head commit. Any mismatch
 * makes the verdict fail, with the reason.
 */
export async function decideAgain(
  gh: GitHubClient,
  ctx: GitHubContext,
  artifact: Reportable & { results: Results },
  configFile: string,
  now = new Date(),
  /** The results artifact name and token, to find a `reference: { from: release }`. */
  referenceFrom?: { artifact: string; token: string },
): Promise<Results> {
  const path = configRepoPath(ctx, configFile);
  const trusted = await basePolicy(gh, ctx, configFile, artifact.base);
  const head = await checkAgainstHead(gh, ctx, artifact.results, path, artifact.sha);
  // The artifact's cases were graded by the head config's graders. Its counts can be decided
  // again with the base policy, but not graded again: when the pull request changes how
  // responses are graded, its grades are not the base branch's, and the report says so.
  if (trusted.policy && head.gradingKey !== undefined && head.gradingKey !== trusted.gradingKey) {
    head.problems.push(
      `the pull request changes how responses are graded (graders or scoring in ${path}); a run from a fork is graded by its own config, so its grades cannot stand for ${trusted.from}'s — the change applies once merged`,
    );
  }
  if (
    trusted.policy &&
    trusted.baseline &&
    canonicalJson(head.baseline ?? null) !== canonicalJson(trusted.baseline.declared ?? null)
  ) {
    head.problems.push(
      `the pull request changes the baseline declared in ${path}; a run from a fork compares with the baseline it chose, which cannot stand for ${trusted.from}'s — the change applies once merged`,
    );
  }
  // A release's results are the gate workflow's artifacts, not this report workflow's.
  const gateWorkflow = str(ctx.event, "workflow_run", "path")?.split("/").pop();
  const reference = await trustedReference(artifact.results, trusted.policy, head.proposed, {
    gh,
    ctx: gateWorkflow ? { ...ctx, workflowFile: gateWorkflow } : ctx,
    configPath: path,
    base: artifact.base,
    artifact: referenceFrom?.artifact ?? "",
    token: referenceFrom?.token ?? "",
  });
  return redecide(artifact.results, {
    ...(reference ? { reference } : {}),
    policy: trusted.policy,
    proposed: head.proposed,
    from: trusted.from,
    branch: artifact.base.ref,
    now,
    baselinePolicy: head.baselinePolicy,
    problems: head.problems,
  });
}

/**
 * The reference the verdict is decided against: the trusted (base branch's) policy's, found from a
 * trusted source — the base commit's file or the latest release's artifact — never the copy in the
 * pull request's artifact, so the pull request can neither drop nor swap it. Without a trusted policy
 * (the pull request introduces the config, and its own policy applies) the artifact's own is used.
 */
async function trustedReference(
  recorded: Results,
  policy: Policy | undefined,
  proposed: Policy | undefined,
  source: ReferenceSource,
): Promise<TrustedReference | undefined> {
  if (!policy) {
    const own = recorded.builds.reference;
    const spec = proposed?.reference;
    if (!spec) return undefined;
    const label = spec.label ?? own?.target.label ?? "reference";
    return own
      ? {
          label,
          cases: own.cases,
          source: own.target.source,
          ...(own.provenance ? { provenance: own.provenance } : {}),
        }
      : { label, unavailable: "the gate run recorded no reference build" };
  }
  const spec = policy.reference;
  if (!spec) return undefined;
  const fallback = spec.label ?? (spec.from === "release" ? "latest release" : "reference");
  const found = await findReference(source, spec);
  if (!found) return { label: fallback, unavailable: "no reference build" };
  if ("unavailable" in found)
    return { label: fallback, unavailable: `no reference build: ${found.unavailable}` };
  const label = spec.label ?? found.label ?? found.source;
  let results: Results;
  try {
    results = readResultsFile(found.file);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return { label, unavailable: `the reference results (${found.source}) cannot be used: ${err.message}` };
  }
  return {
    label,
    source: found.source,
    cases: results.builds.candidate.cases,
    provenance: {
      suites: results.suites.map(({ file, hash, caseHashes }) => ({ file, hash, caseHashes })),
      configHash: results.config.hash,
      configFile: results.config.file,
      graders: results.builds.candidate.graders,
      tool: `safety-gate@${results.tool.version}`,
      createdAt: results.createdAt,
    },
    policy: { sameConfigAndJudge: spec.from !== undefined, maxAgeDays: spec.max_age_days },
  };
}
