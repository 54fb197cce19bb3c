/**
 * Posts a run's results where reviewers look: the sticky pull-request comment, the check
 * run with annotations, and the commit status. Used by the action after a gate run, by the
 * action's `mode: report` (trusted workflow for fork pull requests) and by `safety-gate
 * publish` outside Actions. Write failures never hide the verdict: they are reported and
 * the caller decides what they mean.
 */

import { noun, plural } from "../io/plural.js";
import { fitReport, type Limit } from "../report/fit.js";
import {
  BADGE,
  fullDetail,
  type ReportContext,
  type ReportOptions,
  renderMarkdown,
  verdictSummary,
} from "../report/markdown.js";
import type { Results } from "../report/results-schema.js";
import {
  annotationNote,
  annotationsFor,
  CHECK_SUMMARY_LIMIT,
  capAnnotations,
  postCheckRun,
} from "./check-run.js";
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

/**
 * Default names. They differ: with one name for both, a pull request's merge box showed two
 * identical `safety-gate` rows, and a branch protection rule requiring `safety-gate` matched
 * either. The check run is the one to require (it carries the annotations and the report, and
 * a rule can pin the app that must create it); the status stays for rules that need one.
 */
export const DEFAULT_CHECK_NAME = "safety-gate";
export const DEFAULT_STATUS_CONTEXT = "safety-gate / status";

export interface PublishOptions {
  comment: boolean;
  checkName: string;
  statusContext: string;
  inconclusive: InconclusiveAs;
  /** The login the sticky comment is written by, when the token cannot say (a GitHub App's token). */
  commentAuthor?: string;
}

export interface Published {
  commentUrl?: string;
  commentAction?: "created" | "updated";
  checkUrl?: string;
  /** Requests the check run took (one: annotations are capped). */
  checkRequests?: number;
  /** Annotations posted (at most ANNOTATION_CAP). */
  annotations: number;
  /** Newly failing cases not annotated; the check summary says where they are listed. */
  annotationsLeftOut: number;
  status: boolean;
}

/** The log line for the check run: its URL and what was annotated. */
export function checkRunLine(p: Published): string {
  const more = p.annotationsLeftOut
    ? `; ${p.annotationsLeftOut} more newly failing ${noun(p.annotationsLeftOut, "case")} in the report`
    : "";
  return `check run: ${p.checkUrl} (${plural(p.annotations, "annotation")}${more})`;
}

/** The report rendered to fit `limit`, dropping detail in stages. */
export function fittedMarkdown(
  r: Results,
  report: ReportOptions,
  limit: Limit,
  fullReport: string,
  context?: ReportContext,
): string {
  return fitReport(
    (detail, dropped) => renderMarkdown(r, report, { detail, dropped, context }),
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
  const out: Published = { annotations: 0, annotationsLeftOut: 0, status: false };
  const { owner, repo } = target;
  const context: ReportContext = { sha: target.sha, runUrl: target.detailsUrl };
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
      context,
    );
    const c = await upsertComment(
      gh,
      access,
      { owner, repo, issue_number: target.pullNumber },
      marker,
      body,
      options.commentAuthor,
    );
    out.commentUrl = c?.url;
    out.commentAction = c?.action;
  }
  const { shown, leftOut } = capAnnotations(
    annotationsFor(r, { redact: report.redact ?? false, maxChars: report.maxResponseChars }),
  );
  out.annotations = shown.length;
  out.annotationsLeftOut = leftOut;
  const note = leftOut ? `${annotationNote(shown.length, leftOut, target.fullReport)}\n\n` : "";
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
    summary:
      note +
      fittedMarkdown(
        r,
        report,
        {
          max: CHECK_SUMMARY_LIMIT - Buffer.byteLength(note),
          stated: CHECK_SUMMARY_LIMIT,
          unit: "bytes",
          name: "GitHub's check summary limit",
        },
        target.fullReport,
        context,
      ),
    annotations: shown,
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
