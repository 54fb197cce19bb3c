/**
 * Posts a run's results where reviewers look: the sticky pull-request comment, the check
 * run with annotations, and the commit status. Used by the action after a gate run, by the
 * action's `mode: report` (trusted workflow for fork pull requests) and by `safety-gate
 * publish` outside Actions. Write failures never hide the verdict: they are reported and
 * the caller decides what they mean.
 */

import type { Verdict } from "../gate/waivers.js";
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
  type Annotation,
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
  /** The trend lines (sparklines, trend page link) for the comment and the check. */
  trend?: readonly string[];
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
  const context: ReportContext = { sha: target.sha, runUrl: target.detailsUrl, trend: target.trend };
  const marker = commentMarker(r.config.file);
  const { shown, leftOut } = capAnnotations(
    annotationsFor(r, { redact: report.redact ?? false, maxChars: report.maxResponseChars }),
  );
  const note = leftOut ? `${annotationNote(shown.length, leftOut, target.fullReport)}\n\n` : "";
  return post(gh, access, target, options, {
    marker,
    // Fitted only when it will be posted: fitting a large report takes a while.
    comment:
      options.comment && target.pullNumber !== undefined
        ? fittedMarkdown(
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
          )
        : "",
    verdict: r.verdict,
    // Nothing decided is nothing shown to be safe: even with `inconclusive: neutral` it never posts success.
    inconclusive: r.decisions.length ? options.inconclusive : "failure",
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
    annotationsLeftOut: leftOut,
    description: `${r.verdict.toUpperCase()}${r.profile ? ` (${r.profile.name})` : ""}: ${verdictSummary(r)}`,
  });
}

/** What a run puts on a pull request and a commit: comment, check run and status. */
export interface Posting {
  /** The comment's marker (one comment per gate config) and its body, marker excluded. */
  marker: string;
  comment: string;
  verdict: Verdict;
  inconclusive: InconclusiveAs;
  title: string;
  summary: string;
  annotations: Annotation[];
  /** Newly failing cases left out of the annotations (the summary says where they are). */
  annotationsLeftOut: number;
  description: string;
}

/**
 * Posts the comment (on a pull request, when asked), the check run and the commit status, in
 * that order, each through `access` so a refused or failed write is noted and the others still
 * go out. One poster for a gate's results and for an error, so both always reach the same places.
 */
export async function post(
  gh: GitHubClient,
  access: WriteAccess,
  target: PublishTarget,
  options: PublishOptions,
  p: Posting,
): Promise<Published> {
  const out: Published = {
    annotations: p.annotations.length,
    annotationsLeftOut: p.annotationsLeftOut,
    status: false,
  };
  const { owner, repo } = target;
  if (options.comment && target.pullNumber !== undefined) {
    const c = await upsertComment(
      gh,
      access,
      { owner, repo, issue_number: target.pullNumber },
      p.marker,
      p.comment,
      options.commentAuthor,
    );
    out.commentUrl = c?.url;
    out.commentAction = c?.action;
  }
  const check = await postCheckRun(gh, access, {
    owner,
    repo,
    sha: target.sha,
    name: options.checkName,
    verdict: p.verdict,
    inconclusive: p.inconclusive,
    title: p.title,
    summary: p.summary,
    annotations: p.annotations,
    detailsUrl: target.detailsUrl,
  });
  out.checkUrl = check?.url;
  out.checkRequests = check?.requests;
  out.status = await postStatus(gh, access, {
    owner,
    repo,
    sha: target.sha,
    context: options.statusContext,
    verdict: p.verdict,
    inconclusive: p.inconclusive,
    description: p.description,
    targetUrl: check?.url || target.detailsUrl,
  });
  return out;
}
