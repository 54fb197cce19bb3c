/**
 * What the action does with the history (docs/history.md): on a push to the default branch,
 * a release branch (release/…) or a tag, it appends the run to the history file on the
 * history branch (./history-branch.ts; `contents: write`); on a pull request it reads that
 * history (`contents: read`) for the comment's sparklines. Neither ever fails the gate: a
 * token that may not write gets one warning that says which permission to grant or how to
 * turn the history off.
 */
import { type HistoryRecord, historyRecordOf, releaseOf } from "../history/record.js";
import { plural } from "../io/plural.js";
import type { Results } from "../report/results-schema.js";
import { trendLines } from "../trend/sparkline.js";
import type { GitHubClient } from "./client.js";
import { type GitHubContext, runUrl, str } from "./context.js";
import { appendToHistoryBranch, type HistoryPlace, readHistoryBranch } from "./history-branch.js";
import { configKey } from "./verdict.js";

export interface HistoryOptions {
  /** Append this run on pushes to the default branch and releases (`history: true`). */
  write: boolean;
  /** Read the history for the comment's sparklines (`history: true` or `read`). */
  read: boolean;
  branch: string;
  /** The file on the branch; default: one per gate config, `<config>.jsonl`. */
  file?: string;
  /** The published trend page, linked from the comment. */
  trendUrl?: string;
}

export interface HistoryLog {
  info(m: string): void;
  warning(m: string): void;
}

export function historyPlace(ctx: GitHubContext, o: HistoryOptions, configFile: string): HistoryPlace {
  return {
    owner: ctx.owner,
    repo: ctx.repo,
    branch: o.branch,
    path: o.file || `${configKey(configFile)}.jsonl`,
  };
}

/** Whether this run goes into the history, and why not when it does not. */
export function historyDecision(ctx: GitHubContext, r: Results): { record: boolean; why: string } {
  if (ctx.eventName !== "push") return { record: false, why: `a ${ctx.eventName || "non-push"} run` };
  if (r.smoke) return { record: false, why: "a smoke run" };
  const defaultBranch = str(ctx.event, "repository", "default_branch");
  const branch = ctx.ref?.startsWith("refs/heads/") ? ctx.ref.slice("refs/heads/".length) : undefined;
  if (branch !== undefined && branch === defaultBranch)
    return { record: true, why: `the default branch ${branch}` };
  if (releaseOf(ctx.ref).release)
    return { record: true, why: `the release ${releaseOf(ctx.ref).releaseName}` };
  return { record: false, why: `${ctx.ref ?? "this ref"} is neither the default branch nor a release` };
}

function explain(err: unknown, what: string, o: HistoryOptions): string {
  const status = (err as { status?: number }).status;
  const permission =
    status === 403 || status === 404
      ? `; the job needs \`permissions: contents: write\` to ${what === "write" ? "write" : "read"} the branch ${o.branch}${what === "write" ? " (or set `history: read` or `false`, or keep a history yourself with `safety-gate history add`; docs/history.md)" : ""}`
      : "";
  return `safety-gate: could not ${what} the history on branch ${o.branch}: ${status ? `HTTP ${status}: ` : ""}${(err as Error).message}${permission}`;
}

/**
 * Appends the run when it belongs in the history; warns, never throws. The history as it
 * now is when written; `failed` when it should have been and could not.
 */
export async function recordHistory(
  gh: GitHubClient,
  ctx: GitHubContext,
  o: HistoryOptions,
  r: Results,
  log: HistoryLog,
): Promise<{ records?: HistoryRecord[]; failed?: string }> {
  if (!o.write) return {};
  const decision = historyDecision(ctx, r);
  if (!decision.record) {
    log.info(`history: not recorded (${decision.why})`);
    return {};
  }
  const place = historyPlace(ctx, o, r.config.file);
  try {
    const rec = historyRecordOf(r, { commit: ctx.sha, ref: ctx.ref, runUrl: runUrl(ctx) }, "results.json");
    const done = await appendToHistoryBranch(gh, place, rec);
    log.info(
      `history: ${done.action} ${ctx.sha.slice(0, 12)} in ${place.branch}:${place.path} (${plural(done.points, "point")}${done.retries ? `; ${done.retries} retr${done.retries === 1 ? "y" : "ies"} after another run moved the branch` : ""})`,
    );
    return { records: done.records };
  } catch (err) {
    const failed = explain(err, "write", o);
    log.warning(failed);
    return { failed };
  }
}

/** The comment's trend lines on a pull request: the history's sparklines and the trend page link. */
export async function trendForComment(
  gh: GitHubClient,
  ctx: GitHubContext,
  o: HistoryOptions,
  r: Results,
  log: HistoryLog,
): Promise<string[]> {
  let history: HistoryRecord[] = [];
  if (o.read) {
    try {
      history = await readHistoryBranch(gh, historyPlace(ctx, o, r.config.file));
    } catch (err) {
      log.info(explain(err, "read", o));
    }
  }
  return trendLines(history, r, { url: o.trendUrl });
}
