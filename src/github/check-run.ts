/**
 * The check run on the head commit: conclusion from the verdict, the report as its summary
 * (≤ 65,535 bytes) and an annotation at the suite file and line of newly failing cases.
 * GitHub takes at most 50 annotations per request. A regression of hundreds of cases took a
 * request per 50 and buried the diff view in markers, so the check run carries at most
 * ANNOTATION_CAP (one request), cases of failing gates first; the summary says how many
 * more there are and where the report lists them all.
 */

import { randomUUID } from "node:crypto";
import { isAbsolute } from "node:path";
import { METRIC_INFO, type RateMetric } from "../gate/metrics.js";
import type { Verdict } from "../gate/waivers.js";
import { shownResponse } from "../report/agent-text.js";
import { plainInline } from "../report/escape.js";
import type { Results } from "../report/results-schema.js";
import type { GitHubClient } from "./client.js";
import { checkConclusion, type InconclusiveAs } from "./verdict.js";
import type { WriteAccess } from "./write-access.js";

export const CHECK_SUMMARY_LIMIT = 65_535;
/** GitHub's limit per request, and so the most one check run carries. */
export const ANNOTATION_CAP = 50;

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  title: string;
  message: string;
  raw_details?: string;
}

/** A path GitHub can place in the repository: relative, inside it, with forward slashes. */
export function repoPath(file: string): string | undefined {
  const p = file.replace(/\\/g, "/").replace(/^\.\//, "");
  return p && !isAbsolute(p) && !p.split("/").includes("..") ? p : undefined;
}

export function annotationsFor(r: Results, options: { redact: boolean; maxChars: number }): Annotation[] {
  const cand = new Map(r.builds.candidate.cases.map((c) => [c.id, c]));
  const out: Annotation[] = [];
  // Per-category comparisons repeat the overall one's cases: annotate each case once.
  for (const cmp of r.comparisons.filter((c) => c.category === undefined)) {
    const failed = r.decisions.some((d) => d.metric === cmp.metric && d.outcome === "fail");
    const title = METRIC_INFO[cmp.metric as RateMetric].title;
    for (const id of cmp.regressed) {
      const c = cand.get(id);
      const path = c?.source ? repoPath(c.source.file) : undefined;
      if (!c?.source || !path) continue;
      const grade = c.grades.map((g) => (options.redact ? `${g.grader}: ${g.label}` : g.reason)).join("; ");
      out.push({
        path,
        start_line: c.source.line,
        end_line: c.source.line,
        annotation_level: failed ? "failure" : "warning",
        title: plainInline(`${title}: ${id} newly failing`, 255),
        message: plainInline(`${c.category}: passed on the baseline, fails on the candidate. ${grade}`, 1000),
        ...(options.redact || shownResponse(c) === undefined
          ? {}
          : { raw_details: plainInline(shownResponse(c) as string, options.maxChars) }),
      });
    }
  }
  return out;
}

export interface CheckInput {
  owner: string;
  repo: string;
  sha: string;
  name: string;
  verdict: Verdict;
  inconclusive: InconclusiveAs;
  title: string;
  summary: string;
  annotations: readonly Annotation[];
  detailsUrl?: string;
}

export interface CheckResult {
  url: string;
  requests: number;
}

/** At most ANNOTATION_CAP annotations, failures (cases of a failing gate) before warnings. */
export function capAnnotations(all: readonly Annotation[]): { shown: Annotation[]; leftOut: number } {
  const rank = (a: Annotation) => (a.annotation_level === "failure" ? 0 : 1);
  const shown = [...all].sort((a, b) => rank(a) - rank(b)).slice(0, ANNOTATION_CAP);
  return { shown, leftOut: all.length - shown.length };
}

/** What the check run summary says when annotations were left out. */
export function annotationNote(shown: number, leftOut: number, fullReport: string): string {
  return `> Annotated ${shown} of ${shown + leftOut} newly failing cases at their suite lines; the other ${leftOut} are listed in report.html and results.json. ${fullReport}`;
}

export async function postCheckRun(
  gh: GitHubClient,
  access: WriteAccess,
  input: CheckInput,
): Promise<CheckResult | undefined> {
  const annotations = input.annotations.slice(0, ANNOTATION_CAP);
  // Names this create, so that after an answer that may hide a success (5xx, no answer) the
  // check run can be found again instead of created twice.
  const externalId = `safety-gate:${randomUUID()}`;
  const create = (retries?: number) =>
    gh.rest.checks.create({
      owner: input.owner,
      repo: input.repo,
      name: input.name,
      head_sha: input.sha,
      external_id: externalId,
      status: "completed",
      conclusion: checkConclusion(input.verdict, input.inconclusive),
      completed_at: new Date().toISOString(),
      ...(input.detailsUrl ? { details_url: input.detailsUrl } : {}),
      output: {
        title: input.title,
        summary: input.summary,
        ...(annotations.length ? { annotations } : {}),
      },
      ...(retries === undefined ? {} : { request: { retries } }),
    });
  const created = await access.write("check run", async () => {
    try {
      return await create(0);
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status !== undefined && status < 500) throw err;
      const runs = await gh.rest.checks.listForRef({
        owner: input.owner,
        repo: input.repo,
        ref: input.sha,
        check_name: input.name,
        filter: "all",
      });
      const made = runs.data.check_runs.find((r) => r.external_id === externalId);
      return made ? { data: { id: made.id, html_url: made.html_url } } : await create();
    }
  });
  if (!created) return undefined;
  return { url: created.data.html_url ?? "", requests: 1 };
}
