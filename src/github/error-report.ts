/**
 * Verdict `error` on GitHub. A gate that stops on an invalid config (or an internal error)
 * still has to say so where reviewers and branch protection look: a required `safety-gate`
 * status that is never posted waits forever, and a fork's report workflow that finds no
 * artifact fails at the download. So an error is published like a verdict: a failing check
 * run (an annotation at each problem's file and line), a failure status whose description
 * names the first problem's file:line, the sticky comment, the job summary, and error.json
 * in the results artifact — which `mode: report` reads (as untrusted data) and posts.
 */
import { z } from "zod";
import { InputError } from "../io/diagnostic.js";
import { markdownInline, plainInline } from "../report/escape.js";
import { VERSION } from "../version.js";
import { type Annotation, repoPath } from "./check-run.js";
import type { GitHubClient } from "./client.js";
import { COMMENT_LIMIT, commentMarker } from "./comment.js";
import { type Published, type PublishOptions, type PublishTarget, post } from "./publish.js";
import type { WriteAccess } from "./write-access.js";

export const ERROR_FILE = "error.json";
/** Problems listed in the report (the rest are counted); annotations are capped likewise. */
const SHOWN = 20;

const ProblemSchema = z.strictObject({
  file: z.string().max(1000),
  line: z.int().min(1).optional(),
  column: z.int().min(1).optional(),
  keyPath: z.string().max(1000).optional(),
  message: z.string().max(10_000),
});

export const ErrorReportSchema = z.strictObject({
  schemaVersion: z.literal(1),
  verdict: z.literal("error"),
  tool: z.strictObject({ name: z.literal("safety-gate"), version: z.string().max(100) }),
  createdAt: z.string().max(100),
  /** The gate config, as in results.json's `config.file` (names the sticky comment). */
  config: z.string().max(1000),
  kind: z.enum(["invalid input", "internal error"]),
  problems: z.array(ProblemSchema).min(1).max(1000),
});
export type ErrorReport = z.output<typeof ErrorReportSchema>;
type ErrorProblem = ErrorReport["problems"][number];

export function errorReportOf(err: unknown, config: string, now = new Date()): ErrorReport {
  const base = {
    schemaVersion: 1 as const,
    verdict: "error" as const,
    tool: { name: "safety-gate" as const, version: VERSION },
    createdAt: now.toISOString(),
    config,
  };
  if (err instanceof InputError) {
    return {
      ...base,
      kind: "invalid input",
      problems: err.problems.slice(0, 1000).map((p) => ({
        file: p.file,
        ...(p.position ? { line: p.position.line, column: p.position.column } : {}),
        ...(p.keyPath ? { keyPath: p.keyPath } : {}),
        message: p.message.slice(0, 10_000),
      })),
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    ...base,
    kind: "internal error",
    problems: [{ file: "safety-gate", message: message.slice(0, 10_000) }],
  };
}

export function problemText(p: ErrorProblem): string {
  const where = p.line ? `${p.file}:${p.line}${p.column ? `:${p.column}` : ""}` : p.file;
  return `${where}${p.keyPath ? ` ${p.keyPath}` : ""}: ${p.message}`;
}

/** One line: what a status description (140 characters) and a check title can hold. */
export function errorHeadline(r: ErrorReport): string {
  const first = r.problems[0] as ErrorProblem;
  const more = r.problems.length > 1 ? ` (+${r.problems.length - 1} more)` : "";
  return `${r.kind}: ${problemText(first)}${more}`;
}

/** The report as Markdown; every text from the error is escaped (a fork's error.json is untrusted). */
export function errorMarkdown(r: ErrorReport, fullReport: string): string {
  const out = [
    "## safety-gate: ⛔ ERROR",
    "",
    `**Verdict: error** — the gate did not run to a verdict (${r.kind}); fix what is listed and push again.`,
    "",
  ];
  for (const p of r.problems.slice(0, SHOWN)) out.push(`- ${markdownInline(problemText(p), 1000)}`);
  if (r.problems.length > SHOWN) out.push(`- … and ${r.problems.length - SHOWN} more problems`);
  out.push("", fullReport, "");
  return out.join("\n");
}

function annotationsOf(r: ErrorReport): Annotation[] {
  const out: Annotation[] = [];
  for (const p of r.problems.slice(0, SHOWN)) {
    const path = repoPath(p.file);
    if (!p.line || !path) continue;
    out.push({
      path,
      start_line: p.line,
      end_line: p.line,
      annotation_level: "failure",
      title: plainInline(`safety-gate: ${r.kind}`, 255),
      message: plainInline(`${p.keyPath ? `${p.keyPath}: ` : ""}${p.message}`, 1000),
    });
  }
  return out;
}

/** Posts the error as the comment, a failing check run and a failure status; never throws for a refused write. */
export async function publishError(
  gh: GitHubClient,
  access: WriteAccess,
  r: ErrorReport,
  target: PublishTarget,
  options: PublishOptions,
): Promise<Published> {
  const markdown = errorMarkdown(r, target.fullReport);
  const marker = commentMarker(r.config);
  const headline = errorHeadline(r);
  return post(gh, access, target, options, {
    marker,
    comment: markdown.slice(0, COMMENT_LIMIT - marker.length - 1),
    // "fail" maps to a failing conclusion and state whatever `inconclusive` says.
    verdict: "fail",
    inconclusive: options.inconclusive,
    title: plainInline(`⛔ ERROR — ${headline}`, 255),
    summary: markdown,
    annotations: annotationsOf(r),
    annotationsLeftOut: 0,
    description: `ERROR: ${headline}`,
  });
}
