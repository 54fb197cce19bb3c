/**
 * Posts a run's results where reviewers look: the sticky pull-request comment, the check
 * run with annotations, and the commit status. Used by the action after a gate run, by the
 * action's `mode: report` (trusted workflow for fork pull requests) and by `safety-gate
 * publish` outside Actions. Write failures never hide the verdict: they are reported and
 * the caller decides what they mean.
 */
import { fitReport, type Limit } from "../report/fit.js";
import { BADGE, fullDetail, type ReportOptions, renderMarkdown, verdictSummary } from "../report/markdown.js";
import type { Results } from "../report/results-schema.js";
import { annotationsFor, CHECK_SUMMARY_LIMIT, postCheckRun } from "./check-run.js";
import type { GitHubClient } from "./client.js";
import { COMMENT_LIMIT, commentMarker, upsertComment } from "./comment.js";
import { postStatus } from "./status.js";
import type { InconclusiveAs } from "./verdict.js";
import type { WriteAccess } from "./write-access.js";

export interface PublishTarget {
  owner: string;
  repo: string;
  /** The commit the check run and status go on. */
  sha: string;
  pullNumber?: number;
  /** A page with more (the workflow run), linked from the check and the status. */
  detailsUrl?: string;
  /** Where the full report is, said wherever detail had to be dropped. */
  fullReport: string;
}

export interface PublishOptions {
  comment: boolean;
  checkName: string;
  statusContext: string;
  inconclusive: InconclusiveAs;
}

export interface Published {
  commentUrl?: string;
  commentAction?: "created" | "updated";
  checkUrl?: string;
  /** Requests the check run took (1 + one per further 50 annotations). */
  checkRequests?: number;
  annotations: number;
  status: boolean;
}

/** The report rendered to fit `limit`, dropping detail in stages. */
export function fittedMarkdown(r: Results, report: ReportOptions, limit: Limit, fullReport: string): string {
  return fitReport(
    (detail, dropped) => renderMarkdown(r, report, { detail, dropped }),
    fullDetail(report),
    limit,
    fullReport,
  );
}

export async function publish(
  gh: GitHubClient,
  access: WriteAccess,
  r: Results,
  report: ReportOptions,
  target: PublishTarget,
  options: PublishOptions,
): Promise<Published> {
  const out: Published = { annotations: 0, status: false };
  const { owner, repo } = target;
  if (options.comment && target.pullNumber !== undefined) {
    const marker = commentMarker(r.config.file);
    const body = fittedMarkdown(
      r,
      report,
      {
        max: COMMENT_LIMIT - marker.length - 1,
        stated: COMMENT_LIMIT,
        unit: "characters",
        name: "GitHub's comment limit",
      },
      target.fullReport,
    );
    const c = await upsertComment(gh, access, { owner, repo, issue_number: target.pullNumber }, marker, body);
    out.commentUrl = c?.url;
    out.commentAction = c?.action;
  }
  const annotations = annotationsFor(r, {
    redact: report.redact ?? false,
    maxChars: report.maxResponseChars,
  });
  out.annotations = annotations.length;
  // Nothing decided is nothing shown to be safe: even with `inconclusive: neutral` it never posts success.
  const inconclusive = r.decisions.length ? options.inconclusive : "failure";
  const check = await postCheckRun(gh, access, {
    owner,
    repo,
    sha: target.sha,
    name: options.checkName,
    verdict: r.verdict,
    inconclusive,
    title: `${BADGE[r.verdict]} — ${verdictSummary(r)}`,
    summary: fittedMarkdown(
      r,
      report,
      { max: CHECK_SUMMARY_LIMIT, unit: "bytes", name: "GitHub's check summary limit" },
      target.fullReport,
    ),
    annotations,
    detailsUrl: target.detailsUrl,
  });
  out.checkUrl = check?.url;
  out.checkRequests = check?.requests;
  out.status = await postStatus(gh, access, {
    owner,
    repo,
    sha: target.sha,
    context: options.statusContext,
    verdict: r.verdict,
    inconclusive,
    description: `${r.verdict.toUpperCase()}${r.profile ? ` (${r.profile.name})` : ""}: ${verdictSummary(r)}`,
    targetUrl: check?.url || target.detailsUrl,
  });
  return out;
}
